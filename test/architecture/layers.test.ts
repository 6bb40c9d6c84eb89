import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Dependencies point one way: graphql/ and ingest/ -> domain -> db/ -> net/. The domain never
 * imports a front door, db/ imports nothing above it, and net/ (addresses and prefixes) imports
 * nothing from src/, so every layer can use it.
 */
const SRC = path.resolve(__dirname, '../../src');
const FRONT_DOORS = ['graphql', 'ingest'];
const DOMAIN = ['accounts', 'attribution', 'usage', 'auth', 'radius', 'appliances', 'collectors'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(|require\()\s*['"](\.[^'"]+)['"]/g)].map((m) =>
    path.relative(SRC, path.resolve(path.dirname(file), m[1])),
  );
}

const topFolder = (relative: string) => relative.split(path.sep)[0];

it.each(DOMAIN)('src/%s imports no front door (graphql/, ingest/)', (folder) => {
  const offenders = sourceFiles(path.join(SRC, folder))
    .flatMap((file) => importsOf(file).map((target) => ({ file: path.relative(SRC, file), target })))
    .filter(({ target }) => FRONT_DOORS.includes(topFolder(target)) && !target.startsWith('ingest/ingest-status'));
  expect(offenders).toEqual([]);
});

it('src/net imports nothing else from src/', () => {
  const offenders = sourceFiles(path.join(SRC, 'net'))
    .flatMap((file) => importsOf(file).map((target) => ({ file: path.relative(SRC, file), target })))
    .filter(({ target }) => topFolder(target) !== 'net');
  expect(offenders).toEqual([]);
});

it('src/db imports nothing above it', () => {
  const offenders = sourceFiles(path.join(SRC, 'db'))
    .flatMap((file) => importsOf(file).map((target) => ({ file: path.relative(SRC, file), target })))
    .filter(({ target }) => [...FRONT_DOORS, ...DOMAIN].includes(topFolder(target)));
  expect(offenders).toEqual([]);
});
