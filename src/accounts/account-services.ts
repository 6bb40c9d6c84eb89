import type { DataSource } from 'typeorm';
import { AccountStatusService } from './account-status.service';
import { AccountTypeService } from './account-type.service';
import { AccountService } from './account.service';
import { InventoryItemService } from './inventory-item.service';
import { IpAssignmentHistoryService } from './ip-assignment-history.service';
import { IpAssignmentService } from './ip-assignment.service';
import { RadiusAccountService } from './radius-account.service';
import type { OwnershipListener } from './service-support';

/** The account domain's services, as the composition root spreads them into `Services`. */
export interface AccountServices {
  accounts: AccountService;
  accountStatuses: AccountStatusService;
  accountTypes: AccountTypeService;
  inventoryItems: InventoryItemService;
  radiusAccounts: RadiusAccountService;
  ipAssignments: IpAssignmentService;
  ipAssignmentHistories: IpAssignmentHistoryService;
}

/** `ownership` is told (after commit) whenever who-holds-which-address changed: attribution refreshes. */
export function createAccountServices(dataSource: DataSource, ownership: OwnershipListener): AccountServices {
  return {
    accounts: new AccountService(dataSource),
    accountStatuses: new AccountStatusService(dataSource),
    accountTypes: new AccountTypeService(dataSource),
    inventoryItems: new InventoryItemService(dataSource, ownership),
    radiusAccounts: new RadiusAccountService(dataSource, ownership),
    ipAssignments: new IpAssignmentService(dataSource, ownership),
    ipAssignmentHistories: new IpAssignmentHistoryService(dataSource),
  };
}
