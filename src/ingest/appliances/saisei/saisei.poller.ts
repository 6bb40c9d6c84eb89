import type { Attribution } from '../../../attribution/attribution';
import type { AcceptedClaim, IntervalClaim } from '../../../appliances/interval-claims';
import type { IntervalCreditor, UsagePlan } from '../../../appliances/interval-crediting.service';
import type { InlineDeviceService, InlineDeviceWithSecret } from '../../../appliances/inline-device.service';
import type { Logger } from '../../../logger';
import type { UnattributedIncrement, UsageIncrement, UsageSource } from '../../../usage/ledger';
import { defaultRecordByteLimit, RecordByteLimit } from '../../../usage/plausible-bytes';
import type { IngestStatusEntry } from '../../ingest-status';
import { ApplianceStatus, newApplianceStatus, toIngestStatusEntry } from '../appliance-status';
import { backoffDelayMs } from '../backoff';
import { formatSaiseiTime } from '../gmt-time';
import { getJson } from '../http-json';
import { PollLoop } from '../poll-loop';
import { bytesForPart } from './saisei-bytes';
import { parseSaiseiPage, SaiseiUserUsage } from './saisei.parser';

export const SAISEI_PARENT = 'SaiSei';
/** Byte counts where the device has them, rates for devices that do not (they leave the counters out). */
export const SAISEI_SELECT = 'name,from,until,dest_byte_count,source_byte_count,dest_smoothed_rate,source_smoothed_rate';
export const saiseiSourceKey = (deviceId: number) => `saisei:${deviceId}`;

export interface SaiseiPollerOptions {
  /** How often the device list is read and due devices are polled. */
  pollIntervalMs: number;
  /** Length of one queried window; windows are aligned to multiples of it (GMT). */
  windowMs: number;
  /** A window is queried only once it ended this long ago (the appliance's history settles). */
  settleMs: number;
  /** Catch-up after an outage: at most this many windows per device per poll... */
  maxWindowsPerPoll: number;
  /** ...and never further back than this (older history is skipped, counted in windows_skipped). */
  maxCatchupMs: number;
  /** The REST system name in /rest/<system>/configurations/running/users/ for devices without their own `system_name`. */
  systemName: string;
  pageSize: number;
  maxPages: number;
  timeoutMs: number;
  retentionMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const defaultSaiseiPollerOptions: SaiseiPollerOptions = {
  pollIntervalMs: 60_000,
  windowMs: 300_000,
  settleMs: 60_000,
  maxWindowsPerPoll: 12,
  maxCatchupMs: 86_400_000,
  systemName: 'stm',
  pageSize: 500,
  maxPages: 10_000,
  timeoutMs: 10_000,
  retentionMs: 30 * 86_400_000,
  backoffBaseMs: 5_000,
  backoffMaxMs: 15 * 60_000,
};

export interface SaiseiWindowResult {
  windowStartMs: number;
  windowEndMs: number;
  users: number;
  invalid: number;
  intervalsCredited: number;
  duplicates: number;
  recordsUnattributed: number;
  /** Users whose bytes came from the device's byte counters in both directions / from a smoothed rate in at least one. */
  byByteCount: number;
  byRate: number;
}

interface DeviceState {
  status: ApplianceStatus;
  failures: number;
  /** Wall-clock time (Date.now) before which a failing device is not retried. */
  retryAtMs: number;
}

export interface SaiseiPollerDeps {
  devices: InlineDeviceService;
  creditor: IntervalCreditor;
  attribution: Attribution;
  logger?: Logger;
  recordLimit?: RecordByteLimit;
  /** The clock that picks windows (tests fix it). Back-off always uses the wall clock. */
  now?: () => number;
}

/**
 * Polls every enabled SAISEI InlineDevice: for each aligned window not yet asked for, the
 * `users` collection (all pages) with each User-<ip>'s byte counts (or, where the device has
 * none, its smoothed rates, integrated), turned into exact bytes (saisei-bytes.ts), attributed
 * by IP, and credited and checkpointed in one transaction per window. Overlapping or repeated
 * intervals credit only their not-yet-credited part, and nothing past the window's end: the
 * window that asks for that time credits it. The checkpoint is the end of the last window
 * asked for, whatever interval a user object claims, so the next poll starts exactly there.
 * A failing device backs off on its own; the others keep going.
 */
export class SaiseiPoller {
  private readonly loop: PollLoop;
  private readonly devices = new Map<number, DeviceState>();
  private readonly now: () => number;

