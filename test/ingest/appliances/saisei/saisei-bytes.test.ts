import { ByteMeasure, bytesForPart, cumulativeBytes, parseRate } from '../../../../src/ingest/appliances/saisei/saisei-bytes';
import { backoffDelayMs } from '../../../../src/ingest/appliances/backoff';

const rate = (value: number | string): ByteMeasure => ({ kind: 'rate', rate: parseRate(value)! });
const counter = (bytes: bigint): ByteMeasure => ({ kind: 'counter', bytes });
const r = (startMs: number, endMs: number) => ({ startMs, endMs });

describe('SaiSei bytes', () => {
  it('reads JSON numbers and strings as exact decimals', () => {
    expect(parseRate(1234.567)).toEqual({ units: 1234567n, scale: 3 });
    expect(parseRate(8)).toEqual({ units: 8n, scale: 0 });
    expect(parseRate('0.1')).toEqual({ units: 1n, scale: 1 });
    expect(parseRate(1e21)).toEqual({ units: 10n ** 21n, scale: 0 });
    expect(parseRate(1.5e-7)).toEqual({ units: 15n, scale: 8 });
    for (const bad of [-1, NaN, Infinity, '1,5', 'abc', null, undefined, {}, '-3']) expect(parseRate(bad)).toBeNull();
  });

  it('integrates kbit/s over milliseconds into bytes exactly', () => {
    // 8 kbit/s = 1000 bytes/s: 300 s -> 300 000 bytes
    expect(cumulativeBytes(rate(8), 300_000, 300_000)).toBe(300_000n);
    // 0.1 kbit/s = 12.5 bytes/s: 1 s -> 12 (floor), 2 s -> 25
    expect(cumulativeBytes(rate(0.1), 1000, 300_000)).toBe(12n);
    expect(cumulativeBytes(rate(0.1), 2000, 300_000)).toBe(25n);
    // 10 Gbit/s for 15 minutes
    expect(cumulativeBytes(rate(10_000_000), 900_000, 900_000)).toBe(1_125_000_000_000n);
  });

  it('spreads a byte count evenly over its interval, and the whole interval gets exactly the count', () => {
    const count = counter(1_000_003n);
    expect(cumulativeBytes(count, 313_000, 313_000)).toBe(1_000_003n);
    // floor(1 000 003 * 13 / 313) = 41 533
    expect(cumulativeBytes(count, 13_000, 313_000)).toBe(41_533n);
    expect(cumulativeBytes(count, 0, 313_000)).toBe(0n);
    // Beyond 2^53: exact, no float on the way.
    expect(cumulativeBytes(counter(2n ** 62n + 1n), 300_000, 300_000)).toBe(2n ** 62n + 1n);
  });

  it('parts telescope to the same total however an interval is split', () => {
    for (const measure of [rate(0.1), counter(37n), counter(1_000_003n)]) {
      const interval = r(5000, 8000);
      const whole = bytesForPart(measure, interval, interval);
      const split = bytesForPart(measure, interval, r(5000, 6000)) + bytesForPart(measure, interval, r(6000, 6700)) + bytesForPart(measure, interval, r(6700, 8000));
      expect(split).toBe(whole);
    }
    expect(bytesForPart(rate(0.1), r(0, 3000), r(0, 3000))).toBe(37n);
    expect(bytesForPart(counter(37n), r(0, 3000), r(0, 3000))).toBe(37n);
  });
});

describe('backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 10, 100].map((n) => backoffDelayMs(n, 1000, 8000))).toEqual([1000, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
