/**
 * Exact integration of SaiSei rates into bytes.
 *
 * A rate arrives as a JSON number in kbit/s (1 kbit = 1000 bit). Floats are not used for the
 * arithmetic: the number's shortest decimal form (what JSON carried, e.g. 1234.567) is read as
 * an exact rational units / 10^scale, and
 *
 *     bytes over d milliseconds = rate[kbit/s] * 1000 [bit/kbit] * d / 1000 [ms/s] / 8 = rate * d / 8
 *
 * Rounding rule: bytes are counted cumulatively from the start of the reported interval and
 * floored, F(t) = floor(rate * (t - start) / 8); a credited part [a, b) gets F(b) - F(a). When an
 * interval is credited in several parts (overlapping polls), the parts telescope to exactly
 * F(end), the same total as crediting it at once: no byte is gained or lost by splitting.
 */
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

/** F(d): bytes carried over the first `durationMs` milliseconds at `rate` kbit/s, floored. */
export function cumulativeBytes(rate: ExactDecimal, durationMs: number): bigint {
  if (durationMs <= 0) return 0n;
  return (rate.units * BigInt(durationMs)) / (8n * 10n ** BigInt(rate.scale));
}

/** Bytes for the part [fromMs, untilMs) of an interval that started at `startMs`. */
export function bytesForPart(rate: ExactDecimal, startMs: number, fromMs: number, untilMs: number): bigint {
  return cumulativeBytes(rate, untilMs - startMs) - cumulativeBytes(rate, fromMs - startMs);
}
