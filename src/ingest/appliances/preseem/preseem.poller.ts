import { accountIdOf } from '../../../accounts/account-id';
import type { Attribution } from '../../../attribution/attribution';
import type { IntervalClaim } from '../../../appliances/interval-claims';
import { existingAccountIds, IntervalCreditor, UsagePlan } from '../../../appliances/interval-crediting.service';
import type { PreseemSettingsService } from '../../../appliances/preseem-settings.service';
import type { Logger } from '../../../logger';
import type { UnattributedIncrement, UsageIncrement, UsageSource } from '../../../usage/ledger';
import { defaultRecordByteLimit, RecordByteLimit } from '../../../usage/plausible-bytes';
import type { IngestStatusEntry } from '../../ingest-status';
import { ApplianceStatus, newApplianceStatus, toIngestStatusEntry } from '../appliance-status';
import { getJson } from '../http-json';
import { PollLoop } from '../poll-loop';
import { parsePreseemPage, PreseemUsageRecord } from './preseem.parser';

export const PRESEEM_SOURCE_KEY = 'preseem';
export const PRESEEM_PARENT = 'Preseem';

export interface PreseemPollerOptions {
  /** Path appended to base_url (default /v1/usage). */
  usagePath: string;
  pageSize: number;
  /** Safety stop for a server that pages forever. */
  maxPages: number;
  timeoutMs: number;
  /** Re-ask this far before the checkpoint every poll, to pick up intervals Preseem publishes late. */
  lookbackMs: number;
  /** First poll ever (no checkpoint): how far back to start. */
  initialLookbackMs: number;
  /** Intervals older than this are refused, and their credited ranges pruned. */
  retentionMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Poll period while disabled or unconfigured (settings are re-read every tick). */
  idleIntervalMs: number;
}

export const defaultPreseemPollerOptions: PreseemPollerOptions = {
  usagePath: '/v1/usage',
  pageSize: 1000,
  maxPages: 1000,
  timeoutMs: 10_000,
  lookbackMs: 2 * 3600_000,
  initialLookbackMs: 3600_000,
  retentionMs: 30 * 86_400_000,
  backoffBaseMs: 5_000,
  backoffMaxMs: 15 * 60_000,
  idleIntervalMs: 60_000,
};

export interface PreseemPollResult {
  enabled: boolean;
  pages: number;
  records: number;
  invalid: number;
  intervalsCredited: number;
  duplicates: number;
  overlaps: number;
  tooOld: number;
  /** Records ending after the time asked up to (not over yet, or Preseem's clock is ahead): left for a later poll. */
  unfinished: number;
  recordsUnattributed: number;
}

export interface PreseemPollerDeps {
  settings: PreseemSettingsService;
  creditor: IntervalCreditor;
  attribution: Attribution;
  logger?: Logger;
  recordLimit?: RecordByteLimit;
  now?: () => number;
}

/**
 * Polls Preseem's per-interval usage (byte deltas per billing account and/or address) and
 * credits each (series, interval) exactly once: the whole poll (every page) is fetched first,
 * then credited and checkpointed in one transaction; anything already credited for a series,
 * a retry, a restart or an overlapping window, is skipped (IntervalCreditor).
 * A partially overlapping interval (Preseem changed its interval length) is skipped and
 * counted rather than guessed at: a delta cannot be split exactly.
 * The checkpoint is the `end` this poll asked up to, never a record's end: a record claiming
 * time after it is not credited yet (an interval not over cannot be final) and cannot push
 * later polls past "now"; the next poll asks again from the checkpoint minus the look-back.
 */
