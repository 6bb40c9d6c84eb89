import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { missingPeersSummary } from './peers.global-teardown';
import { hasPeers, MissingPeerNote, notAnswering, NOTES_VARIABLE, PEERS } from './peers';

/** The guard every peer-using test goes through, and the end-of-run summary. */
describe('test peers', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'peers-test-'));
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a program on PATH only where it is executable', () => {
    process.env.PATH = dir;
    expect(PEERS.radclient.missing()).toBe('radclient is not on PATH');
    writeFileSync(path.join(dir, 'radclient'), '#!/bin/sh\n');
    expect(PEERS.radclient.missing()).toBe('radclient is not on PATH');
    chmodSync(path.join(dir, 'radclient'), 0o755);
    expect(PEERS.radclient.missing()).toBeNull();
  });

  it('takes a server as there only when it greets a client (MariaDB speaks first)', async () => {
    // In other processes: the probe blocks this one while it waits.
    const greeter = await serverProcess(`socket.end('greeting')`);
    const silent = await serverProcess('');
    try {
      expect(notAnswering('127.0.0.1', greeter.port)).toBeNull();
      expect(notAnswering('127.0.0.1', silent.port)).toBe(`nothing answers on 127.0.0.1:${silent.port}`);
    } finally {
      greeter.child.kill();
      silent.child.kill();
    }
    // Nothing listening at all.
    expect(notAnswering('127.0.0.1', greeter.port)).toBe(`nothing answers on 127.0.0.1:${greeter.port}`);
  });

  it('notes a missing peer for the summary and skips; under REQUIRE_PEERS=1 it throws with the install line', () => {
    const notes = path.join(dir, 'missing.jsonl');
    writeFileSync(notes, '');
    process.env[NOTES_VARIABLE] = notes;
    // The first check of the peer in this file (hasPeers remembers its answers per file).
    delete process.env.TEST_DATABASE_URL;
    delete process.env.REQUIRE_PEERS;
    expect(hasPeers('postgresql')).toBe(false);
    const [note] = readFileSync(notes, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as MissingPeerNote);
    expect(note).toEqual({ peer: 'postgresql', why: 'TEST_DATABASE_URL is not set', testPath: __filename, failed: false });

    process.env.REQUIRE_PEERS = '1';
    expect(() => hasPeers('postgresql')).toThrow('REQUIRE_PEERS=1, and this test file needs what is missing:\n  postgresql (TEST_DATABASE_URL is not set): apt-get install -y postgresql');
    expect(readFileSync(notes, 'utf8')).toContain('"failed":true');
  });

  it('sums up every missing peer once, with the test files and one apt-get line', () => {
    const root = '/repo';
    const note = (peer: MissingPeerNote['peer'], file: string, failed = false): MissingPeerNote => ({ peer, why: `${peer} is gone`, testPath: `${root}/${file}`, failed });
    const notes = [
      note('radclient', 'test/b.test.ts'),
      note('radclient', 'test/a.test.ts'),
      note('radclient', 'test/a.test.ts'),
      note('freeradius', 'test/a.test.ts'),
      note('chromium', 'test/c.test.ts'),
      ...['p1', 'p2', 'p3', 'p4', 'p5'].map((name) => note('postgresql', `test/${name}.test.ts`)),
    ];
    expect(missingPeersSummary(notes, root).split('\n')).toEqual([
      'Skipped: the peers these tests talk to are missing (`npm ci` cannot bring them).',
      `  chromium (${PEERS.chromium.what}): chromium is gone`,
      '      test/c.test.ts',
      `  freeradius (${PEERS.freeradius.what}): freeradius is gone`,
      '      test/a.test.ts',
      `  postgresql (${PEERS.postgresql.what}): postgresql is gone`,
      '      5 test files',
      `  radclient (${PEERS.radclient.what}): radclient is gone`,
      '      test/a.test.ts, test/b.test.ts',
      'Bring them with:',
      '  apt-get install -y chromium freeradius freeradius-postgresql postgresql-client postgresql freeradius-utils',
      `  then for postgresql: ${PEERS.postgresql.then}`,
      '(.ci/run installs every peer and sets REQUIRE_PEERS=1, under which a missing peer fails the run.)',
    ]);
    expect(missingPeersSummary([note('radclient', 'test/a.test.ts', true)], root)).toMatch(/^REQUIRE_PEERS=1, and peers are missing: the test files that need them FAILED\./);
  });
});

/** A TCP server on 127.0.0.1 in a child process, running `onConnection` (with `socket`) for each client. */
async function serverProcess(onConnection: string): Promise<{ child: ChildProcess; port: number }> {
  const code = `const s = require('node:net').createServer((socket) => { ${onConnection} });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

