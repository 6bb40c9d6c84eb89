/** Deadlock (40P01) or serialization failure (40001): the same transaction succeeds when run again. */
export function isTransientError(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '40P01' || code === '40001';
}

/** Runs a whole transaction again (up to `attempts` times in all) when it failed transiently. */
export async function retryTransient<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !isTransientError(err)) throw err;
    }
  }
}
