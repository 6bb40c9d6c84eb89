import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { IPScalar } from '../scalars';

export enum InlineDeviceTypeEnum {
  PACKETLOGIC = 'PACKETLOGIC',
  SAISEI = 'SAISEI',
}
registerEnumType(InlineDeviceTypeEnum, { name: 'InlineDeviceType', description: 'The kind of traffic-shaping appliance.' });

/** No `password` field: it is write-only (accepted by create/update, never returned). */
@ObjectType('InlineDevice', {
  description: 'A traffic-shaping appliance that reports usage: PACKETLOGIC exports IPFIX from ip_address; SAISEI is polled over REST at ip_address:port.',
})
export class InlineDeviceObject extends EntityNode {
  @Field(() => String, { description: 'Also the data_source_identifier of its usage.' })
  name!: string;

  @Field(() => InlineDeviceTypeEnum)
  type!: InlineDeviceTypeEnum;

  @Field(() => IPScalar)
  ip_address!: string;

  @Field(() => Int, { nullable: true, description: 'SAISEI REST port (default 5000; 5029 with use_tls).' })
  port!: number | null;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => Boolean, { description: 'SAISEI: https instead of http.' })
  use_tls!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'SAISEI: the FlowCommand REST system name, as in /rest/<system_name>/configurations/running/users/ ' +
      '(an extension: Sonar has no such field). Null: the service default, SAISEI_SYSTEM_NAME (stm).',
  })
  system_name!: string | null;
}

export const InlineDeviceConnection = connectionType('InlineDevice', InlineDeviceObject);

@ArgsType()
export class InlineDeviceListArgs extends EntityListArgs {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => InlineDeviceTypeEnum, { nullable: true })
  type?: InlineDeviceTypeEnum | null;

  @Field(() => IPScalar, { nullable: true })
  ip_address?: string | null;

  @Field(() => Int, { nullable: true })
  port?: number | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  use_tls?: boolean | null;

  @Field(() => String, { nullable: true })
  system_name?: string | null;
}

@InputType('CreateInlineDeviceMutationInput')
export class CreateInlineDeviceMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => InlineDeviceTypeEnum)
  type!: InlineDeviceTypeEnum;

  @Field(() => IPScalar)
  ip_address!: string;

  @Field(() => Int, { nullable: true })
  port?: number | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned.' })
  password?: string | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  use_tls?: boolean | null;

  @Field(() => String, { nullable: true, description: 'SAISEI: the REST system name (without one: SAISEI_SYSTEM_NAME, stm).' })
  system_name?: string | null;
}

@InputType('UpdateInlineDeviceMutationInput')
export class UpdateInlineDeviceMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => InlineDeviceTypeEnum, { nullable: true })
  type?: InlineDeviceTypeEnum | null;

  @Field(() => IPScalar, { nullable: true })
  ip_address?: string | null;

  @Field(() => Int, { nullable: true })
  port?: number | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned.' })
  password?: string | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  use_tls?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'SAISEI: the REST system name; unset_system_name returns the device to SAISEI_SYSTEM_NAME.',
  })
  system_name?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_port?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  unset_username?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  unset_password?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  unset_system_name?: boolean | null;
}
