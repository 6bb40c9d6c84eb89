import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { GraphQLContext } from './context';
import { resolvers } from './resolvers';
import { CreateDataUsageMutationInput } from './usage/data-usage.types';
import { DataUsageResolver } from './usage/data-usage.resolver';

/** The executable schema, built from the resolver classes (code first). */
export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers, validate: false });
  // type-graphql turns each input object of a field's arguments into an instance of its class,
  // walking the class metadata per object, after GraphQL has already checked and coerced every
  // value. For createDataUsages' batches (1000 rows and more, on the one event-loop thread that
  // also serves every other request) that copy cost more than the counter logic: `npm run
  // bench:ledger` measured 3-9% more samples/s without it (alternating runs). So this one field's
  // resolver gets its arguments as GraphQL coerced them: plain objects with the same fields.
  const createDataUsages = schema.getMutationType()!.getFields().createDataUsages;
  const resolver = new DataUsageResolver();
  createDataUsages.resolve = (_root, args: { input: CreateDataUsageMutationInput[] }, context: GraphQLContext) =>
    resolver.createDataUsages(args.input, context);
  return schema;
}

/** The committed `schema.graphql`: sorted, so its diff shows only real changes. */
export async function printGraphQLSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildGraphQLSchema()))}\n`;
}
