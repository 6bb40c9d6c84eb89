import { NetflowCollector } from '../../../src/ingest/netflow/netflow.collector';
import { NetflowSettings } from '../../../src/ingest/netflow/netflow.settings';
import { PrefixIndex } from '../../../src/net/prefix-index';
import { fixture } from './fixtures';
import { ListAttribution, SummingWriter } from './support/fakes';
import { dataSet, ip4, ipfixPacket, ipfixTemplate, u32, u64, v9OptionsTemplate, v9Packet, v9Template, varString } from './support/packets';

const PEN = 15397;
const ROUTER = '192.0.2.1';
const PL = '192.0.2.50';

function settings(over: Partial<NetflowSettings['endpoints'][number]> = {}): NetflowSettings {
  return {
    endpoints: [{ id: 1, name: 'core', whitelistMode: false, samplingRate: null, allowed: PrefixIndex.of(['192.0.2.0/28']), whitelist: new PrefixIndex(), ...over }],
    packetLogic: [{ name: 'pl-1', address: PL }],
  };
}

async function collector(s: NetflowSettings, attribution = new ListAttribution({ '100.64.0.0/24': 1, '100.64.1.7/32': 2, '138.44.161.14/32': 7, '2001:388:cf0a:6::2/128': 8 }, { alice: 3 }), opts = {}) {
  const writer = new SummingWriter();
  const c = new NetflowCollector({ attribution, writer, settings: { load: async () => s }, accountExists: (id) => id === 42 }, opts);
  await c.reloadSettings(); // no socket: datagrams are fed through enqueue()
  return { c, writer };
}

// v9 template 300: src, dst, bytes, sampler id, last switched
const TPL = v9Template(300, [[8, 4], [12, 4], [1, 4], [48, 1], [21, 4]]);
const rec = (src: string, dst: string, bytes: number, sampler = 0, last = 99_000) => Buffer.concat([ip4(src), ip4(dst), u32(bytes), Buffer.from([sampler]), u32(last)]);

