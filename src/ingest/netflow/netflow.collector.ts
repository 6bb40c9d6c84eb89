import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Attribution } from '../../attribution/attribution';
import { unmapIPv4 } from '../../net/ip';
import type { UsageSource, UsageWriter } from '../../usage/ledger';
import { defaultRecordByteLimit, IMPLAUSIBLE_BYTES, RecordByteLimit } from '../../usage/plausible-bytes';
import type { IngestStatusEntry, IngestStatusSource } from '../ingest-status';
import { DecodeResult, DecoderOptions, defaultDecoderOptions } from './flow-record';
import { FlowAccumulator } from './flow.attributor';
import { decodeIpfix, IpfixExporterState, newIpfixExporterState } from './ipfix.decoder';
import { EndpointSettings, NetflowSettings, NetflowSettingsSource, PacketLogicSettings } from './netflow.settings';
import { newSequenceState, SequenceState, trackSequence } from './sequence.tracker';
import { newV9ExporterState, V9Decoder, V9ExporterState } from './v9.decoder';

export interface NetflowCollectorOptions {
  /** UDP port; 0 = ephemeral (tests). The component is not constructed at all when disabled. */
  port: number;
  host: string;
  /** Bounded queue between the socket and the decoder, in datagrams. */
  queueDatagrams: number;
  /** When the ledger writer holds more increments than this, datagrams are dropped and counted. */
  maxLedgerPending: number;
  /** Datagrams decoded per event-loop turn before yielding to the socket. */
  batchDatagrams: number;
  settingsReloadMs: number;
  templateLifetimeMs: number;
  /** SO_RCVBUF request (the kernel caps it at net.core.rmem_max). */
  receiveBufferBytes: number;
}

export const defaultCollectorOptions: NetflowCollectorOptions = {
  port: 2055,
  host: '0.0.0.0',
  queueDatagrams: 65536,
  maxLedgerPending: 200_000,
  batchDatagrams: 256,
  settingsReloadMs: 10_000,
  templateLifetimeMs: defaultDecoderOptions.templateLifetimeMs,
  receiveBufferBytes: 32 * 1024 * 1024,
};

export interface NetflowCollectorDeps {
  attribution: Attribution;
  writer: UsageWriter;
  settings: NetflowSettingsSource;
  /** For PacketLogic subscriber identifiers that are account ids. */
  accountExists?: (id: number) => boolean;
  /** The edge rule for a record's bytes (USAGE_MAX_BITS_PER_SECOND). */
  recordLimit?: RecordByteLimit;
  now?: () => number;
}

/** Plain counters per exporter: incremented on the hot path, read by /metrics and ingest_status. */
export interface ExporterCounters {
  received: number;
  decoded: number;
  records: number;
  /** Datagrams dropped, by reason. */
  dropped: Record<string, number>;
  templatesMissing: number;
  /**
   * Records dropped by the edge rule (`implausible_bytes`): bytes × sampling beyond what one record
   * may carry, including counters the decoders refuse as above 2^53. The datagram's other records
   * are credited.
   */
  recordsImplausible: number;
  lost: number;
  outOfOrder: number;
  bytesAttributed: number;
  bytesUnattributed: number;
  /** Flows that arrived before any sampling rate was known for them (credited at rate 1). */
  flowsWithoutRate: number;
  /** Records decoded but not credited because the ledger writer was behind. */
  recordsDroppedLedgerBehind: number;
  lastSeenMs: number;
}

interface DomainState {
  seq: SequenceState;
  /** sampler ID → interval; -1 = exporter-wide */
  samplers: Map<number, number>;
}

interface ExporterState {
  address: string;
  endpoint: EndpointSettings | null;
  device: PacketLogicSettings | null;
  acc: FlowAccumulator;
  v9: V9ExporterState;
  ipfix: IpfixExporterState;
  domains: Map<string, DomainState>;
  counters: ExporterCounters;
}

interface Queued {
  msg: Buffer;
  address: string;
  atMs: number;
}

function newCounters(): ExporterCounters {
  return {
    received: 0,
    decoded: 0,
    records: 0,
    dropped: {},
    templatesMissing: 0,
    recordsImplausible: 0,
    lost: 0,
    outOfOrder: 0,
    bytesAttributed: 0,
    bytesUnattributed: 0,
    flowsWithoutRate: 0,
    recordsDroppedLedgerBehind: 0,
    lastSeenMs: 0,
  };
}

