import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { DataDirInUseError, DataDirLock } from '../../src/db/data-dir-lock';

// Two processes, and a restart after SIGKILL: test/main.process.test.ts. Here, one process holding
// two locks shows the refusal, the message and the release.
describe('the DATA_DIR lock', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'um-lock-')), 'not yet created');
  });
  afterEach(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('is held by one holder at a time, names it, and is free again once released', () => {
    const first = DataDirLock.acquire(dataDir);
    expect(readFileSync(first.file, 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    expect(() => DataDirLock.acquire(dataDir)).toThrow(DataDirInUseError);
    expect(() => DataDirLock.acquire(dataDir)).toThrow(
      `DATA_DIR ${dataDir} is in use by process ${process.pid}: stop it first, or give this process another DATA_DIR`,
    );
    first.release();
    const second = DataDirLock.acquire(dataDir);
    second.release();
  });

  it('names the holder\'s host when it is another one (a shared volume)', () => {
    const lock = DataDirLock.acquire(dataDir);
    writeFileSync(lock.file, '4242 other-host\n');
    expect(() => DataDirLock.acquire(path.join(dataDir, '.'))).toThrow(`DATA_DIR ${dataDir} is in use by process 4242 on host other-host:`);
    lock.release();
  });

  it('locks nothing for a PostgreSQL server or an embedded database in memory', () => {
    expect(DataDirLock.forDatabase({ url: 'postgres://db/usage', dataDir })).toBeNull();
    expect(DataDirLock.forDatabase({ dataDir: 'memory://' })).toBeNull();
    const lock = DataDirLock.forDatabase({ dataDir });
    expect(lock).toBeInstanceOf(DataDirLock);
    lock!.release();
  });
});
