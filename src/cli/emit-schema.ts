/**
 * `npm run schema:emit` writes schema.graphql from the code; `npm run schema:check` fails
 * when the committed file differs (CI and a test run it).
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printGraphQLSchema } from '../graphql/schema';

async function run(): Promise<void> {
  const file = path.resolve(__dirname, '../../schema.graphql');
  const generated = await printGraphQLSchema();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(file, 'utf8');
    if (committed !== generated) {
      process.stderr.write('schema.graphql differs from the code: run `npm run schema:emit` and commit it.\n');
      process.exit(1);
    }
    return;
  }
  writeFileSync(file, generated);
}

void run();