/**
 * The NetFlow v5/v9/IPFIX collector: receive → decode → attribute → ledger.
 *
 * The socket handler only enqueues (bounded; overflow is counted as `queue_full`); decoding and
 * attribution run in batches on later event-loop turns; the ledger writer is synchronous and
 * buffered, so nothing here ever waits on the database. When the writer falls behind
 * (`pending` above the bound) datagrams are decoded but not credited: counted as `ledger_behind`.
 */
export class NetflowCollector implements IngestStatusSource {
  readonly name = 'netflow';
  private socket: dgram.Socket | null = null;
  /** Both decoders (v9 and IPFIX) share one options object: built once, not per datagram. */
  private readonly decoderOptions: DecoderOptions;
  private readonly v9: V9Decoder;
  private readonly queue: (Queued | undefined)[];
  private head = 0;
  private size = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  private settings: NetflowSettings = { endpoints: [], packetLogic: [] };
  private readonly exporters = new Map<string, ExporterState>();
  /** Datagrams from addresses no endpoint allows, by address (bounded). */
  private readonly unknown = new Map<string, number>();
  readonly global = { received: 0, queueFull: 0, unknownExporter: 0 };
  private readonly opts: NetflowCollectorOptions;
  private readonly accountExists: (id: number) => boolean;
  private readonly limit: RecordByteLimit;

  constructor(
    private readonly deps: NetflowCollectorDeps,
    options: Partial<NetflowCollectorOptions> = {},
  ) {
    this.opts = { ...defaultCollectorOptions, ...options };
    this.decoderOptions = { ...defaultDecoderOptions, templateLifetimeMs: this.opts.templateLifetimeMs };
    this.v9 = new V9Decoder(this.decoderOptions);
    this.accountExists = deps.accountExists ?? (() => false);
    this.limit = deps.recordLimit ?? defaultRecordByteLimit;
    this.queue = new Array(this.opts.queueDatagrams);
  }

  get port(): number {
    return (this.socket?.address() as AddressInfo | undefined)?.port ?? 0;
  }

