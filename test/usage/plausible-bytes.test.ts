import { loadConfig } from '../../src/config';
import { INT64_MAX } from '../../src/db/int64';
import { FLOOR_SECONDS, MAX_MAX_BITS_PER_SECOND, RecordByteLimit } from '../../src/usage/plausible-bytes';
import { seededRandom } from '../support/seeded-random';

const U32 = 2 ** 32 - 1;

describe('RecordByteLimit: the edge rule every source applies to a record', () => {
  const limit = new RecordByteLimit(1e12); // the default: 1 Tbit/s
  const floor = 450_000_000_000_000n; // an hour at 1 Tbit/s: 1e12 / 8 * 3600

  it('allows a record of unknown or short span an hour at the top rate, not a byte more', () => {
    expect(limit.maxBytes()).toBe(floor);
    expect(limit.maxBytes(FLOOR_SECONDS - 1)).toBe(floor);
    expect(limit.plausibleBytes(floor)).toBe(floor);
    expect(limit.plausibleBytes(floor + 1n)).toBeNull();
    expect(limit.floorBytes).toBe(Number(floor));
  });

  it('allows a longer record the top rate over its span (whole seconds)', () => {
    expect(limit.maxBytes(7200)).toBe(2n * floor);
    expect(limit.maxBytes(7200.9)).toBe(2n * floor);
    expect(limit.plausibleBytes(2n * floor, 1, 7200)).toBe(2n * floor);
    expect(limit.plausibleBytes(2n * floor + 1n, 1, 7200)).toBeNull();
    // A span that is no number at all grants nothing beyond the floor.
    for (const span of [NaN, Infinity, -Infinity, -5]) expect(limit.maxBytes(span)).toBe(floor);
  });

  it('never allows more than PostgreSQL bigint holds, whatever the span', () => {
    const years = 1e4 * 365 * 86_400;
    expect(limit.maxBytes(years)).toBe(INT64_MAX);
    expect(limit.plausibleBytes(INT64_MAX, 1, years)).toBe(INT64_MAX);
    expect(limit.plausibleBytes(INT64_MAX + 1n, 1, years)).toBeNull();
    expect(limit.plausibleBytes(2n ** 64n - 1n, 1, years)).toBeNull();
  });

  it('scales by the sampling interval exactly, beyond 2^53, and refuses the product beyond the bound', () => {
    expect(limit.plausibleBytes(1500, 1)).toBe(1500n);
    expect(limit.plausibleBytes(1, U32)).toBe(BigInt(U32));
    // 104 773 × (2^32 − 1) = 449 996 608 399 035: just inside the floor; one byte more per sample is not.
    expect(limit.plausibleBytes(104_773, U32)).toBe(104_773n * BigInt(U32));
    expect(limit.plausibleBytes(104_774, U32)).toBeNull();
    // The crafted NetFlow record: 2^32 − 1 octets at a sampling interval of 2^32 − 1 (1.8e19 bytes).
    expect(limit.plausibleBytes(U32, U32)).toBeNull();
    expect(limit.plausibleBytes(U32, U32, 1e12)).toBeNull(); // past bigint whatever the span
    // Exact where floats are not: (2^53 − 1) × 3 over a span long enough to allow it.
    const big = BigInt(Number.MAX_SAFE_INTEGER) * 3n;
    expect(limit.plausibleBytes(Number.MAX_SAFE_INTEGER, 3, 1e9)).toBe(big);
  });

  it('refuses a sampling interval below 1 and anything that is not a non-negative integer', () => {
    expect(limit.plausibleBytes(1000, 0)).toBeNull();
    expect(limit.plausibleBytes(1000, -1)).toBeNull();
    expect(limit.plausibleBytes(1000, 1.5)).toBeNull();
    expect(limit.plausibleBytes(-1)).toBeNull();
    expect(limit.plausibleBytes(-1n)).toBeNull();
    expect(limit.plausibleBytes(0)).toBe(0n);
    expect(limit.plausibleBytes(2 ** 60)).toBeNull(); // a float past 2^53 is no exact count
    expect(limit.plausibleBytes(NaN)).toBeNull();
  });

  it('the flow collector\'s number form answers exactly as the bigint form for a record of unknown span', () => {
    const disagreements: number[][] = [];
    const same = (bytes: number, sampling: number) => {
      const exact = limit.plausibleBytes(bytes, sampling);
      const number = limit.plausibleFlowBytes(bytes, sampling);
      if (number !== (exact === null ? -1 : Number(exact))) disagreements.push([bytes, sampling, number]);
    };
    for (const [b, s] of [[0, 1], [1, 1], [Number(floor), 1], [Number(floor) + 1, 1], [104_773, U32], [104_774, U32], [U32, U32], [1000, 0], [Number.MAX_SAFE_INTEGER, 1]]) same(b, s);
    expect(limit.plausibleFlowBytes(104_773, U32)).toBe(449_996_608_399_035);
    expect(limit.plausibleFlowBytes(U32, U32)).toBe(-1);
    const rand = seededRandom(14);
    for (let i = 0; i < 100_000; i++) {
      // Around the bound: bytes up to 2^53, sampling up to 2^32 − 1, often right at the floor's quotient.
      const sampling = rand() < 0.3 ? 1 : Math.floor(rand() * (rand() < 0.5 ? 1024 : U32)) + 1;
      const near = Math.floor(Number(floor) / sampling);
      const bytes = rand() < 0.5 ? near + Math.floor(rand() * 5) - 2 : Math.floor(rand() * 2 ** 53);
      same(Math.max(0, bytes), sampling);
    }
    expect(disagreements).toEqual([]);
    expect(limit.plausibleFlowBytes(NaN, 1)).toBe(-1);
    expect(limit.plausibleFlowBytes(-3, 1)).toBe(-1);
  });

  it('stays within exact numbers at the largest configurable rate, and refuses a rate beyond it', () => {
    const fastest = new RecordByteLimit(MAX_MAX_BITS_PER_SECOND);
    expect(Number.isSafeInteger(fastest.floorBytes)).toBe(true);
    expect(() => new RecordByteLimit(MAX_MAX_BITS_PER_SECOND + 1)).toThrow(RangeError);
    expect(() => new RecordByteLimit(0)).toThrow(RangeError);
  });

  it('is configured by USAGE_MAX_BITS_PER_SECOND (default 1 Tbit/s), bounded so the floor stays exact', () => {
    expect(loadConfig({}).ledger.maxBitsPerSecond).toBe(1e12);
    expect(loadConfig({ USAGE_MAX_BITS_PER_SECOND: '400000000000' }).ledger.maxBitsPerSecond).toBe(4e11);
    expect(() => loadConfig({ USAGE_MAX_BITS_PER_SECOND: '20000000000000' })).toThrow(/USAGE_MAX_BITS_PER_SECOND/);
    expect(() => loadConfig({ USAGE_MAX_BITS_PER_SECOND: '1000' })).toThrow(/USAGE_MAX_BITS_PER_SECOND/);
  });

  it('describes its bound for a refusal a person reads', () => {
    expect(limit.describe(60)).toBe('at most 450000000000000 bytes over 3600 s or less (USAGE_MAX_BITS_PER_SECOND=1000000000000)');
    expect(limit.describe(7200)).toBe('at most 900000000000000 bytes over 7200 s (USAGE_MAX_BITS_PER_SECOND=1000000000000)');
  });
});
