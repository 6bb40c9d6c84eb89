import { FreeWindow, isFreeAt } from './free-window';
import { TIME } from './time-zone';

/** The ledger's finest bucket: 5 minutes, aligned to UTC (every zone's offset is a multiple of it). */
export const BUCKET_MS = 5 * TIME.MINUTE;

export const bucketOf = (t: number) => t - (((t % BUCKET_MS) + BUCKET_MS) % BUCKET_MS);

export interface UsagePiece {
  bucket: number;
  free: boolean;
  inBytes: bigint;
  outBytes: bigint;
}

interface Segment {
  end: number;
  bucket: number;
  free: boolean;
}

/**
 * Spreads a delta measured over (from, to] evenly over time: split at every bucket boundary and
 * at every free-window edge, each segment gets its share in proportion to its length. Shares are
 * computed as differences of floor(total * elapsed / duration), so they are whole bytes and add up
 * to exactly the delta: no rounding loss, no byte counted twice.
 *
 * `maxPieces` bounds the work for a long gap between samples (a year is 105 000 buckets): the
 * interval is then cut in equal steps of whole buckets instead, each step's share landing in the
 * step's first bucket and classified by its first minute. The total stays exact; only the
 * placement inside a step is coarser, as is the evidence (two samples far apart).
 */
export function spreadDelta(
  from: number,
  to: number,
  inBytes: bigint,
  outBytes: bigint,
  windows: readonly FreeWindow[],
  timeZone: string,
  maxPieces = Infinity,
): UsagePiece[] {
  if (to <= from) {
    return [{ bucket: bucketOf(to), free: isFreeAt(windows, timeZone, to), inBytes, outBytes }];
  }
  const segments: Segment[] = [];
  const push = (end: number, bucket: number, free: boolean) => {
    const last = segments[segments.length - 1];
    if (last && last.bucket === bucket && last.free === free) last.end = end;
    else segments.push({ end, bucket, free });
  };
  const buckets = Math.ceil((to - bucketOf(from)) / BUCKET_MS);
  if (buckets > maxPieces) {
    const step = Math.ceil(buckets / Math.max(1, maxPieces)) * BUCKET_MS;
    for (let s = from - (((from % step) + step) % step); s < to; s += step) {
      const start = Math.max(s, from);
      push(Math.min(s + step, to), bucketOf(start), isFreeAt(windows, timeZone, start));
    }
    return allocate(from, to, inBytes, outBytes, segments);
  }
  for (let bucket = bucketOf(from); bucket < to; bucket += BUCKET_MS) {
    const start = Math.max(bucket, from);
    const end = Math.min(bucket + BUCKET_MS, to);
    if (windows.length === 0) {
      push(end, bucket, false);
      continue;
    }
    // Free windows are whole minutes: classify minute by minute inside the bucket.
    for (let m = start; m < end; m = Math.min(end, m - (m % TIME.MINUTE) + TIME.MINUTE)) {
      const mEnd = Math.min(end, m - (m % TIME.MINUTE) + TIME.MINUTE);
      push(mEnd, bucket, isFreeAt(windows, timeZone, m));
    }
  }
  return allocate(from, to, inBytes, outBytes, segments);
}

function allocate(from: number, to: number, inBytes: bigint, outBytes: bigint, segments: Segment[]): UsagePiece[] {
  const duration = BigInt(to - from);
  const pieces: UsagePiece[] = [];
  let prevIn = 0n;
  let prevOut = 0n;
  for (const seg of segments) {
    const elapsed = BigInt(seg.end - from);
    const cumIn = (inBytes * elapsed) / duration;
    const cumOut = (outBytes * elapsed) / duration;
    const shareIn = cumIn - prevIn;
    const shareOut = cumOut - prevOut;
    prevIn = cumIn;
    prevOut = cumOut;
    if (shareIn === 0n && shareOut === 0n) continue;
    const piece = recentPiece(pieces, seg.bucket, seg.free);
    if (piece) {
      piece.inBytes += shareIn;
      piece.outBytes += shareOut;
    } else {
      pieces.push({ bucket: seg.bucket, free: seg.free, inBytes: shareIn, outBytes: shareOut });
    }
  }
  return pieces;
}

/**
 * Segments come in time order, so a bucket's pieces (at most one free, one billable) are the last
 * two: a bucket whose minutes alternate between free and billable adds to them again.
 */
function recentPiece(pieces: UsagePiece[], bucket: number, free: boolean): UsagePiece | undefined {
  for (let i = pieces.length - 1; i >= 0 && i >= pieces.length - 2; i--) {
    if (pieces[i].bucket === bucket && pieces[i].free === free) return pieces[i];
  }
  return undefined;
}
