import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { badInput } from '../../errors';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  CreateRadiusServerMutationInput,
  RadiusServerConnection,
  RadiusServerListArgs,
  RadiusServerObject,
  UpdateRadiusServerMutationInput,
} from './radius-server.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

/** Sonar declares `input` nullable; a missing one is the client's mistake, said so. */
function required<T>(input: T | null | undefined): T {
  if (input === null || input === undefined) throw badInput('input is required');
  return input;
}

/** Sonar's RadiusServer: list, create, update, delete. The import follows the changes within a poll interval. */
@Resolver(() => RadiusServerObject)
export class RadiusServerResolver extends EntityNodeResolver('RadiusServer', RadiusServerObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => RadiusServerConnection, { description: 'RADIUS servers.' })
  radius_servers(@Args(() => RadiusServerListArgs) args: RadiusServerListArgs, @Ctx() { services }: GraphQLContext) {
    return services.radiusServers.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => RadiusServerObject, { description: 'Create a RADIUS server.' })
  createRadiusServer(
    @Arg('input', () => CreateRadiusServerMutationInput, { nullable: true }) input: CreateRadiusServerMutationInput | null,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.radiusServers.create(domainInput(required(input)));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => RadiusServerObject, { description: 'Update a RADIUS server.' })
  updateRadiusServer(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateRadiusServerMutationInput, { nullable: true }) input: UpdateRadiusServerMutationInput | null,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.radiusServers.update(idOf(id), domainInput(required(input)));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse, { description: 'Delete a RADIUS server.' })
  async deleteRadiusServer(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.radiusServers.delete(idOf(id));
    return SuccessResponse.ok();
  }
}
