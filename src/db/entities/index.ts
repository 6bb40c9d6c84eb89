import { Account } from './account.entity';
import { AccountStatus } from './account-status.entity';
import { AccountType } from './account-type.entity';
import { InlineDevice } from './inline-device.entity';
import { InventoryItem } from './inventory-item.entity';
import { IpAssignment } from './ip-assignment.entity';
import { IpAssignmentHistory } from './ip-assignment-history.entity';
import { PersonalAccessToken } from './personal-access-token.entity';
import { PreseemSettings } from './preseem-settings.entity';
import { RadiusAccount } from './radius-account.entity';
import { RadiusClient } from './radius-client.entity';
import { RadiusServer } from './radius-server.entity';
import { RadiusSession } from './radius-session.entity';
import { RadacctImportCheckpoint, RadacctImportSession } from './radacct-import.entity';

export { Account, AccountStatus, AccountType, InlineDevice, InventoryItem, IpAssignment, IpAssignmentHistory, PersonalAccessToken, RadiusAccount };
export { RadiusClient, RadiusServer, RadiusSession, RadacctImportCheckpoint, RadacctImportSession };
import { UsageBasedBillingPolicy, UsageBasedBillingPolicyFreePeriod } from './usage-based-billing-policy.entity';
import { DataUsageTopOff } from './data-usage-top-off.entity';

export { UsageBasedBillingPolicy, UsageBasedBillingPolicyFreePeriod, DataUsageTopOff };
import { NetflowAllowedSubnet } from './netflow-allowed-subnet.entity';
import { NetflowEndpoint } from './netflow-endpoint.entity';
import { NetflowWhitelist } from './netflow-whitelist.entity';
export { NetflowAllowedSubnet, NetflowEndpoint, NetflowWhitelist };
export { PreseemSettings };
import { UsageQuarantine } from './usage-quarantine.entity';
export { UsageQuarantine };

/** Every mapped entity. Components add theirs here. */
export const entities = [
  Account,
  AccountStatus,
  AccountType,
  InlineDevice,
  InventoryItem,
  IpAssignment,
  IpAssignmentHistory,
  PersonalAccessToken,
  RadiusAccount,
  RadiusClient,
  RadiusServer,
  RadiusSession,
  RadacctImportSession,
  RadacctImportCheckpoint,
  UsageBasedBillingPolicy,
  UsageBasedBillingPolicyFreePeriod,
  DataUsageTopOff,
  NetflowEndpoint,
  NetflowAllowedSubnet,
  NetflowWhitelist,
  PreseemSettings,
  UsageQuarantine,
];
