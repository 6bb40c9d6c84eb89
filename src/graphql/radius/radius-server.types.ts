import { ArgsType, Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { DatetimeScalar, IPScalar } from '../scalars';

export enum RadiusServerTypeEnum {
  FREERADIUS_MYSQL = 'FREERADIUS_MYSQL',
  FREERADIUS_POSTGRESQL = 'FREERADIUS_POSTGRESQL',
}
registerEnumType(RadiusServerTypeEnum, {
  name: 'RadiusServerType',
  description: 'A RADIUS server type.',
  valuesConfig: {
    FREERADIUS_MYSQL: { description: 'FreeRADIUS MySQL (rlm_sql on MySQL or MariaDB).' },
    FREERADIUS_POSTGRESQL: { description: 'Extension: FreeRADIUS with rlm_sql on PostgreSQL.' },
  },
});

/** Sonar's five FREERADIUS_MYSQL_* credentials, and the same five for FREERADIUS_POSTGRESQL. */
export enum RadiusServerAuthCredentialEnum {
  FREERADIUS_MYSQL_DATABASE_PORT = 'FREERADIUS_MYSQL_DATABASE_PORT',
  FREERADIUS_MYSQL_DATABASE_NAME = 'FREERADIUS_MYSQL_DATABASE_NAME',
  FREERADIUS_MYSQL_DATABASE_USERNAME = 'FREERADIUS_MYSQL_DATABASE_USERNAME',
  FREERADIUS_MYSQL_DATABASE_PASSWORD = 'FREERADIUS_MYSQL_DATABASE_PASSWORD',
  FREERADIUS_MYSQL_COA_PORT = 'FREERADIUS_MYSQL_COA_PORT',
  FREERADIUS_POSTGRESQL_DATABASE_PORT = 'FREERADIUS_POSTGRESQL_DATABASE_PORT',
  FREERADIUS_POSTGRESQL_DATABASE_NAME = 'FREERADIUS_POSTGRESQL_DATABASE_NAME',
  FREERADIUS_POSTGRESQL_DATABASE_USERNAME = 'FREERADIUS_POSTGRESQL_DATABASE_USERNAME',
  FREERADIUS_POSTGRESQL_DATABASE_PASSWORD = 'FREERADIUS_POSTGRESQL_DATABASE_PASSWORD',
  FREERADIUS_POSTGRESQL_COA_PORT = 'FREERADIUS_POSTGRESQL_COA_PORT',
}
registerEnumType(RadiusServerAuthCredentialEnum, {
  name: 'RadiusServerAuthCredential',
  description: 'A RADIUS server authentication credential: a FREERADIUS_MYSQL server takes the FREERADIUS_MYSQL_* ones, a FREERADIUS_POSTGRESQL server the FREERADIUS_POSTGRESQL_* ones.',
});

export enum ProvisioningDeviceStatusEnum {
  UP = 'UP',
  DOWN = 'DOWN',
}
registerEnumType(ProvisioningDeviceStatusEnum, { name: 'ProvisioningDeviceStatus', description: "A device's status." });

/** No credential fields and no `coa_secret`: they are write-only. */
@ObjectType('RadiusServer', {
  description:
    'A RADIUS server: a FreeRADIUS whose SQL database (at ip_address, reached with the write-only radius_server_credentials) holds radacct. ' +
    'Every enabled server with collect_bandwidth is imported. Change of authorization is not sent.',
})
export class RadiusServerObject extends EntityNode {
  @Field(() => Boolean, { description: 'Whether radacct is imported from this server (when it is also enabled).' })
  collect_bandwidth!: boolean;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => IPScalar, { description: 'Where its database listens.' })
  ip_address!: string;

  @Field(() => DatetimeScalar, { nullable: true, description: 'When radacct was last imported successfully.' })
  last_synchronized!: Date | null;

  @Field(() => String)
  name!: string;

  @Field(() => Boolean)
  send_change_auth_on_delinquency!: boolean;

  @Field(() => Boolean)
  send_change_auth_on_service_change!: boolean;

  @Field(() => Boolean)
  send_change_auth_on_status_change!: boolean;

  @Field(() => ProvisioningDeviceStatusEnum, { nullable: true, description: 'UP after a successful import, DOWN after a failed one; null before the first.' })
  status!: ProvisioningDeviceStatusEnum | null;

  @Field(() => String, { nullable: true, description: 'Why the last import failed.' })
  status_message!: string | null;

  @Field(() => RadiusServerTypeEnum)
  type!: RadiusServerTypeEnum;
}

export const RadiusServerConnection = connectionType('RadiusServer', RadiusServerObject);

@ArgsType()
export class RadiusServerListArgs extends EntityListArgs {
  @Field(() => Boolean, { nullable: true })
  collect_bandwidth?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => IPScalar, { nullable: true })
  ip_address?: string | null;

  @Field(() => DatetimeScalar, { nullable: true })
  last_synchronized?: Date | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_delinquency?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_service_change?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_status_change?: boolean | null;

  @Field(() => ProvisioningDeviceStatusEnum, { nullable: true })
  status?: ProvisioningDeviceStatusEnum | null;

  @Field(() => String, { nullable: true })
  status_message?: string | null;

  @Field(() => RadiusServerTypeEnum, { nullable: true })
  type?: RadiusServerTypeEnum | null;
}

@InputType('RadiusServerCredentialInput', { description: 'RADIUS server credentials.' })
export class RadiusServerCredentialInput {
  @Field(() => RadiusServerAuthCredentialEnum)
  credential!: RadiusServerAuthCredentialEnum;

  @Field(() => String, { description: 'Write-only: never returned.' })
  value!: string;
}

@InputType('CreateRadiusServerMutationInput')
export class CreateRadiusServerMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => RadiusServerTypeEnum)
  type!: RadiusServerTypeEnum;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  enabled?: boolean | null;

  @Field(() => IPScalar, { description: 'Where its database listens.' })
  ip_address!: string;

  @Field(() => [RadiusServerCredentialInput], {
    nullable: 'items',
    description: 'The database name and username are required; the port defaults to the engine\'s (3306, 5432). Write-only.',
  })
  radius_server_credentials!: Array<RadiusServerCredentialInput | null>;

  @Field(() => Boolean, { nullable: true, description: 'Default false. True: radacct is imported from this server.' })
  collect_bandwidth?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_delinquency?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_service_change?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_status_change?: boolean | null;

  @Field(() => String, { nullable: true, description: 'The change-of-authorization secret. Write-only.' })
  reply?: string | null;
}

@InputType('UpdateRadiusServerMutationInput')
export class UpdateRadiusServerMutationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => IPScalar, { nullable: true })
  ip_address?: string | null;

  @Field(() => [RadiusServerCredentialInput], {
    nullable: 'itemsAndList',
    description: 'Sets the credentials named; the others keep their values. Write-only.',
  })
  radius_server_credentials?: Array<RadiusServerCredentialInput | null> | null;

  @Field(() => Boolean, { nullable: true })
  collect_bandwidth?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_delinquency?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_service_change?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  send_change_auth_on_status_change?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Write-only: never returned.' })
  coa_secret?: string | null;

  @Field(() => Boolean, { nullable: true })
  unset_coa_secret?: boolean | null;
}
