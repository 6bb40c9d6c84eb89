import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printGraphQLSchema } from '../../src/graphql/schema';

it('schema.graphql is what the code generates (run `npm run schema:emit`)', async () => {
  const committed = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(await printGraphQLSchema());
});
