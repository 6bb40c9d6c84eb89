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

  it('moves the checkpoint to the end of a batch of more claims than a call takes arguments, and returns the row it wrote', async () => {
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
      checkpointMs: 60_000,
      toUsage: () => ({ usage: [], unattributed: [], unattributedRecords: 0 }),
    });
    expect(outcome.intervalsCredited).toBe(300_000);
    expect(outcome.checkpoint).toEqual({ lastIntervalEndMs: 300_000 * 60_000, intervalsCredited: 300_000n, recordsUnattributed: 0n });
    expect(await creditor.checkpoint('test:many')).toEqual(outcome.checkpoint);
  }, 60_000);
});
