import type { PrefixIndex } from '../../net/prefix-index';

/** One configured NetflowEndpoint with its parsed subnets: what the collector needs per exporter. */
export interface EndpointSettings {
  id: number;
  name: string;
  whitelistMode: boolean;
  /** Per-exporter sampling override: when set, it replaces whatever the exporter announces. */
  samplingRate: number | null;
  /** Exporters allowed to send for this endpoint. */
  allowed: PrefixIndex;
  /** In whitelist mode, only flows with an end in here are counted. */
  whitelist: PrefixIndex;
}

/** An enabled InlineDevice of type PACKETLOGIC: its exports are credited by subscriber. */
export interface PacketLogicSettings {
  name: string;
  address: string;
}

export interface NetflowSettings {
  endpoints: EndpointSettings[];
  packetLogic: PacketLogicSettings[];
}

/** Where the collector reads its exporter configuration from (the database, or a test). */
export interface NetflowSettingsSource {
  load(): Promise<NetflowSettings>;
}
