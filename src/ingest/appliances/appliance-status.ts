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
  /** End of the last interval credited (persisted checkpoint). */
  checkpoint: Date | null;
  /** Totals persisted with the checkpoint (survive restarts). */
  intervalsCredited: bigint;
  recordsUnattributed: bigint;
  /** Since this process started. */
  duplicatesSkipped: number;
  overlapsSkipped: number;
  tooOldSkipped: number;
  recordsInvalid: number;
  requests: number;
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
    recordsInvalid: 0,
    requests: 0,
  };
}
