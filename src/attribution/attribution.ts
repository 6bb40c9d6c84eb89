/**
 * The one question every usage source asks: which account owned this address, or this
 * RADIUS username, at that moment? Implemented by AttributionService (attribution.service.ts);
 * ingesters depend on this interface only.
 *
 * Times are epoch milliseconds. Account ids are numbers (bigint ids, exact below 2^53).
 */
export interface Attribution {
  /** IPv4 address as an unsigned 32-bit integer (e.g. 10.0.0.1 = 0x0a000001). */
  accountForIPv4(address: number, atMs: number): number | null;
  /** IPv6 address as its 16 network-order bytes. */
  accountForIPv6(address: Uint8Array, atMs: number): number | null;
  /** Either family, as text ("192.0.2.7", "2001:db8::1"); null for unparsable input. */
  accountForIp(address: string, atMs: number): number | null;
  /** The account whose RadiusAccount had this username at that time. */
  accountForUsername(username: string, atMs: number): number | null;
  /**
   * Applies assignment changes committed so far (call it right AFTER committing a change, never
   * inside the transaction). Optional so in-test fakes need not implement it; changes made
   * elsewhere are picked up anyway within ATTRIBUTION_SYNC_INTERVAL_MS.
   */
  refresh?(): Promise<void>;
}

/** What RADIUS accounting asks besides: the RadiusAccount (its id) holding a username now, the owner of a session's soft IP assignments. */
export interface RadiusAccountOwners {
  radiusAccountForUsername(username: string): number | null;
}
