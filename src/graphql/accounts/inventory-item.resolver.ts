import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { InventoryItem } from '../../db/entities';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { domainInput, EntityNodeResolver, idOf } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { Int64BitScalar } from '../scalars';
import {
  CreateInventoryItemMutationInput,
  InventoryItemConnection,
  InventoryItemListArgs,
  InventoryItemObject,
  UpdateInventoryItemMutationInput,
} from './inventory-item.types';
import { IpAssignmentConnection, IpAssignmentListArgs } from './ip-assignment.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => InventoryItemObject)
export class InventoryItemResolver extends EntityNodeResolver('InventoryItem', InventoryItemObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => InventoryItemConnection)
  inventory_items(@Args(() => InventoryItemListArgs) args: InventoryItemListArgs, @Ctx() { services }: GraphQLContext) {
    return services.inventoryItems.list(toListQuery(args));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => InventoryItemObject)
  createInventoryItem(@Arg('input', () => CreateInventoryItemMutationInput) input: CreateInventoryItemMutationInput, @Ctx() { services }: GraphQLContext) {
    return services.inventoryItems.create(domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => InventoryItemObject)
  updateInventoryItem(
    @Arg('id', () => Int64BitScalar) id: bigint,
    @Arg('input', () => UpdateInventoryItemMutationInput) input: UpdateInventoryItemMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    return services.inventoryItems.update(idOf(id), domainInput(input));
  }

  @NeedsScope(TokenScope.write)
  @Mutation(() => SuccessResponse, { description: "Deletes the device and releases the addresses it held." })
  async deleteInventoryItem(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.inventoryItems.delete(idOf(id));
    return SuccessResponse.ok();
  }

  @FieldResolver(() => IpAssignmentConnection)
  ip_assignments(@Root() item: InventoryItem, @Args(() => IpAssignmentListArgs) args: IpAssignmentListArgs, @Ctx() { services, loaders }: GraphQLContext) {
    return loaders.relationPage('InventoryItem.ip_assignments', item.id, toListQuery(args), (ids, query) =>
      services.ipAssignments.pagesForOwners('InventoryItem', ids, query),
    );
  }
}
