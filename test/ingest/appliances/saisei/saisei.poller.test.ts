import type { DataSource } from 'typeorm';
import { InlineDeviceService, InlineDeviceWithSecret } from '../../../../src/appliances/inline-device.service';
import { IntervalCreditor } from '../../../../src/appliances/interval-crediting.service';
import { defaultSaiseiPollerOptions, SAISEI_SELECT, SaiseiPoller, SaiseiPollerOptions } from '../../../../src/ingest/appliances/saisei/saisei.poller';
import { openTestDataSource, testEngines } from '../../../support/database';
import { expectEventually, MapAttribution, TableLedger } from '../support';
import { FakeSaisei } from './fake-saisei';

const S = 1000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

describe.each(testEngines())('SaiSei poller on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let fake: FakeSaisei;
  let ledger: TableLedger;
  let device: InlineDeviceWithSecret;
  let now: number;
  const attribution = new MapAttribution({ '100.64.0.7': 7, '100.64.0.8': 8, '2001:db8::9': 9 });
  const options: SaiseiPollerOptions = { ...defaultSaiseiPollerOptions, pageSize: 2, timeoutMs: 1500, backoffBaseMs: 10, backoffMaxMs: 40, pollIntervalMs: 20 };
  const devices = () => new InlineDeviceService(dataSource);

  const newPoller = (opts: Partial<SaiseiPollerOptions> = {}) =>
    new SaiseiPoller({ devices: devices(), creditor: new IntervalCreditor(dataSource, ledger), attribution, now: () => now }, { ...options, ...opts });

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    await TableLedger.createTables(dataSource);
    fake = new FakeSaisei();
    await fake.server.listen();
    const created = await devices().create({ name: 'edge-saisei', type: 'SAISEI', ip_address: '127.0.0.1', port: fake.server.port, username: 'admin', password: 's3cret' });
    device = (await devices().enabledWithSecrets('SAISEI')).find((d) => d.id === created.id)!;
  });

  afterAll(async () => {
    await fake.server.close();
    await close();
  });

  beforeEach(async () => {
    await TableLedger.clear(dataSource);
    await dataSource.query(`DELETE FROM appliance_checkpoints`);
    await dataSource.query(`DELETE FROM appliance_credited_ranges`);
    ledger = new TableLedger();
    fake.users = [
      { name: 'User-100.64.0.7', down: 8, up: 0.1 },
      { name: 'User-100.64.0.8', down: 1234.567, up: '12' },
      { name: 'Group-residential', down: 1, up: 1 }, // not a user object: skipped
      { name: 'User-192.0.2.1', down: 1, up: 2 }, // nobody's address
      { name: 'User-100.64.0.9', down: -5, up: 1 }, // bad rate: skipped
      { name: 'User-2001:db8::9', down: 0, up: 16 },
    ];
    fake.server.faults = [];
    // 61 s after 12:00: the window [11:55, 12:00) has settled, [12:00, 12:05) has not.
    now = T0 + 61 * S;
  });

  it('integrates every user of every page into exact bytes, by IP, for the settled window', async () => {
    const poller = newPoller();
    const { windows } = await poller.pollDevice(device);
    expect(windows).toEqual([
      { windowStartMs: T0 - 300 * S, windowEndMs: T0, users: 4, invalid: 2, intervalsCredited: 4, duplicates: 0, recordsUnattributed: 1, byByteCount: 0, byRate: 4 },
    ]);
    // kbit/s * ms / 8 = bytes, floored: 8 -> 300 000; 0.1 -> 3 750; 1234.567 -> 46 296 262 (.5 dropped); 12 -> 450 000
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({
      '7': ['300000', '3750'],
      '8': ['46296262', '450000'],
      '9': ['0', '600000'],
    });
    expect(await TableLedger.unattributedTotals(dataSource, 'SaiSei')).toEqual({ '192.0.2.1': ['37500', '75000'] });

    const first = fake.server.requests.at(-3)!;
    expect(first.pathname).toBe('/rest/stm/configurations/running/users/');
    expect(Object.fromEntries(first.searchParams)).toEqual({
      select: SAISEI_SELECT,
      from: '11:55:00_20261125',
      until: '12:00:00_20261125',
      start: '0',
      limit: '2',
    });
    expect(fake.server.requests.at(-1)!.searchParams.get('start')).toBe('4');
    expect(fake.server.authorizations.at(-1)).toBe('Basic ' + Buffer.from('admin:s3cret').toString('base64'));

    expect(poller.statuses()[0]).toMatchObject({
      source: 'SaiSei',
      identifier: 'edge-saisei',
      intervalsCredited: 4n,
      recordsUnattributed: 1n,
      recordsInvalid: 2,
      checkpoint: new Date(T0),
      lastError: null,
      bytesAttributed: 300000n + 3750n + 46296262n + 450000n + 600000n,
      bytesUnattributed: 112500n,
    });
    const [entry] = poller.ingestStatus();
    expect(entry).toMatchObject({ dataSourceParent: 'SaiSei', dataSourceIdentifier: 'edge-saisei', received: 6, accepted: 4 });
    expect(entry.details).toMatchObject({ intervals_credited: 4, records_unattributed: 1, users_by_rate: 4, users_by_byte_count: 0 });
  });

  it('never credits a window twice: repeated polls, restarts, duplicate objects in a response', async () => {
    fake.users = [{ name: 'User-100.64.0.7', down: 8, up: 8 }, { name: 'User-100.64.0.7', down: 8, up: 8 }];
    const poller = newPoller();
    expect((await poller.pollDevice(device)).windows).toMatchObject([{ intervalsCredited: 1, duplicates: 1 }]);
    expect((await poller.pollDevice(device)).windows).toEqual([]);
    now += 600 * S; // two more windows settled
    expect((await poller.pollDevice(device)).windows.map((w) => w.intervalsCredited)).toEqual([1, 1]);
    expect((await newPoller().pollDevice(device)).windows).toEqual([]);
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '7': ['900000', '900000'] });
  });

  it('credits only the not-yet-credited part of an interval that overlaps a credited one, exactly', async () => {
    fake.users = [{ name: 'User-100.64.0.7', down: 0.1, up: 8 }];
    const poller = newPoller();
    await poller.pollDevice(device);
    // The appliance now reports 7.5-minute intervals that start 2.5 minutes inside the credited window.
    fake.users[0].report = (fromMs, untilMs) => ({ fromMs: fromMs - 150 * S, untilMs });
    now += 300 * S;
    expect((await poller.pollDevice(device)).windows).toMatchObject([{ intervalsCredited: 1 }]);
    // 0.1 kbit/s: F(450 s) - F(150 s) = 5625 - 1875 = 3750 = what a plain 300 s window gives; 8 kbit/s: 300 000.
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '7': ['7500', '600000'] });
  });

  it('drops and counts a user whose rate no line carries (implausible_bytes); the rest is credited', async () => {
    fake.users = [
      // 1.2e12 kbit/s over a 5-minute window: 4.5e16 bytes, a hundred times what an hour at 1 Tbit/s allows.
      { name: 'User-100.64.0.8', down: 1.2e12, up: 1 },
      { name: 'User-100.64.0.7', down: 8, up: 0.1 },
    ];
    const poller = newPoller();
    expect((await poller.pollDevice(device)).windows).toMatchObject([{ users: 2, intervalsCredited: 2 }]);
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '7': ['300000', '3750'] });
    expect(poller.statuses()[0]).toMatchObject({ recordsImplausible: 1, accepted: 1 });
    expect(poller.ingestStatus()[0].dropped).toMatchObject({ implausible_bytes: 1 });
  });

  it('credits an empty interval as nothing and moves on', async () => {
    fake.users = [];
    const poller = newPoller();
    expect((await poller.pollDevice(device)).windows).toMatchObject([{ users: 0, intervalsCredited: 0 }]);
    expect(poller.statuses()[0].checkpoint).toEqual(new Date(T0));
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({});
  });

  it.each([
    [500, /HTTP 500/],
    [401, /HTTP 401, credentials refused/],
    ['timeout', /timed out after 1500 ms/],
    ['badjson', /not valid JSON/],
    ['wrongshape', /no "collection" array/],
  ] as const)('on %s credits nothing, reports it, backs off, and then credits exactly once', async (fault, message) => {
    const poller = newPoller();
    fake.server.faults = [undefined as never, fault]; // page 2 of the window fails
    await expect(poller.pollDevice(device)).rejects.toThrow(message);
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({});
    const status = poller.statuses()[0];
    expect(status).toMatchObject({ lastError: expect.stringMatching(message), consecutiveFailures: 1, checkpoint: null });
    expect(status.lastError).not.toContain('s3cret');
    // Backing off: pollOnce skips the device until the (10 ms) delay passed.
    await new Promise((resolve) => setTimeout(resolve, 15));
    await expect(poller.pollOnce()).resolves.toEqual({ behind: false, errors: 0 });
    await poller.pollDevice(device);
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({
      '7': ['300000', '3750'],
      '8': ['46296262', '450000'],
      '9': ['0', '600000'],
    });
    expect(poller.statuses()[0].consecutiveFailures).toBe(0);
  });

  it('catches up at most maxWindowsPerPoll windows per poll and says it is behind', async () => {
    fake.users = [{ name: 'User-100.64.0.7', down: 8, up: 0 }];
    const poller = newPoller({ maxWindowsPerPoll: 2 });
    await poller.pollDevice(device);
    now += 5 * 300 * S;
    const first = await poller.pollDevice(device);
    expect(first).toMatchObject({ behind: true });
    expect(first.windows).toHaveLength(2);
    const rest = await poller.pollDevice(device);
    expect(rest.windows).toHaveLength(2);
    expect((await poller.pollDevice(device)).windows).toHaveLength(1);
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '7': [String(6 * 300000), '0'] });
  });

  it('keeps polling the healthy devices while one fails, and keeps running through failures', async () => {
    const broken = await devices().create({ name: 'broken', type: 'SAISEI', ip_address: '127.0.0.1', port: 1, username: 'x', password: 'y' });
    try {
      fake.users = [{ name: 'User-100.64.0.8', down: 16, up: 0 }];
      fake.server.faults = [500, 'badjson'];
      const poller = newPoller();
      poller.start();
      try {
        await expectEventually(async () => {
          expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '8': ['600000', '0'] });
          expect(poller.statuses().find((s) => s.identifier === 'broken')?.lastError).toMatch(/failed/);
        });
      } finally {
        await poller.stop();
      }
    } finally {
      await devices().delete(broken.id);
    }
  });
});
