/**
 * Ledger benchmark on PostgreSQL (npm run bench:ledger). Creates a fresh database on
 * BENCH_DATABASE_URL's server (default: the local server over its Unix socket,
 * postgresql://postgres@localhost/postgres?host=/var/run/postgresql), runs the whole service on an
 * ephemeral port and measures, reads first (on exactly the seeded data), then writes:
 *   1-2. with 10 000 accounts x 30 days of 5-minute data (stored as the rollup leaves it: 5-minute
 *      buckets for the fine retention, hour buckets, then day buckets), data_usage_totals for one
 *      account over its billing period, p50/p99 over HTTP with 20 concurrent clients (goal p50 < 10 ms)
 *   3. the 100-account page with current-period usage (goal < 100 ms)
 *   4. createDataUsages samples/s through GraphQL over HTTP, batches of 1000 (goal >= 50 000/s)
 *   5. direct ledger bucket increments/s, what ingesters use (goal >= 300 000/s)
 * Prints figures; asserts nothing. BENCH_SCALE=0.1 for a quick run; BENCH_PARTS=api,record,writer,reads
 * (default: all) runs only some parts; BENCH_API_BATCHES (default 200) sets how many createDataUsages calls.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLoaders } from '../../src/graphql/loaders';
import { createLogger } from '../../src/logger';
import type { UsageIncrement } from '../../src/usage/ledger';
import { withCpuShare } from './cpu-usage';
import { runHttpLoad as runAutocannon } from './http-load';
import { createScratchDatabase } from '../support/database';
import { printStatementProfile } from './statement-profile';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@localhost/postgres?host=/var/run/postgresql';
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const PARTS = new Set((process.env.BENCH_PARTS ?? 'api,record,writer,reads').split(','));
const ACCOUNTS = Math.round(10_000 * SCALE);
const TOKEN = 'um_bench_token_000000000000000000000000000';
const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface HttpLoad {
  endpoint: string;
  clients: number;
  /** Request bodies (JSON strings), sent round-robin. */
  bodies: string[];
  total: number;
  /**
   * Optional: one list of bodies per client, each sent in order by its client (the counter samples
   * of one middleware's series, in time order); the clients run at once.
   */
  sequences?: string[][];
}

/**
 * The HTTP clients run in a worker thread, so their CPU does not queue behind the server's event
 * loop: a small bounded load loop (`clients` concurrent requests, back to back) with latencies.
 */
