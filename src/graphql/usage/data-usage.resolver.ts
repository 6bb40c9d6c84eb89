import type { GraphQLSchema } from 'graphql';
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { DataUsageSample } from '../../usage/data-usage.service';
import { resolvePaginator } from '../../db/list-query';
import type { Page } from '../../db/list-page';
import { badInput } from '../../errors';
import type { UsageHistory } from '../../usage/usage-read.service';
import { Paginator } from '../common/list.args';
import { SuccessResponse } from '../common/success-response.type';
import type { GraphQLContext } from '../context';
import { DatetimeScalar, Int64BitScalar } from '../scalars';
import {
  AccountUsageStatus,
  CreateDataUsageMutationInput,
  DataUsage,
  DataUsageHistory,
  DataUsageHistoryConnection,
  DataUsageTotal,
  DataUsageTotalConnection,
  TopDataUsage,
  UnattributedUsage,
} from './data-usage.types';
import { pageOf } from './page';
import { sonarUniqueId } from '../common/node.type';
import { declaredScope, NeedsScope, requireScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

const MAX_WINDOW_MS = 400 * 86_400_000;

function window(start: Date, end: Date): [number, number] {
  const s = start.getTime();
  const e = end.getTime();
  if (e <= s) throw badInput('end_datetime must be after start_datetime');
  if (e - s > MAX_WINDOW_MS) throw badInput('the window may span at most 400 days');
  return [s, e];
}

function limitOf(limit: number | undefined | null, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw badInput('limit must be 1..10000');
  return value;
}

export function historyObject(h: UsageHistory): DataUsageHistory {
  return {
    sonar_unique_id: sonarUniqueId('DataUsageHistory', `${h.accountId}:${h.start}`),
    account_id: h.accountId,
    start_time: new Date(h.start),
    end_time: h.end === null ? null : new Date(h.end),
    billable_in_bytes: h.inBytes,
    billable_out_bytes: h.outBytes,
    free_in_bytes: h.freeInBytes,
    free_out_bytes: h.freeOutBytes,
    policy_cap_at_close_in_bytes: h.capBytes,
    top_off_total_at_close_in_bytes: h.topOffBytes,
  };
}

export function historiesPage(histories: UsageHistory[], paginator: Paginator | null | undefined): Page<DataUsageHistory> {
  const { page, records_per_page } = resolvePaginator(paginator);
  return pageOf(histories.map(historyObject), page, records_per_page);
}

@Resolver()
export class DataUsageResolver {
  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse, {
    description:
      'Sonar: running counters per series; the first sample is a baseline, a lower value a reset. Atomic; ' +
      'at most USAGE_MAX_BATCH_ROWS (default 10000) rows per call; re-sent samples change nothing.',
  })
  async createDataUsages(
    // Plain objects as GraphQL coerced them, not class instances: see passCoercedRows.
    @Arg('input', () => [CreateDataUsageMutationInput]) input: DataUsageSample[],
    @Ctx() { services }: GraphQLContext,
  ): Promise<SuccessResponse> {
    const result = await services.dataUsage.createDataUsages(input);
    return result.success ? SuccessResponse.ok(result.message) : SuccessResponse.failed(result.message);
  }

  @NeedsScope(TokenScope.read)
  @Query(() => DataUsageTotalConnection)
  async data_usage_totals(
    @Arg('account_id', () => Int64BitScalar) accountId: bigint,
    @Arg('start_datetime', () => DatetimeScalar) start: Date,
    @Arg('end_datetime', () => DatetimeScalar) end: Date,
    @Ctx() { services }: GraphQLContext,
  ): Promise<Page<DataUsageTotal>> {
    const [s, e] = window(start, end);
    const rows = await services.usageReads.totals(Number(accountId), s, e);
    const entities: DataUsageTotal[] = rows.map((r) => ({
      billable_in_bytes: r.inBytes,
      billable_out_bytes: r.outBytes,
      free_in_bytes: r.freeInBytes,
      free_out_bytes: r.freeOutBytes,
      data_source_identifier: r.identifier,
      data_source_parent: r.parent,
    }));
    return pageOf(entities, 1, Math.max(1, entities.length));
  }

  @NeedsScope(TokenScope.read)
  @Query(() => [DataUsage])
  async data_usage(
    @Arg('account_id', () => Int64BitScalar) accountId: bigint,
    @Arg('start_datetime', () => DatetimeScalar) start: Date,
    @Arg('end_datetime', () => DatetimeScalar) end: Date,
    @Arg('datapoints', () => Int, { nullable: true, description: 'About this many points per source (default 100, at most 2000).' })
    datapoints: number | null,
    @Ctx() { services }: GraphQLContext,
  ): Promise<DataUsage[]> {
    const [s, e] = window(start, end);
    const points = datapoints ?? 100;
    if (points < 1 || points > 2000) throw badInput('datapoints must be 1..2000');
    const rows = await services.usageReads.series(Number(accountId), s, e, points);
    return rows.map((r) => ({
      time: r.time,
      inbytes_per_second: r.inBytesPerSecond,
      outbytes_per_second: r.outBytesPerSecond,
      data_source_identifier: r.identifier,
      data_source_parent: r.parent,
    }));
  }

  @NeedsScope(TokenScope.read)
  @Query(() => DataUsageHistoryConnection, { description: 'One row per billing period, newest first; the open period has no end_time.' })
  async data_usage_histories(
    @Arg('account_id', () => Int64BitScalar) accountId: bigint,
    @Arg('paginator', () => Paginator, { nullable: true }) paginator: Paginator | null,
    @Ctx() { loaders }: GraphQLContext,
  ): Promise<Page<DataUsageHistory>> {
    return historiesPage(await loaders.usageHistories.load(Number(accountId)), paginator);
  }

  @NeedsScope(TokenScope.read)
  @Query(() => [TopDataUsage], { description: 'Extension: the heaviest accounts over a window, heaviest first.' })
  async top_data_usage(
    @Arg('start_datetime', () => DatetimeScalar) start: Date,
    @Arg('end_datetime', () => DatetimeScalar) end: Date,
    @Arg('limit', () => Int, { nullable: true }) limit: number | null,
    @Arg('data_source_parent', () => String, { nullable: true }) parent: string | null,
    @Ctx() { services }: GraphQLContext,
  ): Promise<TopDataUsage[]> {
    const [s, e] = window(start, end);
    const rows = await services.usageReads.top(s, e, limitOf(limit, 10), parent);
    return rows.map((r) => ({ account_id: r.accountId, inbytes: r.inBytes, outbytes: r.outBytes, total_bytes: r.totalBytes }));
  }

  @NeedsScope(TokenScope.read)
  @Query(() => [UnattributedUsage], { description: 'Extension: traffic whose address matched no assignment, heaviest first.' })
  async unattributed_usage(
    @Arg('start_datetime', () => DatetimeScalar) start: Date,
    @Arg('end_datetime', () => DatetimeScalar) end: Date,
    @Arg('limit', () => Int, { nullable: true }) limit: number | null,
    @Ctx() { services }: GraphQLContext,
  ): Promise<UnattributedUsage[]> {
    const [s, e] = window(start, end);
    const rows = await services.usageReads.unattributed(s, e, limitOf(limit, 100));
    return rows.map((r) => ({
      ip: r.ip,
      data_source_parent: r.parent,
      data_source_identifier: r.identifier,
      inbytes: r.inBytes,
      outbytes: r.outBytes,
    }));
  }

  @NeedsScope(TokenScope.read)
  @Query(() => [AccountUsageStatus], {
    description: 'Extension: accounts at or over `percent` of their allowance (cap + top-offs) in the current billing period.',
  })
  async accounts_over_usage_threshold(
    @Arg('percent', () => Int) percent: number,
    @Ctx() { services }: GraphQLContext,
  ): Promise<AccountUsageStatus[]> {
    if (percent < 0 || percent > 100_000) throw badInput('percent must be 0..100000');
    const rows = await services.usageReads.accountsOverThreshold(percent);
    return rows.map((u) => ({
      account_id: u.accountId,
      period_start: new Date(u.period.start),
      period_end: new Date(u.period.end),
      billable_in_bytes: u.inBytes,
      billable_out_bytes: u.outBytes,
      counted_bytes: u.countedBytes,
      allowance_in_bytes: u.allowanceBytes!,
      data_usage_percentage: u.percentage!,
    }));
  }
}

/**
 * type-graphql turns each input object of a field's arguments into an instance of its class,
 * walking the class metadata per object, after GraphQL has already checked and coerced every
 * value. For createDataUsages' batches (1000 rows and more, on the one event-loop thread that
 * also serves every other request) that copy cost more than the counter logic: `npm run
 * bench:ledger` measured 3-9% more samples/s without it (alternating runs). So this field's
 * resolver gets its rows as GraphQL coerced them. The price: type-graphql middleware, guards or
 * validation added to this one field would not run. Its one guard, the scope check of
 * `@NeedsScope`, is made here instead (test/graphql/auth/token-scopes.test.ts runs every mutation
 * with a read token).
 */
export function passCoercedRows(schema: GraphQLSchema): void {
  const field = schema.getMutationType()!.getFields().createDataUsages;
  const resolver = new DataUsageResolver();
  const scope = declaredScope(field)!;
  field.resolve = (_root, args: { input: DataUsageSample[] }, context: GraphQLContext, info) => {
    requireScope(context, info.fieldName, scope);
    return resolver.createDataUsages(args.input, context);
  };
}
