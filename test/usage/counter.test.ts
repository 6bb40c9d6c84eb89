import { applySamples, counterDelta } from '../../src/usage/counter';
import { FreeWindow } from '../../src/usage/free-window';
import { BUCKET_MS, spreadDelta } from '../../src/usage/spread';

const s = (row: number, time: number, inBytes: bigint, outBytes: bigint) => ({ row, time, inBytes, outBytes });

describe('counter math', () => {
  it('takes the first sample as a baseline', () => {
    const out = applySamples(null, [s(0, 1000, 500n, 70n)]);
    expect(out.baselines).toEqual([0]);
    expect(out.intervals).toEqual([]);
    expect(out.state).toEqual({ time: 1000, inBytes: 500n, outBytes: 70n });
  });

  it('turns consecutive samples into positive deltas, sorted by time', () => {
    const out = applySamples(null, [s(0, 3000, 900n, 90n), s(1, 1000, 100n, 10n), s(2, 2000, 400n, 30n)]);
    expect(out.baselines).toEqual([1]);
    expect(out.intervals).toEqual([
      { row: 2, from: 1000, to: 2000, inBytes: 300n, outBytes: 20n },
      { row: 0, from: 2000, to: 3000, inBytes: 500n, outBytes: 60n },
    ]);
  });

  it('treats a lower value as a counter reset, direction by direction', () => {
    expect(counterDelta(1000n, 40n)).toBe(40n);
    const out = applySamples({ time: 0, inBytes: 1000n, outBytes: 10n }, [s(0, 60_000, 40n, 15n)]);
    expect(out.intervals).toEqual([{ row: 0, from: 0, to: 60_000, inBytes: 40n, outBytes: 5n }]);
  });

  it('ignores a re-sent sample and reports older ones', () => {
    const state = { time: 5000, inBytes: 1000n, outBytes: 10n };
    const out = applySamples(state, [s(0, 5000, 1000n, 10n), s(1, 4000, 1n, 1n), s(2, 6000, 1500n, 10n), s(3, 6000, 9999n, 10n)]);
    expect(out.duplicates).toEqual([0, 3]);
    expect(out.stale).toEqual([1]);
    expect(out.intervals).toEqual([{ row: 2, from: 5000, to: 6000, inBytes: 500n, outBytes: 0n }]);
  });

  it('keeps 64-bit values exact', () => {
    const max = 2n ** 63n - 1n;
    const out = applySamples({ time: 0, inBytes: 1n, outBytes: 0n }, [s(0, 1, max, max)]);
    expect(out.intervals[0]).toMatchObject({ inBytes: max - 1n, outBytes: max });
  });
});

describe('spreading a delta', () => {
  const sum = (pieces: { inBytes: bigint; outBytes: bigint }[]) =>
    pieces.reduce((a, p) => [a[0] + p.inBytes, a[1] + p.outBytes], [0n, 0n]);

  it('splits over buckets in proportion to time, exactly', () => {
    const from = Date.parse('2026-01-01T00:02:30Z');
    const to = Date.parse('2026-01-01T00:12:30Z');
    const pieces = spreadDelta(from, to, 1000n, 7n, [], 'UTC');
    expect(pieces.map((p) => [new Date(p.bucket).toISOString().slice(11, 16), p.inBytes, p.outBytes])).toEqual([
      ['00:00', 250n, 1n],
      ['00:05', 500n, 4n],
      ['00:10', 250n, 2n],
    ]);
    expect(sum(pieces)).toEqual([1000n, 7n]);
  });

  it('never loses a byte to rounding', () => {
    for (const total of [1n, 2n, 3n, 999_999_999_937n, 2n ** 63n - 1n]) {
      const pieces = spreadDelta(17, 17 + 37 * BUCKET_MS + 12_345, total, total - 1n, [], 'UTC');
      expect(sum(pieces)).toEqual([total, total - 1n]);
    }
  });

  it('puts a zero-length interval in one bucket', () => {
    expect(spreadDelta(BUCKET_MS, BUCKET_MS, 5n, 6n, [], 'UTC')).toEqual([{ bucket: BUCKET_MS, free: false, inBytes: 5n, outBytes: 6n }]);
  });

  it('splits exactly at free-window edges inside a bucket (local time)', () => {
    // Free Mondays 01:02-01:07 New York time (EST, -05:00): 06:02Z-06:07Z on 2026-01-05.
    const windows: FreeWindow[] = [{ weekday: 1, startMinute: 62, endMinute: 67 }];
    const from = Date.parse('2026-01-05T06:00:00Z');
    const to = Date.parse('2026-01-05T06:10:00Z');
    const pieces = spreadDelta(from, to, 600n, 60n, windows, 'America/New_York');
    const view = pieces.map((p) => [new Date(p.bucket).toISOString().slice(11, 16), p.free, p.inBytes, p.outBytes]);
    expect(view).toEqual([
      ['06:00', false, 120n, 12n],
      ['06:00', true, 180n, 18n],
      ['06:05', true, 120n, 12n],
      ['06:05', false, 180n, 18n],
    ]);
  });

  it('gives a bucket whose minutes alternate free and billable one piece of each', () => {
    // Free Mondays 01:00-01:01 and 01:03-01:04 New York time: minutes 0 and 3 of the 06:00Z bucket.
    const windows: FreeWindow[] = [
      { weekday: 1, startMinute: 60, endMinute: 61 },
      { weekday: 1, startMinute: 63, endMinute: 64 },
    ];
    const from = Date.parse('2026-01-05T06:00:00Z');
    const pieces = spreadDelta(from, from + BUCKET_MS, 500n, 50n, windows, 'America/New_York');
    expect(pieces.map((p) => [new Date(p.bucket).toISOString().slice(11, 16), p.free, p.inBytes, p.outBytes])).toEqual([
      ['06:00', true, 200n, 20n],
      ['06:00', false, 300n, 30n],
    ]);
  });

  it('bounds the pieces of a long gap and still adds up exactly', () => {
    const from = Date.parse('2025-01-01T00:00:00Z');
    const to = Date.parse('2026-01-01T00:00:00Z');
    const pieces = spreadDelta(from, to, 10n ** 15n + 7n, 3n, [], 'UTC', 50);
    expect(pieces.length).toBeLessThanOrEqual(51);
    expect(sum(pieces)).toEqual([10n ** 15n + 7n, 3n]);
    for (const p of pieces) expect(p.bucket % BUCKET_MS).toBe(0);
  });
});
