import { isStrictAddress } from '../../../net/ip';
import { parseByteCount, parseGmt } from '../gmt-time';

/**
 * The Preseem usage response this service supports. Preseem's billing usage endpoint is not
 * public; this is the shape we document and test against (see README / preseem.poller.ts):
 *
 *   GET <base_url><PRESEEM_USAGE_PATH>?start=<ISO 8601 Z>&end=<ISO 8601 Z>&page=<n>&limit=<m>
 *   Authorization: Basic base64("<api_key>:")
 *
 *   200 {
 *     "data": [
 *       { "account_id": "42",              // optional: billing account id (credited directly if it exists)
 *         "ip": "100.64.0.7",              // optional: subscriber address (attributed by IP)
 *         "start": "2026-11-25T22:00:00Z", // interval start, GMT
 *         "end":   "2026-11-25T22:15:00Z", // interval end (exclusive), GMT
 *         "download_bytes": 123456,        // bytes toward the subscriber during the interval (delta)
 *         "upload_bytes": "7890" }         // integer: JSON number (<= 2^53) or decimal string
 *     ],
 *     "paging": { "page": 1, "total_pages": 3 }   // optional: absent means one page
 *   }
 *
 * Aliases accepted: `service_id` for account_id, `ip_address` for ip, `bytes_down`/`bytes_up`.
 * A record with neither an id nor an address, bad times or bad counters is skipped and counted.
 */
export interface PreseemUsageRecord {
  accountId: string | null;
  ip: string | null;
  startMs: number;
  endMs: number;
  downloadBytes: bigint;
  uploadBytes: bigint;
}

export interface PreseemPage {
  records: PreseemUsageRecord[];
  invalid: number;
  totalPages: number;
}

export class PreseemShapeError extends Error {}

export function parsePreseemPage(body: unknown): PreseemPage {
  if (!isObject(body) || !Array.isArray(body.data)) {
    throw new PreseemShapeError('Preseem response has no "data" array');
  }
  let totalPages = 1;
  if (isObject(body.paging) && body.paging.total_pages !== undefined) {
    const t = Number(body.paging.total_pages);
    if (!Number.isInteger(t) || t < 0) throw new PreseemShapeError('Preseem response has a bad paging.total_pages');
    totalPages = t;
  }
  const records: PreseemUsageRecord[] = [];
  let invalid = 0;
  for (const item of body.data) {
    const record = parseRecord(item);
    if (record) records.push(record);
    else invalid++;
  }
  return { records, invalid, totalPages };
}

function parseRecord(item: unknown): PreseemUsageRecord | null {
  if (!isObject(item)) return null;
  const accountId = idText(item.account_id ?? item.service_id);
  const rawIp = item.ip ?? item.ip_address;
  // An address that is not one (a zone id too: PostgreSQL inet refuses it) is dropped: it could not
  // be stored or attributed. The id may still credit.
  const ip = typeof rawIp === 'string' && isStrictAddress(rawIp.trim()) ? rawIp.trim() : null;
  if (accountId === null && ip === null) return null;
  const startMs = parseGmt(item.start);
  const endMs = parseGmt(item.end);
  if (startMs === null || endMs === null || endMs <= startMs) return null;
  const downloadBytes = parseByteCount(item.download_bytes ?? item.bytes_down);
  const uploadBytes = parseByteCount(item.upload_bytes ?? item.bytes_up);
  if (downloadBytes === null || uploadBytes === null) return null;
  return { accountId, ip, startMs, endMs, downloadBytes, uploadBytes };
}

function idText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
