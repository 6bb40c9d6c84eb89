import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { defaultLedgerConfig } from '../../src/config';
import { DataUsageService, DataUsageSample } from '../../src/usage/data-usage.service';
import type { UsageIncrement } from '../../src/usage/ledger';
import { LedgerService } from '../../src/usage/ledger.service';
import { LedgerRollup } from '../../src/usage/rollup.service';
import { UsageReadService } from '../../src/usage/usage-read.service';
import { BufferedUsageWriter } from '../../src/usage/usage-writer.service';
import { openTestDataSource, testEngines } from '../support/database';

const TZ = 'America/New_York';
const at = (s: string) => Date.parse(s);
const NOW = at('2026-03-20T12:00:00Z');

async function createAccount(ds: DataSource, billDay = 1, policyId: number | null = null): Promise<number> {
  const [row] = await ds.query(
    `INSERT INTO accounts (name, account_status_id, account_type_id, bill_day, usage_based_billing_policy_id, created_at)
     VALUES ('a', (SELECT id FROM account_statuses LIMIT 1), (SELECT id FROM account_types LIMIT 1), $1, $2, '2026-01-01T00:00:00Z') RETURNING id`,
    [billDay, policyId],
  );
  return Number(row.id);
}

async function createPolicy(ds: DataSource, capGb: string, windows: [number, number, number][] = [], directions = 'BOTH'): Promise<number> {
  const [p] = await ds.query(`INSERT INTO usage_based_billing_policies (name, cap_in_gigabytes, counted_directions) VALUES ('p', $1, $2) RETURNING id`, [
    capGb,
    directions,
  ]);
  for (const [day, start, end] of windows) {
    await ds.query(`INSERT INTO usage_based_billing_policy_free_periods (usage_based_billing_policy_id, day, start_minute, end_minute) VALUES ($1, $2, $3, $4)`, [
      p.id,
      day,
      start,
      end,
    ]);
  }
  return Number(p.id);
}

const sample = (accountId: number, time: string, inbytes: bigint, outbytes: bigint, identifier = 'mw-1'): DataUsageSample => ({
  account_id: BigInt(accountId),
  time: new Date(time),
  inbytes,
  outbytes,
  data_source_parent: 'API',
  data_source_identifier: identifier,
});

