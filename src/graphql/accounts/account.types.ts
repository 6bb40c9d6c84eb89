import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { DateScalar, DatetimeScalar, Int64BitScalar } from '../scalars';

@ObjectType('Account', { description: 'A customer account. Archived, never deleted.' })
export class AccountObject extends EntityNode {
  @Field(() => String)
  name!: string;

  @Field(() => Int64BitScalar)
  account_status_id!: number;

  @Field(() => Int64BitScalar)
  account_type_id!: number;

  @Field(() => DateScalar, { nullable: true })
  activation_date!: string | null;

  @Field(() => DatetimeScalar, { nullable: true })
  archived_at!: Date | null;

  @Field(() => Int, { description: 'Day of month (1..28) a billing period starts, in the service time zone.' })
  bill_day!: number;
}

export const AccountConnection = connectionType('Account', AccountObject);

@ArgsType()
export class AccountListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_status_id?: bigint | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_type_id?: bigint | null;

  @Field(() => DateScalar, { nullable: true })
  activation_date?: string | null;

  @Field(() => DatetimeScalar, { nullable: true })
  archived_at?: Date | null;

  @Field(() => Int, { nullable: true })
  bill_day?: number | null;
}

@InputType('CreateAccountMutationInput')
export class CreateAccountMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => Int64BitScalar)
  account_status_id!: bigint;

  @Field(() => Int64BitScalar)
  account_type_id!: bigint;

  @Field(() => DateScalar, { nullable: true })
  activation_date?: string | null;

  @Field(() => Int, { nullable: true, description: '1..28, default 1.' })
  bill_day?: number | null;
}

@InputType('UpdateAccountMutationInput')
export class UpdateAccountMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_status_id?: bigint | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_type_id?: bigint | null;

  @Field(() => DateScalar, { nullable: true })
  activation_date?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_activation_date?: boolean | null;

  @Field(() => Int, { nullable: true })
  bill_day?: number | null;
}
