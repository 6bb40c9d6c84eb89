import { localTime } from './time-zone';

/**
 * A policy's free window: traffic whose time falls on `weekday` (0 = Sunday) between
 * `startMinute` (inclusive) and `endMinute` (exclusive) minutes after local midnight is free.
 * Windows are whole minutes, so classifying minute by minute is exact; a window never spans
 * midnight (end before start is rejected; use two windows).
 */
export interface FreeWindow {
  weekday: number;
  startMinute: number;
  endMinute: number;
}

export const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function isFreeAt(windows: readonly FreeWindow[], timeZone: string, t: number): boolean {
  if (windows.length === 0) return false;
  const local = localTime(timeZone, t);
  for (const w of windows) {
    if (w.weekday === local.weekday && local.minuteOfDay >= w.startMinute && local.minuteOfDay < w.endMinute) return true;
  }
  return false;
}

/** "HH:MM" or "HH:MM:SS" (seconds 00) -> minutes since midnight; "24:00" is the end of the day. Null if invalid. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return null;
  const [h, min, sec] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (sec !== 0 || min > 59) return null;
  if (h === 24 && min === 0) return 1440;
  if (h > 23) return null;
  return h * 60 + min;
}

export function formatTimeOfDay(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}
