import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DatetimeScalar, Int64BitScalar } from '../scalars';
import { DecimalScalar } from './decimal.scalar';
import { connectionType } from '../common/connection.type';
import { EntityNode } from '../common/node.type';

@InputType({ description: 'One sample of running counters for a series (account_id, data_source_parent, data_source_identifier).' })
export class CreateDataUsageMutationInput {
  @Field(() => DatetimeScalar)
  time!: Date;

  @Field(() => Int64BitScalar, { description: 'Running counter of bytes toward the subscriber (download).' })
  inbytes!: bigint;

  @Field(() => Int64BitScalar, { description: 'Running counter of bytes from the subscriber (upload).' })
  outbytes!: bigint;

  @Field(() => Int64BitScalar)
  account_id!: bigint;

  @Field(() => String)
  data_source_identifier!: string;

  @Field(() => String)
  data_source_parent!: string;
}

@ObjectType()
export class DataUsageTotal {
  @Field(() => Int64BitScalar)
  billable_in_bytes!: bigint;

  @Field(() => Int64BitScalar)
  billable_out_bytes!: bigint;

  @Field(() => Int64BitScalar)
  free_in_bytes!: bigint;

  @Field(() => Int64BitScalar)
  free_out_bytes!: bigint;

  @Field(() => String)
  data_source_identifier!: string;

  @Field(() => String)
  data_source_parent!: string;
}

export const DataUsageTotalConnection = connectionType('DataUsageTotal', DataUsageTotal);

@ObjectType({ description: 'Average rates over one step of a data_usage series.' })
export class DataUsage {
  @Field(() => DatetimeScalar, { description: 'Start of the step.' })
  time!: Date;

  @Field(() => Float)
  inbytes_per_second!: number;

  @Field(() => Float)
  outbytes_per_second!: number;

  @Field(() => String)
  data_source_identifier!: string;

  @Field(() => String)
  data_source_parent!: string;
}

@ObjectType({ description: 'One billing period of one account (computed from the ledger).' })
export class DataUsageHistory {
  @Field(() => ID, { description: 'Unique across all types.' })
  sonar_unique_id!: string;

  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => DatetimeScalar)
  start_time!: Date;

  @Field(() => DatetimeScalar, { nullable: true, description: 'Null while the period is open.' })
  end_time!: Date | null;

  @Field(() => Int64BitScalar)
  billable_in_bytes!: bigint;

  @Field(() => Int64BitScalar)
  billable_out_bytes!: bigint;

  @Field(() => Int64BitScalar)
  free_in_bytes!: bigint;

  @Field(() => Int64BitScalar)
  free_out_bytes!: bigint;

  @Field(() => Int64BitScalar, { nullable: true, description: "The account's policy cap in bytes (null without a policy)." })
  policy_cap_at_close_in_bytes!: bigint | null;

  @Field(() => Int64BitScalar, { description: 'Top-offs created during the period.' })
  top_off_total_at_close_in_bytes!: bigint;
}

export const DataUsageHistoryConnection = connectionType('DataUsageHistory', DataUsageHistory);

@ObjectType()
export class TopDataUsage {
  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => Int64BitScalar)
  inbytes!: bigint;

  @Field(() => Int64BitScalar)
  outbytes!: bigint;

  @Field(() => Int64BitScalar)
  total_bytes!: bigint;
}

@ObjectType()
export class UnattributedUsage {
  @Field(() => String)
  ip!: string;

  @Field(() => String)
  data_source_parent!: string;

  @Field(() => String)
  data_source_identifier!: string;

  @Field(() => Int64BitScalar)
  inbytes!: bigint;

  @Field(() => Int64BitScalar)
  outbytes!: bigint;
}

