/**
 * Appliance crediting benchmark: `npm run bench:appliances`.
 *
 * A SaiSei device with BENCH_USERS (10000) User-<ip> objects (half with byte counters, half with
 * rates only), served by a local fake in pages of 500, polled window after window through the real
 * ledger and a map attribution, on PGlite in memory (or PostgreSQL when BENCH_DATABASE_URL /
 * TEST_DATABASE_URL is set). Prints, per window:
 * wall time, users/s, and the checkpoint tables' size (credited ranges stay ~1 row per series).
 * Then re-polls the same windows from a fresh checkpoint of the ranges (everything duplicate).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { Attribution } from '../../src/attribution/attribution';
import { InlineDeviceService } from '../../src/appliances/inline-device.service';
import { IntervalCreditor } from '../../src/appliances/interval-crediting.service';
import { createDataSource } from '../../src/db/data-source';
import { defaultSaiseiPollerOptions, SaiseiPoller } from '../../src/ingest/appliances/saisei/saisei.poller';
import { LedgerService } from '../../src/usage/ledger.service';
import { FakeApplianceServer } from '../ingest/appliances/support';
import { createTestDatabase } from '../support/database';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 5);

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (url) process.env.TEST_DATABASE_URL = url;
  const db = await createTestDatabase(url ? 'postgres' : 'pglite');
  const dataSource: DataSource = createDataSource(db.settings);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.query(`INSERT INTO account_statuses (id, name) VALUES (1, 'A')`);
  await dataSource.query(`INSERT INTO account_types (id, name) VALUES (1, 'R')`);
  await dataSource.query(`INSERT INTO accounts (name, account_status_id, account_type_id) SELECT 'a' || n, 1, 1 FROM generate_series(1, $1::int) n`, [USERS]);

  const ipOf = (i: number) => `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  const byIp = new Map<string, number>();
  for (let i = 0; i < USERS; i++) byIp.set(ipOf(i), i + 1);
  const attribution: Attribution = {
    accountForIPv4: () => null,
    accountForIPv6: () => null,
    accountForIp: (ip) => byIp.get(ip) ?? null,
    accountForUsername: () => null,
  };
  // Half the users with byte counters (as a device that has them reports), half with smoothed rates only.
  const users = Array.from({ length: USERS }, (_, i) => ({
    name: `User-${ipOf(i)}`,
    dest_smoothed_rate: 1000 + (i % 977) + 0.125,
    source_smoothed_rate: 100 + (i % 31),
    ...(i % 2 === 0 ? { dest_byte_count: 37_500_000 + i, source_byte_count: 3_750_000 + (i % 31) } : {}),
  }));
  const fake = new FakeApplianceServer((u) => {
    const start = Number(u.searchParams.get('start'));
    const limit = Number(u.searchParams.get('limit'));
    return { body: { size: users.length, collection: users.slice(start, start + limit) } };
  });
  await fake.listen();
  const device = await new InlineDeviceService(dataSource).create({ name: 'bench', type: 'SAISEI', ip_address: '127.0.0.1', port: fake.port });
  const [withSecret] = await new InlineDeviceService(dataSource).enabledWithSecrets('SAISEI');

  const t0 = Date.UTC(2026, 0, 1);
  let now = t0 + 60_000;
  const poller = new SaiseiPoller(
    { devices: new InlineDeviceService(dataSource), creditor: new IntervalCreditor(dataSource, new LedgerService('UTC')), attribution, now: () => now },
    { ...defaultSaiseiPollerOptions, maxCatchupMs: 365 * 86_400_000 },
  );
  console.log(`engine ${url ? 'postgres' : 'pglite'}, ${USERS} users per window, pages of ${defaultSaiseiPollerOptions.pageSize}`);
  for (let w = 0; w < WINDOWS; w++) {
    now += 300_000;
    const started = process.hrtime.bigint();
    const { windows } = await poller.pollDevice(withSecret);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM appliance_credited_ranges`);
    console.log(`window ${w + 1}: ${windows.map((x) => x.intervalsCredited).join('+')} credited in ${ms.toFixed(0)} ms (${Math.round((USERS / ms) * 1000)} users/s), credited_ranges rows ${n}`);
  }
  // Replay every window (as after a lost checkpoint): everything is a duplicate, nothing is credited.
  await dataSource.query(`UPDATE appliance_checkpoints SET last_interval_end_ms = $1`, [t0]);
  const started = process.hrtime.bigint();
  const { windows } = await poller.pollDevice(withSecret);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`replay of ${windows.length} windows: ${windows.reduce((n, x) => n + x.intervalsCredited, 0)} credited, ${windows.reduce((n, x) => n + x.duplicates, 0)} duplicates in ${ms.toFixed(0)} ms`);
  void device;
  await fake.close();
  await dataSource.destroy();
  await db.drop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
