import {
  DecodeResult,
  DecoderOptions,
  defaultDecoderOptions,
  emptyResult,
  FlowRecord,
  newRecord,
  rejected,
} from './flow-record';
import { parseIPv4 } from '../../net/ip';

// node-netflowv9 ships no types; we use three members of one instance (see ingest.md).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NetFlowV9 = require('node-netflowv9') as (opts: unknown) => LibInstance;

interface LibInstance {
  templates: Record<string, Record<number, unknown>>;
  nfTypes: Record<number, unknown>;
  nfScope: Record<number, unknown>;
  server: { close(): void };
  nfPktDecode(msg: Buffer, rinfo: { address: string; port: number }): LibPacket | undefined;
}

interface LibPacket {
  header: { version: number; count: number; uptime: number; seconds: number; sequence: number; sourceId?: number; sampling_interval?: number; engine_type?: number; engine_id?: number };
  flows: LibFlow[];
}

/** An options record (the library's own object) or a v5 record: the fields read from them. */
interface LibFlow {
  isOption?: boolean;
  si?: number;
  sid?: number;
  pi?: number;
  ps?: number;
  // v5 (the library's own names)
  ipv4_src_addr?: string;
  ipv4_dst_addr?: string;
  in_bytes?: number;
  first_switched?: number;
  last_switched?: number;
}

/*
 * The library compiles each template into JavaScript from per-field "compile rules" keyed by
 * field length. We replace its whole table: fields we need become short numeric properties
 * (addresses as u32 / byte views instead of strings, which is also where its speed goes),
 * every other field gets an empty rule and costs nothing per record. Its u64 rule loses
 * precision above 2^53: ours flags the record (`ovf`) so the record is rejected, not miscounted.
 */
/*
 * Every compiled template begins `var o = Object.create(null)`: a dictionary-mode object per
 * record, slow to fill and to read. Our rules swap it, at the template's first field (a
 * constant `$pos === 0`, folded away by the compiler), for a `RawFlow` from `nfTypes.mk()`
 * — the library passes its type table to every compiled template as `nfTypes` — so records
 * have one stable shape and become FlowRecords in place. Options records (`{isOption: true}`)
 * are left alone.
 */
const START = 'if($pos===0&&o.isOption!==true)o=nfTypes.mk();';
const num: Record<number, string> = {
  1: START + "o['$name']=buf[$pos];",
  2: START + "o['$name']=buf.readUInt16BE($pos);",
  3: START + "o['$name']=buf.readUIntBE($pos,3);",
  4: START + "o['$name']=buf.readUInt32BE($pos);",
  5: START + "o['$name']=buf.readUIntBE($pos,5);",
  6: START + "o['$name']=buf.readUIntBE($pos,6);",
  8: START + "t=buf.readUInt32BE($pos);if(t>=2097152)o.ovf=1;o['$name']=t*4294967296+buf.readUInt32BE($pos+4);",
  0: START,
};
const ipv4 = { 4: START + "o['$name']=buf.readUInt32BE($pos);", 0: START };
const ipv6 = { 16: START + "o['$name']=buf.subarray($pos,$pos+16);", 0: START };

const wanted: Record<number, { name: string; compileRule: Record<number, string> }> = {
  1: { name: 'b1', compileRule: num },
  23: { name: 'b23', compileRule: num },
  231: { name: 'b231', compileRule: num },
  232: { name: 'b232', compileRule: num },
  8: { name: 's4', compileRule: ipv4 },
  12: { name: 'd4', compileRule: ipv4 },
  27: { name: 's6', compileRule: ipv6 },
  28: { name: 'd6', compileRule: ipv6 },
  22: { name: 'fs', compileRule: num },
  21: { name: 'ls', compileRule: num },
  150: { name: 't150', compileRule: num },
  151: { name: 't151', compileRule: num },
  152: { name: 't152', compileRule: num },
  153: { name: 't153', compileRule: num },
  323: { name: 't323', compileRule: num },
  34: { name: 'si', compileRule: num },
  50: { name: 'si', compileRule: num },
  48: { name: 'sid', compileRule: num },
  302: { name: 'sid', compileRule: num },
  305: { name: 'pi', compileRule: num },
  306: { name: 'ps', compileRule: num },
};

