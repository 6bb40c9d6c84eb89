import { createAccountServices } from './accounts/account-services';
import { createApplianceServices } from './appliances/appliance-services';
import { createAttributionService } from './attribution/attribution.service';
import { TokenService } from './auth/token.service';
import { createNetflowServices } from './collectors/netflow-endpoint.service';
import type { Config } from './config';
import { DataDirLock } from './db/data-dir-lock';
import { createDataSource, engineOf } from './db/data-source';
import { HttpServer } from './graphql/http-server';
import { ApplianceIngest } from './ingest/appliances/appliance-ingest';
import { IngestStatusRegistry } from './ingest/ingest-status';
import { NetflowComponent } from './ingest/netflow/netflow.component';
import { RadiusIngest } from './ingest/radius/radius.component';
import type { Logger } from './logger';
import { createMetricsRegistry } from './metrics';
import { RadiusClientService } from './radius/radius-client.service';
import { RadiusServerService } from './radius/radius-server.service';
import { RadiusSessionService } from './radius/radius-session.service';
import type { Services } from './services';
import { DataUsageService } from './usage/data-usage.service';
import { LedgerService } from './usage/ledger.service';
import { RecordByteLimit } from './usage/plausible-bytes';
import { UsagePolicyService } from './usage/policy.service';
import { LedgerRollup } from './usage/rollup.service';
import { UsageReadService } from './usage/usage-read.service';
import { UsageQuarantineService } from './usage/usage-quarantine.service';
import { BufferedUsageWriter } from './usage/usage-writer.service';

/** What a stop left undone. */
export interface StopReport {
  /** Aggregated usage rows the writer could not write before the database closed: lost. */
  unwrittenRows: number;
}

/** Something with a lifecycle: started in order, stopped in reverse. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds every service and component (inert), then starts them in
 * dependency order — database, domain, HTTP, ingesters — and stops them in reverse, so on
 * SIGTERM input stops first, pending usage is flushed, and the database closes last.
 */
export class App {
  readonly services: Services;
  readonly http: HttpServer;
  private readonly components: Component[];
  private readonly started: Component[] = [];
  private stopping = false;

  constructor(config: Config, logger: Logger) {
    const dataSource = createDataSource(config.database, logger);
    const attribution = createAttributionService(dataSource, config.attribution, logger);
    const ledger = new LedgerService(config.timeZone);
    const metrics = createMetricsRegistry();
    const recordLimit = new RecordByteLimit(config.ledger.maxBitsPerSecond);
    this.services = {
      config,
      logger,
      dataSource,
      engine: engineOf(config.database),
      metrics,
      ingestStatus: new IngestStatusRegistry(),
      tokens: new TokenService(dataSource),
      radiusClients: new RadiusClientService(dataSource),
      radiusServers: new RadiusServerService(dataSource),
      radiusSessions: new RadiusSessionService(dataSource),
      attribution,
      ledger,
      usageWriter: new BufferedUsageWriter(dataSource, ledger, config.ledger, logger, metrics),
      recordLimit,
      ledgerRollup: new LedgerRollup(dataSource, config.ledger, config.timeZone, logger),
      dataUsage: new DataUsageService(dataSource, config.ledger, config.timeZone, metrics),
      usageReads: new UsageReadService(dataSource, config.timeZone),
      usagePolicies: new UsagePolicyService(dataSource),
      usageQuarantine: new UsageQuarantineService(dataSource),
      // Assignment changes made through the API apply to attribution as soon as they commit.
      ...createAccountServices(dataSource, attribution),
      ...createNetflowServices(dataSource),
      ...createApplianceServices(dataSource),
    };
    attribution.registerMetrics(this.services.metrics);
    this.http = new HttpServer(this.services, () => this.readiness());
    this.components = [
      this.databaseComponent(),
      attribution,
      this.tokenBootstrapComponent(),
      // Before the ingesters: stopped after them, so what they handed over is flushed before the database closes.
      { name: 'usage-writer', start: async () => this.services.usageWriter.start(), stop: async () => void (await this.services.usageWriter.stop()) },
      { name: 'ledger-rollup', start: () => this.services.ledgerRollup.start(), stop: () => this.services.ledgerRollup.stop() },
      { name: 'http', start: () => this.http.start(), stop: () => this.http.stop() },
      // The ingesters last: on stop they stop taking input first.
      this.radiusComponent(),
      // NetFlow v5/v9, IPFIX and PacketLogic: buffered through the usage writer.
      new NetflowComponent(this.services, { attribution, writer: this.services.usageWriter }),
      // Appliance pollers (Preseem, SaiSei): ledger.record inside their own transactions.
      new ApplianceIngest({ dataSource, attribution, ledger, config: config.appliances, logger, ingestStatus: this.services.ingestStatus, metrics, recordLimit }),
    ];
  }

