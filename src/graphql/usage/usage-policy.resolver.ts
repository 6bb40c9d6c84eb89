import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { UsageBasedBillingPolicy, UsageBasedBillingPolicyFreePeriod } from '../../db/entities/usage-based-billing-policy.entity';
import { formatTimeOfDay, WEEKDAYS } from '../../usage/free-window';
import { EntityNodeResolver } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import type { GraphQLContext } from '../context';
import { Int64BitScalar } from '../scalars';
import {
  CreateDataUsageTopOffMutationInput,
  CreateUsageBasedBillingPolicyFreePeriodMutationInput,
  CreateUsageBasedBillingPolicyMutationInput,
  DataUsageTopOffObject,
  DayOfWeek,
  FreePeriodObject,
  UpdateDataUsageTopOffMutationInput,
  UpdateUsageBasedBillingPolicyFreePeriodMutationInput,
  UpdateUsageBasedBillingPolicyMutationInput,
  UsageBasedBillingPolicyObject,
} from './data-usage.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => UsageBasedBillingPolicyObject)
export class UsageBasedBillingPolicyResolver extends EntityNodeResolver('UsageBasedBillingPolicy', UsageBasedBillingPolicyObject) {
  @FieldResolver(() => [FreePeriodObject])
  free_periods(@Root() root: UsageBasedBillingPolicy, @Ctx() { loaders }: GraphQLContext) {
    return loaders.freePeriods.load(root.id);
  }

  @NeedsScope(TokenScope.read)
  @Query(() => [UsageBasedBillingPolicyObject])
  usage_based_billing_policies(@Ctx() { services }: GraphQLContext) {
    return services.usagePolicies.listPolicies();
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => UsageBasedBillingPolicyObject)
  createUsageBasedBillingPolicy(
    @Arg('input', () => CreateUsageBasedBillingPolicyMutationInput) input: CreateUsageBasedBillingPolicyMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.usagePolicies.createPolicy(input);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => UsageBasedBillingPolicyObject)
  updateUsageBasedBillingPolicy(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateUsageBasedBillingPolicyMutationInput) input: UpdateUsageBasedBillingPolicyMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.usagePolicies.updatePolicy(Number(id), input);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse)
  async deleteUsageBasedBillingPolicy(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.usagePolicies.deletePolicy(Number(id));
    return SuccessResponse.ok();
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse, { description: 'Extension: link an account to a policy, or unlink it with null.' })
  async setAccountUsageBasedBillingPolicy(
    @Arg('account_id', () => Int64BitScalar) accountId: bigint,
    @Arg('usage_based_billing_policy_id', () => Int64BitScalar, { nullable: true }) policyId: bigint | null,
    @Ctx() { services }: GraphQLContext,
  ) {
    await services.usagePolicies.setAccountPolicy(Number(accountId), policyId === null || policyId === undefined ? null : Number(policyId));
    return SuccessResponse.ok();
  }
}

@Resolver(() => FreePeriodObject)
export class UsageBasedBillingPolicyFreePeriodResolver extends EntityNodeResolver('UsageBasedBillingPolicyFreePeriod', FreePeriodObject) {
  @FieldResolver(() => DayOfWeek)
  day(@Root() root: UsageBasedBillingPolicyFreePeriod): string {
    return WEEKDAYS[root.day];
  }

  @FieldResolver(() => String, { description: 'HH:MM:SS, service time zone.' })
  start(@Root() root: UsageBasedBillingPolicyFreePeriod): string {
    return formatTimeOfDay(root.start_minute);
  }

  @FieldResolver(() => String, { description: 'HH:MM:SS (exclusive); 24:00:00 is the end of the day.' })
  end(@Root() root: UsageBasedBillingPolicyFreePeriod): string {
    return formatTimeOfDay(root.end_minute);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => FreePeriodObject)
  createUsageBasedBillingPolicyFreePeriod(
    @Arg('input', () => CreateUsageBasedBillingPolicyFreePeriodMutationInput) input: CreateUsageBasedBillingPolicyFreePeriodMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.usagePolicies.createFreePeriod({ ...input, usage_based_billing_policy_id: Number(input.usage_based_billing_policy_id) });
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => FreePeriodObject)
  updateUsageBasedBillingPolicyFreePeriod(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateUsageBasedBillingPolicyFreePeriodMutationInput) input: UpdateUsageBasedBillingPolicyFreePeriodMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.usagePolicies.updateFreePeriod(Number(id), input);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse)
  async deleteUsageBasedBillingPolicyFreePeriod(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.usagePolicies.deleteFreePeriod(Number(id));
    return SuccessResponse.ok();
  }
}

@Resolver(() => DataUsageTopOffObject)
export class DataUsageTopOffResolver extends EntityNodeResolver('DataUsageTopOff', DataUsageTopOffObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => [DataUsageTopOffObject])
  data_usage_top_offs(@Arg('account_id', () => Int64BitScalar) accountId: bigint, @Ctx() { services }: GraphQLContext) {
    return services.usagePolicies.topOffs(Number(accountId));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => DataUsageTopOffObject, { description: "Adds to the allowance of the account's current billing period." })
  createDataUsageTopOff(
    @Arg('input', () => CreateDataUsageTopOffMutationInput) input: CreateDataUsageTopOffMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.usagePolicies.createTopOff(Number(input.account_id), input.amount_in_bytes);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => DataUsageTopOffObject)
  updateDataUsageTopOff(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateDataUsageTopOffMutationInput) input: UpdateDataUsageTopOffMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.usagePolicies.updateTopOff(Number(id), input);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse)
  async deleteDataUsageTopOff(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.usagePolicies.deleteTopOff(Number(id));
    return SuccessResponse.ok();
  }
}
