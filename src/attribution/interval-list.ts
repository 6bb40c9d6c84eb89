/**
 * Who held one key (a subnet, or a RADIUS username) over time: half-open intervals
 * [fromMs, toMs), toMs = Infinity while still held. Sorted by (fromMs, id).
 *
 * One key has one holder at a time (the database enforces one assignment per subnet and one
 * RADIUS account per username, and the triggers close before they open), so intervals do not
 * overlap; the only ties are zero-length intervals from a close and an open in one transaction.
 * "At time t" is therefore the last interval starting at or before t, if it has not ended by t.
 * A dynamic address held by A until 10:00 and by B from 10:00: 09:59 -> A, 10:00 -> B.
 */
export interface Interval {
  /** The history row id: newer rows have larger ids. */
  id: number;
  fromMs: number;
  toMs: number;
  accountId: number;
}

export class IntervalList {
  readonly items: Interval[] = [];

  /** Insert or update (by id) one interval: a history row seen for the first time, or closed since. */
  upsert(id: number, fromMs: number, toMs: number, accountId: number): Interval {
    const items = this.items;
    // Updates concern recent rows, which sit at the end.
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      if (item.id !== id) continue;
      item.toMs = toMs;
      item.accountId = accountId;
      if (item.fromMs !== fromMs) {
        items.splice(i, 1);
        item.fromMs = fromMs;
        this.insert(item);
      }
      return item;
    }
    return this.insert({ id, fromMs, toMs, accountId });
  }

  private insert(interval: Interval): Interval {
    const items = this.items;
    let i = items.length;
    while (i > 0 && compare(items[i - 1], interval) > 0) i--;
    if (i === items.length) items.push(interval);
    else items.splice(i, 0, interval);
    return interval;
  }

  /** The account holding the key at `atMs`, or null. */
  accountAt(atMs: number): number | null {
    const items = this.items;
    let lo = 0;
    let hi = items.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid].fromMs <= atMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return null;
    const item = items[found];
    return atMs < item.toMs ? item.accountId : null;
  }

  /** The interval still open (toMs = Infinity) with the highest id, if any. */
  open(): Interval | null {
    let best: Interval | null = null;
    for (const item of this.items) if (item.toMs === Infinity && (!best || item.id > best.id)) best = item;
    return best;
  }

  /** Forget intervals that ended before `beforeMs`; returns how many were dropped. */
  pruneEndedBefore(beforeMs: number): number {
    const before = this.items.length;
    let write = 0;
    for (const item of this.items) if (item.toMs >= beforeMs) this.items[write++] = item;
    this.items.length = write;
    return before - write;
  }

  get length(): number {
    return this.items.length;
  }
}

function compare(a: Interval, b: Interval): number {
  return a.fromMs - b.fromMs || a.id - b.id;
}
