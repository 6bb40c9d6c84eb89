import { mergeRanges, rangeLength, TimeRange, uncoveredParts } from './time-ranges';

/**
 * One reported interval of one series (a subscriber as the appliance names it). `divisible`
 * says whether part of it may be credited on its own: a rate (SaiSei) integrates over any
 * sub-interval exactly; a byte delta (Preseem) cannot be split without guessing.
 */
export interface IntervalClaim<T> {
  series: string;
  range: TimeRange;
  divisible: boolean;
  payload: T;
}

export interface AcceptedClaim<T> {
  claim: IntervalClaim<T>;
  /**
   * The parts of the claim's range not credited before and not past the time asked for, in time order
   * (the whole range for an indivisible claim).
   */
  parts: TimeRange[];
}

export interface ClaimBounds {
  /** Claims ending at or before this are refused: their credited ranges may have been pruned. */
  notBeforeMs?: number;
  /**
   * The end of the time the poller asked for. Time past it is neither credited nor marked as
   * credited: a divisible claim is cut there (the window that asks for the rest credits it), an
   * indivisible claim that ends later waits for a poll that asks that far.
   */
  askedUntilMs?: number;
}

export interface ClaimPlan<T> {
  accepted: AcceptedClaim<T>[];
  /** Claims entirely inside time already credited for their series (re-sent or overlapping windows). */
  duplicates: number;
  /** Indivisible claims that partly overlap credited time: skipped, never credited twice. */
  overlaps: number;
  /** Claims ending before the retention horizon (their checkpoint may be gone): skipped. */
  tooOld: number;
  /** Claims with nothing to credit before the time asked for (an indivisible one ends after it): left for a later poll. */
  unfinished: number;
  /** The new coalesced ranges of every series that gained credited time. */
  changed: Map<string, TimeRange[]>;
}

/**
 * Decides, per claim and in order, what may be credited given what already was: the core of
 * "never credit an interval twice". Claims earlier in the same batch count as credited for
 * later ones, so a duplicate inside one response is caught too. Pure: the caller loads
 * `credited` and stores `changed` inside one transaction.
 */
export function planClaims<T>(
  credited: ReadonlyMap<string, readonly TimeRange[]>,
  claims: readonly IntervalClaim<T>[],
  { notBeforeMs = -Infinity, askedUntilMs = Infinity }: ClaimBounds = {},
): ClaimPlan<T> {
  const covered = new Map<string, TimeRange[]>();
  const changed = new Map<string, TimeRange[]>();
  const plan: ClaimPlan<T> = { accepted: [], duplicates: 0, overlaps: 0, tooOld: 0, unfinished: 0, changed };
  for (const claim of claims) {
    if (!(claim.range.endMs > claim.range.startMs)) continue;
    if (claim.range.endMs <= notBeforeMs) {
      plan.tooOld++;
      continue;
    }
    const range = withinAsked(claim, askedUntilMs);
    if (!range) {
      plan.unfinished++;
      continue;
    }
    let current = covered.get(claim.series);
    if (!current) {
      current = mergeRanges([...(credited.get(claim.series) ?? [])]);
      covered.set(claim.series, current);
    }
    const parts = uncoveredParts(range, current);
    if (parts.length === 0) {
      plan.duplicates++;
      continue;
    }
    const whole = rangeLength(parts) === range.endMs - range.startMs;
    if (!whole && !claim.divisible) {
      plan.overlaps++;
      continue;
    }
    plan.accepted.push({ claim, parts });
    const next = mergeRanges([...current, ...parts]);
    covered.set(claim.series, next);
    changed.set(claim.series, next);
  }
  return plan;
}

/** The claim's range cut at the end of the time asked for; null when nothing of it may be credited yet. */
function withinAsked<T>(claim: IntervalClaim<T>, askedUntilMs: number): TimeRange | null {
  const { startMs, endMs } = claim.range;
  if (endMs <= askedUntilMs) return claim.range;
  if (!claim.divisible || startMs >= askedUntilMs) return null;
  return { startMs, endMs: askedUntilMs };
}
