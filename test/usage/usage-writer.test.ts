import type { DataSource, EntityManager } from 'typeorm';
import type { Ledger, UnattributedIncrement, UsageIncrement } from '../../src/usage/ledger';
import { transactionId, transactionStatuses } from '../../src/db/transaction-outcome';
import { BufferedUsageWriter } from '../../src/usage/usage-writer.service';
import { openTestDataSource } from '../support/database';

/** A ledger that keeps what it is given, and can be told to fail (its transaction then rolls back). */
class MemoryLedger implements Ledger {
  usage: UsageIncrement[] = [];
  unattributed: UnattributedIncrement[] = [];
  failures = 0;
  async record(_m: EntityManager, usage: UsageIncrement[], unattributed: UnattributedIncrement[] = []): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('database down');
    }
    // Copies: what was written then, whatever the writer does with its objects later.
    this.usage.push(...usage.map((u) => ({ ...u })));
    this.unattributed.push(...unattributed.map((u) => ({ ...u })));
  }
  total(): bigint {
    return this.usage.reduce((sum, u) => sum + u.inBytes, 0n);
  }
}

const source = { parent: 'NetFlow', identifier: 'r1' };

/**
 * The writer's transactions run for real on the embedded engine (their ids and outcomes are
 * PostgreSQL's); the rows go to a MemoryLedger.
 */
