import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { Paginator, toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  AccountIpAssignmentConnection,
  CreateIpAssignmentMutationInput,
  IpAssignmentConnection,
  IpAssignmentHistoryConnection,
  IpAssignmentHistoryListArgs,
  IpAssignmentHistoryObject,
  IpAssignmentListArgs,
  IpAssignmentObject,
  UpdateIpAssignmentMutationInput,
} from './ip-assignment.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => IpAssignmentObject)
export class IpAssignmentResolver extends EntityNodeResolver('IpAssignment', IpAssignmentObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => IpAssignmentConnection)
  ip_assignments(@Args(() => IpAssignmentListArgs) args: IpAssignmentListArgs, @Ctx() { services }: GraphQLContext) {
    return services.ipAssignments.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.read)
  @Query(() => AccountIpAssignmentConnection, {
    description: 'Every subnet that resolves to an account through the owner chain (all accounts without account_id).',
  })
  account_ip_assignments(
    @Arg('account_id', () => Int64BitScalar, { nullable: true }) accountId: bigint | null,
    @Arg('paginator', () => Paginator, { nullable: true }) paginator: Paginator | null,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.ipAssignments.accountSubnets(accountId == null ? null : idOf(accountId), paginator);
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => IpAssignmentObject)
  createIpAssignment(@Arg('input', () => CreateIpAssignmentMutationInput) input: CreateIpAssignmentMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.ipAssignments.create(domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => IpAssignmentObject)
  updateIpAssignment(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateIpAssignmentMutationInput) input: UpdateIpAssignmentMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.ipAssignments.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse)
  async deleteIpAssignment(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.ipAssignments.delete(idOf(id));
    return SuccessResponse.ok();
  }
}

@Resolver(() => IpAssignmentHistoryObject)
export class IpAssignmentHistoryResolver extends EntityNodeResolver('IpAssignmentHistory', IpAssignmentHistoryObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => IpAssignmentHistoryConnection, { description: 'Read-only: maintained by the database as assignments change.' })
  ip_assignment_histories(@Args(() => IpAssignmentHistoryListArgs) args: IpAssignmentHistoryListArgs, @Ctx() { services }: GraphQLContext) {
    return services.ipAssignmentHistories.list(toListQuery(args));
  }
}
