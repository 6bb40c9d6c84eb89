import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { flockSync } from 'fs-ext';
import type { DatabaseSettings } from './data-source';

/** Beside the embedded database's folder (`DATA_DIR/pglite`), kept from one start to the next. */
const LOCK_FILE = 'usage-meter.lock';

export class DataDirInUseError extends Error {}

/**
 * One process at a time in a DATA_DIR. The embedded database (PGlite) is PostgreSQL in one
 * process, with no shared memory between processes: a second process opening the same files
 * would keep its own view of them, and each would overwrite what the other wrote.
 *
 * The lock is flock(2) on a file in DATA_DIR (through fs-ext; Node has no flock of its own). The
 * kernel drops it when the process ends, however it ends (SIGKILL, the OOM killer), so a lock
 * is never stale and a restart never waits. A lock file that is created and deleted
 * (proper-lockfile, a pid file) has to guess staleness instead: proper-lockfile takes an old
 * mtime for a dead holder, so a holder that is only stalled (a long pause, a stopped process)
 * loses its lock to a second process while it still has the database open, and a restart after
 * SIGKILL waits out the staleness period; a pid file cannot tell a live holder in another
 * container (pids are per namespace) from a dead one. flock works between containers that mount
 * the same volume. The file holds the holder's pid and host only to name them in the error.
 */
export class DataDirLock {
  private constructor(
    private fd: number | null,
    readonly file: string,
  ) {}

  /** Null when there is nothing to lock: a PostgreSQL server, or an embedded database in memory. */
  static forDatabase(settings: DatabaseSettings): DataDirLock | null {
    if (settings.url || settings.dataDir.startsWith('memory://')) return null;
    return DataDirLock.acquire(settings.dataDir);
  }

  /** Takes the lock of `dataDir` (created if missing), or throws DataDirInUseError naming the holder. */
  static acquire(dataDir: string): DataDirLock {
    const directory = path.resolve(dataDir);
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, LOCK_FILE);
    // Read-write, created if missing, never truncated before the lock is ours: the holder's pid stays readable.
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      flockSync(fd, 'exnb');
    } catch (error) {
      closeSync(fd);
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' && (error as NodeJS.ErrnoException).code !== 'EWOULDBLOCK') throw error;
      const holder = describeHolder(file);
      throw new DataDirInUseError(`DATA_DIR ${directory} is in use by ${holder}: stop it first, or give this process another DATA_DIR`);
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid} ${hostname()}\n`, 0);
    return new DataDirLock(fd, file);
  }

  /** Lets the next process in (closing the file drops the lock). The file stays. */
  release(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/** "process 1234" (and its host when it is not this one), from what the holder wrote. */
function describeHolder(file: string): string {
  const [pid, host] = readFileSync(file, 'utf8').trim().split(' ');
  if (!/^\d+$/.test(pid ?? '')) return 'another process'; // it has the lock, but has not written its pid yet
  return host && host !== hostname() ? `process ${pid} on host ${host}` : `process ${pid}`;
}
