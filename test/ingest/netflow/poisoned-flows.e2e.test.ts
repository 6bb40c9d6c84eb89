import dgram from 'node:dgram';
import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';
import { seededRandom } from '../../support/seeded-random';
import { freeUdpPort } from '../radius/radius-test-support';
import { expectEventually } from '../appliances/support';
import { fixture, fixtureNames, pcapDatagrams } from './fixtures';
import { dataSet, ip4, u32, v9Packet, v9Template } from './support/packets';

const SUBSCRIBER = '100.64.0.5';
const U32 = 0xffffffff;
// Template 300: src, dst, IN_BYTES, SAMPLING_INTERVAL (34) carried in the record.
const TEMPLATE = v9Template(300, [[8, 4], [12, 4], [1, 4], [34, 4]]);
const flow = (bytes: number, samplingInterval: number) => Buffer.concat([ip4(SUBSCRIBER), ip4('198.51.100.1'), u32(bytes), u32(samplingInterval)]);

/**
 * The service as it runs, its own collector on a real UDP socket, its own attribution, buffered
 * writer and ledger: a record no exporter could mean (2^32−1 octets at a sampling interval of
 * 2^32−1, 1.8e19 bytes) and 100 000 fuzzed datagrams must neither stop later usage from being
 * stored nor crash anything. Before the edge check, the first alone made every later flush fail.
 */