describe('NetflowCollector', () => {
  it('attributes v9 flows: upload for an owned source, download for an owned destination, both, neither', async () => {
    const { c, writer } = await collector(settings());
    c.enqueue(v9Packet({ seq: 0 }, TPL, dataSet(300, [
      rec('100.64.0.5', '198.51.100.1', 1000),
      rec('198.51.100.1', '100.64.0.5', 5000),
      rec('100.64.0.5', '100.64.1.7', 300),
      rec('10.9.9.9', '198.51.100.1', 77),
    ])), ROUTER);
    await c.whenIdle();
    expect(writer.totals()).toEqual({ '1': { in: 5000, out: 1300 }, '2': { in: 300, out: 0 } });
    expect(Number(writer.unattributed.get('10.9.9.9')!.out)).toBe(77);
    expect(Number(writer.unattributed.get('198.51.100.1')!.in)).toBe(77);
    expect(writer.sources).toEqual(new Set(['NetFlow|192.0.2.1']));
    const [, st] = c.ingestStatus();
    expect([st.bytesAttributed, st.bytesUnattributed]).toEqual([6300n, 77n]);
  });

  it('time of a flow: export time minus (sysUptime - LAST_SWITCHED), across an uptime wrap', async () => {
    const times: number[] = [];
    const { c } = await collector(settings());
    const writer = { add: (i: { timeMs: number }) => times.push(i.timeMs), addUnattributed() {}, flush: async () => {}, pending: 0 };
    (c as unknown as { deps: { writer: unknown } }).deps.writer = writer;
    c.enqueue(v9Packet({ seq: 0, uptime: 5_000, secs: 1_700_000_000 }, TPL, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 1, 0, 0xffffffff - 2_000)])), ROUTER);
    await c.whenIdle();
    // the flow ended 7.001 s before the export: 5000 + 2000 + 1 ms
    expect(times).toEqual([Math.floor((1_700_000_000_000 - 7_001) / 1000) * 1000]);
  });

  it('sampling: rate from options data by sampler ID; flows before it are counted; the override wins', async () => {
    const { c, writer } = await collector(settings());
    c.enqueue(v9Packet({ seq: 0 }, TPL, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 100, 3)])), ROUTER);
    const OPT = v9OptionsTemplate(301, [[1, 4]], [[48, 1], [34, 4]]);
    c.enqueue(v9Packet({ seq: 1 }, OPT, dataSet(301, [Buffer.concat([u32(0), Buffer.from([3]), u32(10)])])), ROUTER);
    c.enqueue(v9Packet({ seq: 2 }, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 100, 3)])), ROUTER);
    await c.whenIdle();
    expect(writer.totals()['1'].out).toBe(100 + 1000);
    expect(c.ingestStatus()[1].details?.flows_without_sampling_rate).toBe(1);

    const o = await collector(settings({ samplingRate: 4 }));
    o.c.enqueue(v9Packet({ seq: 0 }, TPL, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 100, 3)])), ROUTER);
    await o.c.whenIdle();
    expect(o.writer.totals()['1'].out).toBe(400);
  });

  it('loss per exporter and source ID from v9 sequence gaps', async () => {
    const { c } = await collector(settings());
    for (const seq of [10, 11, 15, 16]) c.enqueue(v9Packet({ seq, sourceId: 1 }, TPL), ROUTER);
    for (const seq of [500, 501]) c.enqueue(v9Packet({ seq, sourceId: 2 }, TPL), ROUTER);
    await c.whenIdle();
    expect(c.ingestStatus()[1].estimatedLost).toBe(3);
  });

  it('drops and counts: unknown exporter, malformed datagram, full queue, ledger behind', async () => {
    const { c, writer } = await collector(settings(), undefined, { queueDatagrams: 2, maxLedgerPending: 5 });
    c.enqueue(v9Packet({ seq: 0 }, TPL), '203.0.113.9');
    c.enqueue(Buffer.from([0, 9, 0]), ROUTER);
    c.enqueue(v9Packet({ seq: 1 }, TPL), ROUTER); // queue of 2 is full
    await c.whenIdle();
    expect(c.global).toEqual({ received: 3, queueFull: 1, unknownExporter: 1 });
    expect(c.ingestStatus()[0]).toMatchObject({
      dataSourceIdentifier: '(collector)',
      dropped: { queue_full: 1, unknown_exporter: 1 },
      details: { queue_depth: 0, unlisted_exporters: 1, 'unlisted 203.0.113.9': 1 },
    });
    expect(c.ingestStatus()[1].dropped).toEqual({ too_short: 1 });
    writer.pending = 6;
    c.enqueue(v9Packet({ seq: 2 }, TPL, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 1000)])), ROUTER);
    await c.whenIdle();
    expect(c.ingestStatus()[1].dropped).toEqual({ too_short: 1, ledger_behind: 1 });
    expect(c.ingestStatus()[1].details?.records_dropped_ledger_behind).toBe(1);
    expect(writer.accounts.size).toBe(0);
    // the template in the dropped datagram was still learned; the ledger caught up
    writer.pending = 0;
    c.enqueue(v9Packet({ seq: 3 }, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 1000)])), ROUTER);
    await c.whenIdle();
    expect(writer.totals()).toEqual({ '1': { in: 0, out: 1000 } });
    // the ledger_behind datagram (seq 2) was sequence-tracked, so seq 3 is not taken for loss
    expect(c.ingestStatus()[1].estimatedLost).toBe(0);
  });

  it('drops and counts a record whose bytes x sampling no record may carry (implausible_bytes), and credits its neighbours', async () => {
    const { c, writer } = await collector(settings());
    // Template 310: src, dst, IN_BYTES, SAMPLING_INTERVAL (34) in the record itself.
    const SAMPLED = v9Template(310, [[8, 4], [12, 4], [1, 4], [34, 4]]);
    const sampled = (src: string, dst: string, bytes: number, interval: number) => Buffer.concat([ip4(src), ip4(dst), u32(bytes), u32(interval)]);
    c.enqueue(v9Packet({ seq: 0 }, SAMPLED, dataSet(310, [
      sampled('100.64.0.5', '198.51.100.1', 0xffffffff, 0xffffffff), // 1.8e19 bytes: past bigint
      sampled('100.64.0.5', '198.51.100.1', 1000, 3),
      sampled('198.51.100.1', '100.64.1.7', 104_774, 0xffffffff), // 4.5e14 + 4e9: just past an hour at 1 Tbit/s
      sampled('198.51.100.1', '100.64.1.7', 104_773, 0xffffffff), // just inside
    ])), ROUTER);
    await c.whenIdle();
    expect(writer.accounts.get(1)).toEqual({ in: 0n, out: 3000n });
    expect(writer.accounts.get(2)).toEqual({ in: 104_773n * 0xffffffffn, out: 0n });
    const row = c.ingestStatus()[1];
    expect(row).toMatchObject({ received: 1, accepted: 1, dropped: { implausible_bytes: 2 } });

    // A v9 byte counter above 2^53 (refused by the decoder itself) counts the same way.
    const WIDE = v9Template(311, [[8, 4], [12, 4], [1, 8]]);
    c.enqueue(v9Packet({ seq: 1 }, WIDE, dataSet(311, [Buffer.concat([ip4('100.64.0.5'), ip4('198.51.100.1'), u64(2n ** 60n)])])), ROUTER);
    await c.whenIdle();
    expect(c.ingestStatus()[1].dropped).toEqual({ implausible_bytes: 3 });
    expect(writer.accounts.get(1)).toEqual({ in: 0n, out: 3000n });
  });

  it('adds up bytes beyond 2^53 exactly within one batch', async () => {
    const { c, writer } = await collector(settings());
    const SAMPLED = v9Template(310, [[8, 4], [12, 4], [1, 4], [34, 4]]);
    const big = Buffer.concat([ip4('100.64.0.5'), ip4('198.51.100.1'), u32(104_773), u32(0xffffffff)]);
    // 30 records of 449 996 608 399 035 bytes each, one account, one second: 1.35e16, past 2^53.
    c.enqueue(v9Packet({ seq: 0 }, SAMPLED, dataSet(310, Array.from({ length: 30 }, () => big))), ROUTER);
    await c.whenIdle();
    expect(writer.accounts.get(1)!.out).toBe(30n * 104_773n * 0xffffffffn);
  });

  it('the configured template lifetime applies to v9 as well as IPFIX', async () => {
    let nowMs = 0;
    const writer = new SummingWriter();
    const c = new NetflowCollector(
      { attribution: new ListAttribution({ '100.64.0.0/24': 1 }, {}), writer, settings: { load: async () => settings() }, now: () => nowMs },
      { templateLifetimeMs: 1000 },
    );
    await c.reloadSettings();
    const IPFIX_TPL = ipfixTemplate(400, [[8, 4], [12, 4], [1, 4]]);
    const ipfixRec = Buffer.concat([ip4('100.64.0.5'), ip4('198.51.100.1'), u32(10)]);
    c.enqueue(v9Packet({ seq: 0 }, TPL), ROUTER);
    c.enqueue(ipfixPacket({ seq: 0 }, IPFIX_TPL), ROUTER);
    await c.whenIdle();
    nowMs = 1001; // past the configured 1 s, long before the 30 min default
    c.enqueue(v9Packet({ seq: 1 }, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 1000)])), ROUTER);
    c.enqueue(ipfixPacket({ seq: 0 }, dataSet(400, [ipfixRec])), ROUTER);
    await c.whenIdle();
    expect(c.ingestStatus()[1].details?.templates_missing).toBe(2);
    expect(writer.accounts.size).toBe(0);
  });

  it('whitelist mode counts only flows touching the whitelist', async () => {
    const { c, writer } = await collector(settings({ whitelistMode: true, whitelist: PrefixIndex.of(['100.64.1.0/24']) }));
    c.enqueue(v9Packet({ seq: 0 }, TPL, dataSet(300, [rec('100.64.0.5', '198.51.100.1', 1000), rec('198.51.100.1', '100.64.1.7', 10)])), ROUTER);
    await c.whenIdle();
    expect(writer.totals()).toEqual({ '2': { in: 10, out: 0 } });
  });
});

