import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { PreseemView } from '../../appliances/preseem-settings.service';
import { domainInput } from '../common/node.type';
import type { GraphQLContext } from '../context';
import { PreseemObject, UpdatePreseemMutationInput } from './preseem.types';
import { NeedsScope } from '../auth/scope';
import { TokenScope } from '../../auth/token-scope';

function toObject({ settings, apiKeyPresent }: PreseemView): PreseemObject {
  return {
    enabled: settings.enabled,
    api_key_present: apiKeyPresent,
    base_url: settings.base_url,
    interval: settings.interval,
    updated_at: settings.updated_at,
    _version: String(settings.version),
  };
}

@Resolver()
export class PreseemResolver {
  @NeedsScope(TokenScope.read)
  @Query(() => PreseemObject, { description: 'The Preseem integration settings.' })
  async preseem(@Ctx() { services }: GraphQLContext): Promise<PreseemObject> {
    return toObject(await services.preseem.get());
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => PreseemObject)
  async updatePreseem(
    @Arg('input', () => UpdatePreseemMutationInput) input: UpdatePreseemMutationInput,
    @Ctx() { services }: GraphQLContext,
  ): Promise<PreseemObject> {
    return toObject(await services.preseem.update(domainInput(input)));
  }
}
