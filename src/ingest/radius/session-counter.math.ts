/**
 * Pure counter math for RADIUS accounting (RFC 2866/2869). Interim-Update and Stop carry
 * totals since the session's Start, so usage is the difference between consecutive totals
 * of one session. Everything here is side-effect free and exhaustively unit-tested,
 * because a mistake here bills a customer wrongly.
 */

export const TWO_32 = 1n << 32n;
const TWO_31 = 1n << 31n;

/** The 64-bit total of one direction: `Gigawords * 2^32 + Octets`. */
export function octetTotal(octets: number | undefined, gigawords: number | undefined): bigint {
  return BigInt(gigawords ?? 0) * TWO_32 + BigInt(octets ?? 0);
}

export type DeltaKind = 'increase' | 'same' | 'wrap' | 'reset';

export interface CounterDelta {
  delta: bigint;
  kind: DeltaKind;
}

/**
 * Usage between two cumulative totals of the same session and direction.
 *
 * - `cur >= prev`: the difference.
 * - A drop of more than 2^31 when neither total needs gigawords (`withGigawords` false and
 *   `prev < 2^32`) is a 32-bit wrap: the NAS's counter went past 2^32 and restarted at 0.
 * - Any other drop is a counter reset (the NAS restarted counting): the new total is new usage.
 */
export function counterDelta(prev: bigint, cur: bigint, withGigawords: boolean): CounterDelta {
  if (cur === prev) return { delta: 0n, kind: 'same' };
  if (cur > prev) return { delta: cur - prev, kind: 'increase' };
  if (!withGigawords && prev < TWO_32 && prev - cur > TWO_31) {
    return { delta: cur + TWO_32 - prev, kind: 'wrap' };
  }
  return { delta: cur, kind: 'reset' };
}

/** What one Accounting-Request says about a session (already decoded and validated). */
export interface SessionEvent {
  status: 'Start' | 'Stop' | 'Interim-Update';
  /** Event time, epoch ms (Event-Timestamp, else receive time − Acct-Delay-Time). */
  atMs: number;
  /** Cumulative upload total (Acct-Input-Octets + Gigawords). */
  inputTotal: bigint;
  /** Cumulative download total (Acct-Output-Octets + Gigawords). */
  outputTotal: bigint;
  /** True when the request carried an Acct-*-Gigawords attribute for that direction. */
  inputGigawords: boolean;
  outputGigawords: boolean;
  terminateCause?: string;
  /** Acct-Session-Time (seconds): lets a session first seen on an Interim or Stop get its real start. */
  sessionTimeS?: number;
}

/** The part of a stored session the counter math needs. */
export interface SessionCounters {
  /** Last cumulative totals seen (the idempotency state: a repeat of them yields 0). */
  inputTotal: bigint;
  outputTotal: bigint;
  /** Event time of the request that set those totals. */
  lastEventMs: number;
  startMs: number | null;
  /** Null while the session is open. */
  endMs: number | null;
  terminateCause: string | null;
}

export interface SessionStep {
  next: SessionCounters;
  /** Usage to credit now. in = download = output octets, out = upload = input octets. */
  inBytes: bigint;
  outBytes: bigint;
  /** True when this request closed the session (first Stop). */
  closed: boolean;
  /** True when the request was older than what we have and changed nothing. */
  stale: boolean;
}

/**
 * Applies one Start / Interim-Update / Stop to a session (null = never seen).
 *
 * - A session first seen on an Interim or Stop (its Start was lost) counts from 0.
 * - Retransmissions and re-sends with a new Identifier repeat the same totals: delta 0.
 * - A request older (by event time) than the last one applied whose totals are lower is a
 *   reordered packet, not a reset: it changes nothing.
 * - Once a session is closed, only a later Stop with higher totals credits more (a late,
 *   corrected Stop); lower totals (duplicate or reordered Interim) change nothing and never
 *   count as a reset, and nothing reopens it.
 */
export function applySessionEvent(session: SessionCounters | null, event: SessionEvent): SessionStep {
  const estimatedStart = event.sessionTimeS !== undefined ? event.atMs - event.sessionTimeS * 1000 : event.atMs;
  const startMs = event.status === 'Start' ? event.atMs : (session?.startMs ?? estimatedStart);

  if (session === null) {
    const closing = event.status === 'Stop';
    return {
      next: {
        inputTotal: event.inputTotal,
        outputTotal: event.outputTotal,
        lastEventMs: event.atMs,
        startMs,
        endMs: closing ? event.atMs : null,
        terminateCause: closing ? (event.terminateCause ?? null) : null,
      },
      inBytes: event.outputTotal,
      outBytes: event.inputTotal,
      closed: closing,
      stale: false,
    };
  }

  if (session.endMs !== null) {
    // Closed: only higher totals (a late, corrected Stop) add usage; nothing reopens it.
    const up = event.inputTotal > session.inputTotal ? event.inputTotal - session.inputTotal : 0n;
    const down = event.outputTotal > session.outputTotal ? event.outputTotal - session.outputTotal : 0n;
    const next: SessionCounters = {
      ...session,
      inputTotal: session.inputTotal + up,
      outputTotal: session.outputTotal + down,
      lastEventMs: Math.max(session.lastEventMs, event.atMs),
    };
    return { next, inBytes: down, outBytes: up, closed: false, stale: up === 0n && down === 0n };
  }

  const lower = event.inputTotal < session.inputTotal || event.outputTotal < session.outputTotal;
  if (lower && event.atMs < session.lastEventMs) {
    // Reordered: an older snapshot arriving after a newer one. Not a reset.
    const next = event.status === 'Start' ? { ...session, startMs: Math.min(event.atMs, session.startMs ?? event.atMs) } : session;
    return { next, inBytes: 0n, outBytes: 0n, closed: false, stale: true };
  }

  const up = counterDelta(session.inputTotal, event.inputTotal, event.inputGigawords).delta;
  const down = counterDelta(session.outputTotal, event.outputTotal, event.outputGigawords).delta;
  const closing = event.status === 'Stop';
  const next: SessionCounters = {
    inputTotal: event.inputTotal,
    outputTotal: event.outputTotal,
    lastEventMs: Math.max(session.lastEventMs, event.atMs),
    startMs: event.status === 'Start' ? Math.min(event.atMs, session.startMs ?? event.atMs) : session.startMs,
    endMs: closing ? event.atMs : null,
    terminateCause: closing ? (event.terminateCause ?? null) : null,
  };
  return { next, inBytes: down, outBytes: up, closed: closing, stale: false };
}

/** Event time: Event-Timestamp when present, else receive time − Acct-Delay-Time. */
export function eventTimeMs(receivedMs: number, eventTimestampMs: number | undefined, delaySeconds: number | undefined): number {
  if (eventTimestampMs !== undefined && Number.isFinite(eventTimestampMs) && eventTimestampMs > 0) return eventTimestampMs;
  return receivedMs - (delaySeconds ?? 0) * 1000;
}
