// Sends pre-built NetFlow v9 datagrams (correct header count) at a target rate.
// usage: node netflow-sender.js PORT DATAGRAMS RECORDS_PER_DATAGRAM RATE_RECORDS_PER_S SUBSCRIBERS
const dgram = require('node:dgram');
const [port, total, perDgram, rate, subs] = process.argv.slice(2).map(Number);
const sock = dgram.createSocket('udp4');
const uptime = 1_000_000;
const secs = Math.floor(Date.now() / 1000);
function header(seq, count) {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(9, 0); h.writeUInt16BE(count, 2); h.writeUInt32BE(uptime, 4); h.writeUInt32BE(secs, 8);
  h.writeUInt32BE(seq, 12); h.writeUInt32BE(1, 16);
  return h;
}
// template 256: src(8) dst(12) bytes(1) pkts(2) first(22) last(21): 24 bytes a record
const tpl = Buffer.alloc(4 + 4 + 6 * 4);
tpl.writeUInt16BE(0, 0); tpl.writeUInt16BE(tpl.length, 2); tpl.writeUInt16BE(256, 4); tpl.writeUInt16BE(6, 6);
[[8, 4], [12, 4], [1, 4], [2, 4], [22, 4], [21, 4]].forEach(([t, l], i) => { tpl.writeUInt16BE(t, 8 + i * 4); tpl.writeUInt16BE(l, 10 + i * 4); });
let bytesSent = 0n;
const bodies = [];
for (let k = 0; k < 64; k++) {
  const fs = Buffer.alloc(4 + perDgram * 24);
  fs.writeUInt16BE(256, 0); fs.writeUInt16BE(fs.length, 2);
  for (let i = 0; i < perDgram; i++) {
    const o = 4 + i * 24;
    const sub = (k * perDgram + i) % subs;
    const up = i % 2 === 0;
    const subAddr = (0x64400000 + sub) >>> 0; // 100.64.0.0/10
    fs.writeUInt32BE(up ? subAddr : 0xc6336401, o);
    fs.writeUInt32BE(up ? 0xc6336401 : subAddr, o + 4);
    fs.writeUInt32BE(1000 + (i % 500), o + 8);
    fs.writeUInt32BE(3, o + 12);
    fs.writeUInt32BE(uptime - 5000, o + 16);
    fs.writeUInt32BE(uptime - 1000, o + 20);
  }
  bodies.push(fs);
}
const bodyBytes = bodies.map((b) => { let s = 0n; for (let i = 0; i < perDgram; i++) s += BigInt(b.readUInt32BE(4 + i * 24 + 8)); return s; });
let seq = 0;
function send(buf) { return new Promise((r) => sock.send(buf, port, '127.0.0.1', r)); }
(async () => {
  await send(Buffer.concat([header(seq++, 1), tpl]));
  await new Promise((r) => setTimeout(r, 200));
  const start = process.hrtime.bigint();
  const perMs = rate / perDgram / 1000;
  for (let n = 0; n < total; n++) {
    const k = n % 64;
    await send(Buffer.concat([header(seq++, perDgram), bodies[k]]));
    bytesSent += bodyBytes[k];
    // pace: stay on schedule
    const due = n / perMs;
    const el = Number(process.hrtime.bigint() - start) / 1e6;
    if (due > el + 2) await new Promise((r) => setTimeout(r, due - el));
  }
  const secsTaken = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ datagrams: total, records: total * perDgram, bytes: bytesSent.toString(), seconds: secsTaken }) + '\n');
  sock.close();
})();
