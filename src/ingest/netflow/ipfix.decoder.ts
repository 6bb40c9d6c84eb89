import {
  DecodeResult,
  DecoderOptions,
  defaultDecoderOptions,
  emptyResult,
  newRecord,
  rejected,
  SamplingAnnouncement,
} from './flow-record';

/**
 * A small IPFIX (RFC 7011) decoder: templates, options templates, variable-length and enterprise
 * fields, template withdrawal and expiry. It is a pure function of (datagram, exporter state, now):
 * all it remembers lives in the `IpfixExporterState` the caller passes in, so the collector keeps
 * one per exporter address and tests build their own.
 *
 * Every length is checked before it is used; a datagram that lies about a length is rejected
 * whole. Loops always advance by at least one byte, so no input can make it spin.
 */

const PEN_REVERSE = 29305; // RFC 5103 biflow reverse information elements
const PEN_PROCERA = 15397;
const NTP_UNIX_OFFSET_S = 2208988800;

/** What a template field is used for; anything else is skipped by length. */
const enum F {
  Skip,
  Bytes,
  PostBytes,
  InitiatorBytes,
  ResponderBytes,
  ReverseBytes,
  Src4,
  Dst4,
  Src6,
  Dst6,
  StartSec,
  EndSec,
  StartMs,
  EndMs,
  StartNtp,
  EndNtp,
  StartDeltaUs,
  EndDeltaUs,
  StartUptime,
  EndUptime,
  SystemInit,
  SamplingInterval,
  SamplerId,
  PacketInterval,
  PacketSpace,
  Probability,
  ProceraIn,
  ProceraOut,
  ProceraSubscriber,
  ProceraFlags,
}

function classify(id: number, pen: number): F {
  if (pen === PEN_PROCERA) {
    if (id === 3) return F.ProceraIn;
    if (id === 4) return F.ProceraOut;
    if (id === 28) return F.ProceraSubscriber;
    if (id === 15) return F.ProceraFlags;
    return F.Skip;
  }
  if (pen === PEN_REVERSE) return id === 1 ? F.ReverseBytes : F.Skip;
  if (pen !== 0) return F.Skip;
  switch (id) {
    case 1: return F.Bytes;
    case 23: return F.PostBytes;
    case 231: return F.InitiatorBytes;
    case 232: return F.ResponderBytes;
    case 8: return F.Src4;
    case 12: return F.Dst4;
    case 27: return F.Src6;
    case 28: return F.Dst6;
    case 150: return F.StartSec;
    case 151: return F.EndSec;
    case 152: return F.StartMs;
    case 153: return F.EndMs;
    case 154: case 156: return F.StartNtp;
    case 155: case 157: return F.EndNtp;
    case 158: return F.StartDeltaUs;
    case 159: return F.EndDeltaUs;
    case 22: return F.StartUptime;
    case 21: return F.EndUptime;
    case 160: return F.SystemInit;
    case 34: case 50: return F.SamplingInterval;
    case 48: case 302: return F.SamplerId;
    case 305: return F.PacketInterval;
    case 306: return F.PacketSpace;
    case 311: return F.Probability;
    default: return F.Skip;
  }
}

interface IpfixField {
  id: number;
  pen: number;
  /** 65535 = variable length */
  length: number;
  use: F;
}

interface IpfixTemplate {
  id: number;
  fields: IpfixField[];
  scopeCount: number;
  /** Minimum encoded record length (variable fields count one byte): always >= 1. */
  minLength: number;
  /** Exact record length, or -1 when the template has variable-length fields. */
  fixedLength: number;
  learnedAtMs: number;
}

interface IpfixDomainState {
  templates: Map<number, IpfixTemplate>;
  /** systemInitTimeMilliseconds (160) from options data: the base of uptime-relative times. */
  systemInitMs: number;
}

export interface IpfixExporterState {
  domains: Map<number, IpfixDomainState>;
}

export function newIpfixExporterState(): IpfixExporterState {
  return { domains: new Map() };
}

const MAX_SAFE_HI = 0x200000; // 2^21: hi words at or above this make a u64 exceed 2^53

