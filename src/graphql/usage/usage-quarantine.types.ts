import { ArgsType, Field, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { DatetimeScalar, Int64BitScalar } from '../scalars';

@ObjectType('UsageQuarantine', {
  description:
    'Extension: a ledger row the database refused (its data, not an outage), set aside so the rest of its batch was written. ' +
    'Its bytes are in no usage total. created_at: when it was set aside.',
})
export class UsageQuarantineObject extends EntityNode {
  @Field(() => String, { description: 'usage (credited to account_id) or unattributed (kept by ip).' })
  kind!: string;

  @Field(() => Int64BitScalar, { nullable: true })
  account_id!: number | null;

  @Field(() => String, { nullable: true, description: 'The address of an unattributed row, as the source gave it.' })
  ip!: string | null;

  @Field(() => String)
  data_source_parent!: string;

  @Field(() => String)
  data_source_identifier!: string;

  @Field(() => DatetimeScalar, { nullable: true, description: 'The minute the bytes were aggregated at.' })
  time!: Date | null;

  @Field(() => String, { description: 'Download bytes, a decimal integer (it may exceed 64 bits: often why the row is here).' })
  in_bytes!: string;

  @Field(() => String, { description: 'Upload bytes, a decimal integer.' })
  out_bytes!: string;

  @Field(() => String, { description: "The database's message." })
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Its SQLSTATE, e.g. 22003 (numeric value out of range).' })
  sql_state!: string | null;
}

export const UsageQuarantineConnection = connectionType('UsageQuarantine', UsageQuarantineObject);

@ArgsType()
export class UsageQuarantineListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  kind?: string | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_id?: bigint | null;

  @Field(() => String, { nullable: true })
  data_source_parent?: string | null;

  @Field(() => String, { nullable: true })
  data_source_identifier?: string | null;

  @Field(() => String, { nullable: true })
  sql_state?: string | null;
}
