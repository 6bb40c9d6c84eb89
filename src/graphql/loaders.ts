import DataLoader from 'dataloader';
import type { UsageBasedBillingPolicyFreePeriod } from '../db/entities/usage-based-billing-policy.entity';
import type { Services } from '../services';
import type { CurrentUsage } from '../usage/usage-read.service';

/** DataLoaders for relation fields, created per request so nothing is cached across requests. */
export interface Loaders {
  /** Current billing period standing per account: one batch = three SQL statements, whatever the page size. */
  currentUsage: DataLoader<number, CurrentUsage | null>;
  freePeriods: DataLoader<number, UsageBasedBillingPolicyFreePeriod[]>;
}

export function createLoaders(services: Services): Loaders {
  return {
    currentUsage: new DataLoader(async (ids: readonly number[]) => {
      const usage = await services.usageReads.currentUsage([...ids]);
      return ids.map((id) => usage.get(id) ?? null);
    }),
    freePeriods: new DataLoader(async (policyIds: readonly number[]) => {
      const periods = await services.usagePolicies.freePeriods([...policyIds]);
      return policyIds.map((id) => periods.filter((p) => p.usage_based_billing_policy_id === id));
    }),
  };
}
