import ipaddr from 'ipaddr.js';

/**
 * IP addresses and prefixes, for every layer (this folder imports nothing else from src/).
 *
 * The parsers are hand-written and allocation-light: attribution parses 100 000 subnets at start
 * and addresses on hot paths, NetFlow and RADIUS match exporters and NASes per datagram. The
 * normalizers at the end turn what a person typed into PostgreSQL's canonical text, or an Error
 * whose message a person can act on; they validate with the same parsers.
 */

/**
 * A prefix in one of two families. IPv4: `w0` is the address as an unsigned 32-bit integer.
 * IPv6: `w0..w3` are the four 32-bit words in network order. Host bits are always zero.
 */
export interface Prefix {
  v6: boolean;
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  length: number;
}

/** Dotted quad to an unsigned 32-bit integer; -1 when the text is not exactly a dotted quad. */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // No leading zeros ("010" is octal to some tools): reject rather than guess.
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * IPv6 text (with `::` and an optional trailing dotted quad) into 16 bytes; false when invalid.
 * Zone ids (`fe80::1%eth0`) are rejected: they never identify a subscriber.
 */
export function parseIPv6(text: string, out: Uint8Array, start = 0, end = text.length): boolean {
  // Up to 8 groups; `gap` is the group index where "::" was seen.
  const groups = scratchGroups;
  let count = 0;
  let gap = -1;
  let i = start;
  if (end - start < 2) return false;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      out.fill(0);
      return true;
    }
  }
  while (i < end) {
    // One group: hex digits, or a dotted quad as the last 32 bits.
    let j = i;
    let value = 0;
    while (j < end && j - i < 5) {
      const c = text.charCodeAt(j);
      const d = hexDigit(c);
      if (d < 0) break;
      value = value * 16 + d;
      j++;
    }
    if (j < end && text.charCodeAt(j) === 46) {
      const v4 = parseIPv4(text, i, end);
      if (v4 < 0 || count > 6) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (j === i || j - i > 4 || count >= 8) return false;
    groups[count++] = value;
    i = j;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false; // trailing single colon
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const zeros = 8 - count;
  let g = 0;
  for (let k = 0; k < 8; k++) {
    let v: number;
    if (gap >= 0 && k >= gap && k < gap + zeros) v = 0;
    else v = groups[g++];
    out[2 * k] = v >>> 8;
    out[2 * k + 1] = v & 0xff;
  }
  return true;
}

const scratchGroups = new Array<number>(8).fill(0);

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The 32-bit word `index` (0..3) of a 16-byte address, unsigned. */
export function wordOf(bytes: Uint8Array, index: number): number {
  const o = index * 4;
  return ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
}

/** ::ffff:a.b.c.d: an IPv4 address carried in IPv6 (dual-stack sockets, some exporters). */
export function isV4Mapped(bytes: Uint8Array): boolean {
  return (
    bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0 &&
    bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0 &&
    bytes[8] === 0 && bytes[9] === 0 && bytes[10] === 0xff && bytes[11] === 0xff
  );
}

/** Netmask of an IPv4 prefix length (0..32) as an unsigned integer. */
export function maskV4(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

const prefixBytes = new Uint8Array(16);

/**
 * "10.0.0.0/24", "2001:db8::/48", or a bare address (= /32 or /128) into a Prefix; null when
 * invalid. Host bits are cleared (PostgreSQL cidr never has any). An IPv6 prefix inside
 * ::ffff:0:0/96 with length >= 96 is the IPv4 prefix it maps, so `::ffff:10.0.0.0/120` and
 * `10.0.0.0/24` are the same key and mapped lookups find plain IPv4 assignments.
 */
export function parseCidr(text: string): Prefix | null {
  const slash = text.indexOf('/');
  const addrEnd = slash < 0 ? text.length : slash;
  let length = -1;
  if (slash >= 0) {
    const digits = text.length - slash - 1;
    if (digits < 1 || digits > 3) return null;
    length = 0;
    for (let i = slash + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      length = length * 10 + (c - 48);
    }
  }
  const v4 = parseIPv4(text, 0, addrEnd);
  if (v4 >= 0) {
    if (length < 0) length = 32;
    if (length > 32) return null;
    return { v6: false, w0: (v4 & maskV4(length)) >>> 0, w1: 0, w2: 0, w3: 0, length };
  }
  if (!parseIPv6(text, prefixBytes, 0, addrEnd)) return null;
  if (length < 0) length = 128;
  if (length > 128) return null;
  if (length >= 96 && isV4Mapped(prefixBytes)) {
    const v4Length = length - 96;
    return { v6: false, w0: (wordOf(prefixBytes, 3) & maskV4(v4Length)) >>> 0, w1: 0, w2: 0, w3: 0, length: v4Length };
  }
  const p: Prefix = { v6: true, w0: wordOf(prefixBytes, 0), w1: wordOf(prefixBytes, 1), w2: wordOf(prefixBytes, 2), w3: wordOf(prefixBytes, 3), length };
  p.w0 = (p.w0 & maskV4(clampBits(length, 0))) >>> 0;
  p.w1 = (p.w1 & maskV4(clampBits(length, 32))) >>> 0;
  p.w2 = (p.w2 & maskV4(clampBits(length, 64))) >>> 0;
  p.w3 = (p.w3 & maskV4(clampBits(length, 96))) >>> 0;
  return p;
}

/** How many bits of a prefix of `length` fall into the word starting at bit `offset`. */
function clampBits(length: number, offset: number): number {
  return Math.max(0, Math.min(32, length - offset));
}

export function formatIPv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** RFC 5952 text for 16 network-order bytes (the first longest run of zero groups compressed). */
export function formatIPv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Normalizes a socket's remote address: "::ffff:192.0.2.1" is the IPv4 peer 192.0.2.1. */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

// Normalizers for the API: validated by the parsers above, printed by ipaddr.js.

export function normalizeAddress(value: unknown): string {
  if (typeof value !== 'string' || !isStrictAddress(value.trim())) {
    throw new Error(`${JSON.stringify(value)} is not an IPv4 or IPv6 address`);
  }
  return format(ipaddr.parse(value.trim()));
}

/**
 * Exactly a dotted quad or an IPv6 address. Stricter than ipaddr.js, which also takes classful
 * shorthands ("10.1" = 10.0.0.1) and zone ids: an operator never means the first, and PostgreSQL
 * inet refuses the second.
 */
export function isStrictAddress(text: string): boolean {
  return parseIPv4(text) >= 0 || parseIPv6(text, strictBytes);
}

const strictBytes = new Uint8Array(16);

/** Canonical text, as PostgreSQL prints inet/cidr (RFC 5952; v4-mapped keeps the dotted quad). */
function format(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return `::ffff:${(address as ipaddr.IPv6).toIPv4Address().toString()}`;
  }
  return address.toString();
}

export function normalizeSubnet(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`${JSON.stringify(value)} is not a CIDR subnet`);
  const text = value.trim();
  if (!text.includes('/')) {
    const address = ipaddr.parse(assertAddress(text));
    return `${format(address)}/${address.kind() === 'ipv4' ? 32 : 128}`;
  }
  const slash = text.indexOf('/');
  if (!isStrictAddress(text.slice(0, slash)) || !/^\d{1,3}$/.test(text.slice(slash + 1)) || !ipaddr.isValidCIDR(text)) throw new Error(`${JSON.stringify(value)} is not a CIDR subnet (e.g. 10.0.0.0/24 or 2001:db8::/48)`);
  const [address, prefixLength] = ipaddr.parseCIDR(text);
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(text)
      : ipaddr.IPv6.networkAddressFromCIDR(text);
  if (network.toString() !== address.toString()) {
    const host = address.kind() === 'ipv4' ? 32 : 128;
    throw new Error(
      `${text} has host bits set: did you mean ${format(network)}/${prefixLength} or ${format(address)}/${host}?`,
    );
  }
  return `${format(address)}/${prefixLength}`;
}

function assertAddress(text: string): string {
  if (!isStrictAddress(text)) throw new Error(`${JSON.stringify(text)} is not an IPv4 or IPv6 address or CIDR subnet`);
  return text;
}
