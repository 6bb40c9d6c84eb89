import 'reflect-metadata';
import type { NonEmptyArray } from 'type-graphql';
import { PersonalAccessTokenResolver } from './auth/personal-access-token.resolver';
import { IngestStatusResolver } from './ingest-status.resolver';
import { AccountStatusResolver } from './accounts/account-status.resolver';
import { AccountTypeResolver } from './accounts/account-type.resolver';
import { AccountResolver } from './accounts/account.resolver';
import { InventoryItemResolver } from './accounts/inventory-item.resolver';
import { IpAssignmentHistoryResolver, IpAssignmentResolver } from './accounts/ip-assignment.resolver';
import { RadiusAccountResolver } from './accounts/radius-account.resolver';
import { RadiusClientResolver } from './radius/radius-client.resolver';
import { RadiusServerResolver } from './radius/radius-server.resolver';
import { RadiusSessionResolver } from './radius/radius-session.resolver';
import { AccountUsageResolver } from './usage/account-usage.resolver';
import { DataUsageResolver } from './usage/data-usage.resolver';
import { UsageQuarantineResolver } from './usage/usage-quarantine.resolver';
import { DataUsageTopOffResolver, UsageBasedBillingPolicyFreePeriodResolver, UsageBasedBillingPolicyResolver } from './usage/usage-policy.resolver';
import { NetflowAllowedSubnetResolver, NetflowEndpointResolver, NetflowWhitelistResolver } from './collectors/netflow.resolver';
import { PreseemResolver } from './appliances/preseem.resolver';
import { InlineDeviceResolver } from './appliances/inline-device.resolver';

/** Every resolver class in the schema. Components append theirs. */
export const resolvers: NonEmptyArray<Function> = [
  PersonalAccessTokenResolver,
  IngestStatusResolver,
  AccountResolver,
  AccountStatusResolver,
  AccountTypeResolver,
  InventoryItemResolver,
  RadiusAccountResolver,
  IpAssignmentResolver,
  IpAssignmentHistoryResolver,
  RadiusClientResolver,
  RadiusServerResolver,
  RadiusSessionResolver,
  DataUsageResolver,
  UsageBasedBillingPolicyResolver,
  UsageBasedBillingPolicyFreePeriodResolver,
  DataUsageTopOffResolver,
  AccountUsageResolver,
  UsageQuarantineResolver,
  NetflowEndpointResolver,
  NetflowAllowedSubnetResolver,
  NetflowWhitelistResolver,
  PreseemResolver,
  InlineDeviceResolver,
];