describe.each(testEngines())('poisoned and fuzzed flows into the running service on %s', (engine) => {
  let t: TestApp;
  let accountId: string;
  let port: number;
  let sequence = 0;
  const socket = dgram.createSocket('udp4');

  const send = (datagram: Buffer) => new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  /** A v9 datagram whose flows happened just now (export time = now, no time fields). */
  const v9 = (...flowsets: Buffer[]) => v9Packet({ seq: sequence++, secs: Math.floor(Date.now() / 1000) }, ...flowsets);

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.gql(query, variables);
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  /** NetFlow bytes credited to the subscriber's account, read through GraphQL. */
  const credited = async () => {
    const data = await gql(
      `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) { data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) {
         entities { data_source_parent billable_in_bytes billable_out_bytes free_in_bytes free_out_bytes } } }`,
      { a: accountId, s: new Date(Date.now() - 3_600_000).toISOString(), e: new Date(Date.now() + 3_600_000).toISOString() },
    );
    const rows = data.data_usage_totals.entities.filter((r: { data_source_parent: string }) => r.data_source_parent === 'NetFlow');
    const sum = (field: string) => rows.reduce((total: bigint, r: Record<string, string>) => total + BigInt(r[field]), 0n);
    return { in: sum('billable_in_bytes') + sum('free_in_bytes'), out: sum('billable_out_bytes') + sum('free_out_bytes') };
  };
  const exporterRow = async () => {
    const data = await gql(`{ ingest_status { data_source_parent data_source_identifier received dropped { name count } } }`);
    return data.ingest_status.find((r: { data_source_identifier: string }) => r.data_source_identifier === '127.0.0.1');
  };
  const quarantine = async () =>
    (await gql(`{ usage_quarantine(paginator: {page: 1, records_per_page: 100}) { entities { kind data_source_parent in_bytes out_bytes reason sql_state } page_info { total_count } } }`))
      .usage_quarantine;
  const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
  const writer = () => t.app.services.usageWriter;

  beforeAll(async () => {
    port = await freeUdpPort();
    t = await startTestApp(engine, { NETFLOW_PORT: String(port), NETFLOW_HOST: '127.0.0.1', LEDGER_FLUSH_INTERVAL_MS: '100' });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const status = (await gql(`mutation { createAccountStatus(input: {name: "Active"}) { id } }`)).createAccountStatus.id;
    const type = (await gql(`mutation { createAccountType(input: {name: "Residential"}) { id } }`)).createAccountType.id;
    accountId = (await gql(`mutation($s: Int64Bit!, $t: Int64Bit!) { createAccount(input: {name: "sub", account_status_id: $s, account_type_id: $t}) { id } }`, { s: status, t: type }))
      .createAccount.id;
    await gql(`mutation($id: Int64Bit!) { createIpAssignment(input: {subnet: "${SUBSCRIBER}/32", ipassignmentable_type: Account, ipassignmentable_id: $id}) { id } }`, { id: accountId });
    const endpoint = (await gql(`mutation { createNetflowEndpoint(input: {name: "lab"}) { id } }`)).createNetflowEndpoint.id;
    await gql(`mutation($id: Int64Bit!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: "127.0.0.0/8"}) { id } }`, { id: endpoint });
    // The collector reloads its exporters when an endpoint changes: a first datagram shows when it has.
    await expectEventually(async () => {
      await send(v9(TEMPLATE));
      expect(await exporterRow()).toBeDefined();
    });
    // Flows are credited from the export time on: let it pass the assignment's creation.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }, 120_000);

  afterAll(async () => {
    socket.close();
    await t?.stop();
  });

  it('the crafted record is dropped and counted; the valid flow after it is credited exactly; the writer empties', async () => {
    const before = await credited();
    await send(v9(TEMPLATE, dataSet(300, [flow(U32, U32)])));
    await send(v9(dataSet(300, [flow(1234, 1)])));
    await expectEventually(async () => {
      expect(await credited()).toEqual({ in: before.in, out: before.out + 1234n });
      expect(writer().pending).toBe(0);
    });
    expect((await exporterRow()).dropped).toContainEqual({ name: 'implausible_bytes', count: '1' });
    expect(await metrics()).toContain('usage_meter_netflow_records_dropped_total{source="NetFlow",exporter="127.0.0.1",reason="implausible_bytes"} 1');
    // The edge check stopped it: the writer never saw it, nothing had to be set aside.
    expect((await quarantine()).page_info.total_count).toBe(0);
    expect(await metrics()).toContain('usage_ledger_flush_failures_total 0');
  });

  it('a row the database refuses in the running writer is set aside and shown; flows keep being credited', async () => {
    // As if a source without an edge check had handed the writer a row past bigint.
    writer().add({ accountId: Number(accountId), source: { parent: 'NetFlow', identifier: 'unchecked' }, timeMs: Date.now(), inBytes: 2n ** 63n, outBytes: 0n });
    const before = await credited();
    await send(v9(dataSet(300, [flow(999, 2)])));
    // The good rows of a refused batch are written first, then the refused one is set aside.
    await expectEventually(async () => {
      expect(await credited()).toEqual({ in: before.in, out: before.out + 1998n });
      expect(writer().pending).toBe(0);
      expect(await quarantine()).toEqual({
        entities: [{ kind: 'usage', data_source_parent: 'NetFlow', in_bytes: String(2n ** 63n), out_bytes: '0', reason: expect.stringMatching(/out of range/), sql_state: '22003' }],
        page_info: { total_count: 1 },
      });
    });
    expect(await metrics()).toContain('usage_meter_ledger_quarantined_rows_total{reason="numeric_value_out_of_range",source="NetFlow"} 1');
    expect(await metrics()).toContain('usage_ledger_flush_failures_total 0');
    // The usual list arguments: equality filters, search, general_search, sorter.
    const list = async (args: string) => (await gql(`{ usage_quarantine(${args}) { entities { data_source_identifier account_id } } }`)).usage_quarantine.entities;
    expect(await list(`sql_state: "22003", account_id: ${accountId}, sorter: [{attribute: "created_at", direction: DESC}]`)).toEqual([
      { data_source_identifier: 'unchecked', account_id: accountId },
    ]);
    expect(await list(`general_search: "OUT OF RANGE"`)).toHaveLength(1);
    expect(await list(`search: [{string_fields: [{attribute: "kind", search_value: "unattributed", match: true}]}]`)).toEqual([]);
    const unknown = await t.gql(`{ usage_quarantine(sorter: [{attribute: "in_bytes", direction: ASC}]) { entities { id } } }`);
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('100 000 fuzzed datagrams, then a valid flow: credited exactly, the writer empties, the service still answers', async () => {
    const corpus = fixtureNames().flatMap((n) => (n.endsWith('.pcap') ? pcapDatagrams(fixture(n)).map((d) => d.payload) : [fixture(n)]));
    corpus.push(v9(TEMPLATE, dataSet(300, [flow(U32, U32), flow(1000, 1)])));
    const rand = seededRandom(20261203); // a failure names its seed: the same 100 000 datagrams run again
    const byte = () => Math.floor(rand() * 256);
    const fuzzed = (): Buffer => {
      const kind = rand();
      if (kind < 0.1) return Buffer.from(Array.from({ length: Math.floor(rand() * 1500) }, byte)); // random
      const base = corpus[Math.floor(rand() * corpus.length)];
      let d = Buffer.from(base);
      if (kind < 0.55) for (let k = 1 + Math.floor(rand() * 8); k > 0; k--) d[Math.floor(rand() * d.length)] = byte();
      else if (kind < 0.7) d = d.subarray(0, Math.floor(rand() * d.length));
      else if (kind < 0.85) d.writeUInt16BE(rand() < 0.5 ? 0 : 0xffff, Math.floor(rand() * (d.length - 1)));
      else if (kind < 0.93) d.writeUInt32BE(U32, 4 * Math.floor(rand() * (d.length / 4 - 1))); // a field at its maximum
      else d = Buffer.concat([d, Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, byte))]);
      return d;
    };
    await t.app.services.dataSource.query(`DELETE FROM usage_quarantine`); // what the test before set aside on purpose
    const received = async () => Number((await exporterRow()).received);
    const start = await received();
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      await send(fuzzed());
      // Paced so the kernel's receive buffer never overflows: every datagram reaches the collector.
      if (i % 200 === 199) await expectEventually(async () => expect(await received()).toBe(start + i + 1), 60_000);
    }
    await expectEventually(async () => {
      expect(await received()).toBe(start + N);
      expect(writer().pending).toBe(0);
    }, 120_000);

    const before = await credited();
    await send(v9(TEMPLATE, dataSet(300, [flow(4321, 1)])));
    await expectEventually(async () => {
      expect(await credited()).toEqual({ in: before.in, out: before.out + 4321n });
      expect(writer().pending).toBe(0);
    });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const text = await metrics();
    expect(text).toContain('usage_ledger_flush_failures_total 0');
    // What the fuzz drove into the edge check was dropped there: nothing reached the database to be refused.
    expect((await quarantine()).page_info.total_count).toBe(0);
    const implausible = Number(/usage_meter_netflow_records_dropped_total\{source="NetFlow",exporter="127.0.0.1",reason="implausible_bytes"\} (\d+)/.exec(text)![1]);
    expect(implausible).toBeGreaterThan(1);
  }, 600_000);
});
