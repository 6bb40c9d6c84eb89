import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  CreateNetflowAllowedSubnetMutationInput,
  CreateNetflowEndpointMutationInput,
  CreateNetflowWhitelistMutationInput,
  NetflowAllowedSubnetConnection,
  NetflowAllowedSubnetObject,
  NetflowEndpointConnection,
  NetflowEndpointListArgs,
  NetflowEndpointObject,
  NetflowSubnetListArgs,
  NetflowWhitelistConnection,
  NetflowWhitelistObject,
  UpdateNetflowAllowedSubnetMutationInput,
  UpdateNetflowEndpointMutationInput,
  UpdateNetflowWhitelistMutationInput,
} from './netflow.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => NetflowEndpointObject)
export class NetflowEndpointResolver extends EntityNodeResolver('NetflowEndpoint', NetflowEndpointObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => NetflowEndpointConnection)
  netflow_endpoints(@Args(() => NetflowEndpointListArgs) args: NetflowEndpointListArgs, @Ctx() { services }: GraphQLContext) {
    return services.netflowEndpoints.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => NetflowEndpointObject)
  createNetflowEndpoint(@Arg('input', () => CreateNetflowEndpointMutationInput) input: CreateNetflowEndpointMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.netflowEndpoints.create(domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => NetflowEndpointObject)
  updateNetflowEndpoint(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateNetflowEndpointMutationInput) input: UpdateNetflowEndpointMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.netflowEndpoints.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse)
  async deleteNetflowEndpoint(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.netflowEndpoints.delete(idOf(id));
    return SuccessResponse.ok();
  }
}

@Resolver(() => NetflowAllowedSubnetObject)
export class NetflowAllowedSubnetResolver extends EntityNodeResolver('NetflowAllowedSubnet', NetflowAllowedSubnetObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => NetflowAllowedSubnetConnection)
  netflow_allowed_subnets(@Args(() => NetflowSubnetListArgs) args: NetflowSubnetListArgs, @Ctx() { services }: GraphQLContext) {
    return services.netflowAllowedSubnets.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => NetflowAllowedSubnetObject)
  createNetflowAllowedSubnet(@Arg('input', () => CreateNetflowAllowedSubnetMutationInput) input: CreateNetflowAllowedSubnetMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.netflowAllowedSubnets.create(domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => NetflowAllowedSubnetObject)
  updateNetflowAllowedSubnet(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateNetflowAllowedSubnetMutationInput) input: UpdateNetflowAllowedSubnetMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.netflowAllowedSubnets.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse)
  async deleteNetflowAllowedSubnet(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.netflowAllowedSubnets.delete(idOf(id));
    return SuccessResponse.ok();
  }
}

@Resolver(() => NetflowWhitelistObject)
export class NetflowWhitelistResolver extends EntityNodeResolver('NetflowWhitelist', NetflowWhitelistObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => NetflowWhitelistConnection)
  netflow_whitelists(@Args(() => NetflowSubnetListArgs) args: NetflowSubnetListArgs, @Ctx() { services }: GraphQLContext) {
    return services.netflowWhitelists.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => NetflowWhitelistObject)
  createNetflowWhitelist(@Arg('input', () => CreateNetflowWhitelistMutationInput) input: CreateNetflowWhitelistMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.netflowWhitelists.create(domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => NetflowWhitelistObject)
  updateNetflowWhitelist(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateNetflowWhitelistMutationInput) input: UpdateNetflowWhitelistMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.netflowWhitelists.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse)
  async deleteNetflowWhitelist(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.netflowWhitelists.delete(idOf(id));
    return SuccessResponse.ok();
  }
}
