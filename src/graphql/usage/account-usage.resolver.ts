import { Arg, Ctx, FieldResolver, Float, Resolver, Root } from 'type-graphql';
import type { Account } from '../../db/entities/account.entity';
import type { Page } from '../../db/list-page';
import { AccountObject } from '../accounts/account.types';
import { Paginator } from '../common/list.args';
import type { GraphQLContext } from '../context';
import { Int64BitScalar } from '../scalars';
import { historiesPage } from './data-usage.resolver';
import { DataUsageHistoryConnection, type DataUsageHistory } from './data-usage.types';

/** The usage fields of Account, kept with the ledger; every one is batched per request (DataLoader). */
@Resolver(() => AccountObject)
export class AccountUsageResolver {
  @FieldResolver(() => Float, {
    nullable: true,
    description: "Percent of the current billing period's allowance (policy cap + top-offs) used; null without a policy.",
  })
  async data_usage_percentage(@Root() account: Account, @Ctx() { loaders }: GraphQLContext): Promise<number | null> {
    return (await loaders.currentUsage.load(account.id))?.percentage ?? null;
  }

  @FieldResolver(() => Int64BitScalar, { nullable: true, description: 'The usage-based billing policy that applies (setAccountUsageBasedBillingPolicy).' })
  usage_based_billing_policy_id(@Root() account: Account): number | null {
    return account.usage_based_billing_policy_id ?? null;
  }

  @FieldResolver(() => DataUsageHistoryConnection, { description: 'One row per billing period, newest first.' })
  async data_usage_histories(
    @Root() account: Account,
    @Arg('paginator', () => Paginator, { nullable: true }) paginator: Paginator | null,
    @Ctx() { loaders }: GraphQLContext,
  ): Promise<Page<DataUsageHistory>> {
    return historiesPage(await loaders.usageHistories.load(account.id), paginator);
  }
}