/** Unsigned big-endian of 1..8 bytes (reduced-size encoding); -1 when above 2^53 or wider than 8. */
function readUint(buf: Buffer, off: number, len: number): number {
  switch (len) {
    case 1: return buf[off];
    case 2: return buf.readUInt16BE(off);
    case 4: return buf.readUInt32BE(off);
    case 8: {
      const hi = buf.readUInt32BE(off);
      if (hi >= MAX_SAFE_HI) return -1;
      return hi * 4294967296 + buf.readUInt32BE(off + 4);
    }
    default: {
      if (len > 8 || len < 1) return -1;
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + buf[off + i];
      return v > Number.MAX_SAFE_INTEGER ? -1 : v;
    }
  }
}

function ntpToMs(buf: Buffer, off: number, len: number): number {
  if (len !== 8) return NaN;
  const sec = buf.readUInt32BE(off);
  const frac = buf.readUInt32BE(off + 4);
  return (sec - NTP_UNIX_OFFSET_S) * 1000 + Math.floor((frac / 4294967296) * 1000);
}

function domainState(state: IpfixExporterState, domain: number, opts: DecoderOptions): IpfixDomainState | null {
  let d = state.domains.get(domain);
  if (!d) {
    if (state.domains.size >= opts.maxDomains) return null;
    d = { templates: new Map(), systemInitMs: NaN };
    state.domains.set(domain, d);
  }
  return d;
}

/**
 * Decodes one IPFIX message. `nowMs` is the receive time (template expiry); record times come
 * from the record, the options data, or the export time, in that order.
 */
export function decodeIpfix(
  buf: Buffer,
  state: IpfixExporterState,
  nowMs: number,
  opts: DecoderOptions = defaultDecoderOptions,
): DecodeResult {
  if (buf.length < 16) return rejected(10, 'too_short');
  if (buf.readUInt16BE(0) !== 10) return rejected(buf.readUInt16BE(0), 'bad_version');
  const length = buf.readUInt16BE(2);
  if (length < 16 || length > buf.length) return rejected(10, 'bad_length');
  const result = emptyResult(10);
  result.exportTimeMs = buf.readUInt32BE(4) * 1000;
  result.sequence = buf.readUInt32BE(8);
  result.domain = buf.readUInt32BE(12);
  const dom = domainState(state, result.domain, opts);
  if (!dom) return rejected(10, 'too_many_domains');

  let dataRecords = 0;
  let flowRecords = 0;
  let countable = true;
  let off = 16;
  // Trailing bytes after `length` are ignored (some stacks pad datagrams).
  while (off < length) {
    if (length - off < 4) return rejected(10, 'bad_set');
    const setId = buf.readUInt16BE(off);
    const setLen = buf.readUInt16BE(off + 2);
    if (setLen < 4 || off + setLen > length) return rejected(10, 'bad_set');
    const body = off + 4;
    const end = off + setLen;
    if (setId === 2 || setId === 3) {
      const err = readTemplates(buf, body, end, setId === 3, dom, nowMs, opts);
      if (err) return rejected(10, err);
    } else if (setId >= 256) {
      let tpl = dom.templates.get(setId);
      if (tpl && nowMs - tpl.learnedAtMs > opts.templateLifetimeMs) {
        dom.templates.delete(setId);
        tpl = undefined;
      }
      if (!tpl) {
        result.templatesMissing++;
        countable = false;
      } else {
        const n = readData(buf, body, end, tpl, dom, result);
        if (n < 0) return rejected(10, n === -2 ? 'counter_overflow' : 'bad_set');
        dataRecords += n;
        if (tpl.scopeCount === 0) flowRecords += n;
      }
    }
    // Set IDs 0, 1 and 4..255 are reserved: skipped by length.
    off = end;
  }
  result.sequenceAdvance = countable ? dataRecords : -1;
  result.flowRecords = countable ? flowRecords : -1;
  return result;
}

