import { ArgsType, Field, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type';
import { EntityListArgs } from '../common/list.args';
import { EntityNode } from '../common/node.type';
import { DatetimeScalar, Int64BitScalar, IPScalar } from '../scalars';

@ObjectType('RadiusSessionHistory', { description: 'One RADIUS accounting session, with the bytes this service credited for it.' })
export class RadiusSessionObject extends EntityNode {
  @Field(() => DatetimeScalar, { nullable: true })
  start!: Date | null;

  @Field(() => DatetimeScalar, { nullable: true, description: 'Null while the session is open.' })
  end!: Date | null;

  @Field(() => IPScalar, { nullable: true, description: 'Framed-IP-Address.' })
  ip_address!: string | null;

  @Field(() => IPScalar)
  nas_ip_address!: string;

  @Field(() => String, { description: 'Acct-Session-Id.' })
  account_session_id!: string;

  @Field(() => String, { nullable: true, description: 'Acct-Terminate-Cause, or NAS-Reboot / NAS-Request after Accounting-On / Off.' })
  terminate_reason!: string | null;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field(() => Int64BitScalar, { nullable: true })
  account_id!: number | null;

  @Field(() => Int64BitScalar, { description: 'Download credited (Acct-Output-Octets + Gigawords).' })
  inbytes!: string;

  @Field(() => Int64BitScalar, { description: 'Upload credited (Acct-Input-Octets + Gigawords).' })
  outbytes!: string;
}

export const RadiusSessionConnection = connectionType('RadiusSessionHistory', RadiusSessionObject);

@ArgsType()
export class RadiusSessionListArgs extends EntityListArgs {
  @Field(() => Int64BitScalar, { nullable: true })
  account_id?: bigint | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true })
  account_session_id?: string | null;

  @Field(() => IPScalar, { nullable: true })
  nas_ip_address?: string | null;

  @Field(() => IPScalar, { nullable: true })
  ip_address?: string | null;

  @Field(() => String, { nullable: true })
  terminate_reason?: string | null;
}
