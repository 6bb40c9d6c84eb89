import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  CreateInlineDeviceMutationInput,
  InlineDeviceConnection,
  InlineDeviceListArgs,
  InlineDeviceObject,
  UpdateInlineDeviceMutationInput,
} from './inline-device.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => InlineDeviceObject)
export class InlineDeviceResolver extends EntityNodeResolver('InlineDevice', InlineDeviceObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => InlineDeviceConnection)
  inline_devices(@Args(() => InlineDeviceListArgs) args: InlineDeviceListArgs, @Ctx() { services }: GraphQLContext) {
    return services.inlineDevices.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => InlineDeviceObject)
  createInlineDevice(@Arg('input', () => CreateInlineDeviceMutationInput) input: CreateInlineDeviceMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.inlineDevices.create(domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => InlineDeviceObject)
  updateInlineDevice(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateInlineDeviceMutationInput) input: UpdateInlineDeviceMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.inlineDevices.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse)
  async deleteInlineDevice(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.inlineDevices.delete(idOf(id));
    return SuccessResponse.ok();
  }
}
