import { parseCidr, parseIPv4, parseIPv6 } from '../../src/net/ip';
import { PrefixIndex } from '../../src/net/prefix-index';

const p = (text: string) => {
  const prefix = parseCidr(text);
  if (!prefix) throw new Error(`bad cidr ${text}`);
  return prefix;
};
const bytes = (text: string) => {
  const out = new Uint8Array(16);
  if (!parseIPv6(text, out)) throw new Error(`bad v6 ${text}`);
  return out;
};

function indexOf(entries: Record<string, number>): PrefixIndex {
  const index = new PrefixIndex();
  for (const [cidr, value] of Object.entries(entries)) index.set(p(cidr), value);
  return index;
}

describe('PrefixIndex IPv4', () => {
  const index = indexOf({
    '0.0.0.0/0': 1,
    '10.0.0.0/8': 2,
    '10.1.0.0/16': 3,
    '10.1.2.0/24': 4,
    '10.1.2.3/32': 5,
    '192.0.2.0/30': 6,
  });

  it.each([
    ['10.1.2.3', 5, 32],
    ['10.1.2.4', 4, 24],
    ['10.1.3.1', 3, 16],
    ['10.200.0.1', 2, 8],
    ['11.0.0.1', 1, 0],
    ['192.0.2.3', 6, 30],
    ['192.0.2.4', 1, 0],
  ])('%s -> %d (/%d)', (address, value, length) => {
    expect(index.lookupV4(parseIPv4(address))).toBe(value);
    expect(index.matchedLength).toBe(length);
  });

  it('continues with shorter prefixes below maxLength', () => {
    const a = parseIPv4('10.1.2.3');
    expect(index.lookupV4(a, 31)).toBe(4);
    expect(index.lookupV4(a, 23)).toBe(3);
    expect(index.lookupV4(a, 7)).toBe(1);
  });

  it('handles 255.255.255.255/32 and 0.0.0.0/32 keys', () => {
    const i = indexOf({ '255.255.255.255/32': 7, '0.0.0.0/32': 8 });
    expect(i.lookupV4(0xffffffff)).toBe(7);
    expect(i.lookupV4(0)).toBe(8);
    expect(i.lookupV4(1)).toBeNull();
  });

  it('misses without a default route', () => {
    const i = indexOf({ '10.0.0.0/8': 1 });
    expect(i.lookupV4(parseIPv4('11.0.0.0'))).toBeNull();
  });

  it('replaces, gets and removes exact prefixes', () => {
    const i = indexOf({ '10.0.0.0/8': 1, '10.1.0.0/16': 2 });
    i.set(p('10.1.0.0/16'), 9);
    expect(i.size).toBe(2);
    expect(i.get(p('10.1.0.0/16'))).toBe(9);
    expect(i.get(p('10.1.0.0/17'))).toBeNull();
    expect(i.delete(p('10.1.0.0/16'))).toBe(true);
    expect(i.delete(p('10.1.0.0/16'))).toBe(false);
    expect(i.lookupV4(parseIPv4('10.1.0.1'))).toBe(1);
    expect(i.delete(p('10.0.0.0/8'))).toBe(true);
    expect(i.lookupV4(parseIPv4('10.1.0.1'))).toBeNull();
    expect(i.size).toBe(0);
  });

  it('survives growth and many removals (backward-shift deletion keeps probe runs intact)', () => {
    const i = new PrefixIndex();
    const n = 20000;
    // Keys that differ only in high bits collide in the hash's low-entropy region if hashing were naive.
    for (let k = 0; k < n; k++) i.set({ v6: false, w0: (k << 8) >>> 0, w1: 0, w2: 0, w3: 0, length: 24 }, k);
    for (let k = 0; k < n; k += 2) expect(i.delete({ v6: false, w0: (k << 8) >>> 0, w1: 0, w2: 0, w3: 0, length: 24 })).toBe(true);
    expect(i.size).toBe(n / 2);
    for (let k = 0; k < n; k++) expect(i.lookupV4(((k << 8) | 5) >>> 0)).toBe(k % 2 === 0 ? null : k);
  });
});