/** A decoded v9 record: the library's raw fields (-1 = absent) and, once finalized, a FlowRecord. */
class RawFlow implements FlowRecord {
  /** Written by the library on every record (its template id): declared so the shape never changes. */
  fsId = 0;
  ovf = 0;
  b1 = -1;
  b23 = -1;
  b231 = -1;
  b232 = -1;
  s4 = -1;
  d4 = -1;
  s6: Uint8Array | null = null;
  d6: Uint8Array | null = null;
  fs = -1;
  ls = -1;
  t150 = -1;
  t151 = -1;
  t152 = -1;
  t153 = -1;
  t323 = -1;
  si = -1;
  sid = -1;
  pi = -1;
  ps = -1;
  family: 0 | 4 | 6 = 0;
  src4 = 0;
  dst4 = 0;
  src6: Uint8Array | null = null;
  dst6: Uint8Array | null = null;
  bytes = 0;
  reverseBytes = 0;
  timeMs = 0;
  samplerId = -1;
  samplingInterval = 0;
  procera = false;
  proceraIncoming = 0;
  proceraOutgoing = 0;
  subscriberId: string | null = null;
  proceraLocal: 0 | 1 | 2 = 0;
}

const mk = () => new RawFlow();

function buildTypeTable(): Record<number | string, unknown> {
  // Unwanted fields cost nothing per record, except the first field's record swap.
  const skip = { name: '_', compileRule: { 0: START } };
  const table: Record<number | string, unknown> = {};
  // Every type present, so the library never invents a hex-string rule for an unknown one.
  for (let t = 0; t < 65536; t++) table[t] = wanted[t] ?? skip;
  table.mk = mk;
  return table;
}

function buildScopeTable(): Record<number, unknown> {
  const skip = { name: '_', compileRule: {} };
  const table: Record<number, unknown> = {};
  for (let t = 0; t < 65536; t++) table[t] = skip;
  return table;
}

/** What we know of one (exporter, source ID): which template IDs the library holds, and since when. */
interface V9Domain {
  key: string;
  learned: Map<number, number>;
}

export interface V9ExporterState {
  domains: Map<number, V9Domain>;
}

export function newV9ExporterState(): V9ExporterState {
  return { domains: new Map() };
}

/**
 * NetFlow v5 and v9 through node-netflowv9, behind a validator. The library loops forever on
 * a zero-length flowset or a template whose records occupy no bytes, throws on truncation, and
 * misreads padding after templates; so every datagram is walked here first, template flowsets
 * are re-emitted one template per flowset with exact lengths, and only then handed over. Its
 * template cache is keyed by a synthetic "exporter|sourceId" so source IDs never collide.
 */
export class V9Decoder {
  private readonly lib: LibInstance;
  private seq = 0;

  constructor(private readonly opts: DecoderOptions = defaultDecoderOptions) {
    this.lib = NetFlowV9({ cb: () => {} });
    // Its constructor creates a UDP socket we never use: close it.
    try {
      this.lib.server.close();
    } catch {
      /* unbound: nothing to close */
    }
    this.lib.nfTypes = buildTypeTable();
    this.lib.nfScope = buildScopeTable();
  }

  /** Forgets an exporter's templates (e.g. it was removed from the configuration). */
  forget(state: V9ExporterState): void {
    for (const d of state.domains.values()) delete this.lib.templates[`${d.key}:0`];
    state.domains.clear();
  }

