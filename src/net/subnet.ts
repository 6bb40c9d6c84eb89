import ipaddr from 'ipaddr.js';
import { badInput } from '../errors';

/**
 * Strict address and CIDR parsing shared by every layer (pure, no I/O).
 *
 * Policy (the contract lets us pick; we reject rather than guess):
 *  - a bare address means a single host: /32 (IPv4) or /128 (IPv6);
 *  - a subnet with host bits set (10.0.0.7/24) is REJECTED, with a message suggesting
 *    the network (10.0.0.0/24) or the host (10.0.0.7/32): silently widening or narrowing
 *    what someone typed would attribute traffic to the wrong account;
 *  - IPv4 is only the dotted four-part decimal form (no "10", no hex octets);
 *  - an IPv4-mapped IPv6 address (::ffff:10.0.0.1) is rejected: traffic arrives as IPv4,
 *    so such an assignment would never match; write the IPv4 address instead;
 *  - output is normalized: IPv4 dotted decimal, IPv6 in RFC 5952 compressed form, always with /len.
 */

export type IpFamily = 'ipv4' | 'ipv6';

export interface ParsedSubnet {
  family: IpFamily;
  /** Network address in canonical text. */
  network: string;
  prefixLength: number;
  /** `network/prefixLength` */
  cidr: string;
}

/** Parses one address strictly; null when it is not an IPv4 or IPv6 address. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const t = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return ipaddr.IPv4.parse(t);
  if (!t.includes('%') && t.includes(':') && ipaddr.IPv6.isValid(t)) return ipaddr.IPv6.parse(t);
  return null;
}

/** Parses a subnet (or bare address) under the policy above; throws BAD_USER_INPUT otherwise. */
export function parseSubnet(text: string, what = 'subnet'): ParsedSubnet {
  const raw = String(text ?? '').trim();
  const parts = raw.split('/');
  if (raw === '' || parts.length > 2) throw badInput(`${what} "${raw}" is not an IP address or a subnet in CIDR notation (e.g. 192.0.2.0/24)`);
  const address = parseAddress(parts[0]);
  if (!address) throw badInput(`${what} "${raw}" is not an IP address or a subnet in CIDR notation (e.g. 192.0.2.0/24)`);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    const v4 = (address as ipaddr.IPv6).toIPv4Address().toString();
    throw badInput(`${what} "${raw}" is an IPv4-mapped IPv6 address; write the IPv4 form instead (${v4}${parts[1] === undefined ? '' : '/' + Math.max(0, Number(parts[1]) - 96)})`);
  }
  const family: IpFamily = address.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  let prefixLength = max;
  if (parts.length === 2) {
    if (!/^\d{1,3}$/.test(parts[1]) || Number(parts[1]) > max) {
      throw badInput(`${what} "${raw}": the prefix length of an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} subnet must be 0..${max}`);
    }
    prefixLength = Number(parts[1]);
  }
  const network = networkOf(address, prefixLength);
  const host = address.toString();
  if (network !== host) {
    throw badInput(
      `${what} "${raw}" has host bits set; did you mean ${network}/${prefixLength} (the network) or ${host}/${max} (the single address)?`,
    );
  }
  return { family, network, prefixLength, cidr: `${network}/${prefixLength}` };
}

/** The normalized CIDR text of a valid subnet (see parseSubnet). */
export function normalizeSubnet(text: string, what?: string): string {
  return parseSubnet(text, what).cidr;
}

function networkOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefixLength: number): string {
  const bytes = address.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return ipaddr.fromByteArray(bytes).toString();
}
