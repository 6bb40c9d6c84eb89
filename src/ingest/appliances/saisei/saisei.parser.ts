import { isStrictAddress } from '../../../net/ip';
import { parseByteCount, parseGmt } from '../gmt-time';
import { ByteMeasure, parseRate } from './saisei-bytes';

/**
 * The SaiSei (FlowCommand) REST shape this service supports: the running configuration's
 * `users` collection, one object per subscriber named `User-<ip>`, with what each carried over
 * the requested interval:
 *
 *   GET http(s)://<ip>:<port 5000|5029>/rest/<system name, default stm>/configurations/running/users/
 *       ?select=name,from,until,dest_byte_count,source_byte_count,dest_smoothed_rate,source_smoothed_rate
 *       &from=HH:MM:SS_YYYYMMDD&until=HH:MM:SS_YYYYMMDD      (GMT)
 *       &start=<offset>&limit=<page size>
 *   Authorization: Basic base64("<username>:<password>")
 *
 *   200 { "size": 1234,                           // users matching (for paging; optional)
 *         "collection": [
 *           { "name": "User-192.168.11.3",
 *             "link": { "rel": "self", "href": "/rest/stm/configurations/running/users/User-192.168.11.3" },
 *             "from": "22:00:00_20261125",        // optional: the interval the figures cover
 *             "until": "22:05:00_20261125",       //   (GMT; ISO 8601 and epoch also read)
 *             "dest_byte_count": 46296262,        // bytes toward the subscriber (download) in the interval
 *             "source_byte_count": "450000",      // bytes from the subscriber (upload): number or decimal string
 *             "dest_smoothed_rate": 1234.5,       // kbit/s toward the subscriber, averaged over the interval
 *             "source_smoothed_rate": 12 } ] }    // kbit/s from the subscriber
 *
 * Per object and direction, a byte count wins; a device (or firmware) without byte counters
 * leaves them out (or null), and then the smoothed rate is integrated (saisei-bytes.ts). A
 * direction with neither, or with a malformed figure (a byte count that is negative, fractional or
 * past 2^63, a negative rate), makes the object invalid: skipped and counted, never guessed at.
 * An object without from/until covers the requested window. Objects not named User-<ip> are
 * skipped and counted.
 */
export interface SaiseiUserUsage {
  name: string;
  ip: string;
  /** Null: the requested window. */
  startMs: number | null;
  endMs: number | null;
  download: ByteMeasure;
  upload: ByteMeasure;
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
  const download = measureOf(item.dest_byte_count, item.dest_smoothed_rate);
  const upload = measureOf(item.source_byte_count, item.source_smoothed_rate);
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

/** The byte count when the object carries one (absent or null: the device has none), else the rate; null when unusable. */
function measureOf(byteCount: unknown, rate: unknown): ByteMeasure | null {
  if (byteCount !== undefined && byteCount !== null) {
    const bytes = parseByteCount(byteCount);
    return bytes === null ? null : { kind: 'counter', bytes };
  }
  const exact = parseRate(rate);
  return exact === null ? null : { kind: 'rate', rate: exact };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