describe('PacketLogic through the collector', () => {
  it('the real Procera sample: incoming = download, outgoing = upload, by the local end; labelled with the device name', async () => {
    const { c, writer } = await collector(settings());
    c.enqueue(fixture('ipfix_test_procera_tpl52935.dat'), PL);
    c.enqueue(fixture('ipfix_test_procera_data52935.dat'), PL);
    await c.whenIdle();
    // 138.44.161.14 (account 7) is the local server of five scans (60 bytes in each) and the
    // local client of the BGP session (7076 in, 3310 out); 2001:388:cf0a:6::2 (account 8) is local in two ICMPv6 flows.
    expect(writer.totals()).toEqual({ '7': { in: 5 * 60 + 7076, out: 3310 }, '8': { in: 2 * 86, out: 2 * 78 } });
    expect(writer.sources).toEqual(new Set(['PacketLogic|pl-1']));
  });

  it('generated Procera records: subscriber identifier as IP, RADIUS username, account id; unknown is unattributed', async () => {
    const { c, writer } = await collector(settings());
    const tpl = ipfixTemplate(400, [[8, 4], [12, 4], [151, 4], [3, 8, PEN], [4, 8, PEN], [28, 65535, PEN], [15, 65535, PEN]]);
    const r = (sub: string, inB: number, outB: number, flags = '') =>
      Buffer.concat([ip4('198.51.100.1'), ip4('198.51.100.2'), u32(1_700_000_000), u64(inB), u64(outB), varString(sub), varString(flags)]);
    c.enqueue(ipfixPacket({ seq: 0, domain: 5 }, tpl, dataSet(400, [
      r('100.64.1.7', 1000, 10),
      r('alice', 2000, 20),
      r('42', 3000, 30),
      r('bob', 4000, 40),
      r('', 5, 5, 'SERVER_IS_LOCAL'),
    ])), PL);
    await c.whenIdle();
    expect(writer.totals()).toEqual({ '2': { in: 1000, out: 10 }, '3': { in: 2000, out: 20 }, '42': { in: 3000, out: 30 } });
    expect(Number(writer.unattributed.get('bob')!.in)).toBe(4000);
    expect(Number(writer.unattributed.get('198.51.100.2')!.in)).toBe(5);
    expect(c.ingestStatus()[1]).toMatchObject({ dataSourceParent: 'PacketLogic', dataSourceIdentifier: 'pl-1', estimatedLost: 0 });
  });

  it('the edge rule applies to Procera octets too: an implausible record is counted on its device, its neighbours credited', async () => {
    const { c, writer } = await collector(settings());
    const tpl = ipfixTemplate(400, [[8, 4], [12, 4], [151, 4], [3, 8, PEN], [4, 8, PEN], [28, 65535, PEN], [15, 65535, PEN]]);
    const r = (sub: string, inB: number, outB: number) =>
      Buffer.concat([ip4('198.51.100.1'), ip4('198.51.100.2'), u32(1_700_000_000), u64(inB), u64(outB), varString(sub), varString('')]);
    c.enqueue(ipfixPacket({ seq: 0, domain: 5 }, tpl, dataSet(400, [r('alice', 2 ** 52, 1), r('alice', 2000, 20)])), PL);
    await c.whenIdle();
    expect(writer.totals()).toEqual({ '3': { in: 2000, out: 20 } });
    expect(c.ingestStatus()[1]).toMatchObject({ dataSourceParent: 'PacketLogic', dropped: { implausible_bytes: 1 } });
  });
});
