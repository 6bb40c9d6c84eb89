/**
 * Attribution benchmark: `npm run bench:attribution`.
 *
 * 1. The in-memory index: 100 000 prefixes of realistic mixed lengths (IPv4 /32 /30 /29 /28 /24
 *    /22 /16, IPv6 /128 /64 /56 /48), then millions of lookups of random addresses (about half
 *    inside an assigned prefix, half anywhere), on one core. Prints build time, heap and lookups/s.
 * 2. The service load path: 100 000 assignments written through the real triggers into a fresh
 *    database (PGlite in memory, or PostgreSQL when BENCH_DATABASE_URL / TEST_DATABASE_URL is set),
 *    then AttributionService.start() timed, and lookups through the service (current and past).
 *
 * Options: BENCH_PREFIXES (100000), BENCH_LOOKUPS (5000000), BENCH_SKIP_DB=1 (index only),
 * BENCH_DATABASE_URL (a PostgreSQL server to create a scratch database on; default: PGlite).
 */
import 'reflect-metadata';
import { Prefix } from '../../src/net/ip';
import { PrefixIndex } from '../../src/net/prefix-index';
import { seededRandom } from '../support/seeded-random';

const PREFIXES = Number(process.env.BENCH_PREFIXES ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 5_000_000);

// Deterministic, so runs are comparable.
const random = seededRandom(42);
const u32 = () => Math.floor(random() * 4294967296) >>> 0;

const V4_LENGTHS: [number, number][] = [[32, 0.6], [30, 0.1], [29, 0.08], [28, 0.07], [24, 0.12], [22, 0.025], [16, 0.005]];
const V6_LENGTHS: [number, number][] = [[64, 0.5], [56, 0.25], [48, 0.15], [128, 0.1]];

function pick(table: [number, number][]): number {
  let r = random();
  for (const [length, weight] of table) {
    if ((r -= weight) <= 0) return length;
  }
  return table[0][0];
}

const mask = (bits: number) => (bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0);

/** 60 % IPv4 (inside 100.64.0.0/10 and 10.0.0.0/8, as an ISP's pools), 40 % IPv6 (inside 2001:db8::/32). */
function makePrefixes(n: number): Prefix[] {
  const out: Prefix[] = [];
  for (let i = 0; i < n; i++) {
    if (random() < 0.6) {
      const length = pick(V4_LENGTHS);
      const base = random() < 0.5 ? 0x64400000 : 0x0a000000;
      const baseLen = base === 0x64400000 ? 10 : 8;
      const addr = ((base & mask(baseLen)) | (u32() & ~mask(baseLen))) >>> 0;
      out.push({ v6: false, w0: (addr & mask(length)) >>> 0, w1: 0, w2: 0, w3: 0, length });
    } else {
      const length = pick(V6_LENGTHS);
      out.push({
        v6: true,
        w0: 0x20010db8,
        w1: (u32() & mask(length - 32)) >>> 0,
        w2: (u32() & mask(length - 64)) >>> 0,
        w3: (u32() & mask(length - 96)) >>> 0,
        length,
      });
    }
  }
  return out;
}

/** Lookup addresses: half inside a random stored prefix (hits), half random within the pools (mostly misses). */
function makeAddresses(prefixes: Prefix[], count: number) {
  const v4 = prefixes.filter((p) => !p.v6);
  const v6 = prefixes.filter((p) => p.v6);
  const v4Addresses = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const p = v4[Math.floor(random() * v4.length)];
      v4Addresses[i] = (p.w0 | (u32() & ~mask(p.length))) >>> 0;
    } else {
      v4Addresses[i] = ((random() < 0.5 ? 0x64400000 : 0x0a000000) | (u32() & 0x003fffff)) >>> 0;
    }
  }
  const v6Buffer = new Uint8Array(count * 16);
  const view = new DataView(v6Buffer.buffer);
  for (let i = 0; i < count; i++) {
    const o = i * 16;
    if (i % 2 === 0) {
      const p = v6[Math.floor(random() * v6.length)];
      view.setUint32(o, p.w0);
      view.setUint32(o + 4, (p.w1 | (u32() & ~mask(p.length - 32))) >>> 0);
      view.setUint32(o + 8, (p.w2 | (u32() & ~mask(p.length - 64))) >>> 0);
      view.setUint32(o + 12, (p.w3 | (u32() & ~mask(p.length - 96))) >>> 0);
    } else {
      view.setUint32(o, 0x20010db8);
      view.setUint32(o + 4, u32());
      view.setUint32(o + 8, u32());
      view.setUint32(o + 12, u32());
    }
  }
  return { v4Addresses, v6Addresses: v6Buffer };
}

