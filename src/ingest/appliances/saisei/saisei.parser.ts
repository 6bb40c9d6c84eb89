import { isStrictAddress } from '../../../net/ip';
import { parseGmt } from '../gmt-time';
import { ExactDecimal, parseRate } from './saisei-rate';

/**
 * The SaiSei (FlowCommand) REST shape this service supports: the running configuration's
 * `users` collection, one object per subscriber named `User-<ip>`, with the rates averaged over
 * the requested window:
 *
 *   GET http(s)://<ip>:<port 5000|5029>/rest/<system, default stm>/configurations/running/users/
 *       ?select=name,from,until,dest_smoothed_rate,source_smoothed_rate
 *       &from=HH:MM:SS_YYYYMMDD&until=HH:MM:SS_YYYYMMDD      (GMT)
 *       &start=<offset>&limit=<page size>
 *   Authorization: Basic base64("<username>:<password>")
 *
 *   200 { "size": 1234,                           // users matching (for paging; optional)
 *         "collection": [
 *           { "name": "User-192.168.11.3",
 *             "from": "22:00:00_20261125",        // optional: the interval the rates cover
 *             "until": "22:05:00_20261125",       //   (GMT; ISO 8601 and epoch also read)
 *             "dest_smoothed_rate": 1234.5,       // kbit/s toward the subscriber (download)
 *             "source_smoothed_rate": 12 } ] }    // kbit/s from the subscriber (upload)
 *
 * An object without from/until covers the requested window. Objects not named User-<ip>, or
 * with a missing/negative rate, are skipped and counted.
 */
export interface SaiseiUserUsage {
  name: string;
  ip: string;
  /** Null: the requested window. */
  startMs: number | null;
  endMs: number | null;
  download: ExactDecimal;
  upload: ExactDecimal;
}

export interface SaiseiPage {
  users: SaiseiUserUsage[];
  invalid: number;
  /** Objects in this page (valid or not): paging advances by this. */
  count: number;
  size: number | null;
}

export class SaiseiShapeError extends Error {}

export function parseSaiseiPage(body: unknown): SaiseiPage {
  if (!isObject(body) || !Array.isArray(body.collection)) throw new SaiseiShapeError('SaiSei response has no "collection" array');
  let size: number | null = null;
  if (body.size !== undefined && body.size !== null) {
    size = Number(body.size);
    if (!Number.isInteger(size) || size < 0) throw new SaiseiShapeError('SaiSei response has a bad "size"');
  }
  const users: SaiseiUserUsage[] = [];
  let invalid = 0;
  for (const item of body.collection) {
    const user = parseUser(item);
    if (user) users.push(user);
    else invalid++;
  }
  return { users, invalid, count: body.collection.length, size };
}

/** "User-192.168.11.3" -> "192.168.11.3"; null for other objects. */
export function ipOfUserName(name: string): string | null {
  const m = /^User-(.+)$/.exec(name);
  if (!m) return null;
  // Strict: a zone id ("fe80::1%eth0") is no address PostgreSQL inet stores.
  return isStrictAddress(m[1]) ? m[1] : null;
}

function parseUser(item: unknown): SaiseiUserUsage | null {
  if (!isObject(item) || typeof item.name !== 'string') return null;
  const ip = ipOfUserName(item.name);
  if (!ip) return null;
  const download = parseRate(item.dest_smoothed_rate);
  const upload = parseRate(item.source_smoothed_rate);
  if (!download || !upload) return null;
  let startMs: number | null = null;
  let endMs: number | null = null;
  if (item.from !== undefined || item.until !== undefined) {
    startMs = parseGmt(item.from);
    endMs = parseGmt(item.until);
    if (startMs === null || endMs === null || endMs <= startMs) return null;
  }
  return { name: item.name, ip, startMs, endMs, download, upload };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
