import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { transactionId, transactionStatuses } from '../db/transaction-outcome';
import type { Logger } from '../logger';
import { isStrictAddress } from '../net/ip';
import type { Ledger, UnattributedIncrement, UsageIncrement, UsageWriter } from './ledger';
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
 */
export class BufferedUsageWriter implements UsageWriter {
  private usage = new Map<string, UsageIncrement>();
  private unattributed = new Map<string, UnattributedIncrement>();
  /** Flushes that failed after their transaction began: committed or not, the next flush finds out. */
  private failedFlushes: Flush[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;

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
   * unwritten after that are logged, with their count, as lost.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    for (let attempt = 0; attempt < 10 && this.failedFlushes.length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.flush();
    }
    if (this.pending > 0) this.logger?.error({ rows: this.pending }, 'usage writer stopped with rows it could not write');
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
      await this.record(flush);
      this.countWritten(flush);
    } catch (error) {
      // Without a transaction id nothing was written; with one, the next flush asks.
      if (flush?.transactionId === null) this.putBack(flush);
      else if (flush) this.failedFlushes.push(flush);
      this.metrics.flushFailures.inc();
      this.logger?.error({ err: error, rows: this.pending }, 'ledger flush failed; rows kept for retry');
      throw error;
    } finally {
      end?.();
      this.metrics.pending.set(this.pending);
    }
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
