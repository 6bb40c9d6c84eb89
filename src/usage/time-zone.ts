/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl: billing periods start at
 * local midnight, free windows are local weekdays and times, the hour and day rollups are
 * aligned to local hours and days. All instants are epoch milliseconds.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Every zone in use has offsets and transitions on quarter hours, so one lookup per slot is exact. */
const SLOT = 15 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function computeOffset(timeZone: string, t: number): number {
  const parts = formatter(timeZone).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/** Local time minus UTC at instant t, in ms (e.g. -4 h for New York in summer). */
export function offsetMs(timeZone: string, t: number): number {
  let cache = offsetCache.get(timeZone);
  if (!cache) offsetCache.set(timeZone, (cache = new Map()));
  const slot = Math.floor(t / SLOT);
  let offset = cache.get(slot);
  if (offset === undefined) {
    if (cache.size > 200_000) cache.clear();
    offset = computeOffset(timeZone, slot * SLOT);
    cache.set(slot, offset);
  }
  return offset;
}

export interface LocalTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number;
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
}

export function localTime(timeZone: string, t: number): LocalTime {
  const wall = new Date(t + offsetMs(timeZone, t));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    weekday: wall.getUTCDay(),
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

/**
 * The instant a wall-clock time happens. Month and day may overflow (month 13 = January of the
 * next year), as with Date.UTC. A time that happens twice (fall back) gives the earlier instant;
 * a time skipped by a spring-forward gap moves forward by the gap (02:30 -> 03:30), which
 * for a midnight that does not exist is the instant of the jump: the day starts then.
 */
export function localToUtc(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetMs(timeZone, wall - DAY);
  const after = offsetMs(timeZone, wall + DAY);
  const valid = [wall - before, wall - after].filter((t) => t + offsetMs(timeZone, t) === wall);
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}

/** Local midnight at or before t. */
export function startOfLocalDay(timeZone: string, t: number): number {
  const l = localTime(timeZone, t);
  return localToUtc(timeZone, l.year, l.month, l.day);
}

/** The next local midnight strictly after t. */
export function nextLocalDay(timeZone: string, t: number): number {
  const l = localTime(timeZone, t);
  return localToUtc(timeZone, l.year, l.month, l.day + 1);
}

/** Local midnight at or after t. */
export function ceilLocalDay(timeZone: string, t: number): number {
  const start = startOfLocalDay(timeZone, t);
  return start === t ? t : nextLocalDay(timeZone, t);
}

/** Start of the local hour containing t (what the hourly rollup keys on). */
export function floorLocalHour(timeZone: string, t: number): number {
  const offset = offsetMs(timeZone, t);
  return t - mod(t + offset, HOUR);
}

export function ceilLocalHour(timeZone: string, t: number): number {
  const floor = floorLocalHour(timeZone, t);
  return floor === t ? t : floorLocalHour(timeZone, floor + HOUR + 30 * MINUTE);
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

export const TIME = { MINUTE, HOUR, DAY };