  /** RADIUS accounting server + the radacct import per RadiusServer: usage goes through `Ledger.record` inside their transactions. */
  private radiusComponent(): Component {
    const { config, dataSource, attribution, ledger, logger, metrics, ingestStatus, radiusServers, recordLimit } = this.services;
    return new RadiusIngest({
      config: config.radius,
      dataSource,
      attribution,
      ledger,
      logger,
      servers: radiusServers,
      recordLimit,
      metrics,
      ingestStatus,
      refreshAttribution: () => attribution.refresh(),
    });
  }

  async start(): Promise<void> {
    for (const component of this.components) {
      if (this.stopping) return;
      this.services.logger.debug({ component: component.name }, 'starting');
      await component.start();
      this.started.push(component);
    }
    const { host, port } = this.services.config.http;
    this.services.logger.info({ url: `http://${host}:${this.http.port}`, port }, 'usage meter started');
  }

  /**
   * Stops every started component, in reverse. Resolves to what the stop left undone: usage rows
   * the writer could not write (lost; it logged how many), for the process to exit non-zero.
   */
  async stop(): Promise<StopReport> {
    this.stopping = true;
    while (this.started.length) {
      const component = this.started.pop()!;
      try {
        await component.stop();
      } catch (error) {
        this.services.logger.error({ err: error, component: component.name }, 'component failed to stop cleanly');
      }
    }
    return { unwrittenRows: this.services.usageWriter.pending };
  }

  private async readiness(): Promise<string | null> {
    if (this.started.length < this.components.length) return 'starting';
    try {
      await this.services.dataSource.query('SELECT 1');
      return null;
    } catch {
      return 'database unreachable';
    }
  }

  /** Connects (retrying while the database is not up yet) and runs pending migrations. */
  private databaseComponent(): Component {
    const { dataSource, logger, engine, config } = this.services;
    let dataDirLock: DataDirLock | null = null;
    return {
      name: 'database',
      start: async () => {
        // Before the embedded database opens its files: a second process on the same DATA_DIR stops here.
        dataDirLock = DataDirLock.forDatabase(config.database);
        for (let attempt = 1; ; attempt++) {
          try {
            await dataSource.initialize();
            break;
          } catch (error) {
            // Only a server can be "not up yet"; an embedded database that fails to open will not get better.
            if (this.stopping || engine === 'pglite' || attempt >= 30) throw error;
            logger.warn({ err: error, attempt }, 'database not reachable yet, retrying');
            await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 5000)));
          }
        }
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        logger.info({ engine, migrationsApplied: applied.length }, 'database ready');
      },
      stop: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        dataDirLock?.release();
      },
    };
  }

  private tokenBootstrapComponent(): Component {
    const { tokens, config } = this.services;
    return {
      name: 'tokens',
      start: async () => {
        const firstToken = await tokens.bootstrap(config.auth.bootstrapToken);
        if (firstToken) {
          // Printed once, on purpose outside the JSON log: this is the only time it can be read.
          process.stdout.write(
            `\nNo API token existed, so one was created. It is shown only this once:\n\n    ${firstToken}\n\n` +
              `Use it as "Authorization: Bearer ${firstToken}" (e.g. in /graphiql's Headers tab).\n\n`,
          );
        }
      },
      stop: async () => {},
    };
  }
}
