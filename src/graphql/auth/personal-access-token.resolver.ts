import { Arg, Ctx, Field, FieldResolver, InputType, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { PersonalAccessToken } from '../../db/entities';
import { scopesUpTo, TokenScope } from '../../auth/token-scope';
import { GraphQLContext } from '../context';
import { EntityNodeResolver } from '../common/node.type';
import { SuccessResponse } from '../common/success-response.type';
import { DatetimeScalar, Int64BitScalar } from '../scalars';
import { NeedsScope } from './scope';

@ObjectType('PersonalAccessToken', { description: 'An API token. The token itself is shown only once, by createPersonalAccessToken.' })
class PersonalAccessTokenType {
  @Field(() => Int64BitScalar)
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The last four characters of the token.' })
  hint!: string;

  @Field(() => DatetimeScalar)
  created_at!: Date;

  @Field(() => DatetimeScalar)
  updated_at!: Date;

  @Field(() => DatetimeScalar, { nullable: true })
  last_used_at!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Use as `Authorization: Bearer <token>`. Only in the answer of createPersonalAccessToken; only its hash is stored.',
  })
  token?: string | null;
}

@InputType()
class CreatePersonalAccessTokenMutationInput {
  @Field(() => String)
  name!: string;

  @Field(() => [TokenScope], {
    defaultValue: [TokenScope.read],
    description: 'Extension: what the token may do; each scope includes the ones before it (read < write < admin).',
  })
  scopes!: TokenScope[];
}

@Resolver(() => PersonalAccessTokenType)
export class PersonalAccessTokenResolver extends EntityNodeResolver('PersonalAccessToken', PersonalAccessTokenType) {
  @NeedsScope(TokenScope.admin)
  @Query(() => [PersonalAccessTokenType])
  personal_access_tokens(@Ctx() { services }: GraphQLContext) {
    return services.tokens.list();
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => PersonalAccessTokenType)
  async createPersonalAccessToken(
    @Arg('input', () => CreatePersonalAccessTokenMutationInput) input: CreatePersonalAccessTokenMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    const { record, token } = await services.tokens.create(input.name, input.scopes);
    return { ...record, token };
  }

  @NeedsScope(TokenScope.admin)
  @Mutation(() => SuccessResponse)
  async deletePersonalAccessToken(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.tokens.delete(Number(id));
    return SuccessResponse.ok();
  }

  @FieldResolver(() => Boolean, { description: 'Sonar: whether the token was revoked. Revoked tokens are deleted, so never true here.' })
  revoked(): boolean {
    return false;
  }

  @FieldResolver(() => [TokenScope], { description: 'Extension: every scope the token holds, lowest first.' })
  scopes(@Root() token: PersonalAccessToken): TokenScope[] {
    return scopesUpTo(token.scope);
  }
}
