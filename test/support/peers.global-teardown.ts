import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MissingPeerNote, NOTES_VARIABLE, Peer, PEERS } from './peers';

/** More test files than this are counted, not named. */
const NAMED_FILES = 4;

/**
 * The one summary at the end of a run (after Jest's own): which peers were missing, the test files that
 * skipped for them (or failed, under REQUIRE_PEERS=1), and the `apt-get install` line that brings them.
 */
export default function peersGlobalTeardown(): void {
  const file = process.env[NOTES_VARIABLE];
  if (!file) return;
  const notes = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as MissingPeerNote);
  rmSync(path.dirname(file), { recursive: true, force: true });
  if (notes.length === 0) return;
  process.stderr.write(`\n${missingPeersSummary(notes, process.cwd())}\n`);
}

export function missingPeersSummary(notes: MissingPeerNote[], rootDir: string): string {
  const byPeer = new Map<Peer, { why: string; files: Set<string>; failed: boolean }>();
  for (const note of notes) {
    const entry = byPeer.get(note.peer) ?? { why: note.why, files: new Set<string>(), failed: false };
    entry.files.add(path.relative(rootDir, note.testPath));
    entry.failed ||= note.failed;
    byPeer.set(note.peer, entry);
  }
  const failed = [...byPeer.values()].some((entry) => entry.failed);
  const lines = [
    failed
      ? 'REQUIRE_PEERS=1, and peers are missing: the test files that need them FAILED.'
      : 'Skipped: the peers these tests talk to are missing (`npm ci` cannot bring them).',
  ];
  const peers = [...byPeer.keys()].sort();
  for (const peer of peers) {
    const { why, files } = byPeer.get(peer)!;
    const sorted = [...files].sort();
    lines.push(`  ${peer} (${PEERS[peer].what}): ${why}`);
    lines.push(`      ${sorted.length > NAMED_FILES ? `${sorted.length} test files` : sorted.join(', ')}`);
  }
  const packages = [...new Set(peers.flatMap((peer) => PEERS[peer].packages))];
  lines.push('Bring them with:', `  apt-get install -y ${packages.join(' ')}`);
  for (const peer of peers) {
    const { then } = PEERS[peer];
    if (then) lines.push(`  then for ${peer}: ${then}`);
  }
  lines.push('(.ci/run installs every peer and sets REQUIRE_PEERS=1, under which a missing peer fails the run.)');
  return lines.join('\n');
}
