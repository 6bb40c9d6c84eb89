/**
 * Loss estimation from export sequence numbers, per (exporter, source ID / observation domain).
 * v9 counts export packets, IPFIX and v5 count records: the decoder says how far each datagram
 * advances the sequence. Arithmetic is modulo 2^32. A jump forward of less than 2^31 is loss;
 * a jump backward is reordering, a duplicate or an exporter restart, counted apart and resynced.
 */
export interface SequenceState {
  /** The sequence number the next datagram should carry; -1 when unknown (first, or resync). */
  expected: number;
  lost: number;
  outOfOrder: number;
}

export function newSequenceState(): SequenceState {
  return { expected: -1, lost: 0, outOfOrder: 0 };
}

const HALF = 2 ** 31;
const RESTART_DISTANCE = 4096;

export function trackSequence(s: SequenceState, sequence: number, advance: number): void {
  if (s.expected >= 0 && sequence !== s.expected) {
    const gap = (sequence - s.expected) >>> 0;
    if (gap < HALF) s.lost += gap;
    else {
      s.outOfOrder++;
      // A late datagram just behind the expectation keeps it; a big step back is a restart.
      if (2 ** 32 - gap <= RESTART_DISTANCE) {
        return;
      }
    }
  }
  // advance < 0: the datagram held records we could not count (missing template): resync next time.
  s.expected = advance >= 0 ? (sequence + advance) >>> 0 : -1;
}
