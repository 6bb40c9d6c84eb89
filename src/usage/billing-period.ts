import { localTime, localToUtc } from './time-zone';

/**
 * Billing periods: a period starts at local midnight (service time zone) on the account's bill
 * day and ends where the next one starts. A bill day past the end of a short month starts the
 * period on that month's last day (bill day 31 -> Feb 28/29, Apr 30), so no period is skipped.
 * Periods are half-open [start, end) in epoch ms; DST only moves the instants, never the dates.
 */
export interface BillingPeriod {
  start: number;
  end: number;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** (year, month) normalized after adding `delta` months. */
function addMonths(year: number, month: number, delta: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The instant the period that starts in (year, month) begins. */
export function periodStartIn(timeZone: string, billDay: number, year: number, month: number): number {
  const day = Math.min(billDay, daysInMonth(year, month));
  return localToUtc(timeZone, year, month, day);
}

export function billingPeriodAt(timeZone: string, billDay: number, t: number): BillingPeriod {
  if (!Number.isInteger(billDay) || billDay < 1 || billDay > 31) throw new RangeError(`bill day ${billDay} is not 1..31`);
  const local = localTime(timeZone, t);
  let ym = { year: local.year, month: local.month };
  let start = periodStartIn(timeZone, billDay, ym.year, ym.month);
  if (t < start) {
    ym = addMonths(ym.year, ym.month, -1);
    start = periodStartIn(timeZone, billDay, ym.year, ym.month);
  }
  const next = addMonths(ym.year, ym.month, 1);
  return { start, end: periodStartIn(timeZone, billDay, next.year, next.month) };
}

/** Every period that overlaps [from, to), oldest first. */
export function billingPeriodsBetween(timeZone: string, billDay: number, from: number, to: number): BillingPeriod[] {
  const periods: BillingPeriod[] = [];
  let period = billingPeriodAt(timeZone, billDay, from);
  while (period.start < to) {
    periods.push(period);
    period = billingPeriodAt(timeZone, billDay, period.end);
  }
  return periods;
}
