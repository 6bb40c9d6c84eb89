/**
 * Half-open time ranges [startMs, endMs) in epoch milliseconds, and the two operations the
 * appliance checkpoints need: coalescing what was credited, and finding what was not yet.
 * Keeping credited time as coalesced ranges per series (instead of one row per interval)
 * keeps the checkpoint table at about one row per series however long the poller runs.
 */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** Sorted, non-overlapping, non-touching ranges covering exactly the union of the input. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = ranges.filter((r) => r.endMs > r.startMs).sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.startMs <= last.endMs) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ startMs: r.startMs, endMs: r.endMs });
  }
  return out;
}

/** The parts of `range` that no range in `covered` (merged, sorted) covers, in time order. */
export function uncoveredParts(range: TimeRange, covered: readonly TimeRange[]): TimeRange[] {
  const parts: TimeRange[] = [];
  let cursor = range.startMs;
  for (const c of covered) {
    if (c.endMs <= cursor) continue;
    if (c.startMs >= range.endMs) break;
    if (c.startMs > cursor) parts.push({ startMs: cursor, endMs: c.startMs });
    cursor = Math.max(cursor, c.endMs);
    if (cursor >= range.endMs) break;
  }
  if (cursor < range.endMs) parts.push({ startMs: cursor, endMs: range.endMs });
  return parts;
}

export function rangeLength(parts: readonly TimeRange[]): number {
  return parts.reduce((sum, p) => sum + (p.endMs - p.startMs), 0);
}