function readTemplates(
  buf: Buffer,
  off: number,
  end: number,
  isOptions: boolean,
  dom: IpfixDomainState,
  nowMs: number,
  opts: DecoderOptions,
): 'bad_template' | null {
  const header = isOptions ? 6 : 4;
  // Fewer bytes than a template header left: set padding.
  while (end - off >= 4) {
    const id = buf.readUInt16BE(off);
    const count = buf.readUInt16BE(off + 2);
    if (count === 0) {
      // Withdrawal (RFC 7011 8.1): the set ID itself withdraws every template of that kind.
      if (id === 2 || id === 3) {
        for (const [tid, t] of dom.templates) if ((t.scopeCount > 0) === isOptions) dom.templates.delete(tid);
      } else {
        dom.templates.delete(id);
      }
      off += 4;
      continue;
    }
    if (id < 256) return 'bad_template';
    if (end - off < header) return 'bad_template';
    const scopeCount = isOptions ? buf.readUInt16BE(off + 4) : 0;
    if (isOptions && (scopeCount === 0 || scopeCount > count)) return 'bad_template';
    off += header;
    const fields: IpfixField[] = [];
    let minLength = 0;
    let fixed = true;
    for (let i = 0; i < count; i++) {
      if (end - off < 4) return 'bad_template';
      let fid = buf.readUInt16BE(off);
      const flen = buf.readUInt16BE(off + 2);
      off += 4;
      let pen = 0;
      if (fid & 0x8000) {
        if (end - off < 4) return 'bad_template';
        pen = buf.readUInt32BE(off);
        fid &= 0x7fff;
        off += 4;
      }
      if (flen === 65535) {
        fixed = false;
        minLength += 1;
      } else {
        minLength += flen;
      }
      fields.push({ id: fid, pen, length: flen, use: classify(fid, pen) });
    }
    // A record that occupies no bytes would never let a data walk advance.
    if (minLength < 1) return 'bad_template';
    if (!dom.templates.has(id) && dom.templates.size >= opts.maxTemplates) return 'bad_template';
    dom.templates.set(id, {
      id,
      fields,
      scopeCount,
      minLength,
      fixedLength: fixed ? minLength : -1,
      learnedAtMs: nowMs,
    });
  }
  return null;
}

