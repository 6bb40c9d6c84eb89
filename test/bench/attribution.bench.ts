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
 * Options: BENCH_PREFIXES (100000), BENCH_LOOKUPS (5000000), BENCH_SKIP_DB=1.
 */
import 'reflect-metadata';
import { parseCidr, Prefix } from '../../src/attribution/ip-address';
import { PrefixIndex } from '../../src/attribution/prefix-index';

const PREFIXES = Number(process.env.BENCH_PREFIXES ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 5_000_000);

/** Deterministic PRNG so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
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
export function makePrefixes(n: number): Prefix[] {
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
export function makeAddresses(prefixes: Prefix[], count: number) {
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
      view.setUint32(o + 4, u32() & 0x0000ffff);
      view.setUint32(o + 8, u32());
      view.setUint32(o + 12, u32());
    }
  }
  // Views created up front: the timed loop allocates nothing.
  const v6Addresses = Array.from({ length: count }, (_, i) => v6Buffer.subarray(i * 16, i * 16 + 16));
  return { v4Addresses, v6Addresses };
}

export function timeLookups(label: string, total: number, run: (n: number) => number): number {
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
  return rate;
}

export const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function gc(): void {
  (global as { gc?: () => void }).gc?.();
}

async function benchIndex(): Promise<void> {
  console.log(`== PrefixIndex: ${PREFIXES} prefixes, ${LOOKUPS} lookups per family, one core (node ${process.version}, load average ${require('node:os').loadavg()[0].toFixed(1)} on ${require('node:os').cpus().length} CPUs)`);
  const prefixes = makePrefixes(PREFIXES);
  const ADDRESSES = 1 << 20;
  const { v4Addresses, v6Addresses } = makeAddresses(prefixes, ADDRESSES);
  gc();
  const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const buildStart = process.hrtime.bigint();
  const index = new PrefixIndex();
  for (let i = 0; i < prefixes.length; i++) index.set(prefixes[i], i + 1);
  const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  gc();
  const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  console.log(`build: ${buildMs.toFixed(1)} ms for ${index.size} distinct prefixes; tables ${mb(index.byteSize())}; heap+buffers delta ${mb(heapAfter - heapBefore)}`);

  const v4 = timeLookups('IPv4 lookups (PrefixIndex.lookupV4)', LOOKUPS, (n) => {
    let hits = 0;
    const m = ADDRESSES - 1;
    for (let i = 0; i < n; i++) if (index.lookupV4(v4Addresses[i & m]) !== null) hits++;
    return hits;
  });
  const v6 = timeLookups('IPv6 lookups (PrefixIndex.lookupV6)', LOOKUPS, (n) => {
    let hits = 0;
    const m = ADDRESSES - 1;
    for (let i = 0; i < n; i++) if (index.lookupV6(v6Addresses[i & m]) !== null) hits++;
    return hits;
  });
  console.log(`target 2 M lookups/s: IPv4 ${(v4 / 2e6).toFixed(1)}x, IPv6 ${(v6 / 2e6).toFixed(1)}x`);
}

async function main(): Promise<void> {
  await benchIndex();
  if (process.env.BENCH_SKIP_DB !== '1') {
    const { benchService } = await import('./attribution-service.bench-part');
    await benchService(PREFIXES, LOOKUPS);
  }
}

// Only when run as a script (the service part imports the helpers above).
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

export { parseCidr };
