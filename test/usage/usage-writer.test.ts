import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { Ledger, UnattributedIncrement, UsageIncrement } from '../../src/usage/ledger';
import { transactionId, transactionStatuses } from '../../src/db/transaction-outcome';
import { createLogger } from '../../src/logger';
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

/** The error PostgreSQL gives for a value past bigint, as the drivers raise it (SQLSTATE 22003). */
const outOfRange = () => Object.assign(new Error('bigint out of range'), { code: '22003' });

/**
 * A MemoryLedger that refuses, like the database would, any batch holding a row of the given
 * accounts or addresses (the whole batch fails: its transaction rolls back), and counts its calls.
 */
class RefusingLedger extends MemoryLedger {
  calls = 0;
  /** Called before each batch: may throw to simulate the database going away mid-way. */
  before: (call: number) => void = () => {};
  constructor(
    private readonly badAccounts: Set<number>,
    private readonly badAddresses: Set<string> = new Set(),
  ) {
    super();
  }
  override async record(m: EntityManager, usage: UsageIncrement[], unattributed: UnattributedIncrement[] = []): Promise<void> {
    this.before(++this.calls);
    if (usage.some((u) => this.badAccounts.has(u.accountId)) || unattributed.some((u) => this.badAddresses.has(u.ip))) throw outOfRange();
    return super.record(m, usage, unattributed);
  }
}

/** The service's logger, with lines a test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

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

  describe('a batch the database refuses because of some rows', () => {
    const quarantined = () =>
      dataSource.query(`SELECT kind, account_id, ip, data_source_parent, in_bytes, out_bytes, reason, sql_state FROM usage_quarantine ORDER BY id`);
    beforeEach(() => dataSource.query(`DELETE FROM usage_quarantine`));

    it('finds the one bad row of 20 000 in about 2 log2(n) transactions, sets it aside and writes the rest exactly', async () => {
      const ledger = new RefusingLedger(new Set([7_777]));
      const registry = new Registry();
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1_000_000 }, undefined, registry);
      for (let account = 1; account <= 20_000; account++) writer.add({ accountId: account, source, timeMs: 60_000, inBytes: BigInt(account), outBytes: 1n });
      await writer.flush();
      expect(writer.pending).toBe(0);
      // The first attempt, then per level of the search (15 levels for 20 000) a good and a bad half.
      expect(ledger.calls).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(20_000)));
      const written = ledger.usage.map((u) => u.accountId).sort((a, b) => a - b);
      expect(written).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1).filter((a) => a !== 7_777));
      expect(ledger.total()).toBe((20_000n * 20_001n) / 2n - 7_777n);
      expect(await quarantined()).toEqual([
        { kind: 'usage', account_id: '7777', ip: null, data_source_parent: 'NetFlow', in_bytes: '7777', out_bytes: '1', reason: 'bigint out of range', sql_state: '22003' },
      ]);
      expect(await registry.metrics()).toContain('usage_meter_ledger_quarantined_rows_total{reason="numeric_value_out_of_range",source="NetFlow"} 1');
    });

    it('sets aside every bad row, attributed or not, and nothing else', async () => {
      const ledger = new RefusingLedger(new Set([3, 500, 501]), new Set(['192.0.2.66']));
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1_000_000 });
      for (let account = 1; account <= 1000; account++) writer.add({ accountId: account, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      for (let n = 1; n <= 100; n++) writer.addUnattributed({ ip: `192.0.2.${n}`, source, timeMs: 0, inBytes: 2n, outBytes: 0n });
      await writer.flush();
      expect([ledger.usage.length, ledger.unattributed.length, writer.pending]).toEqual([997, 99, 0]);
      expect((await quarantined()).map((r: { account_id: string | null; ip: string | null }) => r.account_id ?? r.ip).sort()).toEqual(['192.0.2.66', '3', '500', '501']);
    });

    it('an outage in the middle of the search loses nothing and writes nothing twice', async () => {
      const ledger = new RefusingLedger(new Set([42]));
      const { logger, lines } = capturingLogger();
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1_000_000 }, logger);
      for (let account = 1; account <= 1000; account++) writer.add({ accountId: account, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      ledger.before = (call) => {
        if (call === 4) throw new Error('Connection terminated unexpectedly');
      };
      await expect(writer.flush()).rejects.toThrow('Connection terminated');
      const writtenBefore = ledger.usage.length;
      expect(writtenBefore).toBeGreaterThan(0); // some halves were written before the outage
      expect(writer.pending).toBe(1000 - writtenBefore);
      ledger.before = () => {};
      await writer.flush(); // starts over with what is left: finds the bad row again
      expect(writer.pending).toBe(0);
      expect(ledger.usage.map((u) => u.accountId).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1).filter((a) => a !== 42));
      expect(await quarantined()).toHaveLength(1);
      const messages = lines.map((l) => l.msg);
      expect(messages).toContain('ledger flush failed; rows kept for retry');
      expect(messages).toContain('the database refused ledger rows: set aside in usage_quarantine, the rest of the batch written');
    });

    it('a failure that is no row\'s fault is retried whole and logged once, never split into quarantine', async () => {
      const ledger = new MemoryLedger();
      const { logger, lines } = capturingLogger();
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 }, logger);
      for (let account = 1; account <= 10; account++) writer.add({ accountId: account, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      ledger.failures = 5;
      for (let i = 0; i < 5; i++) await expect(writer.flush()).rejects.toThrow('database down');
      expect(writer.pending).toBe(10);
      await writer.flush();
      expect([ledger.total(), writer.pending, (await quarantined()).length]).toEqual([10n, 0, 0]);
      const errors = lines.filter((l) => l.level >= 50);
      expect(errors.map((l) => l.msg)).toEqual(['ledger flush failed; rows kept for retry']);
      expect(lines.find((l) => l.msg === 'ledger flushes succeed again')).toMatchObject({ failedAttempts: 5 });
    });

    it('the failed statement is logged without its parameters', async () => {
      const { QueryFailedError } = await import('typeorm');
      const huge = ['{' + '1,'.repeat(50_000) + '1}'];
      const ledger = new MemoryLedger();
      ledger.record = async () => {
        throw new QueryFailedError('INSERT INTO usage_5m ...', huge, Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
      };
      const { logger, lines } = capturingLogger();
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 }, logger);
      writer.add({ accountId: 1, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      await expect(writer.flush()).rejects.toThrow('statement timeout');
      const line = lines.find((l) => l.msg === 'ledger flush failed; rows kept for retry')!;
      expect(line.err).toMatchObject({ message: 'canceling statement due to statement timeout', query: 'INSERT INTO usage_5m ...', code: '57014' });
      expect(JSON.stringify(lines).length).toBeLessThan(20_000);
    });

    it('stop says how many rows it could not write', async () => {
      const ledger = new MemoryLedger();
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
      writer.add({ accountId: 1, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      writer.add({ accountId: 2, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      ledger.failures = 1_000;
      expect(await writer.stop()).toBe(2);
      ledger.failures = 0;
      const clean = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1000 });
      clean.add({ accountId: 1, source, timeMs: 0, inBytes: 1n, outBytes: 0n });
      expect(await clean.stop()).toBe(0);
    });
  });
});
