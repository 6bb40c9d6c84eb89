import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Account } from '../../db/entities';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { Int64BitScalar } from '../scalars';
import { AccountStatusObject } from './account-status.types';
import { AccountConnection, AccountListArgs, AccountObject, CreateAccountMutationInput, UpdateAccountMutationInput } from './account.types';
import { InventoryItemConnection, InventoryItemListArgs } from './inventory-item.types';
import { IpAssignmentConnection, IpAssignmentListArgs } from './ip-assignment.types';
import { RadiusAccountConnection, RadiusAccountListArgs } from './radius-account.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => AccountObject)
export class AccountResolver extends EntityNodeResolver('Account', AccountObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => AccountConnection)
  accounts(@Args(() => AccountListArgs) args: AccountListArgs, @Ctx() { services }: GraphQLContext) {
    return services.accounts.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountObject)
  createAccount(@Arg('input', () => CreateAccountMutationInput) input: CreateAccountMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.accounts.create(domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountObject)
  updateAccount(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateAccountMutationInput) input: UpdateAccountMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.accounts.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountObject, { description: 'Accounts are archived, never deleted.' })
  archiveAccount(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    return services.accounts.archive(idOf(id));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => AccountObject)
  unarchiveAccount(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    return services.accounts.unarchive(idOf(id));
  }

  @FieldResolver(() => IpAssignmentConnection, { description: 'Assignments held by the account itself.' })
  ip_assignments(@Root() account: Account, @Args(() => IpAssignmentListArgs) args: IpAssignmentListArgs, @Ctx() { services, loaders }: GraphQLContext) {
    return loaders.relationPage('Account.ip_assignments', account.id, toListQuery(args), (ids, query) =>
      services.ipAssignments.pagesForOwners('Account', ids, query),
    );
  }

  @FieldResolver(() => InventoryItemConnection)
  inventory_items(@Root() account: Account, @Args(() => InventoryItemListArgs) args: InventoryItemListArgs, @Ctx() { services, loaders }: GraphQLContext) {
    return loaders.relationPage('Account.inventory_items', account.id, toListQuery(args), (ids, query) =>
      services.inventoryItems.pagesForAccounts(ids, query),
    );
  }

  @FieldResolver(() => RadiusAccountConnection)
  radius_accounts(@Root() account: Account, @Args(() => RadiusAccountListArgs) args: RadiusAccountListArgs, @Ctx() { services, loaders }: GraphQLContext) {
    return loaders.relationPage('Account.radius_accounts', account.id, toListQuery(args), (ids, query) =>
      services.radiusAccounts.pagesForAccounts(ids, query),
    );
  }

  @FieldResolver(() => AccountStatusObject)
  account_status(@Root() account: Account, @Ctx() { services, loaders }: GraphQLContext) {
    return loaders.byId('AccountStatus', account.account_status_id, (ids) => services.accountStatuses.byIds(ids));
  }
}
