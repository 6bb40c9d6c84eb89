import type { DataSource } from 'typeorm';
import { IntervalClaim } from '../../src/appliances/interval-claims';
import { IntervalCreditor } from '../../src/appliances/interval-crediting.service';
import { TableLedger } from '../ingest/appliances/support';
import { openTestDataSource, testEngines } from '../support/database';

describe.each(testEngines())('IntervalCreditor on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    await TableLedger.createTables(dataSource);
  });

  afterAll(async () => {
    await close();
  });

  it('credits a batch of more claims than a call takes arguments, and returns the checkpoint row it wrote', async () => {
    // 300,000 back-to-back minutes of one series: past V8's limit on spread arguments (~125k),
    // yet one merged credited range, so the database work stays small.
    const claims: IntervalClaim<null>[] = Array.from({ length: 300_000 }, (_, i) => ({
      series: 'user-1',
      range: { startMs: i * 60_000, endMs: (i + 1) * 60_000 },
      divisible: false,
      payload: null,
    }));
    const creditor = new IntervalCreditor(dataSource, new TableLedger());
    const outcome = await creditor.credit({
      sourceKey: 'test:many',
      claims,
      askedUntilMs: 300_000 * 60_000,
      toUsage: () => ({ usage: [], unattributed: [], unattributedRecords: 0 }),
    });
    expect(outcome.intervalsCredited).toBe(300_000);
    expect(outcome.checkpoint).toEqual({ lastIntervalEndMs: 300_000 * 60_000, intervalsCredited: 300_000n, recordsUnattributed: 0n });
    expect(await creditor.checkpoint('test:many')).toEqual(outcome.checkpoint);
  }, 60_000);

  it('moves the checkpoint to the time asked up to, never to where a claim says it ends, and never back', async () => {
    const creditor = new IntervalCreditor(dataSource, new TableLedger());
    const credit = (askedUntilMs: number, claims: IntervalClaim<null>[]) =>
      creditor.credit({ sourceKey: 'test:asked', claims, askedUntilMs, toUsage: () => ({ usage: [], unattributed: [], unattributedRecords: 0 }) });
    const future = { series: 's', range: { startMs: 0, endMs: 6 * 3_600_000 }, divisible: false, payload: null };
    const rate = { series: 'r', range: { startMs: 0, endMs: 6 * 3_600_000 }, divisible: true, payload: null };

    let outcome = await credit(60_000, [future, rate]);
    expect(outcome).toMatchObject({ intervalsCredited: 1, unfinished: 1, checkpoint: { lastIntervalEndMs: 60_000 } });
    // Only the asked minute of the divisible claim is marked as credited.
    expect(await dataSource.query(`SELECT series, start_ms::text AS s, end_ms::text AS e FROM appliance_credited_ranges WHERE source_key = 'test:asked'`)).toEqual([
      { series: 'r', s: '0', e: '60000' },
    ]);
    outcome = await credit(30_000, []);
    expect(outcome.checkpoint.lastIntervalEndMs).toBe(60_000);
  });
});
