import { bytesForPart, cumulativeBytes, parseRate } from '../../../../src/ingest/appliances/saisei/saisei-rate';
import { backoffDelayMs } from '../../../../src/ingest/appliances/backoff';

describe('SaiSei rate integration', () => {
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
    expect(cumulativeBytes(parseRate(8)!, 300_000)).toBe(300_000n);
    // 0.1 kbit/s = 12.5 bytes/s: 1 s -> 12 (floor), 2 s -> 25
    expect(cumulativeBytes(parseRate(0.1)!, 1000)).toBe(12n);
    expect(cumulativeBytes(parseRate(0.1)!, 2000)).toBe(25n);
    // 10 Gbit/s for 15 minutes
    expect(cumulativeBytes(parseRate(10_000_000)!, 900_000)).toBe(1_125_000_000_000n);
  });

  it('parts telescope to the same total however an interval is split', () => {
    const rate = parseRate(0.1)!;
    const whole = bytesForPart(rate, 0, 0, 3000);
    const split = bytesForPart(rate, 0, 0, 1000) + bytesForPart(rate, 0, 1000, 1700) + bytesForPart(rate, 0, 1700, 3000);
    expect(whole).toBe(37n);
    expect(split).toBe(whole);
  });
});

describe('backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 10, 100].map((n) => backoffDelayMs(n, 1000, 8000))).toEqual([1000, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
