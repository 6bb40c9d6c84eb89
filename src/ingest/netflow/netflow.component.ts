import type { Attribution } from '../../attribution/attribution';
import type { Services } from '../../services';
import type { UsageWriter } from '../../usage/ledger';
import { NetflowCollector } from './netflow.collector';
import { registerNetflowMetrics } from './netflow.metrics';
import { DatabaseNetflowSettings } from './netflow-settings.repository';

/**
 * The NetFlow/IPFIX/PacketLogic collector as an app component: inert until start(); disabled
 * when NETFLOW_PORT is 0. Wire it after the database, attribution and ledger components:
 *
 *     new NetflowComponent(services, { attribution, writer })
 *
 * It registers its /metrics counters and ingest_status rows, and reloads exporters whenever a
 * NetflowEndpoint / subnet changes (and every 10 s, which picks up InlineDevice edits).
 */
export class NetflowComponent {
  readonly name = 'netflow';
  collector: NetflowCollector | null = null;
  private registered = false;

  constructor(
    private readonly services: Pick<Services, 'config' | 'dataSource' | 'metrics' | 'ingestStatus' | 'netflowEndpoints' | 'logger' | 'recordLimit'>,
    private readonly deps: { attribution: Attribution; writer: UsageWriter },
    /** Tests: listen on this port (0 = ephemeral) whatever NETFLOW_PORT says. */
    private readonly portOverride?: number,
  ) {}

  async start(): Promise<void> {
    const { config, dataSource, metrics, ingestStatus, netflowEndpoints, logger, recordLimit } = this.services;
    const port = this.portOverride ?? config.netflow.port;
    if (this.portOverride === undefined && port === 0) {
      logger.info('NetFlow collector disabled (NETFLOW_PORT=0)');
      return;
    }
    const settings = new DatabaseNetflowSettings(dataSource);
    const collector = new NetflowCollector(
      {
        attribution: this.deps.attribution,
        writer: this.deps.writer,
        settings,
        accountExists: (id) => settings.accountIds.has(id),
        recordLimit,
      },
      {
        port,
        host: config.netflow.host,
        queueDatagrams: config.netflow.queueDatagrams,
        templateLifetimeMs: config.netflow.templateLifetimeMs,
      },
    );
    await collector.start();
    this.collector = collector;
    if (!this.registered) {
      this.registered = true;
      registerNetflowMetrics(metrics, { current: () => this.collector });
      ingestStatus.register({ ingestStatus: () => this.collector?.ingestStatus() ?? [] });
      netflowEndpoints.onChange(() => {
        this.collector?.reloadSettings().catch((err) => logger.warn({ err }, 'NetFlow settings reload failed'));
      });
    }
    logger.info({ port: collector.port }, 'NetFlow collector listening');
  }

  async stop(): Promise<void> {
    const collector = this.collector;
    this.collector = null;
    await collector?.stop();
  }
}
