/** Builders for NetFlow v9 and IPFIX datagrams in tests. */

export type Field = [type: number, length: number, pen?: number];

const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
export const u64 = (v: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
};
export { u16, u32 };

export function ip4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function set(id: number, body: Buffer): Buffer {
  return Buffer.concat([u16(id), u16(4 + body.length), body]);
}

export function v9Packet(o: { seq: number; sourceId?: number; uptime?: number; secs?: number }, ...flowsets: Buffer[]): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(9, 0);
  h.writeUInt16BE(flowsets.length, 2);
  h.writeUInt32BE(o.uptime ?? 100_000, 4);
  h.writeUInt32BE(o.secs ?? 1_700_000_000, 8);
  h.writeUInt32BE(o.seq >>> 0, 12);
  h.writeUInt32BE(o.sourceId ?? 0, 16);
  return Buffer.concat([h, ...flowsets]);
}

export function v9Template(id: number, fields: Field[]): Buffer {
  return set(0, Buffer.concat([u16(id), u16(fields.length), ...fields.flatMap(([t, l]) => [u16(t), u16(l)])]));
}

export function v9OptionsTemplate(id: number, scope: Field[], fields: Field[]): Buffer {
  return set(
    1,
    Buffer.concat([u16(id), u16(scope.length * 4), u16(fields.length * 4), ...[...scope, ...fields].flatMap(([t, l]) => [u16(t), u16(l)])]),
  );
}

export function dataSet(id: number, records: Buffer[]): Buffer {
  return set(id, Buffer.concat(records));
}

export function ipfixPacket(o: { seq: number; domain?: number; exportSecs?: number }, ...sets: Buffer[]): Buffer {
  const body = Buffer.concat(sets);
  const h = Buffer.alloc(16);
  h.writeUInt16BE(10, 0);
  h.writeUInt16BE(16 + body.length, 2);
  h.writeUInt32BE(o.exportSecs ?? 1_700_000_000, 4);
  h.writeUInt32BE(o.seq >>> 0, 8);
  h.writeUInt32BE(o.domain ?? 0, 12);
  return Buffer.concat([h, body]);
}

export function ipfixTemplate(id: number, fields: Field[]): Buffer {
  return set(
    2,
    Buffer.concat([
      u16(id),
      u16(fields.length),
      ...fields.flatMap(([t, l, pen]) => (pen ? [u16(t | 0x8000), u16(l), u32(pen)] : [u16(t), u16(l)])),
    ]),
  );
}

export function ipfixOptionsTemplate(id: number, scope: Field[], fields: Field[]): Buffer {
  const all = [...scope, ...fields];
  return set(3, Buffer.concat([u16(id), u16(all.length), u16(scope.length), ...all.flatMap(([t, l]) => [u16(t), u16(l)])]));
}

/** IPFIX variable-length encoding of a string. */
export function varString(text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  return b.length < 255 ? Buffer.concat([Buffer.from([b.length]), b]) : Buffer.concat([Buffer.from([255]), u16(b.length), b]);
}
