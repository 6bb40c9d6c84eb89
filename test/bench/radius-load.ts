import { createHash } from 'node:crypto';
import dgram from 'node:dgram';

/**
 * A small RADIUS accounting load generator used for every server in the benchmark: many
 * concurrent sessions, each sending Start, Interim-Updates and Stop in order (the next
 * packet only after the previous one was answered, as a NAS does), with up to
 * `concurrency` requests outstanding. Unanswered requests are retransmitted unchanged
 * after `timeoutMs` (same Identifier and authenticator).
 */
export interface LoadOptions {
  host: string;
  port: number;
  secret: string;
  sessions: number;
  interimsPerSession: number;
  concurrency: number;
  timeoutMs: number;
  /** Distinguishes runs so session ids never collide across runs against one database. */
  runId: string;
  users: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds the load generator itself used. */
  generatorCpuSeconds: number;
  retransmissions: number;
  /** Expected totals: download = sum of final Acct-Output, upload = sum of final Acct-Input. */
  expectedIn: bigint;
  expectedOut: bigint;
}

const attr = {
  str: (type: number, value: string) => {
    const v = Buffer.from(value);
    return Buffer.concat([Buffer.from([type, v.length + 2]), v]);
  },
  int: (type: number, value: number) => {
    const b = Buffer.alloc(6);
    b[0] = type;
    b[1] = 6;
    b.writeUInt32BE(value >>> 0, 2);
    return b;
  },
  ip: (type: number, value: string) => Buffer.from([type, 6, ...value.split('.').map(Number)]),
};

interface Outstanding {
  packet: Buffer;
  socket: dgram.Socket;
  sentAt: number;
  resolve: () => void;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const secret = Buffer.from(o.secret);
  const socketCount = Math.ceil(o.concurrency / 200) + 1;
  const sockets: dgram.Socket[] = [];
  const outstanding: Array<Map<number, Outstanding>> = [];
  const freeIds: number[][] = [];
  for (let i = 0; i < socketCount; i++) {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const map = new Map<number, Outstanding>();
    socket.on('message', (msg) => {
      if (msg.length < 20 || msg[0] !== 5) return;
      const pending = map.get(msg[1]);
      if (!pending) return;
      map.delete(msg[1]);
      freeIds[i].push(msg[1]);
      pending.resolve();
    });
    sockets.push(socket);
    outstanding.push(map);
    freeIds.push(Array.from({ length: 256 }, (_, k) => k));
  }
  let retransmissions = 0;
  let requests = 0;
  const waiters: Array<() => void> = [];

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const map of outstanding) {
      for (const p of map.values()) {
        if (now - p.sentAt >= o.timeoutMs) {
          p.sentAt = now;
          retransmissions++;
          p.socket.send(p.packet, o.port, o.host);
        }
      }
    }
  }, Math.max(100, o.timeoutMs / 4));

  let rr = 0;
  const send = async (body: Buffer): Promise<void> => {
    let socketIndex = -1;
    for (let k = 0; k < socketCount; k++) {
      const idx = (rr + k) % socketCount;
      if (freeIds[idx].length) {
        socketIndex = idx;
        break;
      }
    }
    if (socketIndex < 0) {
      await new Promise<void>((r) => waiters.push(r));
      return send(body);
    }
    rr = (socketIndex + 1) % socketCount;
    const id = freeIds[socketIndex].shift()!;
    const packet = Buffer.alloc(20 + body.length);
    packet[0] = 4;
    packet[1] = id;
    packet.writeUInt16BE(packet.length, 2);
    body.copy(packet, 20);
    createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
    const socket = sockets[socketIndex];
    await new Promise<void>((resolve) => {
      outstanding[socketIndex].set(id, { packet, socket, sentAt: Date.now(), resolve });
      socket.send(packet, o.port, o.host);
    });
    requests++;
    const w = waiters.shift();
    if (w) w();
  };

  let expectedIn = 0n;
  let expectedOut = 0n;
  let next = 0;
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    while (next < o.sessions) {
      const s = next++;
      const base = [
        attr.str(1, `user${s % o.users}`),
        attr.ip(4, `10.${(s >> 16) & 255}.${(s >> 8) & 255}.1`),
        attr.str(44, `${o.runId}-${s}`),
        attr.ip(8, `100.${64 + ((s >> 16) & 63)}.${(s >> 8) & 255}.${s & 255}`),
      ];
      await send(Buffer.concat([...base, attr.int(40, 1)]));
      let input = 0;
      let output = 0;
      let outGiga = 0;
      for (let k = 1; k <= o.interimsPerSession + 1; k++) {
        input += 1000 + (s % 97);
        output += 250_000_000; // crosses 2^32 within a few interims: gigawords
        if (output >= 2 ** 32) {
          output -= 2 ** 32;
          outGiga++;
        }
        const status = k === o.interimsPerSession + 1 ? 2 : 3;
        await send(Buffer.concat([...base, attr.int(40, status), attr.int(42, input), attr.int(43, output), attr.int(53, outGiga), attr.int(46, k * 300)]));
      }
      expectedOut += BigInt(input);
      expectedIn += BigInt(outGiga) * 2n ** 32n + BigInt(output);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sweep);
  for (const s of sockets) s.close();
  const cpu = process.cpuUsage(cpu0);
  return { requests, seconds, perSecond: requests / seconds, retransmissions, expectedIn, expectedOut, generatorCpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Runs the generator in its own process, so it never competes with the server under test
 * for an event loop (it still shares the machine's CPUs, as it does with FreeRADIUS).
 */
export function runLoadInChild(o: LoadOptions): Promise<LoadResult> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { fork } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child'], { execArgv: ['-r', '@swc-node/register'], stdio: 'inherit' });
    child.once('message', (m: { error?: string; result?: Record<string, string | number> }) => {
      if (m.error) return reject(new Error(m.error));
      const r = m.result!;
      resolve({
        requests: Number(r.requests),
        seconds: Number(r.seconds),
        perSecond: Number(r.perSecond),
        retransmissions: Number(r.retransmissions),
        expectedIn: BigInt(r.expectedIn),
        expectedOut: BigInt(r.expectedOut),
        generatorCpuSeconds: Number(r.generatorCpuSeconds),
      });
      child.kill();
    });
    child.once('error', reject);
    child.send(o);
  });
}

if (process.argv.includes('--child') && process.send) {
  process.once('message', (o: LoadOptions) => {
    runLoad(o).then(
      (r) => process.send!({ result: { ...r, expectedIn: r.expectedIn.toString(), expectedOut: r.expectedOut.toString() } }),
      (err: Error) => process.send!({ error: err.message }),
    );
  });
}
