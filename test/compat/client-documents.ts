/**
 * The GraphQL documents of Sonar's open-source clients (documents/<client>/<name>.graphql, copied verbatim by
 * extract-client-documents.ts), as the clients send them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type SonarClient = 'netflow-onprem' | 'libreqos';

const DOCUMENTS_DIR = path.resolve(__dirname, 'documents');

export function clientDocumentNames(client: SonarClient): string[] {
  return readdirSync(path.join(DOCUMENTS_DIR, client))
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => file.slice(0, -'.graphql'.length))
    .sort();
}

const PLACEHOLDER = /\{\$[^}]*\}/g;

function documentBody(client: SonarClient, name: string): string {
  const file = readFileSync(path.join(DOCUMENTS_DIR, client, `${name}.graphql`), 'utf8');
  const lines = file.split('\n');
  const body = lines.findIndex((line) => !line.startsWith('#'));
  if (body <= 0 || !file.endsWith('\n')) throw new Error(`${client}/${name}.graphql lacks its provenance comment`);
  return lines.slice(body).join('\n').slice(0, -1);
}

/** The host-language interpolations in a document's text, e.g. `['{$this->id}']`. */
export function clientDocumentPlaceholders(client: SonarClient, name: string): string[] {
  return [...new Set(documentBody(client, name).match(PLACEHOLDER) ?? [])];
}

/**
 * The document's exact text (without the provenance comment and the file's last newline), with the host
 * language's interpolations filled in: `clientDocument('netflow-onprem', 'delete-netflow-on-premise',
 * { '{$this->id}': 12 })`. Every placeholder must be given and every given one must occur.
 */
export function clientDocument(client: SonarClient, name: string, interpolations: Record<string, string | number | bigint> = {}): string {
  let text = documentBody(client, name);
  for (const [placeholder, value] of Object.entries(interpolations)) {
    if (!text.includes(placeholder)) throw new Error(`${client}/${name} has no ${placeholder}`);
    text = text.replaceAll(placeholder, String(value));
  }
  const left = text.match(PLACEHOLDER);
  if (left) throw new Error(`${client}/${name}: ${left[0]} was not filled in`);
  return text;
}
