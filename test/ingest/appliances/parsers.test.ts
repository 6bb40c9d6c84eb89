import { formatSaiseiTime, parseByteCount, parseGmt } from '../../../src/ingest/appliances/gmt-time';
import { parsePreseemPage, PreseemShapeError } from '../../../src/ingest/appliances/preseem/preseem.parser';
import { ipOfUserName, parseSaiseiPage, SaiseiShapeError } from '../../../src/ingest/appliances/saisei/saisei.parser';

const T = Date.UTC(2026, 10, 25, 22, 5, 0);

describe('GMT times', () => {
  it('reads every form the appliances print, as GMT unless an offset says otherwise', () => {
    for (const text of ['2026-11-25T22:05:00Z', '2026-11-25T22:05:00', '2026-11-25 22:05:00', '22:05:00_20261125', '2026-11-25T23:05:00+01:00', '2026-11-25T17:05:00-0500', '2026-11-25 22:05:00 GMT']) {
      expect([text, parseGmt(text)]).toEqual([text, T]);
    }
    expect(parseGmt(T)).toBe(T);
    expect(parseGmt(T / 1000)).toBe(T);
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '', null, {}, -1]) expect(parseGmt(bad)).toBeNull();
    expect(formatSaiseiTime(T)).toBe('22:05:00_20261125');
  });

  it('reads byte counts exactly or not at all', () => {
    expect(parseByteCount(0)).toBe(0n);
    expect(parseByteCount('18446744073709551')).toBe(18446744073709551n);
    expect(parseByteCount('9223372036854775807')).toBe(9223372036854775807n);
    for (const bad of [-1, 1.5, 2 ** 53 + 2, '9223372036854775808', '1e3', '', null]) expect(parseByteCount(bad)).toBeNull();
  });
});

describe('Preseem page', () => {
  it('accepts the documented fields and aliases, and counts what it skips', () => {
    const page = parsePreseemPage({
      data: [
        { account_id: 42, start: '2026-11-25T22:00:00Z', end: '2026-11-25T22:15:00Z', download_bytes: 1, upload_bytes: '2' },
        { service_id: 'abc', ip_address: '2001:db8::1', start: '2026-11-25T22:00:00Z', end: '2026-11-25T22:15:00Z', bytes_down: 3, bytes_up: 4 },
        { account_id: '7', ip: 'not-an-ip', start: '2026-11-25T22:00:00Z', end: '2026-11-25T22:15:00Z', download_bytes: 5, upload_bytes: 6 },
        { ip: 'not-an-ip', start: '2026-11-25T22:00:00Z', end: '2026-11-25T22:15:00Z', download_bytes: 5, upload_bytes: 6 },
        { account_id: 1, start: '2026-11-25T22:15:00Z', end: '2026-11-25T22:00:00Z', download_bytes: 1, upload_bytes: 1 },
        { account_id: 1, start: '2026-11-25T22:00:00Z', end: '2026-11-25T22:15:00Z', download_bytes: -1, upload_bytes: 1 },
        'junk',
      ],
      paging: { page: 1, total_pages: 2 },
    });
    expect(page.totalPages).toBe(2);
    expect(page.invalid).toBe(4);
    expect(page.records.map((r) => [r.accountId, r.ip, r.downloadBytes, r.uploadBytes])).toEqual([
      ['42', null, 1n, 2n],
      ['abc', '2001:db8::1', 3n, 4n],
      ['7', null, 5n, 6n],
    ]);
  });

  it('drops an address with a zone id (PostgreSQL inet refuses it): the record is skipped and counted, or credits by its id', () => {
    const times = { start: '2026-11-25T22:00:00Z', end: '2026-11-25T22:15:00Z', download_bytes: 1, upload_bytes: 1 };
    const page = parsePreseemPage({ data: [{ ip: 'fe80::1%eth0', ...times }, { account_id: '7', ip: 'fe80::1%eth0', ...times }, { ip: 'fe80::1', ...times }] });
    expect(page.invalid).toBe(1);
    expect(page.records.map((r) => [r.accountId, r.ip])).toEqual([['7', null], [null, 'fe80::1']]);
  });

  it('refuses a response without a data array', () => {
    expect(() => parsePreseemPage({ items: [] })).toThrow(PreseemShapeError);
    expect(() => parsePreseemPage([])).toThrow(PreseemShapeError);
    expect(() => parsePreseemPage({ data: [], paging: { total_pages: 'x' } })).toThrow(PreseemShapeError);
  });
});

