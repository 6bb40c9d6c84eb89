import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { PreseemView } from '../../appliances/preseem-settings.service';
import { badInput } from '../../errors';
import type { GraphQLContext } from '../context';
import { PreseemObject, UpdatePreseemMutationInput } from './preseem.types';

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
  @Query(() => PreseemObject, { description: 'The Preseem integration settings.' })
  async preseem(@Ctx() { services }: GraphQLContext): Promise<PreseemObject> {
    return toObject(await services.preseem.get());
  }

  @Mutation(() => PreseemObject)
  async updatePreseem(
    @Arg('input', () => UpdatePreseemMutationInput) input: UpdatePreseemMutationInput,
    @Ctx() { services }: GraphQLContext,
  ): Promise<PreseemObject> {
    const unset = (field: 'api_key' | 'base_url') => {
      if (!input[`unset_${field}`]) return input[field] ?? undefined;
      if (input[field] !== undefined && input[field] !== null) {
        throw badInput(`Preseem: both a value for ${field} and unset_${field} were sent; send one of them`);
      }
      return null;
    };
    return toObject(
      await services.preseem.update({
        enabled: input.enabled ?? undefined,
        api_key: unset('api_key'),
        base_url: unset('base_url'),
        interval: input.interval ?? undefined,
      }),
    );
  }
}
