/**
 * Loss estimation from export sequence numbers, per (exporter, source ID / observation domain).
 * v9 counts export packets, IPFIX and v5 count records: the decoder says how far each datagram
 * advances the sequence. Arithmetic is modulo 2^32.
 *
 * Exporters disagree on what IPFIX's record count includes: RFC 7011 says "records sent before
 * this message", options records included; softflowd sends the count *after* this message and
 * leaves options records out. So a datagram is in order when its number matches any of those
 * readings; otherwise the smallest forward gap among them is counted as lost. A step back is
 * reordering, a duplicate or an exporter restart: counted apart, and a big one resyncs.
 */
export interface SequenceState {
  /** Previous datagram's sequence number; -1 before the first (or after a resync). */
  last: number;
  /** Previous datagram's advance in all data records, and in flow records only. */
  lastAll: number;
  lastFlows: number;
  lost: number;
  outOfOrder: number;
}

export function newSequenceState(): SequenceState {
  return { last: -1, lastAll: 0, lastFlows: 0, lost: 0, outOfOrder: 0 };
}

const HALF = 2 ** 31;
const RESTART_DISTANCE = 4096;

/**
 * `all`: data records in this datagram (options included), 1 for v9; `flows`: flow records only.
 * Either < 0 means the datagram held records we could not count (missing template): resync.
 */
export function trackSequence(s: SequenceState, sequence: number, all: number, flows: number = all): void {
  if (s.last >= 0 && s.lastAll >= 0) {
    const candidates = [s.last + s.lastAll, s.last + s.lastFlows, s.last + all, s.last + flows];
    let best = Infinity;
    let behind = false;
    for (const c of candidates) {
      if (c < s.last) continue; // a negative advance (unknown) is no candidate
      const gap = (sequence - c) >>> 0;
      if (gap < HALF) best = Math.min(best, gap);
      else behind = true;
    }
    if (best === Infinity && behind) {
      s.outOfOrder++;
      const back = (s.last - sequence) >>> 0;
      // A late datagram just behind keeps the expectation; a big step back is a restart.
      if (back < HALF && back <= RESTART_DISTANCE) return;
    } else if (best !== Infinity) {
      s.lost += best;
    }
  }
  if (all < 0) {
    s.last = -1;
    return;
  }
  s.last = sequence;
  s.lastAll = all;
  s.lastFlows = flows;
}
