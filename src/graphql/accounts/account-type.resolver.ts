import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  AccountTypeConnection,
  AccountTypeListArgs,
  AccountTypeObject,
  CreateAccountTypeMutationInput,
  UpdateAccountTypeMutationInput,
} from './account-type.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => AccountTypeObject)
export class AccountTypeResolver extends EntityNodeResolver('AccountType', AccountTypeObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => AccountTypeConnection)
  account_types(@Args(() => AccountTypeListArgs) args: AccountTypeListArgs, @Ctx() { services }: GraphQLContext) {
    return services.accountTypes.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountTypeObject)
  createAccountType(@Arg('input', () => CreateAccountTypeMutationInput) input: CreateAccountTypeMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.accountTypes.create(domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountTypeObject)
  updateAccountType(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateAccountTypeMutationInput) input: UpdateAccountTypeMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.accountTypes.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse)
  async deleteAccountType(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.accountTypes.delete(idOf(id));
    return SuccessResponse.ok();
  }
}
