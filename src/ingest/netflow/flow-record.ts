/**
 * The one normalized shape both decoders (v5/v9 via node-netflowv9, IPFIX of our own) produce.
 * Plain numbers on the hot path: byte counters above 2^53 are rejected by the decoders
 * (no real flow carries 9 PB), so a number is exact here and becomes a bigint only in the ledger.
 */
export interface FlowRecord {
  /** 4 or 6; 0 when the record carries no address (e.g. an options-only template used as data). */
  family: 0 | 4 | 6;
  /** IPv4 addresses as unsigned 32-bit integers (valid when family = 4). */
  src4: number;
  dst4: number;
  /** IPv6 addresses: 16 network-order bytes (valid when family = 6). Views into the datagram. */
  src6: Uint8Array | null;
  dst6: Uint8Array | null;
  /** Octets sent from src to dst (v9 IN_BYTES 1 / OUT_BYTES 23, IPFIX 1/23, NSEL initiator 231). */
  bytes: number;
  /** Octets sent from dst to src, for bidirectional records (NSEL responder 232, IPFIX reverse 29305/1). */
  reverseBytes: number;
  /** When the flow ended (epoch ms): the time it is attributed at. */
  timeMs: number;
  /** Sampler the record was selected by (v9/IPFIX 48 or 302), -1 when none is named. */
  samplerId: number;
  /** Sampling interval carried in the record itself (34, 50, 305/306, 311); 0 when absent. */
  samplingInterval: number;
  /** Procera / PacketLogic enterprise fields (PEN 15397); `procera` false when none were present. */
  procera: boolean;
  proceraIncoming: number;
  proceraOutgoing: number;
  subscriberId: string | null;
  /** Procera flow flags: 1 = the client (source) is local, 2 = the server (destination) is local, 0 unknown. */
  proceraLocal: 0 | 1 | 2;
}

/** Bounds and template expiry shared by both decoders (v9 and IPFIX): one set per collector. */
export interface DecoderOptions {
  /** Templates not refreshed for this long are forgotten (RFC 7011 suggests 1800 s over UDP). */
  templateLifetimeMs: number;
  /** Bound on observation domains / source IDs remembered per exporter (memory guard against junk). */
  maxDomains: number;
  /** Bound on templates per domain. */
  maxTemplates: number;
}

export const defaultDecoderOptions: DecoderOptions = {
  templateLifetimeMs: 1_800_000,
  maxDomains: 256,
  maxTemplates: 1024,
};

/** A sampling rate announced by an options record: for one sampler, or exporter-wide (samplerId -1). */
export interface SamplingAnnouncement {
  samplerId: number;
  interval: number;
}

export type DropReason =
  | 'too_short'
  | 'bad_version'
  | 'bad_length'
  | 'bad_set'
  | 'bad_template'
  | 'decoder_error'
  | 'counter_overflow'
  | 'too_many_domains';

/** What one datagram decoded to. A rejected datagram has `error` set and nothing else is trusted. */
export interface DecodeResult {
  version: number;
  /** v9 source ID, IPFIX observation domain, v5 engine type/id; -1 when unknown. */
  domain: number;
  sequence: number;
  /**
   * How far the sequence should advance because of this datagram, for loss accounting:
   * 1 for v9 (counts packets), data records for IPFIX and v5 (count records), -1 when unknown
   * (a data set without its template: its records cannot be counted).
   */
  sequenceAdvance: number;
  /**
   * The same count without options records, which some IPFIX exporters leave out of their
   * sequence numbers; equal to `sequenceAdvance` for v5 and v9. -1 when unknown.
   */
  flowRecords: number;
  exportTimeMs: number;
  records: FlowRecord[];
  sampling: SamplingAnnouncement[];
  /** Data sets whose template is unknown (expired, withdrawn, or not yet received). */
  templatesMissing: number;
  /** Records whose byte counter exceeded 2^53 and were skipped. */
  recordsRejected: number;
  error: DropReason | null;
}

export function emptyResult(version: number): DecodeResult {
  return {
    version,
    domain: -1,
    sequence: 0,
    sequenceAdvance: -1,
    flowRecords: -1,
    exportTimeMs: 0,
    records: [],
    sampling: [],
    templatesMissing: 0,
    recordsRejected: 0,
    error: null,
  };
}

export function rejected(version: number, error: DropReason): DecodeResult {
  const r = emptyResult(version);
  r.error = error;
  return r;
}

export function newRecord(): FlowRecord {
  return {
    family: 0,
    src4: 0,
    dst4: 0,
    src6: null,
    dst6: null,
    bytes: 0,
    reverseBytes: 0,
    timeMs: 0,
    samplerId: -1,
    samplingInterval: 0,
    procera: false,
    proceraIncoming: 0,
    proceraOutgoing: 0,
    subscriberId: null,
    proceraLocal: 0,
  };
}
