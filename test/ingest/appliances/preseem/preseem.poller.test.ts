import type { DataSource } from 'typeorm';
import { IntervalCreditor } from '../../../../src/appliances/interval-crediting.service';
import { PreseemSettingsService } from '../../../../src/appliances/preseem-settings.service';
import { defaultPreseemPollerOptions, PreseemPoller, PreseemPollerOptions } from '../../../../src/ingest/appliances/preseem/preseem.poller';
import { openTestDataSource, testEngines } from '../../../support/database';
import { createAccounts, expectEventually, FakeApplianceServer, MapAttribution, TableLedger } from '../support';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

interface FakeRecord {
  account_id?: string | number;
  ip?: string;
  start: string;
  end: string;
  download_bytes: number | string;
  upload_bytes: number | string;
}

/** Serves `records` the documented way: filtered by overlap with [start, end), paged by page/limit. */
class FakePreseem {
  records: FakeRecord[] = [];
  readonly server = new FakeApplianceServer((url) => {
    const start = Date.parse(url.searchParams.get('start')!);
    const end = Date.parse(url.searchParams.get('end')!);
    const page = Number(url.searchParams.get('page'));
    const limit = Number(url.searchParams.get('limit'));
    // Records with unparsable times pass the filter (NaN compares false): the client must cope.
    const matching = this.records.filter((r) => !(Date.parse(r.end) <= start || Date.parse(r.start) >= end));
    const totalPages = Math.max(1, Math.ceil(matching.length / limit));
    return { body: { data: matching.slice((page - 1) * limit, page * limit), paging: { page, total_pages: totalPages } } };
  });
}

const rec = (who: { account_id?: string | number; ip?: string }, startMin: number, lenMin: number, down: number | string, up: number | string): FakeRecord => ({
  ...who,
  start: iso(T0 - 60 * MIN + startMin * MIN),
  end: iso(T0 - 60 * MIN + (startMin + lenMin) * MIN),
  download_bytes: down,
  upload_bytes: up,
});

