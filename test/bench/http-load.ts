/**
 * HTTP load for the read benchmarks: autocannon, in its own process so the load generator never
 * shares the server's event loop (it still shares the machine's two cores, as any client would).
 * `connections` clients each send the next request as soon as the previous answer arrived,
 * cycling through `bodies`; a GraphQL error in any answer fails the run.
 */
import { fork } from 'node:child_process';

export interface HttpLoadJob {
  url: string;
  token: string;
  bodies: string[];
  connections: number;
  amount: number;
}

export interface HttpLoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** CPU seconds the load generator itself used. */
  clientCpuSeconds: number;
}

export function runHttpLoad(job: HttpLoadJob): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child'], { execArgv: ['-r', '@swc-node/register'], stdio: 'inherit' });
    child.once('message', (m: { error?: string; result?: HttpLoadResult }) => {
      child.kill();
      if (m.error) reject(new Error(m.error));
      else resolve(m.result!);
    });
    child.once('error', reject);
    child.send(job);
  });
}

async function runInThisProcess(job: HttpLoadJob): Promise<HttpLoadResult> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const autocannon = require('autocannon');
  let next = 0;
  let failure: string | null = null;
  const cpu0 = process.cpuUsage();
  // autocannon notices the last answer only at its next one-second tick, so its own duration is
  // rounded up to whole seconds: time the run to the last answer instead.
  const start = performance.now();
  let lastAnswer = start;
  const result = await autocannon({
    url: job.url,
    method: 'POST',
    connections: job.connections,
    amount: job.amount,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({ ...request, body: job.bodies[next++ % job.bodies.length] }),
        onResponse: (status: number, body: string) => {
          lastAnswer = performance.now();
          if (failure === null && (status !== 200 || body.includes('"errors"'))) failure = `HTTP ${status}: ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  if (failure) throw new Error(failure);
  if (result.errors || result.timeouts || result.non2xx) throw new Error(`${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  const seconds = (lastAnswer - start) / 1000;
  return {
    requests: result.requests.total,
    seconds,
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

if (process.argv.includes('--child') && process.send) {
  process.once('message', (job: HttpLoadJob) => {
    runInThisProcess(job).then(
      (result) => process.send!({ result }),
      (err: Error) => process.send!({ error: err.message }),
    );
  });
}
