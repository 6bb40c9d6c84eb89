import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { toListQuery } from '../common/list.args';
import { EntityNodeResolver } from '../common/node.type';
import { UsageQuarantineConnection, UsageQuarantineListArgs, UsageQuarantineObject } from './usage-quarantine.types';

@Resolver(() => UsageQuarantineObject)
export class UsageQuarantineResolver extends EntityNodeResolver('UsageQuarantine', UsageQuarantineObject) {
  @Query(() => UsageQuarantineConnection, {
    description: 'Extension: ledger rows the database refused, set aside (read-only). /metrics: usage_meter_ledger_quarantined_rows_total.',
  })
  usage_quarantine(@Args(() => UsageQuarantineListArgs) args: UsageQuarantineListArgs, @Ctx() { services }: GraphQLContext) {
    return services.usageQuarantine.list(toListQuery(args));
  }
}
