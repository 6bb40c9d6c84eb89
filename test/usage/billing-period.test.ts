import { billingPeriodAt, billingPeriodsBetween } from '../../src/usage/billing-period';
import { ceilLocalDay, floorLocalHour, localToUtc, nextLocalDay, startOfLocalDay } from '../../src/usage/time-zone';

const iso = (t: number) => new Date(t).toISOString();
const at = (s: string) => Date.parse(s);
const period = (tz: string, billDay: number, t: string) => {
  const p = billingPeriodAt(tz, billDay, at(t));
  return [iso(p.start), iso(p.end)];
};

describe('billing periods', () => {
  it('start on the bill day at midnight UTC', () => {
    expect(period('UTC', 5, '2026-03-10T12:00:00Z')).toEqual(['2026-03-05T00:00:00.000Z', '2026-04-05T00:00:00.000Z']);
    expect(period('UTC', 5, '2026-03-04T23:59:59.999Z')).toEqual(['2026-02-05T00:00:00.000Z', '2026-03-05T00:00:00.000Z']);
    expect(period('UTC', 5, '2026-03-05T00:00:00Z')).toEqual(['2026-03-05T00:00:00.000Z', '2026-04-05T00:00:00.000Z']);
  });

  it('cross the year end', () => {
    expect(period('UTC', 15, '2026-01-03T00:00:00Z')).toEqual(['2025-12-15T00:00:00.000Z', '2026-01-15T00:00:00.000Z']);
    expect(period('UTC', 1, '2026-12-31T23:59:59Z')).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('bill day 28 in February, leap and non-leap', () => {
    expect(period('UTC', 28, '2027-02-28T00:00:00Z')).toEqual(['2027-02-28T00:00:00.000Z', '2027-03-28T00:00:00.000Z']);
    expect(period('UTC', 28, '2027-02-27T23:00:00Z')).toEqual(['2027-01-28T00:00:00.000Z', '2027-02-28T00:00:00.000Z']);
    expect(period('UTC', 28, '2028-02-29T10:00:00Z')).toEqual(['2028-02-28T00:00:00.000Z', '2028-03-28T00:00:00.000Z']);
  });

  it('bill day 31 falls back to the last day of short months (28, 29, 30)', () => {
    expect(period('UTC', 31, '2027-02-28T00:00:00Z')).toEqual(['2027-02-28T00:00:00.000Z', '2027-03-31T00:00:00.000Z']);
    expect(period('UTC', 31, '2027-02-27T00:00:00Z')).toEqual(['2027-01-31T00:00:00.000Z', '2027-02-28T00:00:00.000Z']);
    expect(period('UTC', 31, '2028-02-29T00:00:00Z')).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
    expect(period('UTC', 31, '2026-04-30T00:00:00Z')).toEqual(['2026-04-30T00:00:00.000Z', '2026-05-31T00:00:00.000Z']);
    expect(period('UTC', 30, '2026-03-01T00:00:00Z')).toEqual(['2026-02-28T00:00:00.000Z', '2026-03-30T00:00:00.000Z']);
    expect(period('UTC', 29, '2026-02-28T00:00:00Z')).toEqual(['2026-02-28T00:00:00.000Z', '2026-03-29T00:00:00.000Z']);
  });

  it('start at local midnight in New York across the DST changes', () => {
    // Spring forward 2026-03-08: EST (-05) before, EDT (-04) after.
    expect(period('America/New_York', 8, '2026-03-20T00:00:00Z')).toEqual(['2026-03-08T05:00:00.000Z', '2026-04-08T04:00:00.000Z']);
    // Fall back 2026-11-01: EDT before, EST after.
    expect(period('America/New_York', 1, '2026-11-01T04:00:00Z')).toEqual(['2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z']);
    expect(period('America/New_York', 1, '2026-11-01T03:59:59.999Z')).toEqual(['2026-10-01T04:00:00.000Z', '2026-11-01T04:00:00.000Z']);
    // 23:30 local on Feb 27 is already Feb 28 in UTC but still the old period locally.
    expect(period('America/New_York', 28, '2027-02-28T04:30:00Z')).toEqual(['2027-01-28T05:00:00.000Z', '2027-02-28T05:00:00.000Z']);
  });

  it('handles a zone whose DST jump skips midnight (America/Santiago)', () => {
    // 2026-09-06 00:00 does not exist in Santiago: clocks go from 00:00 -04 to 01:00 -03.
    const start = billingPeriodAt('America/Santiago', 6, at('2026-09-10T00:00:00Z')).start;
    expect(iso(start)).toBe('2026-09-06T04:00:00.000Z');
  });

  it('lists consecutive periods without gaps', () => {
    const periods = billingPeriodsBetween('America/New_York', 31, at('2026-01-15T00:00:00Z'), at('2026-06-01T00:00:00Z'));
    expect(periods.map((p) => iso(p.start))).toEqual([
      '2025-12-31T05:00:00.000Z',
      '2026-01-31T05:00:00.000Z',
      '2026-02-28T05:00:00.000Z',
      '2026-03-31T04:00:00.000Z',
      '2026-04-30T04:00:00.000Z',
      '2026-05-31T04:00:00.000Z',
    ]);
    for (let i = 1; i < periods.length; i++) expect(periods[i].start).toBe(periods[i - 1].end);
  });

  it('rejects an impossible bill day', () => {
    expect(() => billingPeriodAt('UTC', 0, 0)).toThrow(RangeError);
  });
});

describe('time zone helpers', () => {
  it('local midnights and hours in New York around DST', () => {
    expect(iso(startOfLocalDay('America/New_York', at('2026-03-08T12:00:00Z')))).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(nextLocalDay('America/New_York', at('2026-03-08T12:00:00Z')))).toBe('2026-03-09T04:00:00.000Z');
    expect(iso(nextLocalDay('America/New_York', at('2026-11-01T12:00:00Z')))).toBe('2026-11-02T05:00:00.000Z');
    expect(iso(ceilLocalDay('America/New_York', at('2026-11-01T04:00:00Z')))).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(floorLocalHour('Asia/Kathmandu', at('2026-03-08T12:20:00Z')))).toBe('2026-03-08T12:15:00.000Z');
    // 01:30 on fall-back day happens twice: the earlier instant is chosen.
    expect(iso(localToUtc('America/New_York', 2026, 11, 1, 1, 30))).toBe('2026-11-01T05:30:00.000Z');
    // 02:30 on spring-forward day does not exist: moved forward by the gap to 03:30 EDT.
    expect(iso(localToUtc('America/New_York', 2026, 3, 8, 2, 30))).toBe('2026-03-08T07:30:00.000Z');
  });
});
