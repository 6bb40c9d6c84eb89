import type { Logger } from '../../logger';
import { backoffDelayMs } from './backoff';

export interface PollLoopOptions {
  name: string;
  /** Delay after a successful tick (read every time: settings may change). */
  intervalMs(): number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  logger?: Logger;
}

/**
 * Runs `tick` now, then again after `intervalMs()` on success or after an exponential, capped
 * back-off on failure, until stop(). A failing tick never ends the loop; a tick may return
 * `{ again: true }` to run again right away (catching up). stop() aborts an in-flight tick
 * through the signal and waits for it to end.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly tick: (signal: AbortSignal) => Promise<{ again?: boolean } | void>,
    private readonly options: PollLoopOptions,
  ) {}

  start(): void {
    if (this.controller) return;
    this.controller = new AbortController();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    const controller = this.controller;
    this.controller = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    controller?.abort();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (!this.controller) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref?.();
  }

  private async runOnce(): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    let next: number;
    try {
      const result = await this.tick(controller.signal);
      this.failures = 0;
      next = result && result.again ? 0 : this.options.intervalMs();
    } catch (error) {
      this.failures++;
      next = backoffDelayMs(this.failures, this.options.backoffBaseMs, this.options.backoffMaxMs);
      this.options.logger?.warn(
        { poller: this.options.name, failures: this.failures, retryInMs: next, err: error instanceof Error ? error.message : String(error) },
        'appliance poll failed',
      );
    }
    if (this.controller === controller) this.schedule(next);
  }
}
