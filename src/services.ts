import type { Registry } from 'prom-client';
import type { AccountServices } from './accounts/account-services';
import type { NetflowServices } from './collectors/netflow-endpoint.service';
import type { ApplianceServices } from './appliances/appliance-services';
import type { AttributionService } from './attribution/attribution.service';
import type { DataSource } from 'typeorm';
import type { TokenService } from './auth/token.service';
import type { Config } from './config';
import type { Engine } from './db/data-source';
import type { IngestStatusRegistry } from './ingest/ingest-status';
import type { Logger } from './logger';
import type { RadiusClientService } from './radius/radius-client.service';
import type { RadiusServerService } from './radius/radius-server.service';
import type { RadiusSessionService } from './radius/radius-session.service';
import type { DataUsageService } from './usage/data-usage.service';
import type { RecordByteLimit } from './usage/plausible-bytes';
import type { UsageQuarantineService } from './usage/usage-quarantine.service';
import type { LedgerService } from './usage/ledger.service';
import type { UsagePolicyService } from './usage/policy.service';
import type { LedgerRollup } from './usage/rollup.service';
import type { UsageReadService } from './usage/usage-read.service';
import type { BufferedUsageWriter } from './usage/usage-writer.service';

/**
 * The domain services of one running service, built once by the composition root (app.ts)
 * and handed to the GraphQL context and the ingesters. Components add theirs here.
 */
export interface Services extends AccountServices, NetflowServices, ApplianceServices {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  engine: Engine;
  metrics: Registry;
  ingestStatus: IngestStatusRegistry;
  tokens: TokenService;
  radiusClients: RadiusClientService;
  radiusServers: RadiusServerService;
  radiusSessions: RadiusSessionService;
  attribution: AttributionService;
  /** The usage ledger: `ledger.record` inside a transaction, `usageWriter` buffered for high-rate sources. */
  ledger: LedgerService;
  usageWriter: BufferedUsageWriter;
  /** The edge rule every source applies to a record's bytes before crediting it. */
  recordLimit: RecordByteLimit;
  ledgerRollup: LedgerRollup;
  dataUsage: DataUsageService;
  usageReads: UsageReadService;
  usagePolicies: UsagePolicyService;
  /** Ledger rows the database refused, set aside by the writer (read side). */
  usageQuarantine: UsageQuarantineService;
}
