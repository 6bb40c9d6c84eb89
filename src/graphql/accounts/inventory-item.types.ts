import { ArgsType, Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { Int64BitScalar } from '../scalars';

/** Sonar hangs CPE off the account's Address; we collapse Address into Account. */
export enum InventoryitemableType {
  Account = 'Account',
}
registerEnumType(InventoryitemableType, { name: 'InventoryitemableType' });

@ObjectType('InventoryItem', { description: 'A customer device (CPE).' })
export class InventoryItemObject extends EntityNode {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  mac_address!: string | null;

  @Field(() => String, { nullable: true })
  serial_number!: string | null;

  @Field(() => InventoryitemableType)
  inventoryitemable_type!: InventoryitemableType;

  @Field(() => Int64BitScalar)
  inventoryitemable_id!: number;
}

export const InventoryItemConnection = connectionType('InventoryItem', InventoryItemObject);

@ArgsType()
export class InventoryItemListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  mac_address?: string | null;

  @Field(() => String, { nullable: true })
  serial_number?: string | null;

  @Field(() => InventoryitemableType, { nullable: true })
  inventoryitemable_type?: InventoryitemableType | null;

  @Field(() => Int64BitScalar, { nullable: true })
  inventoryitemable_id?: bigint | null;
}

@InputType('CreateInventoryItemMutationInput')
export class CreateInventoryItemMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  mac_address?: string | null;

  @Field(() => String, { nullable: true })
  serial_number?: string | null;

  @Field(() => InventoryitemableType, { nullable: true, description: 'Default Account.' })
  inventoryitemable_type?: InventoryitemableType | null;

  @Field(() => Int64BitScalar)
  inventoryitemable_id!: bigint;
}

@InputType('UpdateInventoryItemMutationInput')
export class UpdateInventoryItemMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_name?: boolean | null;

  @Field(() => String, { nullable: true })
  mac_address?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_mac_address?: boolean | null;

  @Field(() => String, { nullable: true })
  serial_number?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_serial_number?: boolean | null;

  @Field(() => InventoryitemableType, { nullable: true })
  inventoryitemable_type?: InventoryitemableType | null;

  @Field(() => Int64BitScalar, { nullable: true })
  inventoryitemable_id?: bigint | null;
}
