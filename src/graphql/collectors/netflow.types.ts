import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { Int64BitScalar, SubnetScalar } from '../scalars';

@ObjectType('NetflowEndpoint', { description: 'A group of NetFlow/IPFIX exporters (by NetflowAllowedSubnet) whose flows count.' })
export class NetflowEndpointObject extends EntityNode {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { description: 'On: only traffic to or from this endpoint\'s NetflowWhitelist subnets counts.' })
  whitelist_mode!: boolean;

  @Field(() => Int, { nullable: true, description: 'Extension: 1-in-N sampling rate that overrides what the exporters announce.' })
  sampling_rate!: number | null;
}
export const NetflowEndpointConnection = connectionType('NetflowEndpoint', NetflowEndpointObject);

@ObjectType('NetflowAllowedSubnet', { description: 'Exporter addresses allowed to send to a NetflowEndpoint.' })
export class NetflowAllowedSubnetObject extends EntityNode {
  @Field(() => Int64BitScalar)
  netflow_endpoint_id!: number;

  @Field(() => SubnetScalar)
  subnet!: string;
}
export const NetflowAllowedSubnetConnection = connectionType('NetflowAllowedSubnet', NetflowAllowedSubnetObject);

@ObjectType('NetflowWhitelist', { description: 'With whitelist mode on, only flows to or from these subnets count.' })
export class NetflowWhitelistObject extends EntityNode {
  @Field(() => Int64BitScalar)
  netflow_endpoint_id!: number;

  @Field(() => SubnetScalar)
  subnet!: string;
}
export const NetflowWhitelistConnection = connectionType('NetflowWhitelist', NetflowWhitelistObject);

@ArgsType()
export class NetflowEndpointListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  whitelist_mode?: boolean | null;

  @Field(() => Int, { nullable: true })
  sampling_rate?: number | null;
}

@ArgsType()
export class NetflowSubnetListArgs extends EntityListArgs {
  @Field(() => Int64BitScalar, { nullable: true })
  netflow_endpoint_id?: bigint | null;

  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;
}

@InputType('CreateNetflowEndpointMutationInput')
export class CreateNetflowEndpointMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  whitelist_mode?: boolean | null;

  @Field(() => Int, { nullable: true })
  sampling_rate?: number | null;
}

@InputType('UpdateNetflowEndpointMutationInput')
export class UpdateNetflowEndpointMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  whitelist_mode?: boolean | null;

  @Field(() => Int, { nullable: true })
  sampling_rate?: number | null;

  @Field(() => Boolean, { nullable: true })
  unset_sampling_rate?: boolean | null;
}

@InputType('CreateNetflowAllowedSubnetMutationInput')
export class CreateNetflowAllowedSubnetMutationInput {
  @Field(() => Int64BitScalar)
  netflow_endpoint_id!: bigint;

  @Field(() => SubnetScalar)
  subnet!: string;
}

@InputType('UpdateNetflowAllowedSubnetMutationInput')
export class UpdateNetflowAllowedSubnetMutationInput {
  @Field(() => Int64BitScalar, { nullable: true })
  netflow_endpoint_id?: bigint | null;

  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;
}

@InputType('CreateNetflowWhitelistMutationInput')
export class CreateNetflowWhitelistMutationInput {
  @Field(() => Int64BitScalar)
  netflow_endpoint_id!: bigint;

  @Field(() => SubnetScalar)
  subnet!: string;
}

@InputType('UpdateNetflowWhitelistMutationInput')
export class UpdateNetflowWhitelistMutationInput {
  @Field(() => Int64BitScalar, { nullable: true })
  netflow_endpoint_id?: bigint | null;

  @Field(() => SubnetScalar, { nullable: true })
  subnet?: string | null;
}
