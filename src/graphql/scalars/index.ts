export { Int64BitScalar, parseInt64 } from './int64.scalar';
export { DatetimeScalar } from './datetime.scalar';
export { DateScalar } from './date.scalar';
export { IPScalar, SubnetScalar } from './ip.scalar';