/** Returns records read, -1 on a malformed record, -2 on a counter above 2^53. */
function readData(
  buf: Buffer,
  off: number,
  end: number,
  tpl: IpfixTemplate,
  dom: IpfixDomainState,
  result: DecodeResult,
): number {
  let n = 0;
  const fields = tpl.fields;
  const nf = fields.length;
  while (end - off >= tpl.minLength) {
    const rec = newRecord();
    let has4 = false;
    let has6 = false;
    let bytes = -1;
    let postBytes = -1;
    let startS = NaN;
    let endS = NaN;
    let startUp = NaN;
    let endUp = NaN;
    let startDelta = NaN;
    let endDelta = NaN;
    let interval = 0;
    let pktInterval = 0;
    let pktSpace = 0;
    let sampling = false;
    for (let i = 0; i < nf; i++) {
      const f = fields[i];
      let len = f.length;
      if (len === 65535) {
        if (off >= end) return -1;
        len = buf[off++];
        if (len === 255) {
          if (end - off < 2) return -1;
          len = buf.readUInt16BE(off);
          off += 2;
        }
      }
      if (end - off < len) return -1;
      switch (f.use) {
        case F.Skip:
          break;
        case F.Bytes:
        case F.InitiatorBytes: {
          const v = readUint(buf, off, len);
          if (v < 0) return -2;
          bytes = (bytes < 0 ? 0 : bytes) + v;
          break;
        }
        case F.PostBytes: {
          const v = readUint(buf, off, len);
          if (v < 0) return -2;
          postBytes = v;
          break;
        }
        case F.ResponderBytes:
        case F.ReverseBytes: {
          const v = readUint(buf, off, len);
          if (v < 0) return -2;
          rec.reverseBytes += v;
          break;
        }
        case F.Src4:
          if (len === 4) { rec.src4 = buf.readUInt32BE(off); has4 = true; }
          break;
        case F.Dst4:
          if (len === 4) { rec.dst4 = buf.readUInt32BE(off); has4 = true; }
          break;
        case F.Src6:
          if (len === 16) { rec.src6 = buf.subarray(off, off + 16); has6 = has6 || nonZero(buf, off); }
          break;
        case F.Dst6:
          if (len === 16) { rec.dst6 = buf.subarray(off, off + 16); has6 = has6 || nonZero(buf, off); }
          break;
        case F.StartSec:
          if (len === 4) startS = buf.readUInt32BE(off) * 1000;
          break;
        case F.EndSec:
          if (len === 4) endS = buf.readUInt32BE(off) * 1000;
          break;
        case F.StartMs:
          if (len === 8) startS = readUint(buf, off, 8);
          break;
        case F.EndMs:
          if (len === 8) endS = readUint(buf, off, 8);
          break;
        case F.StartNtp:
          startS = ntpToMs(buf, off, len);
          break;
        case F.EndNtp:
          endS = ntpToMs(buf, off, len);
          break;
        case F.StartDeltaUs:
          if (len === 4) startDelta = buf.readUInt32BE(off) / 1000;
          break;
        case F.EndDeltaUs:
          if (len === 4) endDelta = buf.readUInt32BE(off) / 1000;
          break;
        case F.StartUptime:
          if (len === 4) startUp = buf.readUInt32BE(off);
          break;
        case F.EndUptime:
          if (len === 4) endUp = buf.readUInt32BE(off);
          break;
        case F.SystemInit:
          if (len === 8) dom.systemInitMs = readUint(buf, off, 8);
          break;
        case F.SamplingInterval:
          interval = readUint(buf, off, len);
          sampling = true;
          break;
        case F.SamplerId:
          rec.samplerId = readUint(buf, off, len);
          break;
        case F.PacketInterval:
          pktInterval = readUint(buf, off, len);
          sampling = true;
          break;
        case F.PacketSpace:
          pktSpace = readUint(buf, off, len);
          break;
        case F.Probability: {
          const p = len === 8 ? buf.readDoubleBE(off) : len === 4 ? buf.readFloatBE(off) : NaN;
          if (p > 0 && p <= 1) interval = Math.round(1 / p);
          sampling = true;
          break;
        }
        case F.ProceraIn: {
          const v = readUint(buf, off, len);
          if (v < 0) return -2;
          rec.proceraIncoming = v;
          rec.procera = true;
          break;
        }
        case F.ProceraOut: {
          const v = readUint(buf, off, len);
          if (v < 0) return -2;
          rec.proceraOutgoing = v;
          rec.procera = true;
          break;
        }
        case F.ProceraSubscriber:
          rec.subscriberId = len > 0 ? buf.toString('utf8', off, off + len).replace(/\0+$/, '') : '';
          rec.procera = true;
          break;
        case F.ProceraFlags: {
          // e.g. "INITIAL,SERVER_IS_LOCAL,BEGINNING": which end is the subscriber's.
          const text = buf.toString('latin1', off, off + len);
          rec.proceraLocal = text.includes('CLIENT_IS_LOCAL') ? 1 : text.includes('SERVER_IS_LOCAL') ? 2 : 0;
          break;
        }
      }
      off += len;
    }
    n++;
    if (tpl.scopeCount > 0) {
      // Options data: sampling announcements and time bases, never traffic.
      if (pktInterval > 0) interval = Math.round((pktInterval + pktSpace) / pktInterval);
      if (sampling && interval > 0) result.sampling.push({ samplerId: rec.samplerId, interval } as SamplingAnnouncement);
      continue;
    }
    rec.bytes = bytes > 0 ? bytes : postBytes > 0 ? postBytes : 0;
    if (pktInterval > 0) interval = Math.round((pktInterval + pktSpace) / pktInterval);
    rec.samplingInterval = interval > 0 ? interval : 0;
    rec.family = has6 ? 6 : has4 ? 4 : rec.src6 || rec.dst6 ? 6 : 0;
    rec.timeMs = pickTime(endS, endUp, endDelta, startS, startUp, startDelta, dom.systemInitMs, result.exportTimeMs);
    result.records.push(rec);
  }
  return n;
}

function pickTime(
  endAbs: number,
  endUp: number,
  endDelta: number,
  startAbs: number,
  startUp: number,
  startDelta: number,
  systemInitMs: number,
  exportMs: number,
): number {
  if (endAbs > 0) return endAbs;
  if (endUp >= 0 && systemInitMs > 0) return fromUptime(systemInitMs, endUp, exportMs);
  if (endDelta >= 0) return exportMs - Math.round(endDelta);
  if (startAbs > 0) return startAbs;
  if (startUp >= 0 && systemInitMs > 0) return fromUptime(systemInitMs, startUp, exportMs);
  if (startDelta >= 0) return exportMs - Math.round(startDelta);
  return exportMs;
}

/**
 * systemInitTimeMilliseconds + a uint32 uptime. A flow cannot end after its export, so a result
 * far beyond the export time is an uptime that went "negative" and wrapped (softflowd does this
 * when packets predate its own start): read it as a signed 32-bit offset instead.
 */
function fromUptime(systemInitMs: number, uptime: number, exportMs: number): number {
  const t = systemInitMs + uptime;
  return t > exportMs + 86_400_000 ? t - 4294967296 : t;
}

function nonZero(buf: Buffer, off: number): boolean {
  for (let i = 0; i < 16; i++) if (buf[off + i] !== 0) return true;
  return false;
}
