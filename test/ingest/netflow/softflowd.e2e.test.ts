import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UsageWriter } from '../../../src/usage/ledger';
import { NetflowComponent } from '../../../src/ingest/netflow/netflow.component';
import { startTestApp, TestApp } from '../../support/app';
import { describeWithPeers } from '../../support/peers';
import { SummingWriter } from './support/fakes';

/**
 * End to end with a real exporter, in the running service: accounts, IP assignments and the
 * NetFlow endpoint are created through GraphQL; attribution is the service's own; a scapy-written
 * pcap of subscriber traffic with known byte totals is replayed by softflowd (v9, IPFIX, sampled)
 * into the collector on an ephemeral port, and the credited totals per account must equal the
 * pcap's — both in the in-process writer view and in the ledger, read back through GraphQL
 * (`data_usage_totals`, `unattributed_usage`) after the service's own UsageWriter flushed.
 */
interface Expected {
  totals: Record<string, { in: number; out: number }>;
  unattributed: number;
  packets: number;
}

describeWithPeers('softflowd', 'scapy')('NetFlow collector fed by softflowd, in the running service', () => {
  let t: TestApp;
  let dir: string;
  let pcap: string;
  let expected: Expected;
  /** pcap subscriber number → account id in the database */
  const accounts: Record<string, string> = {};
  let endpointId: string;

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    // Retries: a kept-alive HTTP connection may have been closed by the server while the
    // pcap was being written (fetch then fails with "other side closed").
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let r: { errors?: unknown; data?: any } | undefined;
    for (let attempt = 1; !r; attempt++) {
      r = await t.gql(query, variables).catch((error) => {
        if (attempt >= 3) throw error;
        return undefined;
      });
    }
    expect(r.errors).toBeUndefined();
    return r.data;
  };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const status = (await gql(`mutation { createAccountStatus(input: {name: "Active"}) { id } }`)).createAccountStatus.id;
    const type = (await gql(`mutation { createAccountType(input: {name: "Residential"}) { id } }`)).createAccountType.id;
    const subnets: Record<string, string[]> = {
      '1': ['100.64.0.10/32'],
      '2': ['100.64.1.0/24'],
      '3': ['2001:db8:1::/64'],
      '4': ['2001:db8:2::7/128'],
    };
    for (const [n, list] of Object.entries(subnets)) {
      const id = (await gql(`mutation($s: Int64Bit!, $t: Int64Bit!) { createAccount(input: {name: "sub${n}", account_status_id: $s, account_type_id: $t}) { id } }`, { s: status, t: type })).createAccount.id;
      accounts[n] = id;
      for (const subnet of list) {
        await gql(`mutation($id: Int64Bit!, $subnet: SubnetScalar!) { createIpAssignment(input: {subnet: $subnet, ipassignmentable_type: Account, ipassignmentable_id: $id}) { id } }`, { id, subnet });
      }
    }
    endpointId = (await gql(`mutation { createNetflowEndpoint(input: {name: "lab"}) { id } }`)).createNetflowEndpoint.id;
    // The pcap's traffic starts just after the assignments above exist: attribution answers
    // "who held this address at that time".
    dir = mkdtempSync(path.join(tmpdir(), 'netflow-e2e-'));
    pcap = path.join(dir, 'traffic.pcap');
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'support/make-pcap.py'), pcap, String(Date.now() / 1000 + 1)], { encoding: 'utf8' });
    expected = JSON.parse(out.trim().split('\n').pop()!);
  }, 120_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  /** Expected totals keyed by database account id. */
  const want = () => Object.fromEntries(Object.entries(expected.totals).map(([n, v]) => [accounts[n], v]));

  type Totals = Record<string, { in: number; out: number }>;
  /** NetFlow totals per account in the ledger, read through GraphQL. */
  async function ledgerTotals(): Promise<Totals> {
    const out: Totals = {};
    const window = { s: new Date(Date.now() - 3_600_000).toISOString(), e: new Date(Date.now() + 3_600_000).toISOString() };
    for (const id of Object.values(accounts)) {
      const r = await gql(
        `query($id: Int64Bit!, $s: Datetime!, $e: Datetime!) { data_usage_totals(account_id: $id, start_datetime: $s, end_datetime: $e) { entities { data_source_parent data_source_identifier billable_in_bytes billable_out_bytes free_in_bytes free_out_bytes } } }`,
        { id, ...window },
      );
      for (const row of r.data_usage_totals.entities) {
        if (row.data_source_parent !== 'NetFlow') continue;
        expect(row.data_source_identifier).toBe('127.0.0.1');
        const t0 = (out[id] ??= { in: 0, out: 0 });
        t0.in += Number(row.billable_in_bytes) + Number(row.free_in_bytes);
        t0.out += Number(row.billable_out_bytes) + Number(row.free_out_bytes);
      }
    }
    return out;
  }
  const minus = (a: Totals, b: Totals): Totals =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, { in: v.in - (b[k]?.in ?? 0), out: v.out - (b[k]?.out ?? 0) }]).filter(([, v]) => (v as { in: number; out: number }).in || (v as { in: number; out: number }).out));
  async function unattributedOut(ip: string): Promise<number> {
    const r = await gql(`query($s: Datetime!, $e: Datetime!) { unattributed_usage(start_datetime: $s, end_datetime: $e, limit: 1000) { ip outbytes data_source_parent } }`, {
      s: new Date(Date.now() - 3_600_000).toISOString(),
      e: new Date(Date.now() + 3_600_000).toISOString(),
    });
    return r.unattributed_usage.filter((u: { ip: string; data_source_parent: string }) => u.ip === ip && u.data_source_parent === 'NetFlow').reduce((a: number, u: { outbytes: string }) => a + Number(u.outbytes), 0);
  }

  /** Replays the capture with softflowd into a fresh collector that writes to `writer`. */
  async function replay<W extends UsageWriter>(args: string[], writer: W) {
    const component = new NetflowComponent(t.app.services, { attribution: t.app.services.attribution, writer }, 0);
    await component.start();
    const collector = component.collector!;
    try {
      execFileSync('softflowd', ['-r', pcap, '-n', `127.0.0.1:${collector.port}`, '-d', '-m', '100000', ...args], { stdio: 'ignore', timeout: 30_000 });
      // softflowd has exited: everything is in the socket buffer or already queued.
      await new Promise((r) => setTimeout(r, 300));
      await collector.whenIdle();
    } finally {
      await component.stop(); // flushes the writer
    }
    return { writer, collector };
  }

  /** Replays into the service's own UsageWriter; returns what this replay added to the ledger. */
  async function replayIntoLedger(args: string[]) {
    const before = await ledgerTotals();
    const unBefore = await unattributedOut('100.64.9.9');
    const { collector } = await replay(args, t.app.services.usageWriter);
    return { added: minus(await ledgerTotals(), before), unattributed: (await unattributedOut('100.64.9.9')) - unBefore, collector };
  }

  const allow = async (subnet: string) => {
    const list = await gql(`query { netflow_allowed_subnets { entities { id } } }`);
    for (const e of list.netflow_allowed_subnets.entities) await gql(`mutation($id: Int64Bit!) { deleteNetflowAllowedSubnet(id: $id) { success } }`, { id: e.id });
    await gql(`mutation($id: Int64Bit!, $s: SubnetScalar!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: $s}) { id } }`, { id: endpointId, s: subnet });
  };

  it('an exporter not in any allowed subnet counts nothing, and is counted as dropped', async () => {
    await allow('192.0.2.0/24');
    const { writer, collector } = await replay(['-v', '9'], new SummingWriter());
    expect(writer.accounts.size).toBe(0);
    expect(writer.unattributed.size).toBe(0);
    expect(collector.global.unknownExporter).toBeGreaterThan(0);
    expect(collector.ingestStatus()[0].dropped.unknown_exporter).toBe(collector.global.unknownExporter);
  }, 60_000);

  it.each([
    ['NetFlow v9', ['-v', '9']],
    ['IPFIX', ['-v', '10']],
  ])('%s into the ledger: GraphQL data_usage_totals per account equal the pcap exactly', async (_name, args) => {
    await allow('127.0.0.0/8');
    const { added, unattributed, collector } = await replayIntoLedger(args);
    expect(added).toEqual(want());
    expect(unattributed).toBe(expected.unattributed);
    expect(collector.ingestStatus()[1].dropped).toEqual({});
  }, 90_000);

  it.each([
    ['NetFlow v9', ['-v', '9']],
    ['IPFIX', ['-v', '10']],
  ])('%s: per-account totals equal the pcap exactly (IPv4 and IPv6, /32, /24, /64, /128)', async (_name, args) => {
    await allow('127.0.0.0/8');
    const { writer, collector } = await replay(args, new SummingWriter());
    expect(writer.totals()).toEqual(want());
    expect(writer.sources).toEqual(new Set(['NetFlow|127.0.0.1']));
    // the unowned subscriber address is reported as unattributed, with exactly its bytes
    expect(Number(writer.unattributed.get('100.64.9.9')?.out)).toBe(expected.unattributed);
    const [, status] = collector.ingestStatus();
    expect(status.dropped).toEqual({});
    expect(status.estimatedLost).toBe(0);
    expect(status.details?.templates_missing).toBe(0);
  }, 60_000);

  it.each([
    ['NetFlow v9', ['-v', '9', '-s', '4']],
    ['IPFIX', ['-v', '10', '-s', '4']],
  ])('%s sampled 1-in-4: totals within the stated bound', async (_name, args) => {
    // softflowd announces its rate (4) in an options record sent with the first flows, so no
    // override is needed. Bound: each account has ~600-1200 packets of 28..1450 bytes; sampling
    // 1 in 4 of a shuffled stream leaves a relative standard error near sqrt(3/n) ≈ 5-7 %; we
    // allow 25 % (> 3.5 sigma) per account and direction and 10 % on the grand total.
    await allow('127.0.0.0/8');
    const { writer, collector } = await replay(args, new SummingWriter());
    expect(collector.ingestStatus()[1].details?.flows_without_sampling_rate).toBe(0);
    const got = writer.totals();
    let sumGot = 0;
    let sumWant = 0;
    for (const [account, w] of Object.entries(want())) {
      for (const d of ['in', 'out'] as const) {
        const g = got[account]?.[d] ?? 0;
        sumGot += g;
        sumWant += w[d];
        expect(Math.abs(g - w[d]) / w[d]).toBeLessThan(0.25);
      }
    }
    expect(Math.abs(sumGot - sumWant) / sumWant).toBeLessThan(0.1);
  }, 90_000);

  it('whitelist mode: only flows to or from whitelisted subnets count', async () => {
    await allow('127.0.0.0/8');
    await gql(`mutation($id: Int64Bit!) { updateNetflowEndpoint(id: $id, input: {whitelist_mode: true}) { id } }`, { id: endpointId });
    await gql(`mutation($id: Int64Bit!) { createNetflowWhitelist(input: {netflow_endpoint_id: $id, subnet: "100.64.1.0/24"}) { id } }`, { id: endpointId });
    const { writer } = await replay(['-v', '9'], new SummingWriter());
    expect(writer.totals()).toEqual({ [accounts['2']]: expected.totals['2'] });
  }, 60_000);
});