describe.each(testEngines())('Preseem poller on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let fake: FakePreseem;
  let baseUrl: string;
  let ledger: TableLedger;
  let now: number;
  const attribution = new MapAttribution({ '100.64.0.7': 7, '100.64.0.8': 8 });
  const options: PreseemPollerOptions = { ...defaultPreseemPollerOptions, pageSize: 2, timeoutMs: 1500, backoffBaseMs: 10, backoffMaxMs: 40 };

  const newPoller = (opts: Partial<PreseemPollerOptions> = {}) =>
    new PreseemPoller(
      { settings: new PreseemSettingsService(dataSource), creditor: new IntervalCreditor(dataSource, ledger), attribution, now: () => now },
      { ...options, ...opts },
    );

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    await TableLedger.createTables(dataSource);
    await createAccounts(dataSource, [7, 8, 42]);
    fake = new FakePreseem();
    baseUrl = await fake.server.listen();
  });

  afterAll(async () => {
    await fake.server.close();
    await close();
  });

  beforeEach(async () => {
    await TableLedger.clear(dataSource);
    await dataSource.query(`DELETE FROM appliance_checkpoints`);
    await dataSource.query(`DELETE FROM appliance_credited_ranges`);
    await new PreseemSettingsService(dataSource).update({ enabled: true, api_key: 'k3y', base_url: baseUrl + '/api', interval: 900 });
    ledger = new TableLedger();
    fake.records = [];
    fake.server.faults = [];
    now = T0;
  });

  it('credits every page exactly: account ids directly, addresses through attribution, the rest unattributed', async () => {
    fake.records = [
      rec({ account_id: '42' }, 0, 15, 1000, 100),
      // Above 2^53, as a string: stays exact. Over 25 h (its own series): plausible at 1 Tbit/s (plausible-bytes.ts).
      rec({ account_id: 42, ip: '100.64.0.9' }, 30 - 1500, 1500, '9007199254740993', 1),
      rec({ ip: '100.64.0.7' }, 0, 15, 700, 70),
      rec({ account_id: '999', ip: '100.64.0.8' }, 0, 15, 800, 80), // unknown account: the address decides
      rec({ ip: '192.0.2.1' }, 0, 15, 5, 6), // nobody's
      rec({ account_id: 'cust-x' }, 0, 15, 3, 4), // no such account, no address
      { start: 'yesterday', end: iso(T0), download_bytes: 1, upload_bytes: 1 } as FakeRecord, // invalid
    ];
    const poller = newPoller();
    const result = await poller.pollOnce();
    expect(result).toMatchObject({ pages: 4, records: 6, invalid: 1, intervalsCredited: 6, recordsUnattributed: 2 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({
      '7': ['700', '70'],
      '8': ['800', '80'],
      '42': ['9007199254741993', '101'],
    });
    expect(await TableLedger.unattributedTotals(dataSource, 'Preseem')).toEqual({ '192.0.2.1': ['5', '6'] });
    // The key travels as the basic-auth user name, never in the URL.
    expect(fake.server.authorizations.at(-1)).toBe('Basic ' + Buffer.from('k3y:').toString('base64'));
    expect(fake.server.requests.at(-1)!.pathname).toBe('/api/v1/usage');
    const status = poller.status();
    expect(status).toMatchObject({ enabled: true, intervalsCredited: 6n, recordsUnattributed: 2n, recordsInvalid: 1, lastError: null });
    // The time asked up to, not the latest end a record claims.
    expect(status.checkpoint).toEqual(new Date(T0));
  });

  it('an account_id counts only in its canonical spelling: "042" names no account, the address decides', async () => {
    fake.records = [rec({ account_id: '042', ip: '100.64.0.8' }, 0, 15, 800, 80)];
    expect(await newPoller().pollOnce()).toMatchObject({ intervalsCredited: 1, recordsUnattributed: 0 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '8': ['800', '80'] });
  });

  it('skips and counts a record whose only address has a zone id, and credits the rest of the batch', async () => {
    fake.records = [
      rec({ ip: 'fe80::1%eth0' }, 0, 15, 5, 6), // PostgreSQL inet refuses it: it must never reach the ledger
      rec({ ip: '100.64.0.7' }, 0, 15, 700, 70),
    ];
    const poller = newPoller();
    expect(await poller.pollOnce()).toMatchObject({ records: 1, invalid: 1, intervalsCredited: 1, recordsUnattributed: 0 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '7': ['700', '70'] });
    expect(await TableLedger.unattributedTotals(dataSource, 'Preseem')).toEqual({});
    expect(poller.status()).toMatchObject({ recordsInvalid: 1, intervalsCredited: 1n, checkpoint: new Date(T0) });
  });

  it('drops and counts a record carrying more than its interval could (implausible_bytes); the rest is credited', async () => {
    fake.records = [
      // 15 minutes: at most an hour at 1 Tbit/s, 450 000 000 000 000 bytes, may be claimed; one byte more may not.
      rec({ account_id: 42 }, 0, 15, '450000000000001', 0),
      rec({ ip: '100.64.0.8' }, 0, 15, 0, '9223372036854775807'),
      rec({ ip: '100.64.0.7' }, 0, 15, '450000000000000', 70),
    ];
    const poller = newPoller();
    expect(await poller.pollOnce()).toMatchObject({ records: 3, intervalsCredited: 3 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '7': ['450000000000000', '70'] });
    expect(poller.status()).toMatchObject({ recordsImplausible: 2, accepted: 1 });
    expect(poller.ingestStatus()[0].dropped).toMatchObject({ implausible_bytes: 2 });
    // Claimed all the same: polled again, they are duplicates, not counted twice.
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 0, duplicates: 3 });
    expect(poller.status().recordsImplausible).toBe(2);
  });

  it('never credits an interval twice: repeated polls, overlapping windows, duplicates inside a response, restarts', async () => {
    fake.records = [rec({ account_id: 42 }, 0, 15, 1000, 10), rec({ account_id: 42 }, 0, 15, 1000, 10)];
    const poller = newPoller();
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 1, duplicates: 1 });
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 0, duplicates: 2 });

    // 20 minutes later Preseem has two more intervals; the window overlaps the credited one.
    now = T0 + 20 * MIN;
    fake.records.push(rec({ account_id: 42 }, 15, 15, 2000, 20), rec({ account_id: 42 }, 30, 15, 4000, 40));
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 2, duplicates: 2 });

    // A new process (restart) over the same database credits nothing again.
    expect(await newPoller().pollOnce()).toMatchObject({ intervalsCredited: 0, duplicates: 4 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '42': ['7000', '70'] });
  });

  it('a record ending 6 h in the future moves no checkpoint: later polls still ask for every interval, totals exact, nothing doubled', async () => {
    fake.records = [
      rec({ account_id: 42 }, 30, 15, 1000, 10),
      rec({ account_id: 42 }, 45, 15, 2000, 20),
      rec({ account_id: 42 }, 45, 15 + 6 * 60, 999_999, 999), // [T0 - 15 min, T0 + 6 h): not over, cannot be final
      rec({ ip: '100.64.0.7' }, 45, 15, 700, 70),
    ];
    const requestsBefore = fake.server.requests.length;
    let poller = newPoller();
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 3, unfinished: 1, overlaps: 0 });
    expect(poller.status().checkpoint).toEqual(new Date(T0));

    // Every 15 minutes for 6 h 15 min, one new interval per series; a restart halfway.
    const expected = { '7': [700n, 70n], '42': [3000n, 30n] };
    for (let k = 1; k <= 25; k++) {
      now = T0 + k * 15 * MIN;
      fake.records.push(rec({ account_id: 42 }, 45 + k * 15, 15, 100 + k, k), rec({ ip: '100.64.0.7' }, 45 + k * 15, 15, 10 + k, 1));
      expected['42'][0] += BigInt(100 + k);
      expected['42'][1] += BigInt(k);
      expected['7'][0] += BigInt(10 + k);
      expected['7'][1] += 1n;
      if (k === 12) poller = newPoller();
      // Until it is over, the long record waits; once it is, it overlaps time credited from real intervals
      // (then lies wholly inside it): skipped, never credited.
      expect([k, await poller.pollOnce()]).toMatchObject([k, { intervalsCredited: 2, unfinished: k < 24 ? 1 : 0, overlaps: k === 24 ? 1 : 0 }]);
      expect(poller.status().checkpoint).toEqual(new Date(now));
    }
    const asked = fake.server.requests
      .slice(requestsBefore)
      .filter((u) => u.searchParams.get('page') === '1')
      .map((u) => [Date.parse(u.searchParams.get('start')!), Date.parse(u.searchParams.get('end')!)]);
    expect(asked).toHaveLength(26);
    asked.forEach(([start, end], i) => {
      expect(end).toBe(T0 + i * 15 * MIN); // up to now, every time
      if (i > 0) expect(start).toBeLessThan(asked[i - 1][1]); // no gap after the previous poll
    });
    const totals = Object.fromEntries(Object.entries(expected).map(([id, [i, o]]) => [id, [String(i), String(o)]]));
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual(totals);

    // Re-polls, by this instance and by a new one, credit nothing twice.
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 0 });
    expect(await newPoller().pollOnce()).toMatchObject({ intervalsCredited: 0 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual(totals);
    expect(poller.ingestStatus()[0].details).toMatchObject({ unfinished_intervals: 12 }); // since the restart: polls 12 to 23
  });

  it('serializes concurrent polls of the same source: each interval is credited by one of them', async () => {
    fake.records = [rec({ account_id: 42 }, 0, 15, 1000, 10), rec({ ip: '100.64.0.7' }, 0, 15, 1, 2)];
    const results = await Promise.all([newPoller().pollOnce(), newPoller().pollOnce(), newPoller().pollOnce()]);
    expect(results.reduce((n, r) => n + r.intervalsCredited, 0)).toBe(2);
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '7': ['1', '2'], '42': ['1000', '10'] });
  });

  it('skips an interval that partly overlaps a credited one instead of counting bytes twice', async () => {
    fake.records = [rec({ account_id: 42 }, 0, 15, 1000, 10), rec({ account_id: 42 }, 5, 15, 5000, 50), rec({ account_id: 42 }, 15, 15, 300, 3)];
    const result = await newPoller().pollOnce();
    expect(result).toMatchObject({ intervalsCredited: 2, overlaps: 1 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '42': ['1300', '13'] });
  });

  it('takes a late interval that fills a gap, and credits empty polls as nothing', async () => {
    const poller = newPoller();
    expect(await poller.pollOnce()).toMatchObject({ pages: 1, records: 0, intervalsCredited: 0 });
    fake.records = [rec({ account_id: 42 }, 0, 15, 1, 1), rec({ account_id: 42 }, 30, 15, 3, 3)];
    await poller.pollOnce();
    fake.records.push(rec({ account_id: 42 }, 15, 15, 2, 2));
    expect(await poller.pollOnce()).toMatchObject({ intervalsCredited: 1, duplicates: 2 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '42': ['6', '6'] });
  });

  it.each([
    [500, /HTTP 500/],
    [401, /HTTP 401, credentials refused/],
    ['timeout', /timed out after 1500 ms/],
    ['badjson', /not valid JSON/],
    ['wrongshape', /no "data" array/],
  ] as const)('on %s credits nothing, reports the error, and the next poll credits exactly once', async (fault, message) => {
    fake.records = [rec({ account_id: 42 }, 0, 15, 1000, 10), rec({ ip: '100.64.0.7' }, 0, 15, 1, 2), rec({ ip: '100.64.0.8' }, 0, 15, 3, 4)];
    const poller = newPoller();
    // The fault hits page 2: page 1 was fetched, but nothing of this poll may be credited.
    fake.server.faults = [undefined as never, fault];
    await expect(poller.pollOnce()).rejects.toThrow(message);
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({});
    expect(poller.status()).toMatchObject({ lastError: expect.stringMatching(message), consecutiveFailures: 1 });
    expect(poller.status().lastError).not.toContain('k3y');

    await expect(poller.pollOnce()).resolves.toMatchObject({ intervalsCredited: 3 });
    await expect(poller.pollOnce()).resolves.toMatchObject({ intervalsCredited: 0 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '7': ['1', '2'], '8': ['3', '4'], '42': ['1000', '10'] });
    expect(poller.status()).toMatchObject({ consecutiveFailures: 0 });
  });

  it('credits and checkpoints atomically: a failing ledger write leaves nothing marked as credited', async () => {
    fake.records = [rec({ account_id: 42 }, 0, 15, 1000, 10)];
    const poller = newPoller();
    ledger.failNext = 1;
    await expect(poller.pollOnce()).rejects.toThrow('ledger down');
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM appliance_credited_ranges`)).toEqual([{ n: 0 }]);
    await expect(poller.pollOnce()).resolves.toMatchObject({ intervalsCredited: 1 });
    expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '42': ['1000', '10'] });
  });

  it('does nothing while disabled', async () => {
    await new PreseemSettingsService(dataSource).update({ enabled: false });
    const before = fake.server.requests.length;
    await expect(newPoller().pollOnce()).resolves.toMatchObject({ enabled: false });
    expect(fake.server.requests.length).toBe(before);
  });

  it('keeps running through failures with back-off, then credits once', async () => {
    fake.records = [rec({ account_id: 42 }, 0, 15, 1000, 10)];
    fake.server.faults = [500, 'badjson', 401];
    const poller = newPoller();
    poller.start();
    try {
      await expectEventually(async () => {
        expect(await TableLedger.totals(dataSource, 'Preseem')).toEqual({ '42': ['1000', '10'] });
        // Recorded just after the commit that made the totals visible, so wait for it too.
        expect(poller.status().lastSuccessAt).not.toBeNull();
      });
    } finally {
      await poller.stop();
    }
    expect(fake.server.faults).toEqual([]);
  });
});
