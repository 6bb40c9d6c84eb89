/**
 * What a personal access token may do. Each scope includes the ones before it:
 * - `read`: every query (front ends, dashboards);
 * - `write`: read, plus the mutations on data and usage (middleware: accounts, devices, addresses,
 *   RADIUS logins, usage policies, top-offs, createDataUsages);
 * - `admin`: write, plus tokens, collectors (NetFlow, RADIUS clients, inline devices), Preseem and
 *   every other setting.
 * A token is stored with its highest scope; it holds that one and every scope below it.
 */
export const TokenScope = { read: 'read', write: 'write', admin: 'admin' } as const;
export type TokenScope = (typeof TokenScope)[keyof typeof TokenScope];

/** Lowest first: a scope includes every scope before it. */
export const TOKEN_SCOPES: readonly TokenScope[] = [TokenScope.read, TokenScope.write, TokenScope.admin];

export function isTokenScope(value: unknown): value is TokenScope {
  return TOKEN_SCOPES.includes(value as TokenScope);
}

/** The scopes a token whose highest scope is `highest` holds: that one and every scope below it. */
export function scopesUpTo(highest: TokenScope): TokenScope[] {
  return TOKEN_SCOPES.slice(0, TOKEN_SCOPES.indexOf(highest) + 1);
}

/** The highest of `scopes` (which is not empty). */
export function highestScope(scopes: readonly TokenScope[]): TokenScope {
  return TOKEN_SCOPES[Math.max(...scopes.map((scope) => TOKEN_SCOPES.indexOf(scope)))];
}
