import type { NonEmptyArray } from 'type-graphql';
import { PersonalAccessTokenResolver } from './auth/personal-access-token.resolver';
import { IngestStatusResolver } from './ingest-status.resolver';
import { DataUsageResolver } from './usage/data-usage.resolver';
import { DataUsageTopOffResolver, UsageBasedBillingPolicyFreePeriodResolver, UsageBasedBillingPolicyResolver } from './usage/usage-policy.resolver';

/** Every resolver class in the schema. Components append theirs. */
export const resolvers: NonEmptyArray<Function> = [
  PersonalAccessTokenResolver,
  IngestStatusResolver,
  DataUsageResolver,
  UsageBasedBillingPolicyResolver,
  UsageBasedBillingPolicyFreePeriodResolver,
  DataUsageTopOffResolver,
];