  decode(buf: Buffer, exporter: string, state: V9ExporterState, nowMs: number): DecodeResult {
    if (buf.length < 4) return rejected(0, 'too_short');
    const version = buf.readUInt16BE(0);
    if (version === 5) return this.decodeV5(buf);
    if (version !== 9) return rejected(version, 'bad_version');
    if (buf.length < 20) return rejected(9, 'too_short');
    const result = emptyResult(9);
    const uptime = buf.readUInt32BE(4);
    const seconds = buf.readUInt32BE(8);
    result.exportTimeMs = seconds * 1000;
    result.sequence = buf.readUInt32BE(12);
    result.domain = buf.readUInt32BE(16);
    // v9 sequence numbers count packets, whatever the records in them.
    result.sequenceAdvance = result.flowRecords = 1;

    let dom = state.domains.get(result.domain);
    if (!dom) {
      if (state.domains.size >= this.opts.maxDomains) return rejected(9, 'too_many_domains');
      dom = { key: `${exporter}|${result.domain}|${this.seq++}`, learned: new Map() };
      state.domains.set(result.domain, dom);
    }

    // Pass 1: walk flowsets by their lengths (the header count is unreliable: softflowd).
    let hasTemplates = false;
    let off = 20;
    while (buf.length - off > 3) {
      const fsId = buf.readUInt16BE(off);
      const len = buf.readUInt16BE(off + 2);
      if (len < 4 || off + len > buf.length) {
        // Zero fill after the last flowset (Cisco ACI pads with an empty "flowset" of length 0)
        // is padding; anything else is a lie about a length.
        if (isZero(buf, off)) {
          buf = buf.subarray(0, off);
          break;
        }
        return rejected(9, 'bad_set');
      }
      if (fsId === 0 || fsId === 1) hasTemplates = true;
      off += len;
    }

    let packet = buf;
    if (hasTemplates) {
      const rebuilt = this.rebuild(buf, dom, nowMs);
      if (typeof rebuilt === 'string') return rejected(9, rebuilt);
      packet = rebuilt;
    }

    // Pass 2: data flowsets whose template is unknown or expired are counted, not decoded.
    const libTemplates = this.lib.templates[`${dom.key}:0`];
    off = 20;
    while (packet.length - off > 3) {
      const fsId = packet.readUInt16BE(off);
      const len = packet.readUInt16BE(off + 2);
      if (fsId >= 256) {
        const at = dom.learned.get(fsId);
        if (at === undefined || nowMs - at > this.opts.templateLifetimeMs) {
          if (at !== undefined) {
            dom.learned.delete(fsId);
            if (libTemplates) delete libTemplates[fsId];
          }
          result.templatesMissing++;
        }
      }
      off += len;
    }

    let out: LibPacket | undefined;
    try {
      // The library keys its template cache by `${address}:${port}`: "exporter|sourceId|n:0".
      out = this.lib.nfPktDecode(packet, { address: dom.key, port: 0 });
    } catch {
      return rejected(9, 'decoder_error');
    }
    if (!out) return rejected(9, 'decoder_error');

    const flows = out.flows as unknown as Array<RawFlow | LibFlow>;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      if (!(f instanceof RawFlow)) {
        if (f.isOption) {
          let interval = f.si ?? 0;
          if (f.pi && f.pi > 0) interval = Math.round((f.pi + (f.ps ?? 0)) / f.pi);
          if (interval > 0) result.sampling.push({ samplerId: f.sid ?? -1, interval });
        }
        continue;
      }
      if (f.ovf) {
        result.recordsRejected++;
        continue;
      }
      if (f.s6 !== null || f.d6 !== null) {
        f.family = 6;
        f.src6 = f.s6;
        f.dst6 = f.d6;
      } else if (f.s4 >= 0 || f.d4 >= 0) {
        f.family = 4;
        f.src4 = f.s4 < 0 ? 0 : f.s4;
        f.dst4 = f.d4 < 0 ? 0 : f.d4;
      }
      f.bytes = f.b1 > 0 ? f.b1 : f.b231 > 0 ? f.b231 : f.b23 > 0 ? f.b23 : 0;
      f.reverseBytes = f.b232 > 0 ? f.b232 : 0;
      f.samplerId = f.sid;
      f.samplingInterval = f.si > 0 ? f.si : 0;
      f.timeMs = v9Time(f, uptime, result.exportTimeMs);
      result.records.push(f);
    }
    return result;
  }

  /**
   * Re-emits the datagram with each template / options template in a flowset of its own with
   * an exact length (the library reads one options template per flowset and mistakes padding
   * for fields), dropping nothing else. Returns a drop reason when a template is malformed.
   */
  private rebuild(buf: Buffer, dom: V9Domain, nowMs: number): Buffer | 'bad_template' {
    const parts: Buffer[] = [buf.subarray(0, 20)];
    let off = 20;
    while (buf.length - off > 3) {
      const fsId = buf.readUInt16BE(off);
      const len = buf.readUInt16BE(off + 2);
      const end = off + len;
      if (fsId === 0) {
        let p = off + 4;
        while (end - p >= 4) {
          const tId = buf.readUInt16BE(p);
          const cnt = buf.readUInt16BE(p + 2);
          if (tId === 0 && cnt === 0) break; // zero padding
          if (end - p < 4 + cnt * 4) return 'bad_template';
          let recLen = 0;
          for (let i = 0; i < cnt; i++) recLen += buf.readUInt16BE(p + 6 + i * 4);
          // A record of no bytes makes the library's data loop spin forever.
          if (tId < 256 || cnt === 0 || recLen < 1) return 'bad_template';
          if (this.accept(dom, tId, nowMs)) {
            const fs = Buffer.alloc(4 + 4 + cnt * 4);
            fs.writeUInt16BE(0, 0);
            fs.writeUInt16BE(fs.length, 2);
            buf.copy(fs, 4, p, p + 4 + cnt * 4);
            parts.push(fs);
          }
          p += 4 + cnt * 4;
        }
      } else if (fsId === 1) {
        let p = off + 4;
        while (end - p >= 6) {
          const tId = buf.readUInt16BE(p);
          const scopeLen = buf.readUInt16BE(p + 2);
          const optLen = buf.readUInt16BE(p + 4);
          if (tId === 0 && scopeLen === 0 && optLen === 0) break; // padding
          if (scopeLen % 4 !== 0 || optLen % 4 !== 0 || end - p < 6 + scopeLen + optLen) return 'bad_template';
          let recLen = 0;
          for (let q = p + 6; q < p + 6 + scopeLen + optLen; q += 4) recLen += buf.readUInt16BE(q + 2);
          if (tId < 256 || recLen < 1) return 'bad_template';
          if (this.accept(dom, tId, nowMs)) {
            const fs = Buffer.alloc(4 + 6 + scopeLen + optLen);
            fs.writeUInt16BE(1, 0);
            fs.writeUInt16BE(fs.length, 2);
            buf.copy(fs, 4, p, p + 6 + scopeLen + optLen);
            parts.push(fs);
          }
          p += 6 + scopeLen + optLen;
        }
      } else {
        parts.push(buf.subarray(off, end));
      }
      off = end;
    }
    return Buffer.concat(parts);
  }

  private accept(dom: V9Domain, tId: number, nowMs: number): boolean {
    if (!dom.learned.has(tId) && dom.learned.size >= this.opts.maxTemplates) return false;
    dom.learned.set(tId, nowMs);
    return true;
  }

  private decodeV5(buf: Buffer): DecodeResult {
    if (buf.length < 24) return rejected(5, 'too_short');
    const count = buf.readUInt16BE(2);
    if (count < 1 || count > 30 || buf.length < 24 + 48 * count) return rejected(5, 'bad_length');
    let out: LibPacket | undefined;
    try {
      out = this.lib.nfPktDecode(buf.subarray(0, 24 + 48 * count), { address: 'v5', port: 0 });
    } catch {
      return rejected(5, 'decoder_error');
    }
    if (!out) return rejected(5, 'decoder_error');
    const h = out.header;
    const result = emptyResult(5);
    result.exportTimeMs = h.seconds * 1000 + Math.floor(buf.readUInt32BE(12) / 1e6);
    result.sequence = h.sequence;
    result.domain = ((h.engine_type ?? 0) << 8) | (h.engine_id ?? 0);
    result.sequenceAdvance = result.flowRecords = count;
    const interval = (h.sampling_interval ?? 0) & 0x3fff;
    for (const f of out.flows) {
      const rec = newRecord();
      rec.family = 4;
      rec.src4 = parseIPv4(f.ipv4_src_addr ?? '');
      rec.dst4 = parseIPv4(f.ipv4_dst_addr ?? '');
      rec.bytes = f.in_bytes ?? 0;
      rec.samplingInterval = interval > 1 ? interval : 0;
      rec.timeMs = result.exportTimeMs - ((h.uptime - (f.last_switched ?? h.uptime)) | 0);
      result.records.push(rec);
    }
    return result;
  }
}

/**
 * v9 times are sysUptime-relative: end = export time − (sysUptime − LAST_SWITCHED). The
 * difference is taken as a signed 32-bit number so that an uptime that wrapped since the flow
 * ended (uptime small, LAST_SWITCHED near 2^32) and a LAST_SWITCHED slightly ahead of the
 * header both come out right. Absolute fields (NSEL, IPFIX-style) win when present.
 */
function v9Time(f: RawFlow, uptime: number, exportMs: number): number {
  if (f.t153 >= 0) return f.t153;
  if (f.t151 >= 0) return f.t151 * 1000;
  if (f.ls >= 0) return exportMs - ((uptime - f.ls) | 0);
  if (f.t323 >= 0) return f.t323;
  if (f.t152 >= 0) return f.t152;
  if (f.t150 >= 0) return f.t150 * 1000;
  if (f.fs >= 0) return exportMs - ((uptime - f.fs) | 0);
  return exportMs;
}

function isZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
