import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { isRowFault, sqlState } from '../db/sql-errors';
import { transactionId, transactionStatuses } from '../db/transaction-outcome';
import type { Logger } from '../logger';
import { isStrictAddress } from '../net/ip';
import type { Ledger, UnattributedIncrement, UsageIncrement, UsageWriter } from './ledger';
import { quarantineRows, RefusedRow, refusalReason } from './usage-quarantine.service';
import { sourceKey } from './usage-sources';

export interface UsageWriterOptions {
  flushIntervalMs: number;
  /** Flush as soon as this many aggregated rows are pending. */
  flushMaxRows: number;
}

function createMetrics(registry?: Registry) {
  const registers = registry ? [registry] : [];
  return {
    rowsWritten: new Counter({ name: 'usage_ledger_rows_written_total', help: 'Aggregated usage rows flushed to the ledger', labelNames: ['kind'], registers }),
    flushFailures: new Counter({ name: 'usage_ledger_flush_failures_total', help: 'Ledger flushes that failed and were kept for retry', registers }),
    flushSeconds: new Histogram({
      name: 'usage_ledger_flush_seconds',
      help: 'Time to write one batch to the ledger',
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    pending: new Gauge({ name: 'usage_ledger_pending_rows', help: 'Aggregated usage rows waiting to be flushed', registers }),
    rejected: new Counter({
      name: 'usage_ledger_rejected_increments_total',
      help: 'Increments refused by the writer (bad time, negative bytes, not an IP address): never queued',
      labelNames: ['reason'],
      registers,
    }),
    quarantined: new Counter({
      name: 'usage_meter_ledger_quarantined_rows_total',
      help: 'Aggregated rows the database refused (reason: what it said, e.g. numeric_value_out_of_range), set aside in usage_quarantine',
      labelNames: ['reason', 'source'],
      registers,
    }),
  };
}

const MINUTE = 60_000;

/**
 * Buffered writes for high-rate sources. `add` is synchronous and aggregates in memory by
 * (account, source, minute): minutes, not 5-minute buckets, because free windows have minute
 * edges and the ledger classifies each increment by its time. Flushes on size, on time and on
 * stop; one flush at a time (so batches stay in order and never race each other). A failed flush
 * is retried, and only if it did not commit: its transaction's id is noted, and the next flush
 * asks PostgreSQL what became of it (a connection lost around COMMIT leaves the client unsure).
 * So usage is never dropped, and never added twice.
 *
 * A flush the database refuses because of a row's data (isRowFault: a number out of range, a
 * constraint) is not retried as it is, which would fail again forever: the batch is split until
 * the refused rows stand alone (`isolate`), they go to usage_quarantine, and the rest is written.
 */
export class BufferedUsageWriter implements UsageWriter {
  private usage = new Map<string, UsageIncrement>();
  private unattributed = new Map<string, UnattributedIncrement>();
  /** Flushes that failed after their transaction began: committed or not, the next flush finds out. */
  private failedFlushes: Flush[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  /** While flushes keep failing the same way: what failed, and how often. Logged once, not once a flush. */
  private failing: { message: string; attempts: number } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    private readonly options: UsageWriterOptions,
    private readonly logger?: Logger,
    registry?: Registry,
  ) {
    this.metrics = createMetrics(registry);
  }

  private readonly metrics: ReturnType<typeof createMetrics>;

  /** Rows not yet known to be in the ledger: those added since the last flush, and failed flushes'. */
  get pending(): number {
    let rows = this.unflushed;
    for (const failed of this.failedFlushes) rows += sizeOf(failed);
    return rows;
  }

  /** Rows added since the last flush began. */
  private get unflushed(): number {
    return this.usage.size + this.unattributed.size;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * Stops the timer and flushes everything pending (the caller stopped its input first). A failed
   * flush whose outcome the server cannot tell yet is asked about again for a second; rows still
   * unwritten after that are logged, with their count, as lost. Resolves to that count (0: all
   * written), so that the process can exit non-zero.
   */
  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => {});
    for (let attempt = 0; attempt < 10 && this.failedFlushes.length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.flush().catch(() => {});
    }
    if (this.pending > 0) this.logger?.error({ rows: this.pending }, 'usage writer stopped with rows it could not write: they are lost');
    return this.pending;
  }

  add(increment: UsageIncrement): void {
    if (increment.inBytes === 0n && increment.outBytes === 0n) return;
    // One bad increment must not wedge every later flush: refuse it here, count it.
    if (!this.acceptable(increment.timeMs, increment.inBytes, increment.outBytes)) return;
    if (!Number.isSafeInteger(increment.accountId) || increment.accountId <= 0) return void this.metrics.rejected.inc({ reason: 'account' });
    const minute = increment.timeMs - (increment.timeMs % MINUTE);
    const key = `${increment.accountId}\u0001${sourceKey(increment.source)}\u0001${minute}`;
    const existing = this.usage.get(key);
    if (existing) {
      existing.inBytes += increment.inBytes;
      existing.outBytes += increment.outBytes;
    } else {
      this.usage.set(key, { ...increment, timeMs: minute });
    }
    this.afterAdd();
  }

  addUnattributed(increment: UnattributedIncrement): void {
    if (increment.inBytes === 0n && increment.outBytes === 0n) return;
    if (!this.acceptable(increment.timeMs, increment.inBytes, increment.outBytes)) return;
    // Strict: a zone id passes node's isIP but PostgreSQL inet refuses it, failing every retry of the flush.
    if (!isStrictAddress(increment.ip)) return void this.metrics.rejected.inc({ reason: 'ip' });
    const minute = increment.timeMs - (increment.timeMs % MINUTE);
    const key = `${increment.ip}\u0001${sourceKey(increment.source)}\u0001${minute}`;
    const existing = this.unattributed.get(key);
    if (existing) {
      existing.inBytes += increment.inBytes;
      existing.outBytes += increment.outBytes;
    } else {
      this.unattributed.set(key, { ...increment, timeMs: minute });
    }
    this.afterAdd();
  }

  /** Resolves once everything added before the call is committed; rejects if that write failed. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.writeBatch());
    this.chain = run.catch(() => {});
    return run;
  }

  private acceptable(timeMs: number, inBytes: bigint, outBytes: bigint): boolean {
    if (!Number.isFinite(timeMs) || timeMs < 0) {
      this.metrics.rejected.inc({ reason: 'time' });
      return false;
    }
    if (inBytes < 0n || outBytes < 0n) {
      this.metrics.rejected.inc({ reason: 'negative' });
      return false;
    }
    return true;
  }

  private afterAdd(): void {
    this.metrics.pending.set(this.pending);
    if (this.unflushed >= this.options.flushMaxRows && !this.flushQueued) {
      this.flushQueued = true;
      void this.flush()
        .catch(() => {})
        .finally(() => (this.flushQueued = false));
    }
  }

  private async writeBatch(): Promise<void> {
    let flush: Flush | null = null;
    let end: (() => void) | undefined;
    try {
      await this.settleFlushes();
      if (this.unflushed === 0) return;
      flush = { transactionId: null, usage: this.usage, unattributed: this.unattributed };
      this.usage = new Map();
      this.unattributed = new Map();
      end = this.metrics.flushSeconds.startTimer();
      try {
        await this.record(flush);
        this.countWritten(flush);
      } catch (error) {
        if (!isRowFault(error)) throw error;
        // Refused for a row's data: the transaction rolled back, nothing of it is in the ledger.
        const refused = flush;
        flush = null;
        await this.isolate(refused, error);
      }
      this.recovered();
    } catch (error) {
      // Without a transaction id nothing was written; with one, the next flush asks.
      if (flush?.transactionId === null) this.putBack(flush);
      else if (flush) this.failedFlushes.push(flush);
      this.metrics.flushFailures.inc();
      this.logFailure(error);
      throw error;
    } finally {
      end?.();
      this.metrics.pending.set(this.pending);
    }
  }

  /**
   * Writes a batch the database refused because of some of its rows: split in halves, each part
   * in its own transaction, a refused part split again, until each refused row stands alone; those
   * go to usage_quarantine (after the rest is written), with what the database said. A batch of n
   * rows with k refused ones costs about 2·k·log2(n) transactions (20 000 rows, one bad: ~30), not n.
   * If a part fails for another reason (the database went away), splitting stops: what is not
   * written is kept as after any failed flush (a part whose transaction began is asked about), and
   * the next flush starts over.
   */
  private async isolate(batch: Flush, error: unknown): Promise<void> {
    const parts: Flush[] = [];
    const refused: RefusedRow[] = [];
    const split = (part: Flush, why: unknown) => {
      if (sizeOf(part) > 1) parts.push(...halves(part));
      else if (part.usage.size === 1) refused.push({ kind: 'usage', row: [...part.usage.values()][0], error: why });
      else refused.push({ kind: 'unattributed', row: [...part.unattributed.values()][0], error: why });
    };
    split(batch, error);
    while (parts.length > 0) {
      const part = parts.pop()!;
      try {
        await this.record(part);
        this.countWritten(part);
      } catch (failure) {
        if (isRowFault(failure)) {
          split(part, failure);
          continue;
        }
        for (const rest of parts) this.putBack(rest);
        this.putBack(rowsOf(refused));
        if (part.transactionId === null) this.putBack(part);
        else this.failedFlushes.push(part);
        throw failure;
      }
    }
    await this.quarantine(refused);
  }

  /** Sets refused rows aside in usage_quarantine, counts and logs them; if that fails, they wait for the next flush. */
  private async quarantine(refused: RefusedRow[]): Promise<void> {
    try {
      await this.dataSource.transaction((manager) => quarantineRows(manager, refused));
    } catch (error) {
      this.putBack(rowsOf(refused));
      throw error;
    }
    const reasons = new Map<string, { reason: string; sqlState: string | null; message: string; rows: number }>();
    for (const r of refused) {
      const reason = refusalReason(r.error);
      this.metrics.quarantined.inc({ reason, source: r.row.source.parent });
      const message = r.error instanceof Error ? r.error.message : String(r.error);
      const seen = reasons.get(message) ?? { reason, sqlState: sqlState(r.error) ?? null, message, rows: 0 };
      seen.rows++;
      reasons.set(message, seen);
    }
    this.logger?.error(
      { rows: refused.length, reasons: [...reasons.values()].slice(0, 10), sources: [...new Set(refused.map((r) => r.row.source.parent))] },
      'the database refused ledger rows: set aside in usage_quarantine, the rest of the batch written',
    );
  }

  /**
   * A failed flush is logged once with its error (without the statement's parameters: see
   * logger.ts); the same failure again (an outage, once a second) only at debug, until a flush
   * succeeds, which is logged with the count of failed attempts.
   */
  private logFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.failing?.message === message) {
      this.failing.attempts++;
      this.logger?.debug({ err: error, rows: this.pending, attempts: this.failing.attempts }, 'ledger flush failed again; rows kept for retry');
      return;
    }
    this.failing = { message, attempts: 1 };
    this.logger?.error({ err: error, rows: this.pending }, 'ledger flush failed; rows kept for retry');
  }

  private recovered(): void {
    if (!this.failing) return;
    this.logger?.info({ failedAttempts: this.failing.attempts }, 'ledger flushes succeed again');
    this.failing = null;
  }

  /** Writes a flush in one transaction, noting the transaction's id first. */
  private record(flush: Flush): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      flush.transactionId = await transactionId(manager);
      await this.ledger.record(manager, [...flush.usage.values()], [...flush.unattributed.values()]);
    });
  }

  /**
   * Before writing again: a failed flush whose transaction committed after all is in the ledger
   * already; one that did not (or that the server cannot tell about) goes back into the pending
   * rows. One still in progress (the server has not yet noticed the lost connection) waits for the
   * next flush. All the answers come first, in one statement: if asking fails, nothing has moved.
   */
  private async settleFlushes(): Promise<void> {
    if (this.failedFlushes.length === 0) return;
    const statuses = await transactionStatuses(
      this.dataSource,
      this.failedFlushes.map((f) => f.transactionId!),
    );
    const unsettled: Flush[] = [];
    this.failedFlushes.forEach((flush, i) => {
      const rows = sizeOf(flush);
      if (statuses[i] === 'in progress') unsettled.push(flush);
      else if (statuses[i] === 'committed') {
        this.logger?.warn({ rows }, 'a failed ledger flush had committed: not written again');
        this.countWritten(flush);
      } else {
        if (statuses[i] === null) this.logger?.warn({ rows, transactionId: flush.transactionId }, 'the server cannot tell what became of a failed ledger flush: writing it again');
        this.putBack(flush);
      }
    });
    this.failedFlushes = unsettled;
  }

  private countWritten(flush: Flush): void {
    this.metrics.rowsWritten.inc({ kind: 'usage' }, flush.usage.size);
    this.metrics.rowsWritten.inc({ kind: 'unattributed' }, flush.unattributed.size);
  }

  private putBack(flush: Flush): void {
    for (const [k, v] of flush.usage) this.mergeBack(this.usage, k, v);
    for (const [k, v] of flush.unattributed) this.mergeBack(this.unattributed, k, v);
  }

  private mergeBack<T extends { inBytes: bigint; outBytes: bigint }>(map: Map<string, T>, key: string, value: T): void {
    const existing = map.get(key);
    if (existing) {
      existing.inBytes += value.inBytes;
      existing.outBytes += value.outBytes;
    } else map.set(key, value);
  }
}

