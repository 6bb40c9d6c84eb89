/**
 * npm run bench:radius
 *
 * Durable Accounting-Requests per second (reply only after COMMIT) on PostgreSQL: this
 * service's in-process server vs FreeRADIUS 3 + rlm_sql (Debian packages) writing radacct to
 * the same PostgreSQL server, both driven by the same load generator (radius-load.ts).
 *
 * Env: BENCH_DATABASE_URL (default: the local server over its Unix socket,
 * postgresql://postgres@localhost/postgres?host=/var/run/postgresql, for both servers; a server
 * where databases can be created), BENCH_SESSIONS (default 20000), BENCH_INTERIMS (3),
 * BENCH_CONCURRENCY (1000), BENCH_FREERADIUS_THREADS (32), BENCH_LANES (2: our commit lanes; one per core is plenty).
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { RadiusAccountingServer } from '../../src/ingest/radius/radius-accounting.server';
import { RadiusAccountingStore } from '../../src/ingest/radius/radius-accounting.store';
import { RadiusClientRegistry } from '../../src/ingest/radius/radius-clients.registry';
import { createScratchDatabase } from '../support/database';
import { applyRadacctSchema, FreeRadius } from '../support/freeradius';
import { freeUdpPort, MapAttribution, TableLedger } from '../ingest/radius/radius-test-support';
import { LoadResult, runLoadInChild as runLoad } from './radius-load';
import { cpuSecondsOf } from './cpu-usage';
import { printStatementProfile } from './statement-profile';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@localhost/postgres?host=/var/run/postgresql';
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20_000);
const INTERIMS = Number(process.env.BENCH_INTERIMS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1000);
const FR_THREADS = Number(process.env.BENCH_FREERADIUS_THREADS ?? 32);
const LANES = Number(process.env.BENCH_LANES ?? 2);
const USERS = 5000;
const SECRET = 'bench-secret';


const perRequestUs = (cpuSeconds: number, r: LoadResult) => Math.round((cpuSeconds * 1e6) / r.requests);

function line(name: string, r: LoadResult): string {
  return `${name.padEnd(26)} ${r.requests.toString().padStart(8)} requests in ${r.seconds.toFixed(2).padStart(6)} s = ${Math.round(r.perSecond).toString().padStart(7)} req/s (retransmissions ${r.retransmissions})`;
}

async function benchOurs(): Promise<LoadResult> {
  const db = await createScratchDatabase(SERVER, 'bench_radius');
  const dataSource = createDataSource({ url: db.url, dataDir: 'unused' });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await TableLedger.createTable(dataSource);
  await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
  await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
  await dataSource.query(`INSERT INTO accounts (name, account_status_id, account_type_id) SELECT 'a' || g, 1, 1 FROM generate_series(0, ${USERS - 1}) g`);
  await dataSource.query(`INSERT INTO radius_accounts (account_id, username) SELECT id, 'user' || (id - 1) FROM accounts`);
  await dataSource.query(`INSERT INTO radius_clients (name, subnet, secret) VALUES ('bench', '127.0.0.0/8', $1)`, [SECRET]);
  const attribution = await new MapAttribution().loadRadiusAccounts(dataSource);
  const registry = new RadiusClientRegistry(dataSource);
  await registry.reload();
  const store = new RadiusAccountingStore(dataSource, attribution, await benchLedger());
  const server = new RadiusAccountingServer(
    { port: 0, host: '127.0.0.1', batchMax: 4000, lanes: LANES, queueMax: 100_000, replyCacheMs: 30_000, retryDelayMs: 500 },
    registry,
    store,
  );
  await server.start();
  const port = server.address().port;
  try {
    await runLoad({ host: '127.0.0.1', port, secret: SECRET, sessions: 500, interimsPerSession: INTERIMS, concurrency: CONCURRENCY, timeoutMs: 3000, runId: 'warm', users: USERS });
    const before = await totals(dataSource);
    const elu0 = performance.eventLoopUtilization();
    const pg0 = cpuSecondsOf('postgres');
    const cpu0 = process.cpuUsage();
    const result = await runLoad({ host: '127.0.0.1', port, secret: SECRET, sessions: SESSIONS, interimsPerSession: INTERIMS, concurrency: CONCURRENCY, timeoutMs: 3000, runId: 'run', users: USERS });
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const pg = cpuSecondsOf('postgres') - pg0;
    const after = await totals(dataSource);
    console.log(
      `  server process: event loop ${(elu.utilization * 100).toFixed(0)}% busy, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s over ${result.seconds.toFixed(1)} s; ` +
        `CPU per request: server ${perRequestUs((cpu.user + cpu.system) / 1e6, result)} µs, PostgreSQL ${perRequestUs(pg, result)} µs, ` +
        `load generator ${perRequestUs(result.generatorCpuSeconds, result)} µs`,
    );
    const okIn = after.in - before.in === result.expectedIn;
    const okOut = after.out - before.out === result.expectedOut;
    console.log(`  ledger: ${realLedger ? 'LedgerService (real)' : 'stand-in rows (LedgerService not in this tree)'}`);
    console.log(`  ledger check: download ${after.in - before.in} (expected ${result.expectedIn}) upload ${after.out - before.out} (expected ${result.expectedOut}) -> ${okIn && okOut ? 'EXACT' : 'MISMATCH'}`);
    console.log(`  batches ${server.metrics.batches}, avg ${(server.metrics.stored / Math.max(1, server.metrics.batches)).toFixed(0)} requests/transaction, retransmissions answered from cache ${server.metrics.retransmissions}, dropped ${server.metrics.droppedTotal()}`);
    if (!okIn || !okOut) process.exitCode = 1;
    printStatementProfile();
    return result;
  } finally {
    await server.stop();
    await dataSource.destroy();
    await db.drop();
  }
}

/** The real ledger (LedgerService) when it is in the tree, else a plain-rows stand-in. */
let realLedger = false;
async function benchLedger(): Promise<import('../../src/usage/ledger').Ledger> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { LedgerService } = require('../../src/usage/ledger.service');
    realLedger = true;
    return new LedgerService('UTC');
  } catch {
    return new TableLedger();
  }
}

