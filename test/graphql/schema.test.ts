import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printGraphQLSchema } from '../../src/graphql/schema';

it('schema.graphql is what the code generates (run `npm run schema:emit`)', async () => {
  const committed = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(await printGraphQLSchema());
});

it('createDataUsages hands its rows to the service as GraphQL coerced them, not as class instances', async () => {
  const { graphql } = await import('graphql');
  const { buildGraphQLSchema } = await import('../../src/graphql/schema');
  const received: unknown[][] = [];
  const dataUsage = {
    createDataUsages: async (rows: unknown[]) => {
      received.push(rows);
      return { success: true, message: 'ok' };
    },
  };
  const result = await graphql({
    schema: await buildGraphQLSchema(),
    source: `mutation { createDataUsages(input: [{ time: "2026-03-10T10:00:00Z", inbytes: "5", outbytes: 6, account_id: "7",
      data_source_parent: "API", data_source_identifier: "mw" }]) { success message } }`,
    contextValue: { services: { dataUsage }, tokenScopes: ['read', 'write'] },
  });
  expect(result).toEqual({ data: { createDataUsages: { success: true, message: 'ok' } } });
  const [row] = received[0] as Record<string, unknown>[];
  // graphql-js coerces input objects into null-prototype objects; type-graphql would have made class instances.
  expect(Object.getPrototypeOf(row)).toBeNull();
  expect({ ...row }).toEqual({
    time: new Date('2026-03-10T10:00:00Z'),
    inbytes: 5n,
    outbytes: 6n,
    account_id: 7n,
    data_source_parent: 'API',
    data_source_identifier: 'mw',
  });
});
