import { ArgsType, Field, InputType, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { SubnetScalar } from '../scalars';

/** No `secret` field: it is write-only. */
@ObjectType('RadiusClient', { description: 'Extension: a NAS allowed to send RADIUS accounting from an address in `subnet`.' })
export class RadiusClientObject extends EntityNode {
  @Field(() => String)
  name!: string;

  @Field(() => SubnetScalar)
  subnet!: string;
}

export const RadiusClientConnection = connectionType('RadiusClient', RadiusClientObject);

@ArgsType()
export class RadiusClientListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;
}

@InputType('CreateRadiusClientMutationInput')
export class CreateRadiusClientMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => SubnetScalar, { description: 'Source addresses of the NAS; a bare address means /32 or /128.' })
  subnet!: string;

  @Field(() => String, { description: 'Shared secret. Write-only: never returned.' })
  secret!: string;
}

@InputType('UpdateRadiusClientMutationInput')
export class UpdateRadiusClientMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned.' })
  secret?: string | null;
}
