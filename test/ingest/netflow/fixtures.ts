import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = process.env.NETFLOW_FIXTURES ?? '/work/shared/fixtures/netflow';

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.dat') || f.endsWith('.pcap')).sort();
}

/** UDP payloads of a classic pcap (Ethernet / IPv4 / UDP), with their source address. */
export function pcapDatagrams(buf: Buffer): Array<{ src: string; payload: Buffer }> {
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20);
  const out: Array<{ src: string; payload: Buffer }> = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = u32(off + 8);
    const frame = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    let ip = linktype === 1 ? 14 : 0;
    if (linktype === 1 && frame.readUInt16BE(12) === 0x8100) ip += 4;
    if ((frame[ip] >> 4) !== 4) continue;
    const ihl = (frame[ip] & 15) * 4;
    if (frame[ip + 9] !== 17) continue;
    const src = `${frame[ip + 12]}.${frame[ip + 13]}.${frame[ip + 14]}.${frame[ip + 15]}`;
    const udpLen = frame.readUInt16BE(ip + ihl + 4);
    out.push({ src, payload: frame.subarray(ip + ihl + 8, ip + ihl + udpLen) });
  }
  return out;
}
