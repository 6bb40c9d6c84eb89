import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The service links node-netflowv9 (GPL-2.0, a fixed choice), so what an ISP installs is a
 * combined work under the GPL: this project is GPL-2.0-or-later (LICENSE), and every package in
 * the tree must carry a licence the GPL can absorb. The list below is the FSF's "GPL-compatible
 * free software licenses" as they appear in package.json files. Apache-2.0 is compatible with
 * GPLv3 but not with GPLv2 alone: see README "Licence" for what that means for node-netflowv9,
 * which says "GPLv2" without "or later".
 */
const GPL_COMPATIBLE = new Set([
  'MIT',
  'ISC',
  '0BSD',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'BlueOak-1.0.0',
  'Apache-2.0',
  'Python-2.0',
  'CC0-1.0',
  'Zlib',
  'Unlicense',
  'GPL-2.0',
  'GPL-2.0-only',
  'GPL-2.0-or-later',
  'GPLv2',
  'LGPL-2.1-or-later',
]);

/**
 * Packages whose package.json declares no licence, and what their shipped LICENSE file says
 * (read and checked by the test below, so a new version with another text fails here).
 */
const UNDECLARED: Record<string, { licence: string; fileSays: RegExp }> = {
  // Pulled in by node-netflowv9. Its LICENSE is the 2-clause BSD text (copyright Sean M. Egan, 2012).
  dequeue: { licence: 'BSD-2-Clause', fileSays: /2-Clause BSD license/ },
  // The RADIUS codec: the 3-clause BSD text of Nearbuy Systems.
  radius: { licence: 'BSD-3-Clause', fileSays: /Neither the name of Nearbuy Systems/ },
};

interface NpmNode {
  version?: string;
  license?: string;
  path?: string;
  dependencies?: Record<string, NpmNode>;
}

/** "(MIT OR CC0-1.0)", "(MIT AND Zlib)": an OR needs one compatible member, an AND needs all. */
function compatible(expression: string): boolean {
  const inner = expression.replace(/^\((.*)\)$/, '$1');
  if (inner.includes(' OR ')) return inner.split(' OR ').some((member) => compatible(member.trim()));
  if (inner.includes(' AND ')) return inner.split(' AND ').every((member) => compatible(member.trim()));
  return GPL_COMPATIBLE.has(inner);
}

function installedPackages(): Array<{ name: string; version: string; licence: string | undefined; path: string }> {
  const root = path.resolve(__dirname, '../..');
  const tree = JSON.parse(
    execFileSync('npm', ['ls', '--all', '--json', '--long'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as NpmNode;
  const found = new Map<string, { name: string; version: string; licence: string | undefined; path: string }>();
  const walk = (node: NpmNode) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      // Optional packages for other platforms are listed without a path: not installed, nothing to check.
      if (!child.path || !child.version || found.has(child.path)) continue;
      found.set(child.path, { name, version: child.version, licence: child.license ?? legacyLicences(child.path), path: child.path });
      walk(child);
    }
  };
  walk(tree);
  return [...found.values()];
}

/** The deprecated `licenses: [{type}]` form (fs-ext), which npm ls does not report: all of them, ANDed. */
function legacyLicences(packagePath: string): string | undefined {
  const { licenses } = JSON.parse(readFileSync(path.join(packagePath, 'package.json'), 'utf8')) as { licenses?: Array<{ type?: string }> };
  const types = (licenses ?? []).map((l) => l.type).filter((type): type is string => typeof type === 'string');
  return types.length ? `(${types.join(' AND ')})` : undefined;
}

it('the project declares GPL-2.0-or-later and ships the licence text', () => {
  const root = path.resolve(__dirname, '../..');
  expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).license).toBe('GPL-2.0-or-later');
  expect(readFileSync(path.join(root, 'LICENSE'), 'utf8')).toContain('GNU GENERAL PUBLIC LICENSE\n                       Version 2, June 1991');
});

it('every installed package carries a GPL-compatible licence', () => {
  const packages = installedPackages();
  expect(packages.length).toBeGreaterThan(100);
  const offenders = packages
    .map((p) => {
      if (p.licence !== undefined) return compatible(p.licence) ? null : `${p.name}@${p.version}: ${p.licence}`;
      const known = UNDECLARED[p.name];
      if (!known) return `${p.name}@${p.version}: declares no licence`;
      const text = readFileSync(path.join(p.path, 'LICENSE'), 'utf8');
      return known.fileSays.test(text) && compatible(known.licence) ? null : `${p.name}@${p.version}: LICENSE no longer says ${known.licence}`;
    })
    .filter((offender) => offender !== null);
  expect(offenders).toEqual([]);
});

it('reads licence expressions as SPDX does', () => {
  expect(compatible('(MIT OR CC0-1.0)')).toBe(true);
  expect(compatible('(MIT AND Zlib)')).toBe(true);
  expect(compatible('(MIT AND SSPL-1.0)')).toBe(false);
  expect(compatible('AGPL-3.0')).toBe(false);
  expect(compatible('UNLICENSED')).toBe(false);
});
