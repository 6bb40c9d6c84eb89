import ipaddr from 'ipaddr.js';

/** A parsed CIDR, matched without allocating: v4 as u32 + mask, v6 as bytes + prefix length. */
export interface Subnet {
  text: string;
  family: 4 | 6;
  v4: number;
  mask4: number;
  v6: Uint8Array;
  prefix: number;
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address (/32, /128); null when unparsable. */
export function parseSubnet(text: string): Subnet | null {
  try {
    const [addr, prefix] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), -1];
    if (addr.kind() === 'ipv4') {
      const p = prefix < 0 ? 32 : prefix;
      const b = addr.toByteArray();
      const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
      return { text, family: 4, v4: (v & mask) >>> 0, mask4: mask, v6: new Uint8Array(16), prefix: p };
    }
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress() && prefix < 0) return parseSubnet(v6.toIPv4Address().toString());
    const p = prefix < 0 ? 128 : prefix;
    return { text, family: 6, v4: 0, mask4: 0, v6: Uint8Array.from(v6.toByteArray()), prefix: p };
  } catch {
    return null;
  }
}

export function containsV4(s: Subnet, a: number): boolean {
  return s.family === 4 && ((a & s.mask4) >>> 0) === s.v4;
}

export function containsV6(s: Subnet, a: Uint8Array): boolean {
  if (s.family !== 6) return false;
  let bits = s.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & m) !== (s.v6[i] & m)) return false;
  }
  return true;
}

/** Normalizes a socket's remote address: "::ffff:192.0.2.1" is the IPv4 exporter 192.0.2.1. */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function addressInAny(subnets: Subnet[], address: string): boolean {
  const s = parseSubnet(address);
  if (!s) return false;
  for (const n of subnets) {
    if (s.family === 4 ? containsV4(n, s.v4) : containsV6(n, s.v6)) return true;
  }
  return false;
}
