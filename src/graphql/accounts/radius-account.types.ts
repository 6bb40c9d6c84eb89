import { ArgsType, Field, InputType, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { Int64BitScalar } from '../scalars';

/** No `password` field: it is write-only (accepted by create/update, never returned). */
@ObjectType('RadiusAccount', { description: 'A RADIUS login; its sessions are attributed to account_id.' })
export class RadiusAccountObject extends EntityNode {
  @Field(() => Int64BitScalar)
  account_id!: number;

  @Field(() => String)
  username!: string;
}

export const RadiusAccountConnection = connectionType('RadiusAccount', RadiusAccountObject);

@ArgsType()
export class RadiusAccountListArgs extends EntityListArgs {
  @Field(() => Int64BitScalar, { nullable: true })
  account_id?: bigint | null;

  @Field(() => String, { nullable: true })
  username?: string | null;
}

@InputType('CreateRadiusAccountMutationInput')
export class CreateRadiusAccountMutationInput {
  @Field(() => Int64BitScalar)
  account_id!: bigint;

  @Field(() => String, { description: 'Unique.' })
  username!: string;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned.' })
  password?: string | null;
}

@InputType('UpdateRadiusAccountMutationInput')
export class UpdateRadiusAccountMutationInput {
  @Field(() => Int64BitScalar, { nullable: true })
  account_id?: bigint | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned.' })
  password?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_password?: boolean | null;
}
