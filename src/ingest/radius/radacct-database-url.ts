import { lookup } from 'node:dns/promises';
import { userInfo } from 'node:os';
import { isStrictAddress } from '../../net/ip';
import type { RadiusServerService } from '../../radius/radius-server.service';

/** The name a server created from RADACCT_DATABASE_URL gets (the operator may rename it). */
export const RADACCT_URL_SERVER_NAME = 'RADACCT_DATABASE_URL';

/**
 * RADACCT_DATABASE_URL, deprecated: the radacct import now runs per RadiusServer. The URL still
 * works as a bootstrap: at start it stands for the FREERADIUS_POSTGRESQL server with its host
 * (resolved to an address, a RadiusServer's ip_address), port, database, user and password,
 * which is created (collecting bandwidth) if no server has that address, port and database.
 * User and database default as libpq's do (PGUSER or the OS user; PGDATABASE or the user).
 */
export async function ensureRadacctUrlServer(url: string, servers: RadiusServerService): Promise<{ id: number }> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const username = decodeURIComponent(parsed.username) || process.env.PGUSER || userInfo().username;
  return servers.ensureImported({
    name: RADACCT_URL_SERVER_NAME,
    type: 'FREERADIUS_POSTGRESQL',
    ip_address: isStrictAddress(host) ? host : (await lookup(host)).address,
    port: Number(parsed.port || 5432),
    database: decodeURIComponent(parsed.pathname.slice(1)) || process.env.PGDATABASE || username,
    username,
    password: decodeURIComponent(parsed.password) || null,
  });
}
