import DataLoader from 'dataloader';
import type { Page } from '../db/list-page';
import type { ListQuery } from '../db/list-query';
import type { UsageBasedBillingPolicyFreePeriod } from '../db/entities/usage-based-billing-policy.entity';
import type { Services } from '../services';
import type { CurrentUsage, UsageHistory } from '../usage/usage-read.service';

/** Loads one page per parent id for many parents in a fixed number of statements. */
export type PagesByParent<T> = (parentIds: readonly number[], query: ListQuery) => Promise<Map<number, Page<T>>>;

/**
 * DataLoaders for relation fields, created per request (in the context) so nothing is cached
 * across requests. A relation field resolved for N parents with the same arguments becomes ONE
 * batch: `relationPage` keeps one loader per (relation, arguments) pair.
 */
export interface Loaders {
  /** The page of `relation` under `parentId` that `query` selects, batched with its siblings. */
  relationPage<T>(relation: string, parentId: number, query: ListQuery, load: PagesByParent<T>): Promise<Page<T>>;
  /** A row by id, batched per entity (`byId('AccountStatus', id, ids => service.byIds(ids))`). */
  byId<T extends { id: number }>(entity: string, id: number, load: (ids: readonly number[]) => Promise<T[]>): Promise<T | null>;
  /** Current billing period standing per account: one batch = three SQL statements, whatever the page size. */
  currentUsage: DataLoader<number, CurrentUsage | null>;
  freePeriods: DataLoader<number, UsageBasedBillingPolicyFreePeriod[]>;
  /** Billing-period history per account (newest first), batched: four statements per batch. */
  usageHistories: DataLoader<number, UsageHistory[]>;
}

export function createLoaders(services: Services): Loaders {
  const loaders = new Map<string, DataLoader<number, unknown>>();
  const loader = <V>(key: string, batch: (ids: readonly number[]) => Promise<V[]>): DataLoader<number, V> => {
    let found = loaders.get(key) as DataLoader<number, V> | undefined;
    if (!found) {
      found = new DataLoader<number, V>(batch, { maxBatchSize: 10_000 });
      loaders.set(key, found as DataLoader<number, unknown>);
    }
    return found;
  };
  // The fixed loaders are getters, built on first use: most requests (a mutation,
  // data_usage_totals) never touch them, and the context is built for every request.
  return {
    relationPage(relation, parentId, query, load) {
      return loader(`page:${relation}:${argumentsKey(query)}`, async (ids) => {
        const pages = await load(ids, query);
        return ids.map((id) => pages.get(id)!);
      }).load(parentId);
    },
    byId(entity, id, load) {
      return loader(`id:${entity}`, async (ids) => {
        const rows = new Map((await load(ids)).map((row) => [row.id, row]));
        return ids.map((i) => rows.get(i) ?? null);
      }).load(id);
    },
    get currentUsage() {
      return loader('usage:current', async (ids) => {
        const usage = await services.usageReads.currentUsage([...ids]);
        return ids.map((id) => usage.get(id) ?? null);
      });
    },
    get usageHistories() {
      return loader('usage:histories', async (ids) => {
        const histories = await services.usageReads.histories([...ids]);
        return ids.map((id) => histories.get(id) ?? []);
      });
    },
    get freePeriods() {
      return loader('policy:free-periods', async (policyIds) => {
        const periods = await services.usagePolicies.freePeriods([...policyIds]);
        return policyIds.map((id) => periods.filter((p) => p.usage_based_billing_policy_id === id));
      });
    },
  };
}

/** A stable key for list arguments (bigint and Date included). */
function argumentsKey(query: ListQuery): string {
  return JSON.stringify(query, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
}