describe('BufferedUsageWriter', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource('pglite'));
  });
  afterAll(() => close());

  /**
   * The same database, except that the next `losses` transactions, once committed, answer with
   * the error a connection lost right after COMMIT reached the server gives; and `statusAnswers`
   * are what the next questions about transaction outcomes get instead of the server's answer (a
   * transaction the server has not finished aborting, or a server that cannot be reached).
   */
  const losingCommitAnswers = (losses: number, statusAnswers: ('in progress' | Error)[] = []) =>
    ({
      query: async (sql: string, parameters?: unknown[]) => {
        const scripted = sql.includes('pg_xact_status') ? statusAnswers.shift() : undefined;
        if (scripted instanceof Error) throw scripted;
        if (scripted) return (parameters![0] as string[]).map(() => ({ status: scripted }));
        return dataSource.query(sql, parameters);
      },
      transaction: async (work: (m: EntityManager) => Promise<unknown>) => {
        const result = await dataSource.transaction(work);
        if (losses-- > 0) throw new Error('Connection terminated unexpectedly');
        return result;
      },
    }) as unknown as DataSource;

  it('aggregates by account, source and minute', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.add({ accountId: 1, source, timeMs: 60_000, inBytes: 1n, outBytes: 0n });
    writer.add({ accountId: 1, source, timeMs: 119_999, inBytes: 2n, outBytes: 1n });
    writer.add({ accountId: 1, source, timeMs: 120_000, inBytes: 4n, outBytes: 0n });
    writer.add({ accountId: 1, source, timeMs: 130_000, inBytes: 0n, outBytes: 0n });
    expect(writer.pending).toBe(2);
    await writer.flush();
    expect(ledger.usage).toEqual([
      { accountId: 1, source, timeMs: 60_000, inBytes: 3n, outBytes: 1n },
      { accountId: 1, source, timeMs: 120_000, inBytes: 4n, outBytes: 0n },
    ]);
  });

  it('flushes by itself once the batch is full', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 10 });
    for (let i = 0; i < 10; i++) writer.add({ accountId: i + 1, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    await writer.flush();
    expect(ledger.total()).toBe(10n);
  });

  it('keeps the rows of a failed flush and writes them on the next one; stop flushes', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.start();
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: 5n, outBytes: 0n });
    writer.addUnattributed({ ip: '192.0.2.9', source, timeMs: 0, inBytes: 7n, outBytes: 0n });
    ledger.failures = 1;
    await expect(writer.flush()).rejects.toThrow('database down');
    expect(writer.pending).toBe(2);
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    await writer.stop();
    expect(writer.pending).toBe(0);
    expect(ledger.total()).toBe(6n);
    expect(ledger.unattributed[0].inBytes).toBe(7n);
  });

  it('does not write again a flush that committed although its answer was lost', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(losingCommitAnswers(1), ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: 5n, outBytes: 0n });
    await expect(writer.flush()).rejects.toThrow('Connection terminated unexpectedly');
    expect(writer.pending).toBe(1); // not known yet to have committed
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    await writer.flush();
    expect(writer.pending).toBe(0);
    expect(ledger.usage.map((u) => u.inBytes)).toEqual([5n, 1n]);
  });

  it('waits while the server has not finished a failed flush, then writes it once; a failed question changes nothing', async () => {
    const ledger = new MemoryLedger();
    const db = losingCommitAnswers(0, ['in progress', new Error('connect ECONNREFUSED 127.0.0.1:5432')]);
    const writer = new BufferedUsageWriter(db, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: 5n, outBytes: 0n });
    ledger.failures = 1; // fails inside its transaction, which rolls back
    await expect(writer.flush()).rejects.toThrow('database down');
    writer.add({ accountId: 2, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    await writer.flush(); // 'in progress': account 1 waits, account 2 is written
    expect([ledger.usage.map((u) => [u.accountId, u.inBytes]), writer.pending]).toEqual([[[2, 1n]], 1]);
    await expect(writer.flush()).rejects.toThrow('ECONNREFUSED'); // cannot ask: still waiting
    expect(writer.pending).toBe(1);
    await writer.flush(); // the server says aborted: written now, once
    await writer.flush();
    expect([ledger.usage.map((u) => [u.accountId, u.inBytes]), writer.pending]).toEqual([[[2, 1n], [1, 5n]], 0]);
  });

  it('on stop, asks again about a failed flush the server has not finished, and writes it', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(losingCommitAnswers(0, ['in progress', 'in progress']), ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: 5n, outBytes: 0n });
    ledger.failures = 1;
    await expect(writer.flush()).rejects.toThrow('database down');
    await writer.stop();
    expect([ledger.total(), writer.pending]).toEqual([5n, 0]);
  });

  it('asks the server about failed transactions, and gets no answer for one it never had', async () => {
    const committed = await dataSource.transaction((m) => transactionId(m));
    const aborted = await dataSource
      .transaction(async (m) => {
        const id = await transactionId(m);
        throw Object.assign(new Error('rolled back'), { id });
      })
      .catch((e: { id: string }) => e.id);
    // An id this server has not handed out yet, as after a failover to a replica that lags.
    const future = String(BigInt(committed) + 1_000_000n);
    expect(await transactionStatuses(dataSource, [committed, aborted, future])).toEqual(['committed', 'aborted', null]);
  });

  it('refuses increments that could never be written instead of wedging later flushes', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.add({ accountId: 1, source, timeMs: NaN, inBytes: 1n, outBytes: 0n });
    writer.add({ accountId: 1, source, timeMs: 0, inBytes: -1n, outBytes: 0n });
    writer.add({ accountId: 0, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    writer.addUnattributed({ ip: 'not-an-ip', source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    expect(writer.pending).toBe(0);
  });

  it('refuses an address with a zone id (PostgreSQL inet refuses it) and writes the rest of the batch', async () => {
    const ledger = new MemoryLedger();
    const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
    writer.addUnattributed({ ip: 'fe80::1%eth0', source, timeMs: 0, inBytes: 1n, outBytes: 0n });
    writer.addUnattributed({ ip: 'fe80::1', source, timeMs: 0, inBytes: 2n, outBytes: 0n });
    expect(writer.pending).toBe(1);
    await writer.flush();
    expect(ledger.unattributed.map((u) => [u.ip, u.inBytes])).toEqual([['fe80::1', 2n]]);
  });
});