/** One flush's rows; kept, with its transaction's id, if it fails. */
interface Flush {
  /** Null until the flush's transaction has begun. */
  transactionId: string | null;
  usage: Map<string, UsageIncrement>;
  unattributed: Map<string, UnattributedIncrement>;
}

const sizeOf = (flush: Flush) => flush.usage.size + flush.unattributed.size;

/** Two parts of a flush: its attributed and its unattributed rows, or else the two halves of its rows. */
function halves(flush: Flush): [Flush, Flush] {
  const part = (usage: Flush['usage'], unattributed: Flush['unattributed']): Flush => ({ transactionId: null, usage, unattributed });
  if (flush.usage.size > 0 && flush.unattributed.size > 0) return [part(flush.usage, new Map()), part(new Map(), flush.unattributed)];
  if (flush.usage.size > 0) {
    const [a, b] = halve(flush.usage);
    return [part(a, new Map()), part(b, new Map())];
  }
  const [a, b] = halve(flush.unattributed);
  return [part(new Map(), a), part(new Map(), b)];
}

function halve<T>(rows: Map<string, T>): [Map<string, T>, Map<string, T>] {
  const entries = [...rows];
  const middle = entries.length >> 1;
  return [new Map(entries.slice(0, middle)), new Map(entries.slice(middle))];
}

/** Refused rows as a flush again (to keep them when they cannot be set aside). */
function rowsOf(refused: RefusedRow[]): Flush {
  const flush: Flush = { transactionId: null, usage: new Map(), unattributed: new Map() };
  for (const r of refused) {
    if (r.kind === 'usage') flush.usage.set(`${r.row.accountId}\u0001${sourceKey(r.row.source)}\u0001${r.row.timeMs}`, r.row);
    else flush.unattributed.set(`${r.row.ip}\u0001${sourceKey(r.row.source)}\u0001${r.row.timeMs}`, r.row);
  }
  return flush;
}