/**
 * The IPv6 address of lookup i, copied into one scratch buffer as a decoder would leave it
 * (the copy is inside the timed loop, so it is counted). A million separate Uint8Array views
 * would instead measure cache misses on the views, which no ingester has.
 */
const v6Scratch = new Uint8Array(16);
function v6At(buffer: Uint8Array, i: number): Uint8Array {
  const o = i * 16;
  for (let k = 0; k < 16; k++) v6Scratch[k] = buffer[o + k];
  return v6Scratch;
}

function timeLookups(label: string, total: number, run: (n: number) => number): number {
  run(Math.min(total, 200_000)); // warm up (JIT)
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const hits = run(total);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSeconds = process.cpuUsage(cpuStart).user / 1e6;
  const rate = total / seconds;
  // Per CPU-second as well: on a shared machine the wall-clock rate mostly measures the neighbours.
  console.log(
    `${label.padEnd(40)} ${fmt(rate)} lookups/s wall, ${fmt(total / cpuSeconds)} lookups/CPU-s  ` +
      `(${total} lookups, ${(seconds * 1000).toFixed(0)} ms, ${((hits / total) * 100).toFixed(1)} % hits)`,
  );
  return total / cpuSeconds;
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function gc(): void {
  (global as { gc?: () => void }).gc?.();
}

async function benchIndex(): Promise<void> {
  console.log(`== PrefixIndex: ${PREFIXES} prefixes, ${LOOKUPS} lookups per family, one core (node ${process.version}, load average ${require('node:os').loadavg()[0].toFixed(1)} on ${require('node:os').cpus().length} CPUs)`);
  const prefixes = makePrefixes(PREFIXES);
  const ADDRESSES = 1 << 20;
  const { v4Addresses, v6Addresses } = makeAddresses(prefixes, ADDRESSES);
  const buildStart = process.hrtime.bigint();
  const index = new PrefixIndex();
  for (let i = 0; i < prefixes.length; i++) index.set(prefixes[i], i + 1);
  const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  // All of the index lives in typed arrays: their size is its memory.
  console.log(`build: ${buildMs.toFixed(1)} ms for ${index.size} distinct prefixes; memory ${mb(index.byteSize())} (typed arrays)`);

  const v4 = timeLookups('IPv4 lookups (PrefixIndex.lookupV4)', LOOKUPS, (n) => {
    let hits = 0;
    const m = ADDRESSES - 1;
    for (let i = 0; i < n; i++) if (index.lookupV4(v4Addresses[i & m]) !== null) hits++;
    return hits;
  });
  const v6 = timeLookups('IPv6 lookups (PrefixIndex.lookupV6)', LOOKUPS, (n) => {
    let hits = 0;
    const m = ADDRESSES - 1;
    for (let i = 0; i < n; i++) if (index.lookupV6(v6At(v6Addresses, i & m)) !== null) hits++;
    return hits;
  });
  console.log(`vs the 2 M lookups/s target (per CPU-second of one core): IPv4 ${(v4 / 2e6).toFixed(1)}x, IPv6 ${(v6 / 2e6).toFixed(1)}x`);
}

function prefixText(p: Prefix): string {
  if (!p.v6) return `${p.w0 >>> 24}.${(p.w0 >>> 16) & 255}.${(p.w0 >>> 8) & 255}.${p.w0 & 255}/${p.length}`;
  const groups = [p.w0, p.w1, p.w2, p.w3].flatMap((w) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)]);
  return `${groups.join(':')}/${p.length}`;
}

