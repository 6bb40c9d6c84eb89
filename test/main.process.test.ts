import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..');
const TOKEN = 'um_process_test_token_000000000000000000';

/**
 * The service as an operator runs it: its own process, NODE_ENV=production, stopped by a signal.
 * (In-process tests run with NODE_ENV=test, where libraries behave differently on signals.)
 */
describe('the service process', () => {
  const started: { child: ChildProcess; dataDir: string }[] = [];
  afterAll(() => {
    for (const { child, dataDir } of started) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  /** Starts `command`, with its own embedded database (or `dataDir`'s) and ephemeral ports; follows its JSON log. */
  function start(command: string, args: string[], dataDir = mkdtempSync(join(tmpdir(), 'um-process-'))) {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        RADIUS_ACCT_PORT: '0',
        NETFLOW_PORT: '0',
        BOOTSTRAP_API_TOKEN: TOKEN,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push({ child, dataDir });
    const messages: { msg?: string; url?: string; level?: number }[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = parse(line);
      if (entry) messages.push(entry);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const logged = (msg: string) =>
      new Promise<{ url?: string }>((resolve, reject) => {
        const found = messages.find((m) => m.msg === msg);
        if (found) return resolve(found);
        const onLine = (line: string) => {
          const entry = parse(line);
          if (entry?.msg === msg) {
            lines.off('line', onLine);
            resolve(entry);
          }
        };
        lines.on('line', onLine);
        child.once('exit', () => reject(new Error(`exited before logging "${msg}"`)));
      });
    return { child, dataDir, messages, exited, logged };
  }

  /** Answers a request, then on SIGTERM to `child` stops cleanly and exits 0, not by the stop deadline. */
  async function expectCleanStop(service: ReturnType<typeof start>) {
    const { url } = await service.logged('usage meter started');
    const port = new URL(url!).port;
    // A keep-alive client that has just been answered, as a front end or middleware would be.
    const response = await fetch(`http://127.0.0.1:${port}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query: '{ account_statuses { entities { id } } }' }),
    });
    expect(response.status).toBe(200);

    service.child.kill('SIGTERM');
    // The stop deadline (30 s) would exit with 1 and log that it passed; a clean stop logs "stopped"
    // after the last component, the database, has stopped.
    expect(await service.exited).toBe(0);
    const names = service.messages.map((m) => m.msg);
    expect(names).toContain('stopped');
    expect(names).not.toContain('stop deadline passed, exiting');
  }

  it('on SIGTERM stops and exits 0, not by the stop deadline, with a keep-alive client still connected', async () => {
    await expectCleanStop(start(process.execPath, ['-r', '@swc-node/register', 'src/main.ts']));
  }, 90_000);

  it('refuses a second process on the same DATA_DIR, naming the holder, and starts again at once after the holder is killed', async () => {
    const service = (dataDir?: string) => start(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], dataDir);
    const first = service();
    const { url } = await first.logged('usage meter started');
    const created = await api(url!, 'mutation { createAccountStatus(input: {name: "kept across the restart"}) { id } }');
    expect(created.errors).toBeUndefined();

    const second = service(first.dataDir);
    expect(await second.exited).toBe(1);
    const refusal = second.messages.find((m) => m.level === 60);
    expect(refusal?.msg).toBe(
      `failed to start: DATA_DIR ${first.dataDir} is in use by process ${first.child.pid}: stop it first, or give this process another DATA_DIR`,
    );
    // The holder never noticed.
    expect((await api(url!, '{ account_statuses { entities { name } } }')).data).toEqual({
      account_statuses: { entities: [{ name: 'kept across the restart' }] },
    });

    // SIGKILL: nothing is released by the process itself; the kernel drops its lock.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = service(first.dataDir);
    const restarted = await third.logged('usage meter started');
    expect((await api(restarted.url!, '{ account_statuses { entities { name } } }')).data).toEqual({
      account_statuses: { entities: [{ name: 'kept across the restart' }] },
    });
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 120_000);

  it('stops cleanly when the SIGTERM goes to `npm start`, as a container runtime or supervisor sends it', async () => {
    // npm passes the signal to its script's shell; unless the shell hands over to node (exec), the
    // shell dies and the service runs on, orphaned, until it is killed without a flush.
    await expectCleanStop(start('npm', ['start', '--silent']));
  }, 120_000);
});

async function api(url: string, query: string): Promise<{ data?: unknown; errors?: unknown[] }> {
  const response = await fetch(`${url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

function parse(line: string): { msg?: string; url?: string; level?: number } | null {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
