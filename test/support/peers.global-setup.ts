import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOTES_VARIABLE } from './peers';

/** A fresh record of missing peers for this run; the test workers inherit its name through the environment. */
export default function peersGlobalSetup(): void {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'usage-meter-peers-')), 'missing.jsonl');
  writeFileSync(file, '');
  process.env[NOTES_VARIABLE] = file;
}