  async start(): Promise<void> {
    await this.reloadSettings();
    const socket = dgram.createSocket({ type: this.opts.host.includes(':') ? 'udp6' : 'udp4' });
    socket.on('message', (msg, rinfo) => this.enqueue(msg, rinfo.address));
    // A socket error (e.g. ICMP noise) must not end the process; receiving continues.
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(this.opts.receiveBufferBytes);
    } catch {
      /* capped or refused by the kernel: the default still works */
    }
    this.socket = socket;
    this.reloadTimer = setInterval(() => {
      this.reloadSettings().catch(() => {});
    }, this.opts.settingsReloadMs);
    this.reloadTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.reloadTimer) clearInterval(this.reloadTimer);
    this.reloadTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    await this.whenIdle();
    await this.deps.writer.flush();
  }

  /** Re-reads endpoints, subnets and PacketLogic devices; exporters are re-matched lazily. */
  async reloadSettings(): Promise<void> {
    this.settings = await this.deps.settings.load();
    for (const [address, ex] of this.exporters) {
      const match = this.match(address);
      const sameSource =
        match.endpoint?.id === ex.endpoint?.id && match.device?.name === ex.device?.name;
      if (!match.endpoint && !match.device) {
        this.v9.forget(ex.v9);
        this.exporters.delete(address);
      } else if (sameSource) {
        ex.endpoint = match.endpoint;
        ex.device = match.device;
      } else {
        ex.acc.flushTo(this.deps.writer);
        this.v9.forget(ex.v9);
        this.exporters.delete(address);
      }
    }
  }

  /** The socket handler: enqueue only. Also the entry point for tests and the benchmark. */
  enqueue(msg: Buffer, address: string): void {
    this.global.received++;
    if (this.size >= this.queue.length) {
      this.global.queueFull++;
      return;
    }
    this.queue[(this.head + this.size) % this.queue.length] = { msg, address, atMs: this.now() };
    this.size++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Resolves once every queued datagram has been decoded and handed to the writer. */
  whenIdle(): Promise<void> {
    if (this.size === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get queueDepth(): number {
    return this.size;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  private readonly drain = (): void => {
    const touched = new Set<ExporterState>();
    let n = 0;
    while (this.size > 0 && n < this.opts.batchDatagrams) {
      const item = this.queue[this.head]!;
      this.queue[this.head] = undefined;
      this.head = (this.head + 1) % this.queue.length;
      this.size--;
      n++;
      const ex = this.process(item);
      if (ex) touched.add(ex);
    }
    for (const ex of touched) {
      ex.counters.bytesAttributed += ex.acc.totals.attributed;
      ex.counters.bytesUnattributed += ex.acc.totals.unattributed;
      ex.acc.totals.attributed = 0;
      ex.acc.totals.unattributed = 0;
      ex.acc.flushTo(this.deps.writer);
    }
    if (this.size > 0) {
      setImmediate(this.drain);
      return;
    }
    this.scheduled = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  };

  private process(item: Queued): ExporterState | null {
    const address = unmapIPv4(item.address);
    const ex = this.exporter(address);
    if (!ex) {
      this.global.unknownExporter++;
      if (this.unknown.size < 1000 || this.unknown.has(address)) this.unknown.set(address, (this.unknown.get(address) ?? 0) + 1);
      return null;
    }
    const c = ex.counters;
    c.received++;
    c.lastSeenMs = item.atMs;
    // When the ledger is behind, the datagram is still decoded (templates, sampling rates and
    // sequence numbers stay current, and the drop is not mistaken for network loss) but its
    // flows are not credited: counted as a `ledger_behind` drop, with its records.
    const behind = this.deps.writer.pending > this.opts.maxLedgerPending;
    const msg = item.msg;
    let r: DecodeResult;
    try {
      r = msg.length >= 2 && msg.readUInt16BE(0) === 10
        ? decodeIpfix(msg, ex.ipfix, item.atMs, this.decoderOptions)
        : this.v9.decode(msg, address, ex.v9, item.atMs);
    } catch {
      // The decoders validate every length; this is the last line of defence.
      drop(c, 'decoder_error');
      return null;
    }
    if (r.error) {
      drop(c, r.error);
      return null;
    }
    c.decoded++;
    c.templatesMissing += r.templatesMissing;
    c.recordsImplausible += r.recordsRejected;

    const dkey = `${r.version}:${r.domain}`;
    let dom = ex.domains.get(dkey);
    if (!dom) {
      dom = { seq: newSequenceState(), samplers: new Map() };
      ex.domains.set(dkey, dom);
    }
    const lostBefore = dom.seq.lost;
    const oooBefore = dom.seq.outOfOrder;
    trackSequence(dom.seq, r.sequence, r.sequenceAdvance, r.flowRecords);
    c.lost += dom.seq.lost - lostBefore;
    c.outOfOrder += dom.seq.outOfOrder - oooBefore;
    for (const s of r.sampling) dom.samplers.set(s.samplerId, s.interval);

    const records = r.records;
    c.records += records.length;
    if (behind) {
      drop(c, 'ledger_behind');
      c.recordsDroppedLedgerBehind += records.length;
      return null;
    }
    const override = ex.endpoint?.samplingRate ?? null;
    const whitelist = ex.endpoint?.whitelistMode ? ex.endpoint.whitelist : null;
    const samplers = dom.samplers;
    const exporterWide = samplers.get(-1);
    const acc = ex.acc;
    const accountExists = this.accountExists;
    const limit = this.limit;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      let rate: number;
      if (override !== null) rate = override;
      else if (rec.samplingInterval > 0) rate = rec.samplingInterval;
      else {
        const s = rec.samplerId >= 0 ? samplers.get(rec.samplerId) ?? exporterWide : exporterWide;
        if (s !== undefined && s > 0) rate = s;
        else {
          rate = 1;
          c.flowsWithoutRate++;
        }
      }
      // The edge rule, before anything is credited: one implausible record must never reach the ledger.
      if (ex.device) {
        if (!rec.procera) continue;
        const inB = limit.plausibleFlowBytes(rec.proceraIncoming, rate);
        const outB = limit.plausibleFlowBytes(rec.proceraOutgoing, rate);
        if (inB < 0 || outB < 0) c.recordsImplausible++;
        else acc.addProcera(rec, inB, outB, accountExists);
      } else {
        const fwd = limit.plausibleFlowBytes(rec.bytes, rate);
        const rev = limit.plausibleFlowBytes(rec.reverseBytes, rate);
        if (fwd < 0 || rev < 0) c.recordsImplausible++;
        else acc.addFlow(rec, fwd, rev, whitelist);
      }
    }
    return ex;
  }

  private match(address: string): { endpoint: EndpointSettings | null; device: PacketLogicSettings | null } {
    const device = this.settings.packetLogic.find((d) => unmapIPv4(d.address) === address) ?? null;
    if (device) return { endpoint: null, device };
    const endpoint = this.settings.endpoints.find((e) => e.allowed.lookupAddress(address) !== null) ?? null;
    return { endpoint, device: null };
  }

  private exporter(address: string): ExporterState | null {
    const known = this.exporters.get(address);
    if (known) return known;
    // Negative cache, valid until the settings change (reload replaces the object).
    if (this.negative.get(address) === this.settings) return null;
    const { endpoint, device } = this.match(address);
    if (!endpoint && !device) {
      if (this.negative.size > 10_000) this.negative.clear();
      this.negative.set(address, this.settings);
      return null;
    }
    const source: UsageSource = device
      ? { parent: 'PacketLogic', identifier: device.name }
      : { parent: 'NetFlow', identifier: address };
    const ex: ExporterState = {
      address,
      endpoint,
      device,
      acc: new FlowAccumulator(this.deps.attribution, source),
      v9: newV9ExporterState(),
      ipfix: newIpfixExporterState(),
      domains: new Map(),
      counters: newCounters(),
    };
    this.exporters.set(address, ex);
    return ex;
  }

  private readonly negative = new Map<string, NetflowSettings>();

  /** Per-exporter counters (a live view: plain numbers, read by the metrics collect callbacks). */
  exporterCounters(): Array<{ address: string; source: UsageSource; counters: ExporterCounters }> {
    return [...this.exporters.values()].map((e) => ({ address: e.address, source: e.acc.source, counters: e.counters }));
  }

  /** Rows for ingest_status, one per exporter that has sent anything (IngestStatusSource). */
  ingestStatus(): IngestStatusEntry[] {
    // One row for the socket itself: what no exporter row can show (unlisted senders, overflow).
    const unknownTop = [...this.unknown].sort((a, b) => b[1] - a[1]).slice(0, 20);
    const collectorRow: IngestStatusEntry = {
      dataSourceParent: 'NetFlow',
      dataSourceIdentifier: '(collector)',
      received: this.global.received,
      accepted: this.global.received - this.global.queueFull - this.global.unknownExporter,
      dropped: { queue_full: this.global.queueFull, unknown_exporter: this.global.unknownExporter },
      bytesAttributed: 0n,
      bytesUnattributed: 0n,
      details: {
        queue_depth: this.size,
        unlisted_exporters: this.unknown.size,
        ...Object.fromEntries(unknownTop.map(([address, n]) => [`unlisted ${address}`, n])),
      },
    };
    return [collectorRow, ...this.exporterRows()];
  }

  private exporterRows(): IngestStatusEntry[] {
    return [...this.exporters.values()].map((e) => {
      const c = e.counters;
      const dropped = Object.values(c.dropped).reduce((a, b) => a + b, 0);
      return {
        dataSourceParent: e.acc.source.parent,
        dataSourceIdentifier: e.acc.source.identifier,
        lastSeenAt: c.lastSeenMs ? new Date(c.lastSeenMs) : null,
        received: c.received,
        accepted: c.received - dropped,
        // Datagrams by reason; implausible_bytes counts records (their datagrams were accepted).
        dropped: c.recordsImplausible > 0 ? { ...c.dropped, [IMPLAUSIBLE_BYTES]: c.recordsImplausible } : { ...c.dropped },
        estimatedLost: c.lost,
        bytesAttributed: BigInt(c.bytesAttributed),
        bytesUnattributed: BigInt(c.bytesUnattributed),
        details: {
          records: c.records,
          templates_missing: c.templatesMissing,
          out_of_order: c.outOfOrder,
          flows_without_sampling_rate: c.flowsWithoutRate,
          records_dropped_ledger_behind: c.recordsDroppedLedgerBehind,
        },
      };
    });
  }
}

function drop(c: ExporterCounters, reason: string): void {
  c.dropped[reason] = (c.dropped[reason] ?? 0) + 1;
}
