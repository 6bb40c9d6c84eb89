import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used so far by every live process with this command name, read
 * from /proc: with the server's own process.cpuUsage() it tells where a run's CPU went (this
 * service or PostgreSQL) on a machine where they share two cores.
 */
export function cpuSecondsOf(command: string): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== command) continue;
      const fields = stat.slice(close + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime
    } catch {
      // the process exited meanwhile
    }
  }
  return total;
}

/** Measures the CPU of this process and of PostgreSQL's processes around `run`. */
export async function withCpuShare<T>(run: () => Promise<T>): Promise<{ result: T; selfSeconds: number; postgresSeconds: number }> {
  const self0 = process.cpuUsage();
  const pg0 = cpuSecondsOf('postgres');
  const result = await run();
  const self = process.cpuUsage(self0);
  return { result, selfSeconds: (self.user + self.system) / 1e6, postgresSeconds: cpuSecondsOf('postgres') - pg0 };
}
