import { lookup } from 'node:dns/promises';
import { isStrictAddress } from '../../net/ip';
import type { RadiusServerService } from '../../radius/radius-server.service';

/** The name a server created from RADACCT_DATABASE_URL gets (the operator may rename it). */
export const RADACCT_URL_SERVER_NAME = 'RADACCT_DATABASE_URL';

/**
 * RADACCT_DATABASE_URL, deprecated: the radacct import now runs per RadiusServer. The URL still
 * works as a bootstrap: at start it stands for the FREERADIUS_POSTGRESQL server with its host
 * (resolved to an address, a RadiusServer's ip_address), port, database, user and password,
 * which is created (collecting bandwidth) if no server has that address, port and database.
 * The configuration makes sure the URL names the host, the user and the database.
 */
export async function ensureRadacctUrlServer(url: string, servers: RadiusServerService): Promise<{ id: number }> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return servers.ensureImported({
    name: RADACCT_URL_SERVER_NAME,
    type: 'FREERADIUS_POSTGRESQL',
    ip_address: isStrictAddress(host) ? host : (await lookup(host)).address,
    port: Number(parsed.port || 5432),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password) || null,
  });
}
