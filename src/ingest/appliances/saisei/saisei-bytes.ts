import type { TimeRange } from '../../../appliances/time-ranges';

/**
 * Exact bytes from what a SaiSei User object reports for one direction over its interval
 * [from, until). Two measures, whichever the device offers:
 *
 * - a byte counter (`dest_byte_count` / `source_byte_count`): the bytes carried in the interval,
 *   an integer, exact as it stands. Preferred.
 * - a smoothed rate (`dest_smoothed_rate` / `source_smoothed_rate`) in kbit/s (1 kbit = 1000 bit),
 *   averaged over the interval. Floats are not used for the arithmetic: the number's shortest
 *   decimal form (what JSON carried, e.g. 1234.567) is read as an exact rational units / 10^scale,
 *   and bytes over d milliseconds = rate[kbit/s] * 1000 [bit/kbit] * d / 1000 [ms/s] / 8 = rate * d / 8.
 *
 * When only part of an interval may be credited (the rest was credited from another object, or
 * lies past the window asked for), both are spread evenly over the interval. Rounding rule:
 * cumulative floor from the interval's start, a part [a, b) gets F(b) - F(a) with
 *
 *     counter: F(t) = floor(count * (t - start) / (end - start))     so F(end) = count exactly
 *     rate:    F(t) = floor(rate * (t - start) / 8)
 *
 * Parts telescope: an interval credited in several pieces sums to exactly F(end), the same total
 * as crediting it at once; no byte is gained or lost by splitting.
 */
export type ByteMeasure = { kind: 'counter'; bytes: bigint } | { kind: 'rate'; rate: ExactDecimal };

export interface ExactDecimal {
  /** value = units / 10^scale, units >= 0 */
  units: bigint;
  scale: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A non-negative finite rate (number or numeric string) as an exact decimal; null when it is anything else. */
export function parseRate(value: unknown): ExactDecimal | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? '';
  const exponent = m[3] ? Number(m[3]) : 0;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return null;
  let units = BigInt(m[1] + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** F: bytes carried over the first `elapsedMs` of an interval `durationMs` long, floored (elapsed is held within the interval). */
export function cumulativeBytes(measure: ByteMeasure, elapsedMs: number, durationMs: number): bigint {
  const elapsed = Math.min(elapsedMs, durationMs);
  if (!(elapsed > 0)) return 0n;
  if (measure.kind === 'counter') return (measure.bytes * BigInt(elapsed)) / BigInt(durationMs);
  return (measure.rate.units * BigInt(elapsed)) / (8n * 10n ** BigInt(measure.rate.scale));
}

/** Bytes for `part` of the reported `interval` (part inside interval): F(part end) - F(part start). */
export function bytesForPart(measure: ByteMeasure, interval: TimeRange, part: TimeRange): bigint {
  const duration = interval.endMs - interval.startMs;
  const upTo = (t: number) => cumulativeBytes(measure, t - interval.startMs, duration);
  return upTo(part.endMs) - upTo(part.startMs);
}
