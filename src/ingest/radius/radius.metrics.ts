/**
 * Counters of the RADIUS accounting server and the radacct importer. A plain object so the
 * hot path only increments numbers; /metrics and ingest_status read the same object.
 */
export const RADIUS_DROP_REASONS = [
  'too_short',
  'bad_length',
  'not_accounting_request',
  'bad_attribute',
  'unknown_client',
  'bad_authenticator',
  'missing_status_type',
  'unsupported_status_type',
  'missing_session_id',
  'duplicate_in_flight',
  'queue_full',
  'store_failed',
] as const;
export type RadiusDropReason = (typeof RADIUS_DROP_REASONS)[number];

export interface RadiusNasStats {
  lastSeenMs: number;
  received: number;
  accepted: number;
}

export class RadiusMetrics {
  /** Datagrams received on the accounting socket. */
  received = 0;
  /** Authenticated, decoded requests queued for storage. */
  accepted = 0;
  /** Replies sent after commit. */
  replied = 0;
  /** Retransmissions answered from the reply cache (never stored again). */
  retransmissions = 0;
  dropped: Record<RadiusDropReason, number> = Object.fromEntries(RADIUS_DROP_REASONS.map((r) => [r, 0])) as Record<RadiusDropReason, number>;
  batches = 0;
  /** Requests stored (committed). */
  stored = 0;
  staleRequests = 0;
  sessionsOpened = 0;
  sessionsClosed = 0;
  inBytes = 0n;
  outBytes = 0n;
  unattributedBytes = 0n;
  queueDepth = 0;
  lastCommitMs = 0;
  /** Per NAS (source address). */
  nas = new Map<string, RadiusNasStats>();
  /**
   * Requests (server) and radacct rows (importer) whose byte counts the edge rule refused
   * (`implausible_bytes`: more than the session could have carried), per NAS address. The request
   * itself is stored and answered; its usage is not credited.
   */
  implausible = new Map<string, number>();
  /** Of those, the radacct rows (by the importer). */
  radacctImplausible = 0;

  /** radacct importer. */
  radacctRowsRead = 0;
  radacctPolls = 0;
  radacctErrors = 0;
  radacctInBytes = 0n;
  radacctOutBytes = 0n;
  /** Bytes of radacct rows whose username matched no account (the server's are `unattributedBytes`). */
  radacctUnattributedBytes = 0n;

  drop(reason: RadiusDropReason): void {
    this.dropped[reason]++;
  }

  dropImplausible(nas: string, count = 1): void {
    this.implausible.set(nas, (this.implausible.get(nas) ?? 0) + count);
  }

  droppedTotal(): number {
    return Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }
}
