import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  CreateRadiusClientMutationInput,
  RadiusClientConnection,
  RadiusClientListArgs,
  RadiusClientObject,
  UpdateRadiusClientMutationInput,
} from './radius-client.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => RadiusClientObject)
export class RadiusClientResolver extends EntityNodeResolver('RadiusClient', RadiusClientObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => RadiusClientConnection, { description: 'Extension: the NASes allowed to send RADIUS accounting.' })
  radius_clients(@Args(() => RadiusClientListArgs) args: RadiusClientListArgs, @Ctx() { services }: GraphQLContext) {
    return services.radiusClients.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => RadiusClientObject)
  createRadiusClient(@Arg('input', () => CreateRadiusClientMutationInput) input: CreateRadiusClientMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.radiusClients.create(domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => RadiusClientObject)
  updateRadiusClient(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateRadiusClientMutationInput) input: UpdateRadiusClientMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.radiusClients.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse)
  async deleteRadiusClient(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.radiusClients.delete(idOf(id));
    return SuccessResponse.ok();
  }
}