export class PreseemPoller {
  private readonly loop: PollLoop;
  private readonly state: ApplianceStatus = newApplianceStatus(PRESEEM_PARENT, PRESEEM_PARENT, false);
  private intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly deps: PreseemPollerDeps,
    private readonly options: PreseemPollerOptions = defaultPreseemPollerOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.intervalMs = options.idleIntervalMs;
    this.loop = new PollLoop((signal) => this.tick(signal), {
      name: 'preseem',
      intervalMs: () => this.intervalMs,
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

  status(): ApplianceStatus {
    return { ...this.state };
  }

  /** IngestStatusSource. */
  ingestStatus(): IngestStatusEntry[] {
    return [toIngestStatusEntry(this.status())];
  }

  private async tick(signal: AbortSignal): Promise<void> {
    await this.pollOnce(signal);
  }

  /** One poll; throws on any failure (after recording it in the status). Exposed for tests and the loop. */
  async pollOnce(signal?: AbortSignal): Promise<PreseemPollResult> {
    this.state.lastPollAt = new Date(this.now());
    try {
      const result = await this.poll(signal);
      this.state.lastSuccessAt = new Date(this.now());
      this.state.consecutiveFailures = 0;
      return result;
    } catch (error) {
      this.state.lastErrorAt = new Date(this.now());
      this.state.lastError = error instanceof Error ? error.message : String(error);
      this.state.consecutiveFailures++;
      throw error;
    }
  }

  private async poll(signal?: AbortSignal): Promise<PreseemPollResult> {
    const result: PreseemPollResult = {
      enabled: false, pages: 0, records: 0, invalid: 0,
      intervalsCredited: 0, duplicates: 0, overlaps: 0, tooOld: 0, unfinished: 0, recordsUnattributed: 0,
    };
    const { settings, apiKey } = await this.deps.settings.getWithSecret();
    const configured = settings.enabled && !!settings.base_url && !!apiKey;
    this.state.enabled = configured;
    this.intervalMs = configured ? settings.interval * 1000 : this.options.idleIntervalMs;
    if (!configured) return result;
    result.enabled = true;

    const nowMs = this.now();
    const checkpoint = await this.deps.creditor.checkpoint(PRESEEM_SOURCE_KEY);
    this.applyCheckpoint(checkpoint);
    const notBeforeMs = nowMs - this.options.retentionMs;
    // Earlier versions stored the latest end a record claimed, which may lie in the future: read no later than now.
    const stored = checkpoint?.lastIntervalEndMs ?? null;
    const last = stored === null ? null : Math.min(stored, nowMs);
    const startMs = Math.max(last === null ? nowMs - this.options.initialLookbackMs : last - this.options.lookbackMs, notBeforeMs);

    const records: PreseemUsageRecord[] = [];
    for (let page = 1; ; page++) {
      if (page > this.options.maxPages) throw new Error(`Preseem paging did not end after ${this.options.maxPages} pages`);
      const url = new URL(settings.base_url + this.options.usagePath);
      url.searchParams.set('start', new Date(startMs).toISOString());
      url.searchParams.set('end', new Date(nowMs).toISOString());
      url.searchParams.set('page', String(page));
      url.searchParams.set('limit', String(this.options.pageSize));
      this.state.requests++;
      const parsed = parsePreseemPage(await getJson(url, { username: apiKey!, password: '', timeoutMs: this.options.timeoutMs, signal }));
      result.pages++;
      result.invalid += parsed.invalid;
      records.push(...parsed.records);
      if (page >= parsed.totalPages || parsed.records.length + parsed.invalid === 0) break;
    }
    result.records = records.length;
    this.state.recordsInvalid += result.invalid;
    this.state.received += records.length + result.invalid;

    const source: UsageSource = { parent: PRESEEM_PARENT, identifier: PRESEEM_PARENT };
    const claims: IntervalClaim<PreseemUsageRecord>[] = records.map((r) => ({
      // The series is the record's full key: one account may report several addresses.
      series: `${r.accountId ?? ''}|${r.ip ?? ''}`,
      range: { startMs: r.startMs, endMs: r.endMs },
      divisible: false,
      payload: r,
    }));
    let implausible = 0;
    const outcome = await this.deps.creditor.credit({
      sourceKey: PRESEEM_SOURCE_KEY,
      claims,
      askedUntilMs: nowMs,
      notBeforeMs,
      toUsage: async (accepted, manager) => {
        const named = accepted.map(({ claim }) => ({ record: claim.payload, id: accountIdOf(claim.payload.accountId) }));
        const existing = await existingAccountIds(manager, named.flatMap(({ id }) => (id === null ? [] : [id])));
        const plan = this.toUsage(named, existing, source);
        implausible = plan.implausible;
        return plan;
      },
    });
    this.state.recordsImplausible += implausible;
    Object.assign(result, {
      intervalsCredited: outcome.intervalsCredited,
      duplicates: outcome.duplicates,
      overlaps: outcome.overlaps,
      tooOld: outcome.tooOld,
      unfinished: outcome.unfinished,
      recordsUnattributed: outcome.recordsUnattributed,
    });
    this.state.duplicatesSkipped += outcome.duplicates;
    this.state.overlapsSkipped += outcome.overlaps;
    this.state.tooOldSkipped += outcome.tooOld;
    this.state.unfinishedSkipped += outcome.unfinished;
    this.state.accepted += outcome.intervalsCredited - implausible;
    this.state.bytesAttributed += outcome.bytesAttributed;
    this.state.bytesUnattributed += outcome.bytesUnattributed;
    this.applyCheckpoint(outcome.checkpoint);
    return result;
  }

  /** `named`: each accepted record with the account id its text names (null when none). */
  private toUsage(named: { record: PreseemUsageRecord; id: number | null }[], existing: Set<number>, source: UsageSource): UsagePlan & { implausible: number } {
    const usage: UsageIncrement[] = [];
    const unattributed: UnattributedIncrement[] = [];
    let unattributedRecords = 0;
    let implausible = 0;
    const limit = this.deps.recordLimit ?? defaultRecordByteLimit;
    for (const { record: r, id } of named) {
      const seconds = (r.endMs - r.startMs) / 1000;
      if (limit.plausibleBytes(r.downloadBytes, 1, seconds) === null || limit.plausibleBytes(r.uploadBytes, 1, seconds) === null) {
        implausible++;
        continue;
      }
      // An id that names an existing account wins; otherwise the address decides, as for every source.
      const accountId = id !== null && existing.has(id) ? id : r.ip ? this.deps.attribution.accountForIp(r.ip, r.startMs) : null;
      if (accountId !== null) {
        usage.push({ accountId, source, timeMs: r.startMs, inBytes: r.downloadBytes, outBytes: r.uploadBytes });
      } else {
        unattributedRecords++;
        if (r.ip) unattributed.push({ ip: r.ip, source, timeMs: r.startMs, inBytes: r.downloadBytes, outBytes: r.uploadBytes });
      }
    }
    return { usage, unattributed, unattributedRecords, implausible };
  }

  private applyCheckpoint(row: Awaited<ReturnType<IntervalCreditor['checkpoint']>>): void {
    if (!row) return;
    this.state.checkpoint = row.lastIntervalEndMs === null ? null : new Date(row.lastIntervalEndMs);
    this.state.intervalsCredited = row.intervalsCredited;
    this.state.recordsUnattributed = row.recordsUnattributed;
  }
}
