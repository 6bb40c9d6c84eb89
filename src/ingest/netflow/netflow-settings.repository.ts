import type { DataSource } from 'typeorm';
import { InlineDevice, NetflowAllowedSubnet, NetflowEndpoint, NetflowWhitelist } from '../../db/entities';
import { PrefixIndex } from '../../net/prefix-index';
import { EndpointSettings, NetflowSettings, NetflowSettingsSource } from './netflow.settings';

/** Reads the collector's configuration from the database: endpoints, their subnets, PacketLogic devices. */
export class DatabaseNetflowSettings implements NetflowSettingsSource {
  /**
   * Account ids, for PacketLogic subscriber identifiers that name an account (refreshed on load).
   * Only PacketLogic exports use them, so without an enabled device the accounts table is not read.
   */
  accountIds = new Set<number>();

  constructor(private readonly dataSource: DataSource) {}

  async load(): Promise<NetflowSettings> {
    const [endpoints, allowed, whitelists, devices] = await Promise.all([
      this.dataSource.getRepository(NetflowEndpoint).find(),
      this.dataSource.getRepository(NetflowAllowedSubnet).find(),
      this.dataSource.getRepository(NetflowWhitelist).find(),
      this.dataSource.getRepository(InlineDevice).find({ where: { type: 'PACKETLOGIC', enabled: true } }),
    ]);
    this.accountIds = devices.length > 0 ? await this.loadAccountIds() : new Set();
    const subnets = (rows: { netflow_endpoint_id: number; subnet: string }[], id: number): PrefixIndex =>
      PrefixIndex.of(rows.filter((r) => r.netflow_endpoint_id === id).map((r) => r.subnet));
    return {
      endpoints: endpoints.map(
        (e): EndpointSettings => ({
          id: e.id,
          name: e.name,
          whitelistMode: e.whitelist_mode,
          samplingRate: e.sampling_rate,
          allowed: subnets(allowed, e.id),
          whitelist: subnets(whitelists, e.id),
        }),
      ),
      packetLogic: devices.map((d) => ({ name: d.name, address: d.ip_address })),
    };
  }

  private async loadAccountIds(): Promise<Set<number>> {
    const rows: { id: string }[] = await this.dataSource.query('SELECT id FROM accounts');
    return new Set(rows.map((a) => Number(a.id)));
  }
}
