import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { EntityNodeResolver } from '../common/node.type';
import { UsageQuarantineConnection, UsageQuarantineListArgs, UsageQuarantineObject } from './usage-quarantine.types';
import { TokenScope } from '../../auth/token-scope';
import { NeedsScope } from '../auth/scope';

@Resolver(() => UsageQuarantineObject)
export class UsageQuarantineResolver extends EntityNodeResolver('UsageQuarantine', UsageQuarantineObject) {
  @NeedsScope(TokenScope.read)
  @Query(() => UsageQuarantineConnection, {
    description: 'Extension: ledger rows the database refused, set aside (read-only). /metrics: usage_meter_ledger_quarantined_rows_total.',
  })
  usage_quarantine(@Args(() => UsageQuarantineListArgs) args: UsageQuarantineListArgs, @Ctx() { services }: GraphQLContext) {
    return services.usageQuarantine.list(toListQuery(args));
  }
}