function httpLoad(job: HttpLoad): Promise<{ latencies: number[]; seconds: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function runHttpLoad(job: HttpLoad): Promise<{ latencies: number[]; seconds: number }> {
  // node:http with a keep-alive agent, not fetch: undici's fetch costs about twice the CPU per
  // request of the server under test, and on a 2-core machine the client's CPU is the server's.
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const send = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        job.endpoint,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${TOKEN}` },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            if (res.statusCode !== 200 || text.includes('"errors"') || text.includes('"success":false')) reject(new Error(text.slice(0, 300)));
            else resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  if (!job.sequences) return load(job.clients, job.total, (i) => send(job.bodies[i % job.bodies.length]));
  const started = performance.now();
  const latencies: number[] = [];
  await Promise.all(
    job.sequences.map(async (sequence) => {
      for (const body of sequence) {
        const t0 = performance.now();
        await send(body);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

/** A small bounded load loop: `clients` workers, each sending requests back to back. */
async function load(clients: number, total: number, request: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await request(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const database = await createScratchDatabase(SERVER, 'um_bench');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    BOOTSTRAP_API_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
    TZ: process.env.BENCH_TZ ?? 'America/New_York',
    LEDGER_ROLLUP_INTERVAL_MS: String(3_600_000),
  });
  const app = new App(config, createLogger(config.log.level));
  await app.start();
  const { dataSource, ledger } = app.services;
  const endpoint = `http://127.0.0.1:${app.http.port}/api/graphql`;
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  console.log(`ledger benchmark: database ${database.name}, ${ACCOUNTS} accounts, time zone ${config.timeZone}; load average ${require('node:os').loadavg().map((l: number) => l.toFixed(1)).join(' ')} on ${require('node:os').cpus().length} CPUs`);

  try {
    await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    await dataSource.query(
      `INSERT INTO accounts (name, account_status_id, account_type_id, bill_day)
       SELECT 'account ' || g, 1, 1, 1 + g % 28 FROM generate_series(1, $1) g`,
      [ACCOUNTS],
    );

    // 1. 30 days of 5-minute data for every account, as the rollup leaves it, in time order as
    // ingestion and the hourly rollup write it (so one account's rows are spread over the table).
    if (PARTS.has('reads')) {
      const t0 = performance.now();
      const fineHours = config.ledger.fineRetentionHours;
      const hourDays = config.ledger.hourlyRetentionDays;
      await dataSource.query(`INSERT INTO usage_sources (parent, identifier) VALUES ('RADIUS', 'nas-1') ON CONFLICT DO NOTHING`);
      const [{ id: src }] = await dataSource.query(`SELECT id FROM usage_sources WHERE parent = 'RADIUS'`);
      await dataSource.query(`SET timezone = '${config.timeZone}'`);
      const now = `date_trunc('hour', now())`;
      // 5-minute buckets for the fine retention.
      await dataSource.query(
        `INSERT INTO usage_5m (account_id, bucket, source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes)
         SELECT a, b, $1, 300000 + a, 30000 + a, 0, 0
           FROM generate_series(1, $2) a,
                generate_series(${now} - make_interval(hours => $3), ${now} - interval '5 minutes', interval '5 minutes') b
         ORDER BY b, a
         ON CONFLICT DO NOTHING`,
        [src, ACCOUNTS, fineHours],
      );
      // Hour buckets (12 x 5-minute) from the day cut-off to the fine cut-off.
      await dataSource.query(
        `INSERT INTO usage_1h (account_id, bucket, source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes)
         SELECT a, b, $1, 12 * (300000 + a), 12 * (30000 + a), 0, 0
           FROM generate_series(1, $2) a,
                generate_series(date_trunc('day', ${now} - make_interval(days => $4)), ${now} - make_interval(hours => $3) - interval '1 hour', interval '1 hour') b
         ORDER BY b, a
         ON CONFLICT DO NOTHING`,
        [src, ACCOUNTS, fineHours, hourDays],
      );
      // Day buckets for the rest of the 30 days.
      await dataSource.query(
        `INSERT INTO usage_1d (account_id, bucket, source_id, in_bytes, out_bytes, free_in_bytes, free_out_bytes)
         SELECT a, b, $1, 288 * (300000 + a), 288 * (30000 + a), 0, 0
           FROM generate_series(1, $2) a,
                generate_series(date_trunc('day', ${now} - interval '30 days'), date_trunc('day', ${now} - make_interval(days => $3)) - interval '1 day', interval '1 day') b
         ORDER BY b, a
         ON CONFLICT DO NOTHING`,
        [src, ACCOUNTS, hourDays],
      );
      await dataSource.query(`RESET timezone`);
      // Every account follows a 300 GB policy, so the page below computes real percentages.
      await dataSource.query(`INSERT INTO usage_based_billing_policies (name, cap_in_gigabytes) VALUES ('bench', 300)`);
      await dataSource.query(`UPDATE accounts SET usage_based_billing_policy_id = (SELECT max(id) FROM usage_based_billing_policies)`);
      await dataSource.query(`VACUUM ANALYZE usage_5m`);
      await dataSource.query(`VACUUM ANALYZE usage_1h`);
      await dataSource.query(`VACUUM ANALYZE usage_1d`);
      // The seed wrote about 1 GB of WAL in half a minute, which no ingestion does: without this,
      // the checkpoint it forces lands in the middle of the measurements below.
      await dataSource.query(`CHECKPOINT`);
      const [counts] = await dataSource.query(
        `SELECT (SELECT count(*) FROM usage_5m) AS fine, (SELECT count(*) FROM usage_1h) AS hour, (SELECT count(*) FROM usage_1d) AS day`,
      );
      console.log(
        `seeded 30 days x ${ACCOUNTS} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
          `${counts.fine} 5-minute rows, ${counts.hour} hour rows, ${counts.day} day rows`,
      );
    }

    // 2. data_usage_totals for one account over its current billing period, 20 concurrent clients.
    if (PARTS.has('reads')) {
      const query = `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) {
        data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) {
          entities { billable_in_bytes billable_out_bytes free_in_bytes free_out_bytes data_source_parent data_source_identifier } } }`;
      const accounts = Array.from({ length: 2000 }, () => 1 + Math.floor(Math.random() * ACCOUNTS));
      const periods = await app.services.usageReads.currentUsage([...new Set(accounts)]);
      const bodies = accounts.map((a) => {
        const p = periods.get(a)!.period;
        return JSON.stringify({ query, variables: { a: String(a), s: new Date(p.start).toISOString(), e: new Date(p.end).toISOString() } });
      });
      const check = await gql(query, JSON.parse(bodies[0]).variables);
      if (check.data_usage_totals.entities.length === 0) throw new Error('no usage found: the seed did not land in the period');
      await runAutocannon({ url: endpoint, token: TOKEN, connections: 20, bodies, amount: 500 }); // warm-up
      const { result: r, selfSeconds, postgresSeconds } = await withCpuShare(() => runAutocannon({ url: endpoint, token: TOKEN, connections: 20, bodies, amount: 10_000 }));
      const perRequest = (cpuSeconds: number) => ((cpuSeconds / r.requests) * 1000).toFixed(2);
      console.log(
        `data_usage_totals over HTTP (autocannon), 20 clients, ${r.requests} requests: p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
          `${Math.round(r.requestsPerSecond)} req/s (goal p50 < 10 ms); CPU per request: service ${perRequest(selfSeconds)} ms, ` +
          `PostgreSQL ${perRequest(postgresSeconds)} ms, load generator ${perRequest(r.clientCpuSeconds)} ms`,
      );
      printStatementProfile();
    }

    // 2b. The same reads measured inside PostgreSQL (EXPLAIN ANALYZE execution time): what the
    // queries cost without the HTTP stack and without waiting for a CPU on a busy machine.
    if (PARTS.has('reads')) {
      const manager = dataSource.manager;
      const original = manager.query.bind(manager);
      let captured: { sql: string; params: unknown[] }[] = [];
      (manager as { query: unknown }).query = async (sql: string, params: unknown[] = []) => {
        captured.push({ sql, params });
        return original(sql, params);
      };
      // Hot reads go to the pool directly, as named prepared statements (src/db/prepared-query.ts).
      const pool = (dataSource.driver as unknown as { master: { query: (config: { text: string; values: unknown[] }) => Promise<unknown> } }).master;
      const poolQuery = pool.query;
      pool.query = async (config: { text: string; values: unknown[] }) => {
        captured.push({ sql: config.text, params: config.values });
        return poolQuery.call(pool, config);
      };
      /** Sum of the execution times of every statement `run` issues. */
      const explain = async (run: () => Promise<unknown>): Promise<number> => {
        captured = [];
        await run();
        let total = 0;
        for (const { sql, params } of captured) {
          const [row] = await original(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
          const plan = row['QUERY PLAN'];
          total += (typeof plan === 'string' ? JSON.parse(plan) : plan)[0]['Execution Time'];
        }
        return total;
      };
      const totals: number[] = [];
      const pages: number[] = [];
      for (let k = 0; k < 40; k++) {
        const a = 1 + Math.floor(Math.random() * ACCOUNTS);
        const period = (await app.services.usageReads.currentUsage([a])).get(a)!.period;
        totals.push(await explain(() => app.services.usageReads.totals(a, period.start, period.end)));
        const ids = Array.from({ length: 100 }, (_, j) => ((k * 100 + j) % ACCOUNTS) + 1);
        pages.push(await explain(() => app.services.usageReads.currentUsage(ids)));
      }
      (manager as { query: unknown }).query = original;
      pool.query = poolQuery;
      totals.sort((x, y) => x - y);
      pages.sort((x, y) => x - y);
      console.log(
        `inside PostgreSQL: data_usage_totals query p50 ${percentile(totals, 50).toFixed(2)} ms p99 ${percentile(totals, 99).toFixed(2)} ms; ` +
          `100-account current usage (all 3 statements) p50 ${percentile(pages, 50).toFixed(2)} ms p99 ${percentile(pages, 99).toFixed(2)} ms`,
      );
    }

    // 3. A page of 100 accounts with current-period usage: the DataLoader path Account.data_usage_percentage uses.
    if (PARTS.has('reads')) {
      const times: number[] = [];
      for (let k = 0; k < 50; k++) {
        const ids = Array.from({ length: 100 }, (_, j) => ((k * 100 + j) % ACCOUNTS) + 1);
        const loaders = createLoaders(app.services);
        const t0 = performance.now();
        await Promise.all(ids.map((id) => loaders.currentUsage.load(id)));
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(
        `100-account page, current-period usage via the DataLoader (3 SQL statements): p50 ${percentile(times, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(times, 99).toFixed(2)} ms over ${times.length} pages (goal < 100 ms)`,
      );
      const pageQuery = `query($p: Int!) { accounts(paginator: { page: $p, records_per_page: 100 }) { entities { id bill_day data_usage_percentage } } }`;
      const bodies = Array.from({ length: 50 }, (_, k) => JSON.stringify({ query: pageQuery, variables: { p: 1 + (k % Math.max(1, Math.floor(ACCOUNTS / 100))) } }));
      const http = await httpLoad({ endpoint, clients: 1, bodies, total: 50 });
      console.log(
        `100-account page over HTTP (accounts + data_usage_percentage), 1 client: p50 ${percentile(http.latencies, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(http.latencies, 99).toFixed(2)} ms (goal < 100 ms)`,
      );
    }
    // 4. createDataUsages over HTTP: BENCH_API_CLIENTS (8) middleware clients, each pushing its own
    //    1000 series (its own data_source_identifier), one sample per series per batch, every batch
    //    5 minutes after its previous one.
    if (PARTS.has('api')) {
      const clients = Number(process.env.BENCH_API_CLIENTS ?? 8);
      const perBatch = Math.min(1000, ACCOUNTS);
      const batchesPerClient = Math.round(Number(process.env.BENCH_API_BATCHES ?? 200 * SCALE) / clients) || 3;
      const start = Date.now() - 30 * DAY;
      const mutation = `mutation($input: [CreateDataUsageMutationInput!]!) { createDataUsages(input: $input) { success message } }`;
      const batch = (client: number, round: number) => {
        const time = new Date(start + round * 300_000).toISOString();
        return Array.from({ length: perBatch }, (_, j) => {
          const account = ((client * perBatch + j) % ACCOUNTS) + 1;
          const counter = BigInt(round) * 1_000_000n + BigInt(account);
          return {
            time,
            inbytes: counter.toString(),
            outbytes: (counter / 10n).toString(),
            account_id: String(account),
            data_source_parent: 'Middleware',
            data_source_identifier: `middleware-${client}`,
          };
        });
      };
      const sequences = Array.from({ length: clients }, (_, c) =>
        Array.from({ length: batchesPerClient }, (_, round) => JSON.stringify({ query: mutation, variables: { input: batch(c, round) } })),
      );
      const { result, selfSeconds, postgresSeconds } = await withCpuShare(() => httpLoad({ endpoint, clients, bodies: [], total: 0, sequences }));
      const { seconds, latencies } = result;
      const samples = clients * batchesPerClient * perBatch;
      console.log(
        `createDataUsages over HTTP: ${samples} samples in ${clients * batchesPerClient} batches of ${perBatch}, ${clients} concurrent clients: ` +
          `${Math.round(samples / seconds)} samples/s (goal >= 50000); per call p50 ${percentile(latencies, 50).toFixed(0)} ms; ` +
          `CPU over ${seconds.toFixed(1)} s: service + HTTP clients ${selfSeconds.toFixed(1)} s, PostgreSQL ${postgresSeconds.toFixed(1)} s`,
      );
      printStatementProfile();
    }

    // 5. Direct ledger increments: batches of 20 000 (one flush of the buffered writer), 4 writers at once.
    if (PARTS.has('record')) {
      const perBatch = 20_000;
      const batches = Math.round(60 * SCALE) || 6;
      const base = Date.now() - 2 * DAY;
      const source = { parent: 'NetFlow', identifier: '192.0.2.1' };
      const make = (k: number): UsageIncrement[] =>
        Array.from({ length: perBatch }, (_, j) => {
          const n = k * perBatch + j;
          return {
            accountId: (n % ACCOUNTS) + 1,
            source,
            // Every account gets a new bucket each pass over the accounts; half the batches revisit buckets (updates).
            timeMs: base + Math.floor(n / ACCOUNTS / 2) * 300_000 + 1000,
            inBytes: BigInt(1000 + j),
            outBytes: BigInt(j),
          };
        });
      const work = Array.from({ length: batches }, (_, k) => make(k));
      let nextIdx = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (nextIdx < work.length) {
            const increments = work[nextIdx++];
            await dataSource.transaction((m) => ledger.record(m, increments));
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const total = perBatch * batches;
      console.log(
        `ledger.record direct: ${total} bucket increments in batches of ${perBatch}, 4 writers: ${Math.round(total / seconds)} increments/s (goal >= 300000)`,
      );
      printStatementProfile();
    }

    // 5b. The buffered writer as ingesters use it: add() per flow record, aggregated in memory by
    // (account, source, minute), flushed in batches. 5 minutes of traffic, 10 records per account-minute.
    if (PARTS.has('writer')) {
      const { BufferedUsageWriter } = await import('../../src/usage/usage-writer.service');
      const writer = new BufferedUsageWriter(dataSource, ledger, { flushIntervalMs: 1000, flushMaxRows: 20_000 });
      writer.start();
      const source = { parent: 'NetFlow', identifier: '192.0.2.2' };
      const base = Date.now() - DAY;
      const total = Math.round(2_000_000 * SCALE);
      const t0 = performance.now();
      for (let n = 0; n < total; n++) {
        writer.add({ accountId: (n % ACCOUNTS) + 1, source, timeMs: base + Math.floor(n / (ACCOUNTS * 10)) * 60_000 + (n % 60) * 1000, inBytes: 1500n, outBytes: 40n });
        if (writer.pending >= 40_000) await writer.flush();
      }
      await writer.stop();
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        `UsageWriter (add + flush, committed): ${total} increments -> ${Math.round(total / 10)} bucket rows: ${Math.round(total / seconds)} increments/s`,
      );
    }

    console.log(`load average at the end: ${require('node:os').loadavg().map((l: number) => l.toFixed(1)).join(' ')}`);
  } finally {
    await app.stop();
    if (!process.env.BENCH_KEEP_DB) await database.drop();
  }
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  runHttpLoad(workerData as HttpLoad).then((result) => parentPort!.postMessage(result));
}
