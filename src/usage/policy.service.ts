import type { DataSource } from 'typeorm';
import { DataUsageTopOff } from '../db/entities/data-usage-top-off.entity';
import { Account } from '../db/entities/account.entity';
import { CountedDirections, UsageBasedBillingPolicy, UsageBasedBillingPolicyFreePeriod } from '../db/entities/usage-based-billing-policy.entity';
import { badInput, conflict, notFound } from '../errors';
import { resolvePatch } from '../accounts/patch';
import { assertExists, findOrNotFound, requiredName } from '../accounts/service-support';
import { parseTimeOfDay, WEEKDAYS, Weekday } from './free-window';
import { INT64_MAX } from '../db/int64';

/** A decimal number of gigabytes, > 0, at most 9 decimals (1 byte = 10^-9 GB). Returns the normalized text. */
export function parseGigabytes(value: string): string {
  const text = String(value).trim();
  const m = /^(\d{1,20})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) throw badInput(`cap_in_gigabytes must be a positive decimal with at most 9 decimals (1 GB = 10^9 bytes), got ${JSON.stringify(value)}`);
  const normalized = m[2] ? `${BigInt(m[1])}.${m[2]}` : `${BigInt(m[1])}`;
  if (/^0(\.0*)?$/.test(normalized)) throw badInput('cap_in_gigabytes must be greater than 0');
  return normalized;
}

/** An update as received: absent = unchanged; null is refused (none of these fields can be cleared). */
type UpdateInput<T> = { [K in keyof T]?: T[K] | null };

export interface PolicyFields {
  name: string;
  cap_in_gigabytes: string;
  counted_directions: CountedDirections;
}

export type PolicyInput = UpdateInput<PolicyFields>;

/** A free period's own fields; it stays with the policy it was created in. */
interface FreePeriodWindow {
  day: Weekday;
  start: string;
  end: string;
}

export interface FreePeriodFields extends FreePeriodWindow {
  usage_based_billing_policy_id: number;
}

export type FreePeriodInput = UpdateInput<FreePeriodWindow>;

export type TopOffInput = UpdateInput<{ amount_in_bytes: bigint }>;

function minutesOf(field: 'start' | 'end', text: string): number {
  const minutes = parseTimeOfDay(text);
  if (minutes === null) throw badInput(`${field} must be a time of day HH:MM or HH:MM:SS on whole minutes (24:00 ends the day), got ${JSON.stringify(text)}`);
  return minutes;
}

/** Usage-based billing policies, their free periods, top-offs and which account follows which policy. */
export class UsagePolicyService {
  constructor(private readonly dataSource: DataSource) {}

  listPolicies(): Promise<UsageBasedBillingPolicy[]> {
    return this.dataSource.getRepository(UsageBasedBillingPolicy).find({ order: { id: 'ASC' } });
  }

  getPolicy(id: number): Promise<UsageBasedBillingPolicy> {
    return findOrNotFound(this.dataSource.manager, UsageBasedBillingPolicy, 'UsageBasedBillingPolicy', id);
  }

  private assertPolicyExists(id: number): Promise<void> {
    return assertExists(this.dataSource.manager, UsageBasedBillingPolicy, 'UsageBasedBillingPolicy', id);
  }

  async createPolicy(input: Pick<PolicyFields, 'name' | 'cap_in_gigabytes'> & PolicyInput): Promise<UsageBasedBillingPolicy> {
    const repo = this.dataSource.getRepository(UsageBasedBillingPolicy);
    return repo.save(
      repo.create({ name: requiredName(input.name), cap_in_gigabytes: parseGigabytes(input.cap_in_gigabytes), counted_directions: input.counted_directions ?? 'BOTH' }),
    );
  }

  async updatePolicy(id: number, input: PolicyInput): Promise<UsageBasedBillingPolicy> {
    const changes = resolvePatch<PolicyFields>('UsageBasedBillingPolicy', { ...input }, []);
    if (changes.name !== undefined) changes.name = requiredName(changes.name);
    if (changes.cap_in_gigabytes !== undefined) changes.cap_in_gigabytes = parseGigabytes(changes.cap_in_gigabytes);
    const policy = await this.getPolicy(id);
    Object.assign(policy, changes);
    return this.dataSource.getRepository(UsageBasedBillingPolicy).save(policy);
  }

  async deletePolicy(id: number): Promise<void> {
    // A missing policy has no users, and then deletes nothing: no read of it first.
    const users = await this.dataSource.getRepository(Account).countBy({ usage_based_billing_policy_id: id });
    if (users > 0) throw conflict(`UsageBasedBillingPolicy ${id} is used by ${users} account(s); move them to another policy first`);
    const result = await this.dataSource.getRepository(UsageBasedBillingPolicy).delete({ id });
    if (!result.affected) throw notFound('UsageBasedBillingPolicy', id);
  }

