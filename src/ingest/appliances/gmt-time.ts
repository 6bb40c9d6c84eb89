/**
 * Times as the appliances print them, all GMT unless they carry an offset:
 * - ISO 8601 with Z/offset ("2026-11-25T22:00:00Z"), or without one (read as GMT, never as
 *   the server's local time, which Date.parse would do),
 * - "YYYY-MM-DD HH:MM:SS" (GMT),
 * - SaiSei's query form "HH:MM:SS_YYYYMMDD" (GMT),
 * - a number: epoch milliseconds (>= 1e11) or epoch seconds.
 * Returns epoch ms, or null for anything else.
 */
export function parseGmt(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    return Math.round(value >= 1e11 ? value : value * 1000);
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const saisei = /^(\d{2}):(\d{2}):(\d{2})_(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (saisei) {
    const [, hh, mi, ss, yyyy, mm, dd] = saisei;
    return checked(Date.UTC(+yyyy, +mm - 1, +dd, +hh, +mi, +ss), +mm, +dd);
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!iso) return null;
  const [, yyyy, mm, dd, hh, mi, ss, frac, zone] = iso;
  let ms = checked(Date.UTC(+yyyy, +mm - 1, +dd, +hh, +mi, +ss, frac ? Math.round(Number(frac) * 1000) : 0), +mm, +dd);
  if (ms === null) return null;
  if (zone && /^[+-]/.test(zone)) {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

function checked(ms: number, month: number, day: number): number | null {
  if (!Number.isFinite(ms) || month < 1 || month > 12 || day < 1 || day > 31) return null;
  return ms;
}

/** SaiSei's query form for a GMT instant: "HH:MM:SS_YYYYMMDD". */
export function formatSaiseiTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}_${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
}

/** A non-negative integer byte count from a JSON number (exact only up to 2^53) or a decimal string. */
export function parseByteCount(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  if (typeof value === 'string' && /^\d{1,19}$/.test(value.trim())) {
    const n = BigInt(value.trim());
    return n <= 9_223_372_036_854_775_807n ? n : null;
  }
  return null;
}