describe.each(testEngines())('usage ledger on %s', (engine) => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let ledger: LedgerService;
  let usage: DataUsageService;
  let reads: UsageReadService;

  beforeAll(async () => {
    ({ dataSource: ds, close } = await openTestDataSource(engine));
    await ds.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await ds.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    ledger = new LedgerService(TZ);
    usage = new DataUsageService(ds, defaultLedgerConfig, TZ);
    reads = new UsageReadService(ds, TZ);
  }, 60_000);
  afterAll(() => close());

  const totalOf = async (accountId: number, start: string, end: string) => {
    const rows = await reads.totals(accountId, at(start), at(end));
    return rows.map((r) => [r.parent, r.identifier, r.inBytes, r.outBytes, r.freeInBytes, r.freeOutBytes]);
  };

  it('records increments additively, exact to the byte, with unattributed traffic kept by address', async () => {
    const a = await createAccount(ds);
    const source = { parent: 'NetFlow', identifier: '192.0.2.1' };
    const big = 2n ** 62n;
    await ds.transaction((m) =>
      ledger.record(
        m,
        [
          { accountId: a, source, timeMs: at('2026-03-10T10:01:00Z'), inBytes: big, outBytes: 1n },
          { accountId: a, source, timeMs: at('2026-03-10T10:04:59Z'), inBytes: 5n, outBytes: 2n },
          { accountId: a, source: { parent: 'RADIUS', identifier: '10.0.0.1' }, timeMs: at('2026-03-10T10:06:00Z'), inBytes: 7n, outBytes: 0n },
        ],
        [{ ip: '198.51.100.9', source, timeMs: at('2026-03-10T10:01:00Z'), inBytes: 100n, outBytes: 50n }],
      ),
    );
    await ds.transaction((m) => ledger.record(m, [{ accountId: a, source, timeMs: at('2026-03-10T10:02:00Z'), inBytes: 10n, outBytes: 10n }]));
    expect(await totalOf(a, '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z')).toEqual([
      ['NetFlow', '192.0.2.1', big + 15n, 13n, 0n, 0n],
      ['RADIUS', '10.0.0.1', 7n, 0n, 0n, 0n],
    ]);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM usage_5m WHERE account_id = $1`, [a]);
    expect(n).toBe(2);
    const un = await reads.unattributed(at('2026-03-10T00:00:00Z'), at('2026-03-11T00:00:00Z'), 10);
    expect(un).toEqual([{ ip: '198.51.100.9', parent: 'NetFlow', identifier: '192.0.2.1', inBytes: 100n, outBytes: 50n }]);
  });

  it('a source created in a transaction that rolls back is not remembered; committed ones are', async () => {
    const a = await createAccount(ds);
    const source = { parent: 'NetFlow', identifier: 'rolled-back-exporter' };
    const increment = { accountId: a, source, timeMs: at('2026-03-10T10:01:00Z'), inBytes: 3n, outBytes: 4n };
    await expect(
      ds.transaction(async (m) => {
        await ledger.record(m, [increment]);
        throw new Error('the caller fails after the ledger write');
      }),
    ).rejects.toThrow('the caller fails');
    // Burn the sequence value the rolled-back insert used, so a stale id could not be reused by luck.
    await ds.query(`INSERT INTO usage_sources (parent, identifier) VALUES ('NetFlow', 'someone-else')`);
    await ds.transaction((m) => ledger.record(m, [increment]));
    await ds.transaction((m) => ledger.record(m, [increment]));
    const rows = await ds.query(
      `SELECT s.identifier, u.in_bytes::text AS i, u.out_bytes::text AS o FROM usage_5m u JOIN usage_sources s ON s.id = u.source_id WHERE u.account_id = $1`,
      [a],
    );
    expect(rows).toEqual([{ identifier: 'rolled-back-exporter', i: '6', o: '8' }]);
  });

  it('createDataUsages: baseline, spread deltas, counter reset, re-sent batch, older samples', async () => {
    const a = await createAccount(ds);
    const first = await usage.createDataUsages(
      [
        sample(a, '2026-03-10T10:02:30Z', 1000n, 100n),
        sample(a, '2026-03-10T10:12:30Z', 2000n, 107n),
        sample(a, '2026-03-10T10:17:30Z', 500n, 110n), // in reset: delta 500
      ],
      NOW,
    );
    expect(first.success).toBe(true);
    expect(first.message).toMatch(/Stored 2 sample\(s\).*1 started a series/);
    expect(await totalOf(a, '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z')).toEqual([['API', 'mw-1', 1500n, 10n, 0n, 0n]]);
    const buckets = await ds.query(
      `SELECT to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI') AS b, in_bytes::text AS i FROM usage_5m WHERE account_id = $1 ORDER BY bucket`,
      [a],
    );
    expect(buckets).toEqual([
      { b: '10:00', i: '250' },
      { b: '10:05', i: '500' },
      { b: '10:10', i: '500' },
      { b: '10:15', i: '250' },
    ]);

    // The middleware re-sends the whole batch: nothing changes.
    const again = await usage.createDataUsages(
      [sample(a, '2026-03-10T10:02:30Z', 1000n, 100n), sample(a, '2026-03-10T10:12:30Z', 2000n, 107n), sample(a, '2026-03-10T10:17:30Z', 500n, 110n)],
      NOW,
    );
    expect(again.success).toBe(true);
    expect(again.message).toMatch(/1 already received \(ignored\): input\[2\]/);
    expect(again.message).toMatch(/2 older than their series' latest sample, not applied: input\[0\], input\[1\]/);
    expect(await totalOf(a, '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z')).toEqual([['API', 'mw-1', 1500n, 10n, 0n, 0n]]);
  });

  it('createDataUsages keeps the series of one batch apart by parent and identifier', async () => {
    const a = await createAccount(ds);
    const b = await createAccount(ds);
    const row = (account: number, time: string, bytes: bigint, parent: string, identifier: string) => ({
      ...sample(account, time, bytes, bytes / 10n, identifier),
      data_source_parent: parent,
    });
    // Interleaved rows: the same identifier under two parents, two identifiers under one parent, two accounts.
    const result = await usage.createDataUsages(
      [
        row(a, '2026-03-13T10:00:00Z', 0n, 'API', 'mw-1'),
        row(a, '2026-03-13T10:00:00Z', 0n, 'Other', 'mw-1'),
        row(b, '2026-03-13T10:00:00Z', 0n, 'API', 'mw-1'),
        row(a, '2026-03-13T10:00:00Z', 0n, 'API', 'mw-2'),
        row(a, '2026-03-13T11:00:00Z', 100n, 'API', 'mw-1'),
        row(a, '2026-03-13T11:00:00Z', 2000n, 'Other', 'mw-1'),
        row(b, '2026-03-13T11:00:00Z', 30n, 'API', 'mw-1'),
        row(a, '2026-03-13T11:00:00Z', 400n, 'API', 'mw-2'),
      ],
      NOW,
    );
    expect(result.message).toMatch(/^Stored 4 sample\(s\) as usage; 4 started a series/);
    expect(await totalOf(a, '2026-03-13T00:00:00Z', '2026-03-14T00:00:00Z')).toEqual([
      ['API', 'mw-1', 100n, 10n, 0n, 0n],
      ['API', 'mw-2', 400n, 40n, 0n, 0n],
      ['Other', 'mw-1', 2000n, 200n, 0n, 0n],
    ]);
    expect(await totalOf(b, '2026-03-13T00:00:00Z', '2026-03-14T00:00:00Z')).toEqual([['API', 'mw-1', 30n, 3n, 0n, 0n]]);
  });

  it('createDataUsages is atomic and names the bad rows', async () => {
    const a = await createAccount(ds);
    const bad = await usage.createDataUsages(
      [sample(a, '2026-03-10T10:00:00Z', 1n, 1n), sample(999_999, '2026-03-10T10:00:00Z', 1n, 1n), sample(a, '2026-03-10T10:05:00Z', -5n, 1n, 'x')],
      NOW,
    );
    expect(bad.success).toBe(false);
    expect(bad.message).toContain('input[2]: inbytes -5 is negative');
    const unknown = await usage.createDataUsages([sample(a, '2026-03-10T10:00:00Z', 1n, 1n), sample(999_999, '2026-03-10T10:00:00Z', 1n, 1n)], NOW);
    expect(unknown).toEqual({ success: false, message: expect.stringContaining('input[1]: account 999999 does not exist') });
    const future = await usage.createDataUsages([sample(a, '2026-03-21T10:00:00Z', 1n, 1n)], NOW);
    expect(future.message).toContain('input[0]: time 2026-03-21T10:00:00.000Z is in the future');
    const huge = await usage.createDataUsages([sample(a, '2026-03-10T10:00:00Z', 2n ** 64n, 1n)], NOW);
    expect(huge.message).toContain('does not fit in 64 bits');
    expect(await usage.createDataUsages([], NOW)).toEqual({ success: false, message: expect.stringContaining('empty') });
    const many = Array.from({ length: 10_001 }, () => sample(a, '2026-03-10T10:00:00Z', 1n, 1n));
    expect((await usage.createDataUsages(many, NOW)).message).toContain('at most 10000');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM usage_series WHERE account_id = $1`, [a]);
    expect(n).toBe(0);
  });

  it('createDataUsages refuses a counter that grew more than its interval could carry (the edge rule), naming the row', async () => {
    const a = await createAccount(ds);
    const baseline = await usage.createDataUsages([sample(a, '2026-03-10T10:00:00Z', 1000n, 1000n)], NOW);
    expect(baseline.success).toBe(true);
    // 5 minutes apart (within the one-hour floor): at 1 Tbit/s, at most 450 000 000 000 000 bytes per direction.
    const wild = await usage.createDataUsages(
      [sample(a, '2026-03-10T10:05:00Z', 1000n + 450_000_000_000_001n, 1000n), sample(a, '2026-03-10T10:10:00Z', 1000n + 450_000_000_000_002n, 2000n)],
      NOW,
    );
    expect(wild.success).toBe(false);
    expect(wild.message).toContain(
      'input[0]: inbytes grew by 450000000000001 bytes in 300 s since the series\' previous sample, more than one sample may carry: ' +
        'at most 450000000000000 bytes over 3600 s or less (USAGE_MAX_BITS_PER_SECOND=1000000000000)',
    );
    expect(wild.message).toMatch(/^Nothing was stored\. 1 row\(s\) rejected/);
    // Over a longer gap the same growth is plausible: the bound follows the interval (here 2 hours).
    const later = await usage.createDataUsages([sample(a, '2026-03-10T12:00:00Z', 1000n + 450_000_000_000_001n, 1000n)], NOW);
    expect(later.success).toBe(true);
    expect(await totalOf(a, '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z')).toEqual([['API', 'mw-1', 450_000_000_000_001n, 0n, 0n, 0n]]);
  });

  it('a series another process wrote meanwhile is continued from its stored state, not from memory', async () => {
    const a = await createAccount(ds);
    // Two service processes on one database: each remembers the series states it wrote itself.
    const registry = new Registry();
    const mine = new DataUsageService(ds, defaultLedgerConfig, TZ, registry);
    const other = new DataUsageService(ds, defaultLedgerConfig, TZ);
    await mine.createDataUsages([sample(a, '2026-03-12T00:00:00Z', 0n, 0n), sample(a, '2026-03-12T01:00:00Z', 1000n, 10n)], NOW);
    expect((await other.createDataUsages([sample(a, '2026-03-12T02:00:00Z', 3000n, 30n)], NOW)).message).toMatch(/^Stored 1 sample/);
    // This process still remembers 01:00 (1000 bytes); the series is at 02:00 (3000 bytes).
    const next = await mine.createDataUsages([sample(a, '2026-03-12T03:00:00Z', 6000n, 60n)], NOW);
    expect(next.message).toMatch(/^Stored 1 sample/);
    // The other process's sample, sent here again: older than the series' latest, not applied.
    const resent = await mine.createDataUsages([sample(a, '2026-03-12T02:00:00Z', 3000n, 30n)], NOW);
    expect(resent.message).toMatch(/1 older than their series' latest sample, not applied: input\[0\]/);
    expect(await totalOf(a, '2026-03-12T00:00:00Z', '2026-03-13T00:00:00Z')).toEqual([['API', 'mw-1', 6000n, 60n, 0n, 0n]]);
    const [state] = await ds.query(`SELECT last_in::text, (extract(epoch from last_time) * 1000)::bigint::text AS ms FROM usage_series WHERE account_id = $1`, [a]);
    expect(state).toEqual({ last_in: '6000', ms: String(at('2026-03-12T03:00:00Z')) });
    // One redo: the 03:00 call, which found its remembered 01:00 outdated.
    expect(await registry.getSingleMetricAsString('usage_series_outdated_redos_total')).toMatch(/usage_series_outdated_redos_total 1$/m);
  });

  it('concurrent calls on one series apply each sample once', async () => {
    const a = await createAccount(ds);
    await usage.createDataUsages([sample(a, '2026-03-11T00:00:00Z', 0n, 0n)], NOW);
    const batches = Array.from({ length: 8 }, (_, i) => [sample(a, `2026-03-11T0${i + 1}:00:00Z`, BigInt((i + 1) * 1000), 0n)]);
    await Promise.all([...batches, ...batches].map((b) => usage.createDataUsages(b, NOW)));
    const rows = await reads.totals(a, at('2026-03-11T00:00:00Z'), at('2026-03-12T00:00:00Z'));
    // Whatever the order, each sample is applied at most once and the counter ends at 8000.
    // Samples that lost the race to a later one are reported as older; usage never exceeds 8000.
    expect(rows[0].inBytes <= 8000n).toBe(true);
    const [state] = await ds.query(`SELECT last_in::text FROM usage_series WHERE account_id = $1`, [a]);
    expect(state.last_in).toBe('8000');
  });

  it('classifies free-window traffic at write time, split exactly at the edges (local time)', async () => {
    // Free on Tuesdays 02:00-06:00 New York time (EDT in March after the 8th: 06:00Z-10:00Z).
    const policy = await createPolicy(ds, '1', [[2, 120, 360]]);
    const a = await createAccount(ds, 1, policy);
    await usage.createDataUsages([sample(a, '2026-03-17T05:00:00Z', 0n, 0n), sample(a, '2026-03-17T07:00:00Z', 7200n, 720n)], NOW);
    expect(await totalOf(a, '2026-03-17T00:00:00Z', '2026-03-18T00:00:00Z')).toEqual([['API', 'mw-1', 3600n, 360n, 3600n, 360n]]);
    await ds.transaction((m) =>
      ledger.record(m, [
        { accountId: a, source: { parent: 'RADIUS', identifier: 'nas' }, timeMs: at('2026-03-17T05:59:59.999Z'), inBytes: 1n, outBytes: 0n },
        { accountId: a, source: { parent: 'RADIUS', identifier: 'nas' }, timeMs: at('2026-03-17T06:00:00Z'), inBytes: 10n, outBytes: 0n },
      ]),
    );
    const radius = (await reads.totals(a, at('2026-03-17T00:00:00Z'), at('2026-03-18T00:00:00Z'))).find((r) => r.parent === 'RADIUS')!;
    expect([radius.inBytes, radius.freeInBytes]).toEqual([1n, 10n]);
  });

  it('rolls 5-minute buckets up to local hours and days without changing any total', async () => {
    const a = await createAccount(ds, 8);
    const source = { parent: 'NetFlow', identifier: 'r1' };
    const increments: UsageIncrement[] = [];
    for (let t = at('2026-03-07T03:00:00Z'); t < at('2026-03-09T06:00:00Z'); t += 7 * 60_000) {
      increments.push({ accountId: a, source, timeMs: t, inBytes: 1000n, outBytes: 3n });
    }
    await ds.transaction((m) => ledger.record(m, increments));
    const before = await totalOf(a, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'); // one local day across spring-forward
    const wide = await totalOf(a, '2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z');
    const rollup = new LedgerRollup(ds, { ...defaultLedgerConfig, fineRetentionHours: 1, hourlyRetentionDays: 1 }, TZ);
    const moved = await rollup.runOnce(at('2026-03-10T12:00:00Z'));
    expect(moved.toHour).toBeGreaterThan(0);
    expect(moved.toDay).toBeGreaterThan(0);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM usage_5m WHERE account_id = $1`, [a]);
    expect(n).toBe(0);
    const days = await ds.query(`SELECT bucket FROM usage_1d WHERE account_id = $1 ORDER BY bucket`, [a]);
    // Local days (EST until the 8th): the first sample, 03-07T03:00Z, is still March 6 in New York.
    expect(days.map((d: { bucket: Date }) => new Date(d.bucket).toISOString())).toEqual([
      '2026-03-06T05:00:00.000Z',
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
    ]);
    expect(await totalOf(a, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).toEqual(before);
    expect(await totalOf(a, '2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z')).toEqual(wide);
    // A billing period (bill day 8) is answered from day and hour buckets, exactly.
    const period = await reads.currentUsage([a], at('2026-03-08T12:00:00Z'));
    const direct = increments.filter((i) => i.timeMs >= at('2026-03-08T05:00:00Z')).length;
    expect(period.get(a)!.inBytes).toBe(BigInt(direct) * 1000n);
  });

  it('reports the current period against cap and top-offs, and the accounts over a threshold', async () => {
    const policy = await createPolicy(ds, '0.000001', [], 'BOTH'); // 1000 bytes
    const a = await createAccount(ds, 15, policy);
    const b = await createAccount(ds, 15, policy);
    const source = { parent: 'API', identifier: 'x' };
    await ds.transaction((m) =>
      ledger.record(m, [
        { accountId: a, source, timeMs: at('2026-03-16T00:00:00Z'), inBytes: 600n, outBytes: 300n },
        { accountId: a, source, timeMs: at('2026-03-14T00:00:00Z'), inBytes: 5000n, outBytes: 0n }, // previous period
        { accountId: b, source, timeMs: at('2026-03-16T00:00:00Z'), inBytes: 100n, outBytes: 0n },
      ]),
    );
    await ds.query(`INSERT INTO data_usage_top_offs (account_id, amount_in_bytes, created_at) VALUES ($1, 500, '2026-03-16T00:00:00Z')`, [a]);
    const current = await reads.currentUsage([a, b], NOW);
    expect(current.get(a)).toMatchObject({ countedBytes: 900n, capBytes: 1000n, topOffBytes: 500n, allowanceBytes: 1500n, percentage: 60 });
    expect(current.get(b)!.percentage).toBe(10);
    const over = await reads.accountsOverThreshold(50, NOW);
    expect(over.map((u) => u.accountId)).toContain(a);
    expect(over.map((u) => u.accountId)).not.toContain(b);

    const histories = (await reads.histories([a], NOW)).get(a)!;
    expect(histories[0]).toMatchObject({ end: null, inBytes: 600n, outBytes: 300n, topOffBytes: 500n, capBytes: 1000n });
    expect(new Date(histories[0].start).toISOString()).toBe('2026-03-15T04:00:00.000Z');
    expect(histories[1]).toMatchObject({ inBytes: 5000n, end: at('2026-03-15T04:00:00Z') });
  });

  it('data_usage gives rates per source', async () => {
    const a = await createAccount(ds);
    const source = { parent: 'API', identifier: 'r' };
    await ds.transaction((m) => ledger.record(m, [{ accountId: a, source, timeMs: at('2026-03-10T10:01:00Z'), inBytes: 3000n, outBytes: 600n }]));
    const points = await reads.series(a, at('2026-03-10T10:00:00Z'), at('2026-03-10T10:10:00Z'), 2);
    expect(points.map((p) => [p.time.toISOString(), p.inBytesPerSecond, p.outBytesPerSecond])).toEqual([
      ['2026-03-10T10:00:00.000Z', 10, 2],
      ['2026-03-10T10:05:00.000Z', 0, 0],
    ]);
  });

  it('data_usage lists sources by parent, then identifier, as the totals do', async () => {
    const a = await createAccount(ds);
    const time = at('2026-03-10T10:01:00Z');
    // Concatenated, 'ab'+'c' sorts before 'a'+'z'; by parent first, 'a' comes before 'ab'.
    const sources = [
      { parent: 'ab', identifier: 'c' },
      { parent: 'a', identifier: 'z' },
      { parent: 'a', identifier: 'y' },
    ];
    await ds.transaction((m) => ledger.record(m, sources.map((source) => ({ accountId: a, source, timeMs: time, inBytes: 300n, outBytes: 0n }))));
    const expected = [
      ['a', 'y'],
      ['a', 'z'],
      ['ab', 'c'],
    ];
    const totals = await reads.totals(a, at('2026-03-10T10:00:00Z'), at('2026-03-10T10:05:00Z'));
    expect(totals.map((t) => [t.parent, t.identifier])).toEqual(expected);
    const points = await reads.series(a, at('2026-03-10T10:00:00Z'), at('2026-03-10T10:05:00Z'), 1);
    expect(points.map((p) => [p.parent, p.identifier])).toEqual(expected);
  });

  it('the buffered writer sets aside rows the database refuses (bigint overflow) and writes their neighbours', async () => {
    const [a, b] = [await createAccount(ds), await createAccount(ds)];
    const source = { parent: 'NetFlow', identifier: 'q' };
    const ten = at('2026-03-12T10:00:00Z');
    await ds.transaction((m) => ledger.record(m, [{ accountId: a, source, timeMs: ten, inBytes: 1n, outBytes: 0n }]));
    const registry = new Registry();
    const writer = new BufferedUsageWriter(ds, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1_000_000 }, undefined, registry);
    const max = 2n ** 63n - 1n;
    writer.add({ accountId: a, source, timeMs: ten + 60_000, inBytes: max, outBytes: 0n }); // fits alone; 1 + max does not
    writer.addUnattributed({ ip: '192.0.2.1', source, timeMs: ten, inBytes: max + 1n, outBytes: 0n }); // past bigint itself
    for (let i = 0; i < 50; i++) writer.add({ accountId: b, source, timeMs: ten + i * 60_000, inBytes: 10n, outBytes: 1n });
    writer.add({ accountId: a, source, timeMs: ten + 3_600_000, inBytes: 5n, outBytes: 6n });
    writer.addUnattributed({ ip: '192.0.2.2', source, timeMs: ten, inBytes: 7n, outBytes: 0n });
    await writer.flush();
    expect(writer.pending).toBe(0);
    const day = ['2026-03-12T00:00:00Z', '2026-03-13T00:00:00Z'] as const;
    expect(await totalOf(a, ...day)).toEqual([['NetFlow', 'q', 6n, 6n, 0n, 0n]]);
    expect(await totalOf(b, ...day)).toEqual([['NetFlow', 'q', 500n, 50n, 0n, 0n]]);
    const unattributed = await ds.query(`SELECT host(ip) AS ip, in_bytes FROM unattributed_5m WHERE source_id = (SELECT id FROM usage_sources WHERE identifier = 'q')`);
    expect(unattributed).toEqual([{ ip: '192.0.2.2', in_bytes: '7' }]);
    const set = await ds.query(
      `SELECT kind, account_id, ip, data_source_identifier, time, in_bytes, sql_state FROM usage_quarantine WHERE data_source_identifier = 'q' ORDER BY kind`,
    );
    expect(set).toEqual([
      { kind: 'unattributed', account_id: null, ip: '192.0.2.1', data_source_identifier: 'q', time: new Date(ten), in_bytes: String(max + 1n), sql_state: '22003' },
      { kind: 'usage', account_id: String(a), ip: null, data_source_identifier: 'q', time: new Date(ten + 60_000), in_bytes: String(max), sql_state: '22003' },
    ]);
    expect(await registry.metrics()).toContain('usage_meter_ledger_quarantined_rows_total{reason="numeric_value_out_of_range",source="NetFlow"} 2');
  });

  it('the buffered writer flushes on demand and on stop', async () => {
    const a = await createAccount(ds);
    const writer = new BufferedUsageWriter(ds, ledger, { flushIntervalMs: 60_000, flushMaxRows: 1_000_000 });
    writer.start();
    const source = { parent: 'NetFlow', identifier: 'w' };
    for (let i = 0; i < 1000; i++) writer.add({ accountId: a, source, timeMs: at('2026-03-10T10:00:00Z') + i * 1000, inBytes: 1n, outBytes: 2n });
    writer.addUnattributed({ ip: '2001:db8::1', source, timeMs: at('2026-03-10T10:00:00Z'), inBytes: 5n, outBytes: 0n });
    expect(writer.pending).toBe(18);
    await writer.flush();
    expect(writer.pending).toBe(0);
    writer.add({ accountId: a, source, timeMs: at('2026-03-10T11:00:00Z'), inBytes: 1n, outBytes: 0n });
    await writer.stop();
    expect(await totalOf(a, '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z')).toEqual([['NetFlow', 'w', 1001n, 2000n, 0n, 0n]]);
  });
});
