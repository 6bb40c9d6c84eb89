import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  AccountStatusConnection,
  AccountStatusListArgs,
  AccountStatusObject,
  CreateAccountStatusMutationInput,
  UpdateAccountStatusMutationInput,
} from './account-status.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => AccountStatusObject)
export class AccountStatusResolver extends EntityNodeResolver('AccountStatus', AccountStatusObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => AccountStatusConnection)
  account_statuses(@Args(() => AccountStatusListArgs) args: AccountStatusListArgs, @Ctx() { services }: GraphQLContext) {
    return services.accountStatuses.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountStatusObject)
  createAccountStatus(@Arg('input', () => CreateAccountStatusMutationInput) input: CreateAccountStatusMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.accountStatuses.create(domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountStatusObject)
  updateAccountStatus(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateAccountStatusMutationInput) input: UpdateAccountStatusMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.accountStatuses.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse)
  async deleteAccountStatus(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.accountStatuses.delete(idOf(id));
    return SuccessResponse.ok();
  }
}