@ObjectType({ description: "An account's standing in its current billing period." })
export class AccountUsageStatus {
  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => DatetimeScalar)
  period_start!: Date;

  @Field(() => DatetimeScalar)
  period_end!: Date;

  @Field(() => Int64BitScalar)
  billable_in_bytes!: bigint;

  @Field(() => Int64BitScalar)
  billable_out_bytes!: bigint;

  @Field(() => Int64BitScalar, { description: 'Bytes that count against the allowance (per the policy directions).' })
  counted_bytes!: bigint;

  @Field(() => Int64BitScalar, { description: 'Policy cap plus top-offs of the period.' })
  allowance_in_bytes!: bigint;

  @Field(() => Float)
  data_usage_percentage!: number;
}

export enum UsageCountedDirections {
  BOTH = 'BOTH',
  IN = 'IN',
  OUT = 'OUT',
}
registerEnumType(UsageCountedDirections, {
  name: 'UsageCountedDirections',
  description: 'Which traffic counts against the cap: BOTH (download + upload, the default), IN (download) or OUT (upload).',
});

export enum DayOfWeek {
  SUNDAY = 'SUNDAY',
  MONDAY = 'MONDAY',
  TUESDAY = 'TUESDAY',
  WEDNESDAY = 'WEDNESDAY',
  THURSDAY = 'THURSDAY',
  FRIDAY = 'FRIDAY',
  SATURDAY = 'SATURDAY',
}
registerEnumType(DayOfWeek, { name: 'DayOfWeek' });

@ObjectType()
export class UsageBasedBillingPolicyObject extends EntityNode {
  @Field(() => String)
  name!: string;

  @Field(() => DecimalScalar, { description: 'Decimal gigabytes: 1 GB = 10^9 bytes.' })
  cap_in_gigabytes!: string;

  @Field(() => UsageCountedDirections)
  counted_directions!: UsageCountedDirections;
}

@ObjectType('UsageBasedBillingPolicyFreePeriod', {
  description: 'A weekly window (service time zone) whose traffic lands in the free_* columns. [start, end), whole minutes.',
})
export class FreePeriodObject extends EntityNode {
  @Field(() => Int64BitScalar)
  usage_based_billing_policy_id!: number;
}

@ObjectType('DataUsageTopOff')
export class DataUsageTopOffObject extends EntityNode {
  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => Int64BitScalar)
  amount_in_bytes!: string;
}

@InputType()
export class CreateUsageBasedBillingPolicyMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => DecimalScalar)
  cap_in_gigabytes!: string;

  @Field(() => UsageCountedDirections, { nullable: true })
  counted_directions?: UsageCountedDirections;
}

@InputType()
export class UpdateUsageBasedBillingPolicyMutationInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => DecimalScalar, { nullable: true })
  cap_in_gigabytes?: string;

  @Field(() => UsageCountedDirections, { nullable: true })
  counted_directions?: UsageCountedDirections;
}

@InputType()
export class CreateUsageBasedBillingPolicyFreePeriodMutationInput {
  @Field(() => Int64BitScalar)
  usage_based_billing_policy_id!: bigint;

  @Field(() => DayOfWeek)
  day!: DayOfWeek;

  @Field(() => String, { description: 'HH:MM or HH:MM:SS (whole minutes), service time zone.' })
  start!: string;

  @Field(() => String, { description: 'HH:MM or HH:MM:SS (whole minutes); 24:00 ends the day. Must be after start.' })
  end!: string;
}

@InputType()
export class UpdateUsageBasedBillingPolicyFreePeriodMutationInput {
  @Field(() => DayOfWeek, { nullable: true })
  day?: DayOfWeek;

  @Field(() => String, { nullable: true })
  start?: string;

  @Field(() => String, { nullable: true })
  end?: string;
}

@InputType()
export class CreateDataUsageTopOffMutationInput {
  @Field(() => Int64BitScalar)
  account_id!: bigint;

  @Field(() => Int64BitScalar)
  amount_in_bytes!: bigint;
}

@InputType()
export class UpdateDataUsageTopOffMutationInput {
  @Field(() => Int64BitScalar, { nullable: true })
  amount_in_bytes?: bigint;
}

export { Int };
