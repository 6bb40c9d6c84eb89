/**
 * What every usage source reports about itself, per device: the operator's first stop when
 * numbers look wrong. `/metrics` and the `ingest_status` query read the same counters.
 */
export interface IngestStatusEntry {
  /** 'RADIUS', 'NetFlow', 'PacketLogic', 'Preseem', 'SaiSei'. */
  dataSourceParent: string;
  /** NAS address, exporter address, appliance name. */
  dataSourceIdentifier: string;
  lastSeenAt?: Date | null;
  /** Datagrams, requests or polled records received. */
  received: number;
  /** Of those, the ones decoded and credited (to an account or to the unattributed report). */
  accepted: number;
  /**
   * Drops by reason, e.g. { bad_authenticator: 3, unknown_client: 1 }: of what `received` counts,
   * except `implausible_bytes` (the edge rule of src/usage/plausible-bytes.ts), which counts records
   * whose bytes were not credited (a NetFlow record of an accepted datagram, a RADIUS request that
   * was stored and answered, a radacct row, an appliance record).
   */
  dropped: Record<string, number>;
  /** NetFlow/IPFIX: packets or records lost according to sequence numbers. */
  estimatedLost?: number | null;
  bytesAttributed: bigint;
  bytesUnattributed: bigint;
  lastSuccessAt?: Date | null;
  lastError?: string | null;
  lastErrorAt?: Date | null;
  /** Anything else worth a number (intervals credited, templates missing, queue depth, ...). */
  details?: Record<string, number>;
}

export interface IngestStatusSource {
  ingestStatus(): IngestStatusEntry[] | Promise<IngestStatusEntry[]>;
}

/** Sources register once at start; the GraphQL layer asks all of them. */
export class IngestStatusRegistry {
  private readonly sources: IngestStatusSource[] = [];

  register(source: IngestStatusSource): void {
    this.sources.push(source);
  }

  async entries(): Promise<IngestStatusEntry[]> {
    const lists = await Promise.all(this.sources.map((source) => source.ingestStatus()));
    return lists
      .flat()
      .sort(
        (a, b) =>
          a.dataSourceParent.localeCompare(b.dataSourceParent) ||
          a.dataSourceIdentifier.localeCompare(b.dataSourceIdentifier),
      );
  }
}
