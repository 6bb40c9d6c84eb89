import type { DataSource } from 'typeorm';
import { InlineDeviceService } from '../../../../src/appliances/inline-device.service';
import { IntervalCreditor } from '../../../../src/appliances/interval-crediting.service';
import { formatSaiseiTime } from '../../../../src/ingest/appliances/gmt-time';
import { defaultSaiseiPollerOptions, SaiseiPoller } from '../../../../src/ingest/appliances/saisei/saisei.poller';
import { openTestDataSource, testEngines } from '../../../support/database';
import { MapAttribution, TableLedger } from '../support';
import { FakeSaisei } from './fake-saisei';

const S = 1000;
const W = 300 * S;
/** Window k is [T0 + k W, T0 + (k + 1) W). */
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const WINDOWS = 5;

/** Byte counts the counting device reports for an interval starting at fromMs: odd numbers, different every window. */
const countsFrom = (fromMs: number): [bigint, bigint] => [1_000_003n + BigInt((fromMs - T0) / S), 77_777n + BigInt((fromMs - T0) / W)];

/**
 * Two SaiSei devices side by side: one whose firmware has byte counters (under its own REST
 * system name) and one that reports only smoothed rates (under the service default), both
 * reporting intervals that reach past the window asked for, as the API allows. Polled one window
 * at a time, as in production, with a restart in the middle.
 */
