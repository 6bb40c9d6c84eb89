import { ArgsType, Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { PageInfo } from '../common/page-info.type';
import { DatetimeScalar, Int64BitScalar, SubnetScalar } from '../scalars';

export enum IpassignmentableType {
  Account = 'Account',
  InventoryItem = 'InventoryItem',
  RadiusAccount = 'RadiusAccount',
}
registerEnumType(IpassignmentableType, { name: 'IpassignmentableType' });

@ObjectType('IpAssignment', { description: 'A subnet held by an account, one of its devices or one of its RADIUS logins.' })
export class IpAssignmentObject extends EntityNode {
  @Field(() => SubnetScalar)
  subnet!: string;

  @Field(() => IpassignmentableType)
  ipassignmentable_type!: IpassignmentableType;

  @Field(() => Int64BitScalar)
  ipassignmentable_id!: number;

  @Field(() => Boolean, { description: 'Learned automatically (e.g. from RADIUS) rather than static.' })
  soft!: boolean;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  reference!: string | null;
}

export const IpAssignmentConnection = connectionType('IpAssignment', IpAssignmentObject);

@ArgsType()
export class IpAssignmentListArgs extends EntityListArgs {
  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;

  @Field(() => IpassignmentableType, { nullable: true })
  ipassignmentable_type?: IpassignmentableType | null;

  @Field(() => Int64BitScalar, { nullable: true })
  ipassignmentable_id?: bigint | null;

  @Field(() => Boolean, { nullable: true })
  soft?: boolean | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  reference?: string | null;
}

@InputType('CreateIpAssignmentMutationInput')
export class CreateIpAssignmentMutationInput {
  @Field(() => SubnetScalar)
  subnet!: string;

  @Field(() => IpassignmentableType)
  ipassignmentable_type!: IpassignmentableType;

  @Field(() => Int64BitScalar)
  ipassignmentable_id!: bigint;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  soft?: boolean | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  reference?: string | null;
}

@InputType('UpdateIpAssignmentMutationInput')
export class UpdateIpAssignmentMutationInput {
  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;

  @Field(() => IpassignmentableType, { nullable: true })
  ipassignmentable_type?: IpassignmentableType | null;

  @Field(() => Int64BitScalar, { nullable: true })
  ipassignmentable_id?: bigint | null;

  @Field(() => Boolean, { nullable: true })
  soft?: boolean | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_description?: boolean | null;

  @Field(() => String, { nullable: true })
  reference?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_reference?: boolean | null;
}

@ObjectType('AccountIpAssignment', { description: 'A subnet and the account it resolves to through the owner chain.' })
export class AccountIpAssignmentObject {
  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => SubnetScalar)
  subnet!: string;
}

@ObjectType('AccountIpAssignmentConnection')
export class AccountIpAssignmentConnection {
  @Field(() => [AccountIpAssignmentObject])
  entities!: AccountIpAssignmentObject[];

  @Field(() => PageInfo)
  page_info!: PageInfo;
}

@ObjectType('IpAssignmentHistory', { description: 'Who held a subnet, from when to when (maintained by the database).' })
export class IpAssignmentHistoryObject extends EntityNode {
  @Field(() => SubnetScalar)
  subnet!: string;

  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => DatetimeScalar)
  assigned_datetime!: Date;

  @Field(() => DatetimeScalar, { nullable: true })
  removed_datetime!: Date | null;

  @Field(() => String, { nullable: true, description: 'What held the address, e.g. the RADIUS username of a dynamic session.' })
  unique_identifier!: string | null;
}

export const IpAssignmentHistoryConnection = connectionType('IpAssignmentHistory', IpAssignmentHistoryObject);

@ArgsType()
export class IpAssignmentHistoryListArgs extends EntityListArgs {
  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_id?: bigint | null;

  @Field(() => DatetimeScalar, { nullable: true })
  assigned_datetime?: Date | null;

  @Field(() => DatetimeScalar, { nullable: true })
  removed_datetime?: Date | null;

  @Field(() => String, { nullable: true })
  unique_identifier?: string | null;
}
