import type { NonEmptyArray } from 'type-graphql';
import { PersonalAccessTokenResolver } from './auth/personal-access-token.resolver';
import { IngestStatusResolver } from './ingest-status.resolver';
import { PreseemResolver } from './appliances/preseem.resolver';

/** Every resolver class in the schema. Components append theirs. */
export const resolvers: NonEmptyArray<Function> = [PersonalAccessTokenResolver, IngestStatusResolver, PreseemResolver];
