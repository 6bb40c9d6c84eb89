import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RadiusAccount } from '../../db/entities';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import { IpAssignmentConnection, IpAssignmentListArgs } from './ip-assignment.types';
import {
  CreateRadiusAccountMutationInput,
  RadiusAccountConnection,
  RadiusAccountListArgs,
  RadiusAccountObject,
  UpdateRadiusAccountMutationInput,
} from './radius-account.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => RadiusAccountObject)
export class RadiusAccountResolver extends EntityNodeResolver('RadiusAccount', RadiusAccountObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => RadiusAccountConnection)
  radius_accounts(@Args(() => RadiusAccountListArgs) args: RadiusAccountListArgs, @Ctx() { services }: GraphQLContext) {
    return services.radiusAccounts.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => RadiusAccountObject)
  createRadiusAccount(@Arg('input', () => CreateRadiusAccountMutationInput) input: CreateRadiusAccountMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.radiusAccounts.create(domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => RadiusAccountObject)
  updateRadiusAccount(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateRadiusAccountMutationInput) input: UpdateRadiusAccountMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.radiusAccounts.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse, { description: 'Deletes the login and releases the addresses it held.' })
  async deleteRadiusAccount(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.radiusAccounts.delete(idOf(id));
    return SuccessResponse.ok();
  }

  @FieldResolver(() => IpAssignmentConnection)
  ip_assignments(@Root() radius: RadiusAccount, @Args(() => IpAssignmentListArgs) args: IpAssignmentListArgs, @Ctx() { services, loaders }: GraphQLContext) {
    return loaders.relationPage('RadiusAccount.ip_assignments', radius.id, toListQuery(args), (ids, query) =>
      services.ipAssignments.pagesForOwners('RadiusAccount', ids, query),
    );
  }
}