/** The service end to end: 100 000 assignments through the real triggers, start() timed, lookups through the service. */
async function benchService(): Promise<void> {
  const { createTestDatabase } = await import('../support/database');
  const { createDataSource } = await import('../../src/db/data-source');
  const { AttributionService } = await import('../../src/attribution/attribution.service');
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (url) process.env.TEST_DATABASE_URL = url;
  const db = await createTestDatabase(url ? 'postgres' : 'pglite');
  const dataSource = createDataSource(db.settings);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    console.log(`\n== AttributionService on ${db.engine}: ${PREFIXES} assignments through the triggers`);
    const seedStart = Date.now();
    const beforeSeed = seedStart - 1000;
    const ACCOUNTS = 20_000;
    await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    await dataSource.query(`INSERT INTO accounts (name, account_status_id, account_type_id) SELECT 'a' || g, 1, 1 FROM generate_series(1, ${ACCOUNTS}) g`);
    await dataSource.query(`INSERT INTO inventory_items (name, inventoryitemable_id) SELECT 'cpe' || g, 1 + g % ${ACCOUNTS} FROM generate_series(1, 10000) g`);
    await dataSource.query(`INSERT INTO radius_accounts (username, account_id) SELECT 'user' || g, 1 + (g * 7) % ${ACCOUNTS} FROM generate_series(1, 10000) g`);
    const unique = new Map<string, Prefix>();
    for (const p of makePrefixes(PREFIXES * 2)) {
      if (unique.size >= PREFIXES) break;
      unique.set(prefixText(p), p);
    }
    const texts = [...unique.keys()];
    const prefixes = [...unique.values()];
    const owner = (i: number): [string, number] =>
      i % 4 === 0 ? ['InventoryItem', 1 + (i % 10000)] : i % 4 === 1 ? ['RadiusAccount', 1 + (i % 10000)] : ['Account', 1 + (i % ACCOUNTS)];
    for (let start = 0; start < texts.length; start += 10_000) {
      const batch = texts.slice(start, start + 10_000);
      const owners = batch.map((_, k) => owner(start + k));
      await dataSource.query(
        `INSERT INTO ip_assignments (subnet, ipassignmentable_type, ipassignmentable_id)
         SELECT * FROM unnest($1::cidr[], $2::text[], $3::bigint[])`,
        [batch, owners.map((o) => o[0]), owners.map((o) => o[1])],
      );
    }
    // Some churn, so history holds closed intervals too: 10 % of the addresses changed hands.
    await dataSource.query(`UPDATE ip_assignments SET ipassignmentable_id = 1 + (ipassignmentable_id * 13) % ${ACCOUNTS} WHERE ipassignmentable_type = 'Account' AND id % 10 = 0`);
    console.log(`seed: ${((Date.now() - seedStart) / 1000).toFixed(1)} s (not part of the service)`);

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const { createLogger } = await import('../../src/logger');
    const service = new AttributionService(dataSource, { syncIntervalMs: 60_000, historyDays: 90 }, createLogger(process.env.LOG_LEVEL ?? 'info'));
    const loadStart = process.hrtime.bigint();
    const loadCpu = process.cpuUsage();
    await service.start();
    const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    const loadCpuMs = process.cpuUsage(loadCpu).user / 1000;
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    const stats = service.stats();
    console.log(
      `start(): ${loadMs.toFixed(0)} ms wall (${loadCpuMs.toFixed(0)} ms CPU in this process) to load ${stats.currentPrefixes} current prefixes and ${stats.historyIntervals} history intervals ` +
        `(${stats.historySubnets} subnets), ${stats.currentUsernames} usernames; heap +${mb(heapAfter - heapBefore)}`,
    );
    const refreshStart = process.hrtime.bigint();
    await service.refresh();
    console.log(`refresh() with nothing new: ${(Number(process.hrtime.bigint() - refreshStart) / 1e6).toFixed(1)} ms`);

    const ADDRESSES = 1 << 20;
    const { v4Addresses, v6Addresses } = makeAddresses(prefixes, ADDRESSES);
    const m = ADDRESSES - 1;
    const now = Date.now() + 1000;
    const midSeed = Math.round((seedStart + Date.now()) / 2); // half the prefixes not assigned yet: walks to shorter ones
    timeLookups('service.accountForIPv4 (now)', LOOKUPS, (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIPv4(v4Addresses[i & m], now) !== null) hits++;
      return hits;
    });
    timeLookups('service.accountForIPv6 (now)', LOOKUPS, (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIPv6(v6At(v6Addresses, i & m), now) !== null) hits++;
      return hits;
    });
    const afterChurn = Date.now() - 1; // after the seed: history path, intervals present
    timeLookups('service.accountForIPv4 (past, history)', LOOKUPS, (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIPv4(v4Addresses[i & m], afterChurn) !== null) hits++;
      return hits;
    });
    timeLookups('service.accountForIPv6 (past, history)', LOOKUPS, (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIPv6(v6At(v6Addresses, i & m), afterChurn) !== null) hits++;
      return hits;
    });
    timeLookups('service.accountForIPv4 (past, mid-seed)', LOOKUPS, (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIPv4(v4Addresses[i & m], midSeed) !== null) hits++;
      return hits;
    });
    timeLookups('service.accountForIPv4 (before any)', LOOKUPS, (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIPv4(v4Addresses[i & m], beforeSeed) !== null) hits++;
      return hits;
    });
    const texts4 = Array.from({ length: 1 << 16 }, (_, i) => {
      const a = v4Addresses[i];
      return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    });
    timeLookups('service.accountForIp (IPv4 text, now)', Math.min(LOOKUPS, 2_000_000), (n) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (service.accountForIp(texts4[i & 0xffff], now) !== null) hits++;
      return hits;
    });
    await service.stop();
  } finally {
    await dataSource.destroy();
    await db.drop();
  }
}

async function main(): Promise<void> {
  await benchIndex();
  if (process.env.BENCH_SKIP_DB !== '1') await benchService();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