async function totals(dataSource: import('typeorm').DataSource): Promise<{ in: bigint; out: bigint }> {
  const sql = realLedger
    ? `SELECT coalesce(sum(u.in_bytes + u.free_in_bytes),0)::text AS i, coalesce(sum(u.out_bytes + u.free_out_bytes),0)::text AS o
         FROM usage_5m u JOIN usage_sources s ON s.id = u.source_id WHERE s.parent = 'RADIUS'`
    : `SELECT coalesce(sum(in_bytes),0)::text AS i, coalesce(sum(out_bytes),0)::text AS o FROM test_usage`;
  const [row] = await dataSource.query(sql);
  return { in: BigInt(row.i), out: BigInt(row.o) };
}

async function benchFreeRadius(): Promise<LoadResult> {
  const db = await createScratchDatabase(SERVER, 'bench_radacct');
  await applyRadacctSchema(db.url);
  const port = await freeUdpPort();
  const freeradius = new FreeRadius({ acctPort: port, secret: SECRET, databaseUrl: db.url, threads: FR_THREADS });
  await freeradius.start();
  try {
    await runLoad({ host: '127.0.0.1', port, secret: SECRET, sessions: 500, interimsPerSession: INTERIMS, concurrency: CONCURRENCY, timeoutMs: 3000, runId: 'warm', users: USERS });
    const pg0 = cpuSecondsOf('postgres');
    const fr0 = cpuSecondsOf('freeradius');
    const result = await runLoad({ host: '127.0.0.1', port, secret: SECRET, sessions: SESSIONS, interimsPerSession: INTERIMS, concurrency: CONCURRENCY, timeoutMs: 3000, runId: 'run', users: USERS });
    const pg = cpuSecondsOf('postgres') - pg0;
    const fr = cpuSecondsOf('freeradius') - fr0;
    console.log(
      `  CPU per request: FreeRADIUS ${perRequestUs(fr, result)} µs, PostgreSQL ${perRequestUs(pg, result)} µs, load generator ${perRequestUs(result.generatorCpuSeconds, result)} µs`,
    );
    const radacct = new Client({ connectionString: db.url });
    await radacct.connect();
    const [check] = (await radacct.query(`SELECT count(*)::int AS n, sum(acctoutputoctets)::text AS o FROM radacct WHERE acctsessionid LIKE 'run-%'`)).rows;
    await radacct.end();
    console.log(`  radacct check: ${check.n} sessions (expected ${SESSIONS}), download ${check.o} (expected ${result.expectedIn}) -> ${BigInt(check.o ?? 0) === result.expectedIn ? 'EXACT' : 'MISMATCH'}`);
    return result;
  } finally {
    await freeradius.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const url = new URL(SERVER);
  console.log(`RADIUS accounting, durable (reply after COMMIT) on PostgreSQL ${url.searchParams.get('host') ?? url.host}`);
  console.log(`load: ${SESSIONS} sessions x (Start + ${INTERIMS} Interim + Stop) = ${SESSIONS * (INTERIMS + 2)} requests, ${CONCURRENCY} outstanding, same generator for both\n`);
  const ours = await benchOurs();
  console.log(line('usage-meter (this)', ours));
  if (process.env.BENCH_ONLY_OURS) return;
  const theirs = await benchFreeRadius();
  console.log(line(`FreeRADIUS + rlm_sql (${FR_THREADS} thr)`, theirs));
  console.log(`\nratio: ${(ours.perSecond / theirs.perSecond).toFixed(2)}x FreeRADIUS (goal >= 3x and >= 10000 req/s: ${ours.perSecond >= 10_000 && ours.perSecond >= 3 * theirs.perSecond ? 'met' : 'NOT met'})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
