import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { assertEveryOperationDeclaresScope, scopeAuthChecker } from './auth/scope';
import { resolvers } from './resolvers';
import { passCoercedRows } from './usage/data-usage.resolver';

/** The executable schema, built from the resolver classes (code first). */
export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers, validate: false, authChecker: scopeAuthChecker, authMode: 'error' });
  passCoercedRows(schema);
  assertEveryOperationDeclaresScope(schema);
  return schema;
}

/** The committed `schema.graphql`: sorted, so its diff shows only real changes. */
export async function printGraphQLSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildGraphQLSchema()))}\n`;
}
