import ipaddr from 'ipaddr.js';

/**
 * Address and subnet parsing shared by the API and the ingesters. Pure functions; they
 * throw an Error whose message a person can act on.
 */

export function normalizeAddress(value: unknown): string {
  if (typeof value !== 'string' || !isStrictAddress(value.trim())) {
    throw new Error(`${JSON.stringify(value)} is not an IPv4 or IPv6 address`);
  }
  return format(ipaddr.parse(value.trim()));
}

/** ipaddr.js also accepts classful shorthands ("10.1" = 10.0.0.1); an operator never means those. */
export function isStrictAddress(text: string): boolean {
  return text.includes(':') ? ipaddr.IPv6.isValid(text) : ipaddr.IPv4.isValidFourPartDecimal(text);
}

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

export function ipFamily(addressOrSubnet: string): 4 | 6 {
  return addressOrSubnet.includes(':') ? 6 : 4;
}

function assertAddress(text: string): string {
  if (!isStrictAddress(text)) throw new Error(`${JSON.stringify(text)} is not an IPv4 or IPv6 address or CIDR subnet`);
  return text;
}
