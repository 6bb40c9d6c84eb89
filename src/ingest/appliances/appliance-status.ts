import { IMPLAUSIBLE_BYTES } from '../../usage/plausible-bytes';
import type { IngestStatusEntry } from '../ingest-status';

/**
 * What `ingest_status` shows for one appliance poller (one per Preseem singleton, one per SaiSei
 * device). Plain data: the pollers update it, the status registry reads it.
 */
export interface ApplianceStatus {
  /** 'Preseem' | 'SaiSei' (the ledger's data_source_parent). */
  source: string;
  /** The ledger's data_source_identifier: appliance name. */
  identifier: string;
  enabled: boolean;
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** End of the time last asked for and credited (persisted checkpoint): the next poll continues from here. */
  checkpoint: Date | null;
  /** Totals persisted with the checkpoint (survive restarts). */
  intervalsCredited: bigint;
  recordsUnattributed: bigint;
  /** Since this process started. */
  duplicatesSkipped: number;
  overlapsSkipped: number;
  tooOldSkipped: number;
  /** Intervals with nothing to credit before the end of the time asked for (Preseem: not over yet), left for a later poll. */
  unfinishedSkipped: number;
  recordsInvalid: number;
  /** Records whose bytes the edge rule refused (`implausible_bytes`): claimed, not credited. */
  recordsImplausible: number;
  requests: number;
  /** Records received / credited, bytes credited: since this process started. */
  received: number;
  accepted: number;
  bytesAttributed: bigint;
  bytesUnattributed: bigint;
  details: Record<string, number>;
}

export function newApplianceStatus(source: string, identifier: string, enabled: boolean): ApplianceStatus {
  return {
    source,
    identifier,
    enabled,
    lastPollAt: null,
    lastSuccessAt: null,
    lastErrorAt: null,
    lastError: null,
    consecutiveFailures: 0,
    checkpoint: null,
    intervalsCredited: 0n,
    recordsUnattributed: 0n,
    duplicatesSkipped: 0,
    overlapsSkipped: 0,
    tooOldSkipped: 0,
    unfinishedSkipped: 0,
    recordsInvalid: 0,
    recordsImplausible: 0,
    requests: 0,
    received: 0,
    accepted: 0,
    bytesAttributed: 0n,
    bytesUnattributed: 0n,
    details: {},
  };
}

/** The registry's view of one poller. */
export function toIngestStatusEntry(s: ApplianceStatus): IngestStatusEntry {
  return {
    dataSourceParent: s.source,
    dataSourceIdentifier: s.identifier,
    lastSeenAt: s.lastSuccessAt,
    received: s.received,
    accepted: s.accepted,
    dropped: {
      invalid_record: s.recordsInvalid,
      duplicate_interval: s.duplicatesSkipped,
      overlapping_interval: s.overlapsSkipped,
      too_old: s.tooOldSkipped,
      [IMPLAUSIBLE_BYTES]: s.recordsImplausible,
    },
    bytesAttributed: s.bytesAttributed,
    bytesUnattributed: s.bytesUnattributed,
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    lastErrorAt: s.lastErrorAt,
    details: {
      ...s.details,
      enabled: s.enabled ? 1 : 0,
      intervals_credited: Number(s.intervalsCredited),
      records_unattributed: Number(s.recordsUnattributed),
      consecutive_failures: s.consecutiveFailures,
      unfinished_intervals: s.unfinishedSkipped,
      requests: s.requests,
      checkpoint_epoch_ms: s.checkpoint ? s.checkpoint.getTime() : 0,
    },
  };
}