describe('PrefixIndex IPv6', () => {
  const index = indexOf({
    '::/0': 1,
    '2001:db8::/32': 2,
    '2001:db8:1::/48': 3,
    '2001:db8:1:100::/56': 4,
    '2001:db8:1:101::/64': 5,
    '2001:db8:1:101::1/128': 6,
    '10.0.0.0/8': 40,
  });

  it.each([
    ['2001:db8:1:101::1', 6, 128],
    ['2001:db8:1:101::2', 5, 64],
    ['2001:db8:1:1ff::1', 4, 56],
    ['2001:db8:1:200::1', 3, 48],
    ['2001:db8:2::1', 2, 32],
    ['2001:db9::1', 1, 0],
  ])('%s -> %d (/%d)', (address, value, length) => {
    expect(index.lookupV6(bytes(address))).toBe(value);
    expect(index.matchedLength).toBe(length);
  });

  it('looks IPv4-mapped addresses up as IPv4 (::/0 does not cover them)', () => {
    expect(index.lookupV6(bytes('::ffff:10.9.9.9'))).toBe(40);
    expect(index.lookupV6(bytes('::ffff:11.0.0.1'))).toBeNull();
    // Not mapped: ::10.9.9.9 (IPv4-compatible, deprecated) is an ordinary IPv6 address.
    expect(index.lookupV6(bytes('::10.9.9.9'))).toBe(1);
  });

  it('stores mapped prefixes as IPv4', () => {
    const i = indexOf({ '::ffff:192.0.2.0/120': 7 });
    expect(i.lookupV4(parseIPv4('192.0.2.9'))).toBe(7);
    expect(i.lookupV6(bytes('::ffff:192.0.2.9'))).toBe(7);
  });

  it('continues with shorter prefixes below maxLength', () => {
    const a = bytes('2001:db8:1:101::1');
    const w = (k: number) => ((a[k * 4] << 24) | (a[k * 4 + 1] << 16) | (a[k * 4 + 2] << 8) | a[k * 4 + 3]) >>> 0;
    expect(index.lookupV6Words(w(0), w(1), w(2), w(3), 127)).toBe(5);
    expect(index.lookupV6Words(w(0), w(1), w(2), w(3), 50)).toBe(3);
  });

  it('removes prefixes and falls back to the covering one', () => {
    const i = indexOf({ '2001:db8::/32': 1, '2001:db8:1::/48': 2, '2001:db8:1::/64': 3 });
    expect(i.delete(p('2001:db8:1::/48'))).toBe(true);
    expect(i.lookupV6(bytes('2001:db8:1::1'))).toBe(3);
    expect(i.lookupV6(bytes('2001:db8:1:1::1'))).toBe(1);
    expect(i.delete(p('2001:db8:1::/64'))).toBe(true);
    expect(i.delete(p('2001:db8::/32'))).toBe(true);
    expect(i.lookupV6(bytes('2001:db8:1::1'))).toBeNull();
  });

  it('keeps v4 and v6 keys apart', () => {
    const i = indexOf({ '10.0.0.0/8': 1 });
    // 0a00:: has the same first word as 10.0.0.0 but is another family.
    expect(i.lookupV6(bytes('a00::1'))).toBeNull();
  });

  it('survives growth and removals', () => {
    const i = new PrefixIndex();
    const n = 5000;
    const key = (k: number) => ({ v6: true, w0: 0x20010db8, w1: (k << 8) >>> 0, w2: 0, w3: 0, length: 56 });
    for (let k = 0; k < n; k++) i.set(key(k), k);
    for (let k = 0; k < n; k += 3) i.delete(key(k));
    for (let k = 0; k < n; k++) {
      expect(i.lookupV6Words(0x20010db8, ((k << 8) | 1) >>> 0, 5, 6)).toBe(k % 3 === 0 ? null : k);
    }
  });
});

describe('PrefixIndex.of and lookupAddress', () => {
  const index = PrefixIndex.of(['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', 'not a subnet', '10.1.0.0/16', '192.0.2.7']);

  it('values each subnet by its position, the first of duplicates winning, and skips text that does not parse', () => {
    expect(index.size).toBe(4);
    expect(index.get(p('10.1.0.0/16'))).toBe(1);
    expect(index.get(p('192.0.2.7/32'))).toBe(5);
  });

  it.each([
    ['10.1.2.3', 1],
    ['10.2.0.1', 0],
    ['::ffff:10.2.0.1', 0],
    ['2001:db8::1', 2],
    ['192.0.2.7', 5],
    ['192.0.2.8', null],
    ['fe80::1', null],
  ])('%s -> %p', (address, value) => {
    expect(index.lookupAddress(address)).toBe(value);
  });

  it('ignores the zone id a socket reports for link-local peers', () => {
    expect(PrefixIndex.of(['fe80::/10']).lookupAddress('fe80::1%eth0')).toBe(0);
  });

  it.each(['', 'nonsense', '10.1', '10.0.0.0/8', '%eth0'])('finds nothing for %p', (text) => {
    expect(index.lookupAddress(text)).toBeNull();
  });
});
