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
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'um-process-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('on SIGTERM stops and exits 0, not by the stop deadline, with a keep-alive client still connected', async () => {
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
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
    const messages: { msg?: string; url?: string }[] = [];
    const lines = createInterface({ input: child.stdout! });
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
        child!.once('exit', () => reject(new Error(`exited before logging "${msg}"`)));
      });
    lines.on('line', (line) => {
      const entry = parse(line);
      if (entry) messages.push(entry);
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const { url } = await logged('usage meter started');
    const port = new URL(url!).port;
    // A keep-alive client that has just been answered, as a front end or middleware would be.
    const response = await fetch(`http://127.0.0.1:${port}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query: '{ account_statuses { entities { id } } }' }),
    });
    expect(response.status).toBe(200);

    child.kill('SIGTERM');
    // The stop deadline (30 s) would exit with 1 and log that it passed; a clean stop logs "stopped"
    // after the last component, the database, has stopped.
    expect(await exited).toBe(0);
    const names = messages.map((m) => m.msg);
    expect(names).toContain('stopped');
    expect(names).not.toContain('stop deadline passed, exiting');
  }, 90_000);
});

function parse(line: string): { msg?: string; url?: string } | null {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