  constructor(
    private readonly deps: SaiseiPollerDeps,
    private readonly options: SaiseiPollerOptions = defaultSaiseiPollerOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.loop = new PollLoop((signal) => this.pollOnce(signal).then((r) => ({ again: r.behind })), {
      name: 'saisei',
      intervalMs: () => options.pollIntervalMs,
      backoffBaseMs: options.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs,
      logger: deps.logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  statuses(): ApplianceStatus[] {
    return [...this.devices.values()].map((d) => ({ ...d.status, consecutiveFailures: d.failures }));
  }

  /** IngestStatusSource: one entry per SAISEI device seen. */
  ingestStatus(): IngestStatusEntry[] {
    return this.statuses().map(toIngestStatusEntry);
  }

  /**
   * Polls every enabled device that is due. Device failures are recorded (and backed off), not
   * thrown; only failing to read the device list throws. `behind`: some device has more windows.
   */
  async pollOnce(signal?: AbortSignal): Promise<{ behind: boolean; errors: number }> {
    const devices = await this.deps.devices.enabledWithSecrets('SAISEI');
    const seen = new Set(devices.map((d) => d.id));
    for (const id of this.devices.keys()) if (!seen.has(id)) this.devices.delete(id);
    let behind = false;
    let errors = 0;
    for (const device of devices) {
      if (signal?.aborted) break;
      const state = this.stateOf(device);
      if (Date.now() < state.retryAtMs) continue;
      try {
        const result = await this.pollDevice(device, signal);
        behind ||= result.behind;
      } catch {
        errors++;
      }
    }
    return { behind, errors };
  }

  /** Polls one device's due windows; throws on failure after recording it and scheduling the retry. */
  async pollDevice(device: InlineDeviceWithSecret, signal?: AbortSignal): Promise<{ windows: SaiseiWindowResult[]; behind: boolean }> {
    const state = this.stateOf(device);
    state.status.lastPollAt = new Date(this.now());
    try {
      const result = await this.pollWindows(device, state, signal);
      state.failures = 0;
      state.retryAtMs = 0;
      state.status.lastSuccessAt = new Date(this.now());
      return result;
    } catch (error) {
      state.failures++;
      state.retryAtMs = Date.now() + backoffDelayMs(state.failures, this.options.backoffBaseMs, this.options.backoffMaxMs);
      state.status.lastErrorAt = new Date(this.now());
      state.status.lastError = error instanceof Error ? error.message : String(error);
      this.deps.logger?.warn({ device: device.name, failures: state.failures, err: state.status.lastError }, 'SaiSei poll failed');
      throw error;
    }
  }

  private async pollWindows(device: InlineDeviceWithSecret, state: DeviceState, signal?: AbortSignal) {
    const { windowMs } = this.options;
    const key = saiseiSourceKey(device.id);
    const nowMs = this.now();
    const lastDueEnd = Math.floor((nowMs - this.options.settleMs) / windowMs) * windowMs;
    const checkpoint = await this.deps.creditor.checkpoint(key);
    this.applyCheckpoint(state, checkpoint);
    // The checkpoint is the end of the last window asked for; aligned down in case SAISEI_WINDOW_S changed
    // (time asked for twice is credited once).
    let start = checkpoint?.lastIntervalEndMs ?? lastDueEnd - windowMs;
    start = Math.floor(start / windowMs) * windowMs;
    const earliest = Math.floor((nowMs - this.options.maxCatchupMs) / windowMs) * windowMs;
    if (start < earliest) {
      state.status.details.windows_skipped = (state.status.details.windows_skipped ?? 0) + (earliest - start) / windowMs;
      start = earliest;
    }
    const windows: SaiseiWindowResult[] = [];
    while (start + windowMs <= lastDueEnd && windows.length < this.options.maxWindowsPerPoll) {
      windows.push(await this.pollWindow(device, state, start, start + windowMs, nowMs, signal));
      start += windowMs;
    }
    return { windows, behind: start + windowMs <= lastDueEnd };
  }

  private async pollWindow(
    device: InlineDeviceWithSecret,
    state: DeviceState,
    fromMs: number,
    untilMs: number,
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<SaiseiWindowResult> {
    const users: SaiseiUserUsage[] = [];
    let invalid = 0;
    for (let page = 0, offset = 0; ; page++) {
      if (page >= this.options.maxPages) throw new Error(`SaiSei paging did not end after ${this.options.maxPages} pages`);
      const url = this.usersUrl(device, fromMs, untilMs, offset);
      state.status.requests++;
      const parsed = parseSaiseiPage(
        await getJson(url, { username: device.username ?? '', password: device.password ?? '', timeoutMs: this.options.timeoutMs, signal }),
      );
      users.push(...parsed.users);
      invalid += parsed.invalid;
      offset += parsed.count;
      const more = parsed.size !== null ? offset < parsed.size : parsed.count >= this.options.pageSize;
      if (parsed.count === 0 || !more) break;
    }
    state.status.recordsInvalid += invalid;
    state.status.received += users.length + invalid;
    const byByteCount = users.filter((u) => u.download.kind === 'counter' && u.upload.kind === 'counter').length;
    const byRate = users.length - byByteCount;
    state.status.details.users_by_byte_count = (state.status.details.users_by_byte_count ?? 0) + byByteCount;
    state.status.details.users_by_rate = (state.status.details.users_by_rate ?? 0) + byRate;

    const source: UsageSource = { parent: SAISEI_PARENT, identifier: device.name };
    const claims: IntervalClaim<SaiseiUserUsage>[] = users.map((u) => ({
      series: u.name,
      range: { startMs: u.startMs ?? fromMs, endMs: u.endMs ?? untilMs },
      divisible: true,
      payload: u,
    }));
    let implausible = 0;
    const outcome = await this.deps.creditor.credit({
      sourceKey: saiseiSourceKey(device.id),
      claims,
      askedUntilMs: untilMs,
      notBeforeMs: nowMs - this.options.retentionMs,
      toUsage: (accepted) => {
        const plan = this.toUsage(accepted, source);
        implausible = plan.implausible;
        return plan;
      },
    });
    state.status.recordsImplausible += implausible;
    state.status.accepted += outcome.intervalsCredited - implausible;
    state.status.overlapsSkipped += outcome.overlaps;
    state.status.bytesAttributed += outcome.bytesAttributed;
    state.status.bytesUnattributed += outcome.bytesUnattributed;
    state.status.duplicatesSkipped += outcome.duplicates;
    state.status.tooOldSkipped += outcome.tooOld;
    state.status.unfinishedSkipped += outcome.unfinished;
    this.applyCheckpoint(state, outcome.checkpoint);
    return {
      windowStartMs: fromMs,
      windowEndMs: untilMs,
      users: users.length,
      invalid,
      intervalsCredited: outcome.intervalsCredited,
      duplicates: outcome.duplicates,
      recordsUnattributed: outcome.recordsUnattributed,
      byByteCount,
      byRate,
    };
  }

  private toUsage(accepted: AcceptedClaim<SaiseiUserUsage>[], source: UsageSource): UsagePlan & { implausible: number } {
    const usage: UsageIncrement[] = [];
    const unattributed: UnattributedIncrement[] = [];
    let unattributedRecords = 0;
    let implausible = 0;
    const limit = this.deps.recordLimit ?? defaultRecordByteLimit;
    for (const { claim, parts } of accepted) {
      const u = claim.payload;
      let recordUnattributed = false;
      let recordImplausible = false;
      for (const part of parts) {
        const inBytes = bytesForPart(u.download, claim.range, part);
        const outBytes = bytesForPart(u.upload, claim.range, part);
        if (inBytes === 0n && outBytes === 0n) continue;
        const seconds = (part.endMs - part.startMs) / 1000;
        if (limit.plausibleBytes(inBytes, 1, seconds) === null || limit.plausibleBytes(outBytes, 1, seconds) === null) {
          recordImplausible = true;
          continue;
        }
        const accountId = this.deps.attribution.accountForIp(u.ip, part.startMs);
        if (accountId !== null) {
          usage.push({ accountId, source, timeMs: part.startMs, inBytes, outBytes });
        } else {
          recordUnattributed = true;
          unattributed.push({ ip: u.ip, source, timeMs: part.startMs, inBytes, outBytes });
        }
      }
      if (recordUnattributed) unattributedRecords++;
      if (recordImplausible) implausible++;
    }
    return { usage, unattributed, unattributedRecords, implausible };
  }

  private usersUrl(device: InlineDeviceWithSecret, fromMs: number, untilMs: number, offset: number): URL {
    const host = device.ip_address.includes(':') ? `[${device.ip_address}]` : device.ip_address;
    const system = encodeURIComponent(device.system_name ?? this.options.systemName);
    const scheme = device.use_tls ? 'https' : 'http';
    const url = new URL(`${scheme}://${host}:${device.port ?? 5000}/rest/${system}/configurations/running/users/`);
    url.searchParams.set('select', SAISEI_SELECT);
    url.searchParams.set('from', formatSaiseiTime(fromMs));
    url.searchParams.set('until', formatSaiseiTime(untilMs));
    url.searchParams.set('start', String(offset));
    url.searchParams.set('limit', String(this.options.pageSize));
    return url;
  }

  private stateOf(device: InlineDeviceWithSecret): DeviceState {
    let state = this.devices.get(device.id);
    if (!state) {
      state = { status: newApplianceStatus(SAISEI_PARENT, device.name, true), failures: 0, retryAtMs: 0 };
      this.devices.set(device.id, state);
    }
    state.status.identifier = device.name;
    return state;
  }

  private applyCheckpoint(state: DeviceState, row: Awaited<ReturnType<IntervalCreditor['checkpoint']>>): void {
    if (!row) return;
    state.status.checkpoint = row.lastIntervalEndMs === null ? null : new Date(row.lastIntervalEndMs);
    state.status.intervalsCredited = row.intervalsCredited;
    state.status.recordsUnattributed = row.recordsUnattributed;
  }
}
