import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { RadiusSession } from '../../db/entities';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { EntityNodeResolver } from '../common/node.type';
import { Int64BitScalar } from '../scalars';
import { RadiusSessionConnection, RadiusSessionListArgs, RadiusSessionObject } from './radius-session.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

@Resolver(() => RadiusSessionObject)
export class RadiusSessionResolver extends EntityNodeResolver('RadiusSessionHistory', RadiusSessionObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => RadiusSessionConnection, { description: "Sonar's RADIUS session history, plus the bytes credited per session." })
  radius_session_histories(@Args(() => RadiusSessionListArgs) args: RadiusSessionListArgs, @Ctx() { services }: GraphQLContext) {
    return services.radiusSessions.list(toListQuery(args));
  }

  @FieldResolver(() => Int64BitScalar)
  inbytes(@Root() session: RadiusSession): string {
    return session.in_bytes;
  }

  @FieldResolver(() => Int64BitScalar)
  outbytes(@Root() session: RadiusSession): string {
    return session.out_bytes;
  }
}