describe('SaiSei page', () => {
  it('reads User-<ip> objects with exact rates and optional intervals', () => {
    const page = parseSaiseiPage({
      size: 5,
      collection: [
        { name: 'User-10.0.0.1', dest_smoothed_rate: 1.5, source_smoothed_rate: 0 },
        { name: 'User-2001:db8::7', from: '22:00:00_20261125', until: '22:05:00_20261125', dest_smoothed_rate: '3', source_smoothed_rate: 4 },
        { name: 'User-10.0.0.2', from: '22:05:00_20261125', until: '22:00:00_20261125', dest_smoothed_rate: 1, source_smoothed_rate: 1 },
        { name: 'Host-10.0.0.3', dest_smoothed_rate: 1, source_smoothed_rate: 1 },
        { name: 'User-10.0.0.4', dest_smoothed_rate: null, source_smoothed_rate: 1 },
      ],
    });
    expect(page).toMatchObject({ count: 5, size: 5, invalid: 3 });
    expect(page.users.map((u) => [u.ip, u.startMs, u.endMs, u.download, u.upload])).toEqual([
      ['10.0.0.1', null, null, { kind: 'rate', rate: { units: 15n, scale: 1 } }, { kind: 'rate', rate: { units: 0n, scale: 0 } }],
      ['2001:db8::7', T - 300_000, T, { kind: 'rate', rate: { units: 3n, scale: 0 } }, { kind: 'rate', rate: { units: 4n, scale: 0 } }],
    ]);
    expect(ipOfUserName('User-300.1.1.1')).toBeNull();
  });

  it('prefers byte counts per direction, integrates the rate where the device has no counter, and never guesses at a bad one', () => {
    const page = parseSaiseiPage({
      collection: [
        { name: 'User-10.0.0.1', dest_byte_count: 46296262, source_byte_count: '9223372036854775807', dest_smoothed_rate: 1, source_smoothed_rate: 1 },
        { name: 'User-10.0.0.2', dest_byte_count: 5, dest_smoothed_rate: 1, source_smoothed_rate: 0.5 }, // no upload counter: its rate
        { name: 'User-10.0.0.3', dest_byte_count: null, source_byte_count: null, dest_smoothed_rate: 2, source_smoothed_rate: 3 },
        { name: 'User-10.0.0.4', dest_byte_count: -1, source_byte_count: 1, dest_smoothed_rate: 1, source_smoothed_rate: 1 },
        { name: 'User-10.0.0.5', dest_byte_count: 1.5, source_byte_count: 1, dest_smoothed_rate: 1, source_smoothed_rate: 1 },
        { name: 'User-10.0.0.6', dest_byte_count: '9223372036854775808', source_byte_count: 1 },
        { name: 'User-10.0.0.7', dest_byte_count: 2 ** 53 + 2, source_byte_count: 1 }, // past 2^53 as a JSON number: not exact
        { name: 'User-10.0.0.8', dest_byte_count: 1 }, // no upload figure at all
      ],
    });
    expect(page).toMatchObject({ count: 8, invalid: 5 });
    expect(page.users.map((u) => [u.ip, u.download, u.upload])).toEqual([
      ['10.0.0.1', { kind: 'counter', bytes: 46296262n }, { kind: 'counter', bytes: 9223372036854775807n }],
      ['10.0.0.2', { kind: 'counter', bytes: 5n }, { kind: 'rate', rate: { units: 5n, scale: 1 } }],
      ['10.0.0.3', { kind: 'rate', rate: { units: 2n, scale: 0 } }, { kind: 'rate', rate: { units: 3n, scale: 0 } }],
    ]);
  });

  it('skips and counts a User-<ip> whose address has a zone id (PostgreSQL inet refuses it)', () => {
    const page = parseSaiseiPage({
      collection: [
        { name: 'User-fe80::1%eth0', dest_smoothed_rate: 1, source_smoothed_rate: 1 },
        { name: 'User-fe80::1', dest_smoothed_rate: 1, source_smoothed_rate: 1 },
      ],
    });
    expect(page).toMatchObject({ count: 2, invalid: 1 });
    expect(page.users.map((u) => u.ip)).toEqual(['fe80::1']);
    expect(ipOfUserName('User-fe80::1%eth0')).toBeNull();
  });

  it('refuses a response without a collection', () => {
    expect(() => parseSaiseiPage({ users: [] })).toThrow(SaiseiShapeError);
    expect(() => parseSaiseiPage({ collection: [], size: -1 })).toThrow(SaiseiShapeError);
  });
});
