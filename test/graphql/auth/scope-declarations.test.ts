import { GraphQLObjectType } from 'graphql';
import { buildSchema, Mutation, Query, Resolver } from 'type-graphql';
import { TokenScope } from '../../../src/auth/token-scope';
import { assertEveryOperationDeclaresScope, declaredScope, NeedsScope, scopeAuthChecker } from '../../../src/graphql/auth/scope';
import { buildGraphQLSchema } from '../../../src/graphql/schema';

/** The scope policy in one place: what needs admin. Every other mutation needs write, every other query read. */
const ADMIN_MUTATIONS = [
  'createPersonalAccessToken',
  'deletePersonalAccessToken',
  'createRadiusClient',
  'updateRadiusClient',
  'deleteRadiusClient',
  'createRadiusServer',
  'updateRadiusServer',
  'deleteRadiusServer',
  'createNetflowEndpoint',
  'updateNetflowEndpoint',
  'deleteNetflowEndpoint',
  'createNetflowAllowedSubnet',
  'updateNetflowAllowedSubnet',
  'deleteNetflowAllowedSubnet',
  'createNetflowWhitelist',
  'updateNetflowWhitelist',
  'deleteNetflowWhitelist',
  'createInlineDevice',
  'updateInlineDevice',
  'deleteInlineDevice',
  'updatePreseem',
];
const ADMIN_QUERIES = ['personal_access_tokens'];

function scopesOf(type: GraphQLObjectType) {
  return Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, declaredScope(field)]));
}

it('every mutation declares write or admin, every query read or admin, as the policy says', async () => {
  const schema = await buildGraphQLSchema();
  const mutations = scopesOf(schema.getMutationType()!);
  const queries = scopesOf(schema.getQueryType()!);
  expect(mutations).toEqual(Object.fromEntries(Object.keys(mutations).map((name) => [name, ADMIN_MUTATIONS.includes(name) ? 'admin' : 'write'])));
  expect(queries).toEqual(Object.fromEntries(Object.keys(queries).map((name) => [name, ADMIN_QUERIES.includes(name) ? 'admin' : 'read'])));
  expect(Object.keys(mutations)).toEqual(expect.arrayContaining(ADMIN_MUTATIONS));
});

it('refuses to build a schema in which a query or mutation declares no scope', async () => {
  @Resolver()
  class ForgetfulResolver {
    @NeedsScope(TokenScope.read)
    @Query(() => String)
    declared(): string {
      return 'ok';
    }

    @Query(() => String)
    undeclaredQuery(): string {
      return 'open to every token';
    }

    @Mutation(() => String)
    undeclaredMutation(): string {
      return 'open to every token';
    }
  }
  const schema = await buildSchema({ resolvers: [ForgetfulResolver], validate: false, authChecker: scopeAuthChecker });
  expect(() => assertEveryOperationDeclaresScope(schema)).toThrow(
    'Every query and mutation must declare the scope it needs (@NeedsScope); these do not: Query.undeclaredQuery, Mutation.undeclaredMutation',
  );
});