  freePeriods(policyIds: number[]): Promise<UsageBasedBillingPolicyFreePeriod[]> {
    if (policyIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(UsageBasedBillingPolicyFreePeriod)
      .createQueryBuilder('p')
      .where('p.usage_based_billing_policy_id IN (:...ids)', { ids: policyIds })
      .orderBy('p.day')
      .addOrderBy('p.start_minute')
      .getMany();
  }

  async createFreePeriod(input: FreePeriodFields): Promise<UsageBasedBillingPolicyFreePeriod> {
    await this.assertPolicyExists(input.usage_based_billing_policy_id);
    const period = this.checkedPeriod(new UsageBasedBillingPolicyFreePeriod(), input);
    period.usage_based_billing_policy_id = input.usage_based_billing_policy_id;
    return this.dataSource.getRepository(UsageBasedBillingPolicyFreePeriod).save(period);
  }

  async updateFreePeriod(id: number, input: FreePeriodInput): Promise<UsageBasedBillingPolicyFreePeriod> {
    const changes = resolvePatch<FreePeriodWindow>('UsageBasedBillingPolicyFreePeriod', { ...input }, []);
    const period = await findOrNotFound(this.dataSource.manager, UsageBasedBillingPolicyFreePeriod, 'UsageBasedBillingPolicyFreePeriod', id);
    return this.dataSource.getRepository(UsageBasedBillingPolicyFreePeriod).save(this.checkedPeriod(period, changes));
  }

  async deleteFreePeriod(id: number): Promise<void> {
    const result = await this.dataSource.getRepository(UsageBasedBillingPolicyFreePeriod).delete({ id });
    if (!result.affected) throw notFound('UsageBasedBillingPolicyFreePeriod', id);
  }

  private checkedPeriod(period: UsageBasedBillingPolicyFreePeriod, input: Partial<FreePeriodWindow>): UsageBasedBillingPolicyFreePeriod {
    if (input.day !== undefined) {
      const day = WEEKDAYS.indexOf(input.day);
      if (day < 0) throw badInput(`day must be one of ${WEEKDAYS.join(', ')}`);
      period.day = day;
    }
    if (input.start !== undefined) period.start_minute = minutesOf('start', input.start);
    if (input.end !== undefined) period.end_minute = minutesOf('end', input.end);
    if (period.start_minute === 1440) throw badInput('start must be before 24:00');
    if (period.end_minute <= period.start_minute) {
      throw badInput('end must be after start (a free period cannot cross midnight: use one period per day)');
    }
    return period;
  }

  topOffs(accountId: number): Promise<DataUsageTopOff[]> {
    return this.dataSource.getRepository(DataUsageTopOff).find({ where: { account_id: accountId }, order: { id: 'ASC' } });
  }

  async createTopOff(accountId: number, amount: bigint): Promise<DataUsageTopOff> {
    this.checkAmount(amount);
    await assertExists(this.dataSource.manager, Account, 'Account', accountId);
    const repo = this.dataSource.getRepository(DataUsageTopOff);
    return repo.save(repo.create({ account_id: accountId, amount_in_bytes: amount.toString() }));
  }

  async updateTopOff(id: number, input: TopOffInput): Promise<DataUsageTopOff> {
    const { amount_in_bytes: amount } = resolvePatch<{ amount_in_bytes: bigint }>('DataUsageTopOff', { ...input }, []);
    if (amount !== undefined) this.checkAmount(amount);
    const topOff = await findOrNotFound(this.dataSource.manager, DataUsageTopOff, 'DataUsageTopOff', id);
    if (amount !== undefined) topOff.amount_in_bytes = amount.toString();
    return this.dataSource.getRepository(DataUsageTopOff).save(topOff);
  }

  async deleteTopOff(id: number): Promise<void> {
    const result = await this.dataSource.getRepository(DataUsageTopOff).delete({ id });
    if (!result.affected) throw notFound('DataUsageTopOff', id);
  }

  private checkAmount(amount: bigint): void {
    if (amount <= 0n || amount > INT64_MAX) throw badInput(`amount_in_bytes must be between 1 and ${INT64_MAX}, got ${amount}`);
  }

  /** Links an account to a policy (or none, with null). */
  async setAccountPolicy(accountId: number, policyId: number | null): Promise<void> {
    if (policyId !== null) await this.assertPolicyExists(policyId);
    const result = await this.dataSource.getRepository(Account).update({ id: accountId }, { usage_based_billing_policy_id: policyId });
    if (!result.affected) throw notFound('Account', accountId);
  }
}
