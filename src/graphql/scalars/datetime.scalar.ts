import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// ISO 8601 date-time with an explicit offset: a time without one is ambiguous, and usage is money.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** ISO 8601 with an offset on input; UTC with `Z` on output. */
export const DatetimeScalar = new GraphQLScalarType<Date, string>({
  name: 'Datetime',
  description: 'ISO 8601 date-time with offset on input (2026-01-31T23:00:00-05:00); UTC with Z on output.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`Datetime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDatetime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Datetime must be a string');
    return parseDatetime(ast.value);
  },
});

export function parseDatetime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) {
    throw new GraphQLError(`Datetime must be ISO 8601 with an offset (e.g. 2026-01-31T23:00:00Z), got ${JSON.stringify(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`Datetime ${value} is not a valid date`);
  return date;
}
