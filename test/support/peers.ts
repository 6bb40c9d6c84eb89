import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The real programs and servers some tests talk to ("peers"), which `npm ci` cannot bring. A test
 * that needs one runs when it is here; otherwise it is skipped and noted, and the run ends with one
 * summary of what was skipped and the `apt-get install` line that brings it (peers.global-teardown.ts).
 * Under REQUIRE_PEERS=1 (.ci/run) a missing peer fails the test file instead, so CI never skips silently.
 *
 *     describeWithPeers('radclient').each(testEngines())('RADIUS on %s', (engine) => { ... });
 *     itWithPeers('radclient')('credits what radclient sent', async () => { ... });
 */
export type Peer = 'radclient' | 'freeradius' | 'mariadb' | 'softflowd' | 'scapy' | 'chromium' | 'postgresql';

export interface PeerSpec {
  /** What it is, for the summary. */
  what: string;
  /** The Debian packages that bring it. */
  packages: string[];
  /** What else to do once installed, if anything. */
  then?: string;
  /** Why it is missing, or null when it is here. */
  missing(): string | null;
}

const FREERADIUS_MODULES = '/usr/lib/freeradius';

export const PEERS: Record<Peer, PeerSpec> = {
  radclient: {
    what: "FreeRADIUS's RADIUS client",
    packages: ['freeradius-utils'],
    missing: () => notOnPath('radclient'),
  },
  freeradius: {
    what: 'the FreeRADIUS 3 server, its PostgreSQL module rlm_sql_postgresql, and psql',
    packages: ['freeradius', 'freeradius-postgresql', 'postgresql-client'],
    missing: () =>
      notOnPath('freeradius') ??
      notOnPath('psql') ??
      missingFile('/etc/freeradius/3.0/radiusd.conf') ??
      missingFile(path.join(FREERADIUS_MODULES, 'rlm_sql_postgresql.so')),
  },
  mariadb: {
    what: "a MariaDB server on 127.0.0.1:3306 and FreeRADIUS's MySQL module rlm_sql_mysql",
    packages: ['mariadb-server', 'freeradius-mysql'],
    then: 'start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd)',
    missing: () => missingFile(path.join(FREERADIUS_MODULES, 'rlm_sql_mysql.so')) ?? notAnswering('127.0.0.1', 3306),
  },
  softflowd: {
    what: 'a NetFlow/IPFIX exporter',
    packages: ['softflowd'],
    missing: () => notOnPath('softflowd'),
  },
  scapy: {
    what: "scapy in Debian's python3, which writes the test captures",
    packages: ['python3-scapy'],
    missing: () => (spawnSync('/usr/bin/python3', ['-c', 'import scapy'], { stdio: 'ignore' }).status === 0 ? null : '/usr/bin/python3 cannot import scapy'),
  },
  chromium: {
    what: 'the browser that the browser tests drive with playwright-core',
    packages: ['chromium'],
    missing: () => missingFile(chromiumPath()),
  },
  postgresql: {
    what: 'a PostgreSQL server, where every integration test runs as well as on PGlite',
    packages: ['postgresql'],
    then: 'set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres',
    missing: () => (process.env.TEST_DATABASE_URL ? null : 'TEST_DATABASE_URL is not set'),
  },
};

/** Where the browser tests find Chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Whether every peer named is here; a missing one is noted for the summary, or throws under REQUIRE_PEERS=1. */
export function hasPeers(...peers: Peer[]): boolean {
  const missing = peers.map((peer) => [peer, whyMissing(peer)] as const).filter(([, why]) => why !== null);
  if (missing.length === 0) return true;
  const required = process.env.REQUIRE_PEERS === '1';
  for (const [peer, why] of missing) note({ peer, why: why!, testPath: currentTestPath(), failed: required });
  if (required) {
    const lines = missing.map(([peer, why]) => `  ${peer} (${why}): apt-get install -y ${PEERS[peer].packages.join(' ')}`);
    throw new Error(`REQUIRE_PEERS=1, and this test file needs what is missing:\n${lines.join('\n')}`);
  }
  return false;
}

/** `describe` when every peer named is here, else `describe.skip` (see hasPeers). */
export function describeWithPeers(...peers: Peer[]): jest.Describe {
  return hasPeers(...peers) ? describe : describe.skip;
}

/** `it` when every peer named is here, else `it.skip` (see hasPeers). */
export function itWithPeers(...peers: Peer[]): jest.It {
  return hasPeers(...peers) ? it : it.skip;
}

/** One line of the run's record of missing peers (read by peers.global-teardown.ts). */
export interface MissingPeerNote {
  peer: Peer;
  why: string;
  testPath: string;
  /** REQUIRE_PEERS=1: the test file failed rather than skipped. */
  failed: boolean;
}

/** The record's file, made for each run by peers.global-setup.ts. */
export const NOTES_VARIABLE = 'USAGE_METER_MISSING_PEERS_FILE';

const checked = new Map<Peer, string | null>();

function whyMissing(peer: Peer): string | null {
  if (!checked.has(peer)) checked.set(peer, PEERS[peer].missing());
  return checked.get(peer)!;
}

function note(entry: MissingPeerNote): void {
  const file = process.env[NOTES_VARIABLE];
  // Test files run in several worker processes at once: each line is one small append.
  if (file) appendFileSync(file, JSON.stringify(entry) + '\n');
}

function currentTestPath(): string {
  return (typeof expect === 'undefined' ? undefined : expect.getState().testPath) ?? '(outside a test file)';
}

function notOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return null;
    } catch {
      // not in this directory
    }
  }
  return `${command} is not on PATH`;
}

function missingFile(file: string): string | null {
  return existsSync(file) ? null : `${file} does not exist`;
}

/**
 * Null when a server greets a TCP client on host:port within 3 s (MariaDB, like MySQL, speaks first),
 * else why not. Checked in a child process: test files are loaded synchronously.
 */
export function notAnswering(host: string, port: number): string | null {
  const probe = `require('node:net').connect(${port}, '${host}').once('data', () => process.exit(0)).once('error', () => process.exit(1))`;
  const { status } = spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore', timeout: 3000 });
  return status === 0 ? null : `nothing answers on ${host}:${port}`;
}
