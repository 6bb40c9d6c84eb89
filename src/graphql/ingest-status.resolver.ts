import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import type { IngestStatusEntry } from '../ingest/ingest-status';
import { GraphQLContext } from './context';
import { DatetimeScalar, Int64BitScalar } from './scalars';
import { NeedsScope } from './auth/scope';
import { TokenScope } from '../auth/token-scope';

@ObjectType()
class NamedCount {
  @Field(() => String)
  name!: string;

  @Field(() => Int64BitScalar)
  count!: number;
}

@ObjectType({ description: 'Extension: what one usage source has received, credited and dropped, per device.' })
class IngestStatus {
  @Field(() => String)
  data_source_parent!: string;

  @Field(() => String)
  data_source_identifier!: string;

  @Field(() => DatetimeScalar, { nullable: true })
  last_seen!: Date | null;

  @Field(() => Int64BitScalar)
  received!: number;

  @Field(() => Int64BitScalar)
  accepted!: number;

  @Field(() => [NamedCount], { description: 'Drops by reason.' })
  dropped!: NamedCount[];

  @Field(() => Int64BitScalar, { nullable: true, description: 'Estimated lost packets/records from sequence gaps.' })
  estimated_lost!: number | null;

  @Field(() => Int64BitScalar)
  bytes_attributed!: bigint;

  @Field(() => Int64BitScalar)
  bytes_unattributed!: bigint;

  @Field(() => DatetimeScalar, { nullable: true })
  last_success!: Date | null;

  @Field(() => String, { nullable: true })
  last_error!: string | null;

  @Field(() => DatetimeScalar, { nullable: true })
  last_error_at!: Date | null;

  @Field(() => [NamedCount])
  details!: NamedCount[];
}

const counts = (record: Record<string, number> = {}): NamedCount[] =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => ({ name, count }));

function toGraphQL(entry: IngestStatusEntry): IngestStatus {
  return {
    data_source_parent: entry.dataSourceParent,
    data_source_identifier: entry.dataSourceIdentifier,
    last_seen: entry.lastSeenAt ?? null,
    received: entry.received,
    accepted: entry.accepted,
    dropped: counts(entry.dropped),
    estimated_lost: entry.estimatedLost ?? null,
    bytes_attributed: entry.bytesAttributed,
    bytes_unattributed: entry.bytesUnattributed,
    last_success: entry.lastSuccessAt ?? null,
    last_error: entry.lastError ?? null,
    last_error_at: entry.lastErrorAt ?? null,
    details: counts(entry.details),
  };
}

@Resolver()
export class IngestStatusResolver {
  @NeedsScope(TokenScope.read)
  @Query(() => [IngestStatus], { description: 'Extension: per source and device, what was received, credited and dropped.' })
  async ingest_status(@Ctx() { services }: GraphQLContext): Promise<IngestStatus[]> {
    return (await services.ingestStatus.entries()).map(toGraphQL);
  }
}
