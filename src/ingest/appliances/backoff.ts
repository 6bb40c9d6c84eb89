/**
 * Delay before the next attempt after `failures` consecutive failures: base * 2^(failures-1),
 * capped. No jitter: one poller per appliance, nothing to de-synchronize, and tests stay exact.
 */
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return baseMs;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
