/**
 * Parses and validates every copied client document against this service's schema.graphql and against the kept
 * part of Sonar's schema, and prints what fails and why (graphql-js messages). Exit code 0 either way: it reports.
 *
 *   node -r @swc-node/register test/compat/validate-client-documents.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, GraphQLSchema, parse, validate } from 'graphql';
import { clientDocument, clientDocumentNames, clientDocumentPlaceholders, SonarClient } from './client-documents';
import { buildSonarSchema } from './sonar-schema';

/** Any id will do for validation: the PHP client writes a NetflowOnPremise id where it interpolates. */
const SOME_ID = 12;

function problems(schema: GraphQLSchema, text: string): string[] {
  try {
    return validate(schema, parse(text)).map((error) => error.message);
  } catch (error) {
    return [`syntax: ${(error as Error).message}`];
  }
}

function run(): void {
  const ours = buildSchema(readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
  const sonar = buildSonarSchema();
  let total = 0;
  let valid = 0;
  for (const client of ['netflow-onprem', 'libreqos'] as SonarClient[]) {
    for (const name of clientDocumentNames(client)) {
      const ids = Object.fromEntries(clientDocumentPlaceholders(client, name).map((placeholder) => [placeholder, SOME_ID]));
      const text = clientDocument(client, name, ids);
      const against = { 'this service': problems(ours, text), "Sonar's schema": problems(sonar, text) };
      total += 1;
      if (against['this service'].length === 0) valid += 1;
      process.stdout.write(`\n${client}/${name}\n`);
      for (const [schemaName, messages] of Object.entries(against)) {
        process.stdout.write(`  ${schemaName}: ${messages.length === 0 ? 'valid' : `${messages.length} error(s)`}\n`);
        for (const message of messages) process.stdout.write(`    - ${message}\n`);
      }
    }
  }
  process.stdout.write(`\n${valid} of ${total} documents validate against this service's schema.graphql\n`);
}

if (require.main === module) run();
