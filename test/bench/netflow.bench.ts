/**
 * npm run bench:netflow — sustained NetFlow v9 records/s through the whole pipeline
 * (socket → decode → attribution → ledger writer → PostgreSQL) with zero loss.
 *
 * A separate Node process sends pre-built v9 datagrams (correct header count) at a fixed rate;
 * the collector runs here with an in-memory attribution index (100 000 subscribers in
 * 100.64.0.0/10) and a buffered writer doing set-based upserts into PostgreSQL.
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1/postgres), BENCH_RATE
 * (records/s, default 300000), BENCH_SECONDS (default 10), BENCH_RECORDS_PER_DATAGRAM (default 50).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import type { Attribution } from '../../src/attribution/attribution';
import type { UnattributedIncrement, UsageIncrement, UsageWriter } from '../../src/usage/ledger';
import { NetflowCollector } from '../../src/ingest/netflow/netflow.collector';
import { parseSubnet } from '../../src/ingest/netflow/subnet';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1/postgres';
const rate = Number(process.env.BENCH_RATE ?? 300_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const perDgram = Number(process.env.BENCH_RECORDS_PER_DATAGRAM ?? 50);
const SUBS = 100_000;

/** /32 per subscriber: a Map lookup, as the real longest-prefix index's hot path would be. */
class BenchAttribution implements Attribution {
  private readonly map = new Map<number, number>();
  constructor() {
    for (let i = 0; i < SUBS; i++) this.map.set((0x64400000 + i) >>> 0, i + 1);
  }
  accountForIPv4(a: number): number | null { return this.map.get(a) ?? null; }
  accountForIPv6(): number | null { return null; }
  accountForIp(): number | null { return null; }
  accountForUsername(): number | null { return null; }
}

/** Buffered writer: aggregates by (account, minute), flushes with one set-based upsert. */
class PgWriter implements UsageWriter {
  private buf = new Map<string, { a: number; b: number; i: bigint; o: bigint }>();
  private chain: Promise<void> = Promise.resolve();
  flushMs = 0;
  flushes = 0;
  constructor(private readonly db: Client) {}
  get pending(): number { return this.buf.size; }
  add(x: UsageIncrement): void {
    const bucket = Math.floor(x.timeMs / 60000) * 60;
    const k = `${x.accountId}|${bucket}`;
    const c = this.buf.get(k);
    if (c) { c.i += x.inBytes; c.o += x.outBytes; } else this.buf.set(k, { a: x.accountId, b: bucket, i: x.inBytes, o: x.outBytes });
  }
  addUnattributed(_x: UnattributedIncrement): void {}
  flush(): Promise<void> {
    const rows = [...this.buf.values()];
    this.buf = new Map();
    this.chain = this.chain.then(async () => {
      if (!rows.length) return;
      const t = performance.now();
      await this.db.query(
        `INSERT INTO bench_netflow_usage (account_id, bucket, in_bytes, out_bytes)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])
         ON CONFLICT (account_id, bucket) DO UPDATE SET in_bytes = bench_netflow_usage.in_bytes + EXCLUDED.in_bytes,
           out_bytes = bench_netflow_usage.out_bytes + EXCLUDED.out_bytes`,
        [rows.map((r) => r.a), rows.map((r) => r.b), rows.map((r) => r.i.toString()), rows.map((r) => r.o.toString())],
      );
      this.flushMs += performance.now() - t;
      this.flushes++;
    });
    return this.chain;
  }
}

async function main() {
  const db = new Client({ connectionString: url });
  await db.connect();
  await db.query('DROP TABLE IF EXISTS bench_netflow_usage');
  await db.query('CREATE UNLOGGED TABLE bench_netflow_usage (account_id bigint, bucket bigint, in_bytes numeric, out_bytes numeric, PRIMARY KEY (account_id, bucket))');
  const writer = new PgWriter(db);
  const collector = new NetflowCollector(
    {
      attribution: new BenchAttribution(),
      writer,
      settings: { load: async () => ({ endpoints: [{ id: 1, name: 'bench', whitelistMode: false, samplingRate: null, allowed: [parseSubnet('127.0.0.0/8')!], whitelist: [] }], packetLogic: [] }) },
    },
    { port: 0, host: '127.0.0.1' },
  );
  await collector.start();
  const timer = setInterval(() => void writer.flush(), 500);
  const cpu0 = process.cpuUsage();
  let peakRss = 0;
  const mem = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const datagrams = Math.round((rate * seconds) / perDgram);
  const t0 = performance.now();
  const sent = await new Promise<{ records: number; bytes: string; seconds: number }>((resolve, reject) =>
    execFile(process.execPath, [path.join(__dirname, 'netflow-sender.js'), String(collector.port), String(datagrams), String(perDgram), String(rate), String(SUBS)], (err, out) =>
      err ? reject(err) : resolve(JSON.parse(out)),
    ),
  );
  // Drain: wait until nothing more arrives (kernel buffer and queue empty for 500 ms).
  for (let last = -1; ; ) {
    await new Promise((r) => setTimeout(r, 500));
    await collector.whenIdle();
    const now = collector.global.received;
    if (now === last) break;
    last = now;
  }
  clearInterval(timer);
  await writer.flush();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(mem);
  const [row] = (await db.query('SELECT coalesce(sum(in_bytes + out_bytes), 0)::text AS total FROM bench_netflow_usage')).rows;
  const [st] = collector.ingestStatus();
  await collector.stop();
  await db.end();
  const records = st.details?.records ?? 0;
  console.log(JSON.stringify({
    offered_records_per_s: Math.round(sent.records / sent.seconds),
    records_sent: sent.records,
    records_decoded: records,
    lost_datagrams: st.estimatedLost,
    dropped: st.dropped,
    received_datagrams: st.received,
    queue_full: collector.global.queueFull,
    bytes_sent: sent.bytes,
    bytes_in_postgres: row.total,
    zero_loss: records === sent.records && row.total === sent.bytes,
    sustained_records_per_s: Math.round(records / sent.seconds),
    collector_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    cpu_us_per_record: +(((cpu.user + cpu.system) / Math.max(records, 1))).toFixed(3),
    ledger_flush_ms_total: Math.round(writer.flushMs),
    ledger_flushes: writer.flushes,
    wall_s: +wall.toFixed(2),
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
  }, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