describe.each(testEngines())('SaiSei windows on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let counting: FakeSaisei;
  let integrating: FakeSaisei;
  let now: number;
  const attribution = new MapAttribution({ '100.64.0.7': 7, '100.64.0.8': 8, '100.64.0.9': 9 });
  const devices = () => new InlineDeviceService(dataSource);
  const newPoller = () =>
    new SaiseiPoller(
      { devices: devices(), creditor: new IntervalCreditor(dataSource, new TableLedger()), attribution, now: () => now },
      { ...defaultSaiseiPollerOptions, pageSize: 2, timeoutMs: 1500, backoffBaseMs: 10, backoffMaxMs: 40 },
    );

  /** Credited bytes per device and window: { 'counted/0': ['in', 'out'], ... } for the account. */
  async function perWindow(accountId: number): Promise<Record<string, [string, string]>> {
    const rows: Array<{ identifier: string; w: string; i: string; o: string }> = await dataSource.query(
      `SELECT identifier, ((time_ms - $2) / $3)::text AS w, sum(in_bytes)::text AS i, sum(out_bytes)::text AS o
         FROM test_usage WHERE parent = 'SaiSei' AND account_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [accountId, T0, W],
    );
    return Object.fromEntries(rows.map((r) => [`${r.identifier}/${r.w}`, [r.i, r.o]]));
  }

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    await TableLedger.createTables(dataSource);
    counting = new FakeSaisei({ systemName: 'edge-east', byteCounters: true });
    integrating = new FakeSaisei();
    await counting.server.listen();
    await integrating.server.listen();
    await devices().create({ name: 'counted', type: 'SAISEI', ip_address: '127.0.0.1', port: counting.server.port, system_name: 'edge-east' });
    await devices().create({ name: 'integrated', type: 'SAISEI', ip_address: '127.0.0.1', port: integrating.server.port });
  });

  afterAll(async () => {
    await counting.server.close();
    await integrating.server.close();
    await close();
  });

  beforeEach(async () => {
    await TableLedger.clear(dataSource);
    await dataSource.query(`DELETE FROM appliance_checkpoints`);
    await dataSource.query(`DELETE FROM appliance_credited_ranges`);
    counting.server.faults = [];
    integrating.server.faults = [];
  });

  it.each([
    ['13 s past its window', 13 * S],
    ['13 s past the next window', W + 13 * S],
  ])('credits every window exactly when each object reaches %s, polled one window at a time, restarted in the middle', async (_, overshootMs) => {
    const reach = (fromMs: number, untilMs: number) => ({ fromMs, untilMs: untilMs + overshootMs });
    counting.users = [
      { name: 'User-100.64.0.7', down: 1, up: 1, report: reach, bytes: (fromMs) => countsFrom(fromMs).map(String) as [string, string] },
      // The counting device has no counter for this user: its rates are integrated.
      { name: 'User-100.64.0.9', down: 16, up: 0.1, report: reach },
    ];
    integrating.users = [{ name: 'User-100.64.0.8', down: 0.1, up: 8, report: reach }];

    let poller = newPoller();
    for (let k = 0; k < WINDOWS; k++) {
      // 61 s after window k ended: it has settled, the next one has not.
      now = T0 + (k + 1) * W + 61 * S;
      if (k === 2) poller = newPoller(); // a restart: the new instance reads the persisted checkpoints
      const { behind } = await poller.pollOnce();
      expect(behind).toBe(false);
      // Each poll asked for exactly the next window, and the checkpoint is its end, not the end an object claimed.
      for (const fake of [counting, integrating]) {
        const asked = fake.server.requests.filter((u) => u.searchParams.get('start') === '0').at(-1)!;
        expect([asked.searchParams.get('from'), asked.searchParams.get('until')]).toEqual([formatSaiseiTime(T0 + k * W), formatSaiseiTime(T0 + (k + 1) * W)]);
      }
      expect(poller.statuses().map((s) => [s.identifier, s.checkpoint, s.lastError])).toEqual([
        ['counted', new Date(T0 + (k + 1) * W), null],
        ['integrated', new Date(T0 + (k + 1) * W), null],
      ]);
    }

    // Counters: the window's share of the object's count, floor(count * 300 / (300 + overshoot)), every window.
    const share = (count: bigint) => String((count * BigInt(W)) / BigInt(W + overshootMs));
    const windows = Array.from({ length: WINDOWS }, (_, k) => k);
    expect(await perWindow(7)).toEqual(Object.fromEntries(windows.map((k) => [`counted/${k}`, countsFrom(T0 + k * W).map(share)])));
    // Rates: 16 kbit/s over 300 s = 600 000 bytes, 0.1 kbit/s = 3 750; 0.1 / 8 kbit/s for the other device.
    expect(await perWindow(9)).toEqual(Object.fromEntries(windows.map((k) => [`counted/${k}`, ['600000', '3750']])));
    expect(await perWindow(8)).toEqual(Object.fromEntries(windows.map((k) => [`integrated/${k}`, ['3750', '300000']])));
    const [counted, integrated] = poller.statuses();
    expect(counted.details).toMatchObject({ users_by_byte_count: 3, users_by_rate: 3 }); // since the restart: windows 2..4
    expect(integrated.details).toMatchObject({ users_by_byte_count: 0, users_by_rate: 3 });

    // Polling again, from a new instance or after losing the checkpoints, credits nothing twice.
    const before = await TableLedger.totals(dataSource, 'SaiSei');
    expect(await newPoller().pollOnce()).toEqual({ behind: false, errors: 0 });
    await dataSource.query(`UPDATE appliance_checkpoints SET last_interval_end_ms = $1`, [T0]);
    const replay = newPoller();
    await replay.pollOnce();
    expect(replay.statuses().map((s) => [s.accepted, s.duplicatesSkipped])).toEqual([
      [0, 2 * WINDOWS],
      [0, WINDOWS],
    ]);
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual(before);
  });

  it('polls each device under its own system name; an unknown one fails that device alone, visibly', async () => {
    counting.users = [{ name: 'User-100.64.0.7', down: 1, up: 1, bytes: () => ['12345', '678'] }];
    integrating.users = [{ name: 'User-100.64.0.8', down: 8, up: 0 }];
    now = T0 + W + 61 * S;
    const [counted] = (await devices().enabledWithSecrets('SAISEI')).filter((d) => d.name === 'counted');
    await devices().update(counted.id, { unset_system_name: true });
    try {
      const poller = newPoller();
      expect(await poller.pollOnce()).toEqual({ behind: false, errors: 1 });
      expect(counting.server.requests.at(-1)!.pathname).toBe('/rest/stm/configurations/running/users/');
      expect(poller.statuses().map((s) => [s.identifier, s.lastError])).toEqual([
        ['counted', expect.stringMatching(/HTTP 404/)],
        ['integrated', null],
      ]);
      expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '8': ['300000', '0'] });
    } finally {
      await devices().update(counted.id, { system_name: 'edge-east' });
    }
    const poller = newPoller();
    expect(await poller.pollOnce()).toEqual({ behind: false, errors: 0 });
    expect(counting.server.requests.at(-1)!.pathname).toBe('/rest/edge-east/configurations/running/users/');
    expect(await TableLedger.totals(dataSource, 'SaiSei')).toEqual({ '7': ['12345', '678'], '8': ['300000', '0'] });
  });
});
