import { Foundation1795645753820 } from './1795645753820-foundation';
import { InlineDevices1795645857031 } from './1795645857031-inline-devices';
import { UsagePolicies1795646279939 } from './1795646279939-usage-policies';
import { UsageLedger1795646279940 } from './1795646279940-usage-ledger';
import { AttributionHistory1795646520209 } from './1795646520209-attribution-history';
import { NetflowEndpoints1795646676075 } from './1795646676075-netflow-endpoints';
import { RadiusAccounting1795646759948 } from './1795646759948-radius-accounting';
import { RadiusSessionsFillfactor1795646759949 } from './1795646759949-radius-sessions-fillfactor';

/** Every migration, in order. TypeORM runs the ones not yet recorded in the `migrations` table. */
export const migrations: Function[] = [
  Foundation1795645753820,
  InlineDevices1795645857031,
  UsagePolicies1795646279939,
  UsageLedger1795646279940,
  AttributionHistory1795646520209,
  NetflowEndpoints1795646676075,
  RadiusAccounting1795646759948,
  RadiusSessionsFillfactor1795646759949,
];

// Appliances (Preseem settings, inline device TLS, poller checkpoints).
import { Appliances1795646216687 } from './1795646216687-appliances';
import { ApplianceCheckpoints1795646216688 } from './1795646216688-appliance-checkpoints';
migrations.push(Appliances1795646216687, ApplianceCheckpoints1795646216688);

// Index-only billing-period reads of the 5-minute tier.
import { Usage5mCovering1795646759951 } from './1795646759951-usage-5m-covering';
migrations.push(Usage5mCovering1795646759951);

// In-place (HOT) updates of the createDataUsages series states.
import { UsageSeriesFillfactor1795646759952 } from './1795646759952-usage-series-fillfactor';
migrations.push(UsageSeriesFillfactor1795646759952);

// The SaiSei REST system name per inline device.
import { InlineDeviceSystemName1796200000000 } from './1796200000000-inline-device-system-name';
migrations.push(InlineDeviceSystemName1796200000000);
// Token scopes: read, write, admin; tokens made before them become admin.
import { TokenScopes1796400000000 } from './1796400000000-token-scopes';
migrations.push(TokenScopes1796400000000);
// RadiusServer (Sonar's): the radacct import per server, replacing RADACCT_DATABASE_URL.
import { RadiusServers1796500000000 } from './1796500000000-radius-servers';
migrations.push(RadiusServers1796500000000);
// Ledger rows the buffered writer set aside because the database refused their data.
import { UsageQuarantine1796100000000 } from './1796100000000-usage-quarantine';
migrations.push(UsageQuarantine1796100000000);
