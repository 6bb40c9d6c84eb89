import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { GraphQLContext } from '../context';
import { SuccessResponse } from '../common/success-response.type';
import { DatetimeScalar, Int64BitScalar } from '../scalars';

@ObjectType({ description: 'An API token. The token itself is shown only once, by createPersonalAccessToken.' })
class PersonalAccessTokenType {
  @Field(() => Int64BitScalar)
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The last four characters of the token.' })
  hint!: string;

  @Field(() => DatetimeScalar)
  created_at!: Date;

  @Field(() => DatetimeScalar, { nullable: true })
  last_used_at!: Date | null;
}

@ObjectType()
class CreatedPersonalAccessToken extends PersonalAccessTokenType {
  @Field(() => String, { description: 'Use as `Authorization: Bearer <token>`. Shown once; only its hash is stored.' })
  token!: string;
}

@InputType()
class CreatePersonalAccessTokenMutationInput {
  @Field(() => String)
  name!: string;
}

@Resolver()
export class PersonalAccessTokenResolver {
  @Query(() => [PersonalAccessTokenType])
  personal_access_tokens(@Ctx() { services }: GraphQLContext) {
    return services.tokens.list();
  }

  @Mutation(() => CreatedPersonalAccessToken)
  async createPersonalAccessToken(
    @Arg('input', () => CreatePersonalAccessTokenMutationInput) input: CreatePersonalAccessTokenMutationInput,
    @Ctx() { services }: GraphQLContext,
  ) {
    const { record, token } = await services.tokens.create(input.name);
    return { ...record, token };
  }

  @Mutation(() => SuccessResponse)
  async deletePersonalAccessToken(@Arg('id', () => Int64BitScalar) id: bigint, @Ctx() { services }: GraphQLContext) {
    await services.tokens.delete(Number(id));
    return SuccessResponse.ok();
  }
}
