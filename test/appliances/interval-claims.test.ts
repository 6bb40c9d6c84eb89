import { planClaims, IntervalClaim } from '../../src/appliances/interval-claims';
import { mergeRanges, uncoveredParts } from '../../src/appliances/time-ranges';

const r = (startMs: number, endMs: number) => ({ startMs, endMs });
const claim = (series: string, s: number, e: number, divisible = false): IntervalClaim<string> => ({
  series,
  range: r(s, e),
  divisible,
  payload: `${series}@${s}`,
});

describe('time ranges', () => {
  it('merge overlapping and touching ranges and drop empty ones', () => {
    expect(mergeRanges([r(10, 20), r(0, 5), r(5, 8), r(15, 30), r(40, 40), r(50, 60)])).toEqual([r(0, 8), r(10, 30), r(50, 60)]);
  });

  it('find the parts not yet covered', () => {
    const covered = [r(10, 20), r(30, 40)];
    expect(uncoveredParts(r(0, 50), covered)).toEqual([r(0, 10), r(20, 30), r(40, 50)]);
    expect(uncoveredParts(r(12, 18), covered)).toEqual([]);
    expect(uncoveredParts(r(15, 35), covered)).toEqual([r(20, 30)]);
    expect(uncoveredParts(r(40, 45), covered)).toEqual([r(40, 45)]);
    expect(uncoveredParts(r(0, 10), covered)).toEqual([r(0, 10)]);
  });
});

describe('planClaims', () => {
  it('accepts new intervals and skips exact duplicates, also inside one batch', () => {
    const plan = planClaims(new Map([['a', [r(0, 100)]]]), [
      claim('a', 0, 100),
      claim('a', 100, 200),
      claim('a', 100, 200),
      claim('b', 0, 100),
    ]);
    expect(plan.accepted.map((a) => a.claim.payload)).toEqual(['a@100', 'b@0']);
    expect(plan.duplicates).toBe(2);
    expect(plan.changed.get('a')).toEqual([r(0, 200)]);
    expect(plan.changed.get('b')).toEqual([r(0, 100)]);
  });

  it('skips indivisible claims that partly overlap, and credits only the new parts of divisible ones', () => {
    const credited = new Map([['a', [r(0, 100)]], ['b', [r(0, 100)]]]);
    const plan = planClaims(credited, [claim('a', 50, 150), claim('b', 50, 150, true)]);
    expect(plan.overlaps).toBe(1);
    expect(plan.accepted).toHaveLength(1);
    expect(plan.accepted[0].parts).toEqual([r(100, 150)]);
    expect(plan.changed.has('a')).toBe(false);
  });

  it('accepts a late interval that fills a gap', () => {
    const plan = planClaims(new Map([['a', [r(0, 100), r(200, 300)]]]), [claim('a', 100, 200)]);
    expect(plan.accepted).toHaveLength(1);
    expect(plan.changed.get('a')).toEqual([r(0, 300)]);
  });

  it('refuses intervals older than the retention horizon', () => {
    const plan = planClaims(new Map(), [claim('a', 0, 100), claim('a', 100, 200)], { notBeforeMs: 100 });
    expect(plan.tooOld).toBe(1);
    expect(plan.accepted.map((a) => a.claim.range)).toEqual([r(100, 200)]);
  });

  it('credits nothing past the time asked for: divisible claims are cut there, indivisible ones wait', () => {
    const plan = planClaims(
      new Map([['c', [r(0, 100)]]]),
      [claim('a', 0, 113, true), claim('b', 0, 113), claim('b', 0, 100), claim('c', 50, 400, true), claim('d', 100, 150, true)],
      { askedUntilMs: 100 },
    );
    expect(plan.accepted.map((a) => [a.claim.payload, a.parts])).toEqual([
      ['a@0', [r(0, 100)]],
      ['b@0', [r(0, 100)]],
    ]);
    // b's 113 ms record is not over at 100; c has nothing uncredited before 100; d starts at the end.
    expect(plan).toMatchObject({ unfinished: 2, duplicates: 1, overlaps: 0 });
    expect(plan.changed.get('a')).toEqual([r(0, 100)]);

    // The next poll asks further: the rest of a, and b's record now overlaps time credited from the
    // 100 ms record: skipped, never credited twice.
    const next = planClaims(plan.changed, [claim('a', 0, 113, true), claim('b', 0, 113)], { askedUntilMs: 200 });
    expect(next.accepted.map((a) => [a.claim.payload, a.parts])).toEqual([['a@0', [r(100, 113)]]]);
    expect(next).toMatchObject({ unfinished: 0, overlaps: 1 });
  });
});
