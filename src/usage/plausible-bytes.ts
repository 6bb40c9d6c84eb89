import { INT64_MAX } from '../db/int64';

/**
 * The one rule every usage source applies at its edge, before anything it read is credited: a
 * record's bytes, times its sampling interval, must be an exact non-negative integer no larger
 * than the record could have carried at `maxBitsPerSecond` (USAGE_MAX_BITS_PER_SECOND) over its
 * duration, or over FLOOR_SECONDS when its duration is shorter or unknown; and never beyond
 * PostgreSQL's bigint. A record beyond it is dropped and counted as `implausible_bytes` by its
 * source, per exporter, NAS or device.
 *
 * Why a rate and not a fixed size: one record means very different spans by source. A flow record
 * covers at most its exporter's active timeout (minutes), an appliance record its window, but a
 * RADIUS delta covers a whole session when the NAS sent no interim (weeks), and a createDataUsages
 * delta the gap between two samples. A size generous enough for a month-long session would let a
 * flow record carry petabytes; a rate bounds each by its own span. The floor covers records whose
 * span is unknown (flow records are not asked for theirs: the collector's hot path) or claimed
 * too short (clock skew, a late export): an hour at the top rate.
 *
 * Why 1 Tbit/s by default: above any one subscriber's or flow's line (400G ports are today's
 * largest), so no real record is refused, while the impossible is: 2^32-1 octets at a sampling
 * interval of 2^32-1 (1.8e19 bytes, past bigint itself) and any record above 450 TB of unknown
 * span. It also keeps every flow record exact as a plain number (the floor stays below 2^53 up to
 * the configurable maximum of 10 Tbit/s), which is what lets the flow collector stay on numbers.
 */
export const IMPLAUSIBLE_BYTES = 'implausible_bytes';

/** A record of unknown or shorter span may carry this long at the top rate. */
export const FLOOR_SECONDS = 3600;

export const DEFAULT_MAX_BITS_PER_SECOND = 1e12;
/** The configurable maximum: an hour at 10 Tbit/s (4.5e15 bytes) is still below 2^53. */
export const MAX_MAX_BITS_PER_SECOND = 1e13;

export class RecordByteLimit {
  /** The most bytes a record of unknown or short span may carry: FLOOR_SECONDS at the top rate (a safe integer). */
  readonly floorBytes: number;
  private readonly bitsPerSecond: bigint;

  constructor(readonly maxBitsPerSecond: number = DEFAULT_MAX_BITS_PER_SECOND) {
    if (!Number.isSafeInteger(maxBitsPerSecond) || maxBitsPerSecond < 8 || maxBitsPerSecond > MAX_MAX_BITS_PER_SECOND) {
      throw new RangeError(`maxBitsPerSecond must be an integer between 8 and ${MAX_MAX_BITS_PER_SECOND}`);
    }
    this.bitsPerSecond = BigInt(maxBitsPerSecond);
    this.floorBytes = Math.floor((maxBitsPerSecond * FLOOR_SECONDS) / 8);
  }

  /** The most bytes a record spanning `seconds` may carry (a span that is not a finite number counts as unknown). */
  maxBytes(seconds = 0): bigint {
    const span = Number.isFinite(seconds) && seconds > FLOOR_SECONDS ? Math.floor(seconds) : FLOOR_SECONDS;
    const bytes = (this.bitsPerSecond * BigInt(span)) / 8n;
    return bytes < INT64_MAX ? bytes : INT64_MAX;
  }

  /**
   * `bytes` × `sampling`, exactly, when a record spanning `seconds` could carry that many; null
   * when it could not, or when either is not a non-negative integer (sampling at least 1).
   */
  plausibleBytes(bytes: bigint | number, sampling: bigint | number = 1, seconds = 0): bigint | null {
    const b = exactInteger(bytes);
    const s = exactInteger(sampling);
    if (b === null || s === null || b < 0n || s < 1n) return null;
    const scaled = b * s;
    return scaled <= this.maxBytes(seconds) ? scaled : null;
  }

  /**
   * The same rule in plain numbers, for a record of unknown span (the flow collector's hot path,
   * where a bigint per record would cost more than the rest of its work): `bytes` × `sampling`,
   * or -1 when implausible. Exact: a product at or below the floor (< 2^53) is computed exactly,
   * and one above it cannot round down to it.
   */
  plausibleFlowBytes(bytes: number, sampling: number): number {
    const scaled = bytes * sampling;
    return scaled >= 0 && scaled <= this.floorBytes && Number.isInteger(scaled) && sampling >= 1 ? scaled : -1;
  }

  /** The bound for a record spanning `seconds`, in words, for a refusal a person reads. */
  describe(seconds = 0): string {
    const span = Number.isFinite(seconds) && seconds > FLOOR_SECONDS ? `${Math.floor(seconds)} s` : `${FLOOR_SECONDS} s or less`;
    return `at most ${this.maxBytes(seconds)} bytes over ${span} (USAGE_MAX_BITS_PER_SECOND=${this.maxBitsPerSecond})`;
  }
}

export const defaultRecordByteLimit = new RecordByteLimit();

function exactInteger(value: bigint | number): bigint | null {
  if (typeof value === 'bigint') return value;
  return Number.isSafeInteger(value) ? BigInt(value) : null;
}
