import type { EntityManager } from 'typeorm';

/**
 * The usage ledger's write side: every source ends here. Bytes are exact 64-bit integers.
 * `inBytes` = download (toward the subscriber), `outBytes` = upload.
 */
export interface UsageSource {
  /** What kind of source: 'RADIUS', 'NetFlow', 'PacketLogic', 'Preseem', 'SaiSei', or an API client's label. */
  parent: string;
  /** Which device: NAS address, exporter address, appliance name, ... */
  identifier: string;
}

export interface UsageIncrement {
  accountId: number;
  source: UsageSource;
  /** When the traffic happened (epoch ms); the ledger picks the bucket. */
  timeMs: number;
  inBytes: bigint;
  outBytes: bigint;
}

/** Traffic whose address matched no assignment: kept by address for the unattributed_usage report. */
export interface UnattributedIncrement {
  ip: string;
  source: UsageSource;
  timeMs: number;
  inBytes: bigint;
  outBytes: bigint;
}

export interface Ledger {
  /**
   * Adds the increments inside the caller's transaction, so they are durable exactly when
   * the caller's other writes are (RADIUS replies only after this commits).
   * Set-based: one statement per table whatever the number of rows.
   */
  record(manager: EntityManager, usage: UsageIncrement[], unattributed?: UnattributedIncrement[]): Promise<void>;
}

/**
 * Buffered writes for high-rate sources (flows, appliance polls): `add` is synchronous and
 * aggregates in memory by (account, source, minute): free windows have minute edges, so a
 * 5-minute bucket could mix free and billable bytes. The writer flushes on size, on time
 * and on stop. `flush()` resolves when everything added before it is committed.
 */
export interface UsageWriter {
  add(increment: UsageIncrement): void;
  addUnattributed(increment: UnattributedIncrement): void;
  flush(): Promise<void>;
  /** Increments waiting to be written: a bounded queue's depth, for back-pressure and metrics. */
  readonly pending: number;
}
