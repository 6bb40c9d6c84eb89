/**
 * Running-counter math for createDataUsages (pure). A series (account, parent, identifier)
 * reports ever-growing byte counters; usage is the difference between consecutive samples.
 */
export interface CounterState {
  time: number;
  inBytes: bigint;
  outBytes: bigint;
}

export interface CounterSample extends CounterState {
  /** Position of the sample in the caller's batch, for messages. */
  row: number;
}

export interface UsageInterval {
  /** The sample that closes the interval (its position in the caller's batch). */
  row: number;
  from: number;
  to: number;
  inBytes: bigint;
  outBytes: bigint;
}

export interface CounterOutcome {
  state: CounterState | null;
  intervals: UsageInterval[];
  /** Rows that started the series (no usage of their own). */
  baselines: number[];
  /** Rows whose time equals an already applied sample: re-sends, nothing changes. */
  duplicates: number[];
  /** Rows older than the series' latest sample: reported, not applied. */
  stale: number[];
}

/** A value below the previous one is a reset: the counter restarted at 0, so the delta is the new value. */
export function counterDelta(previous: bigint, current: bigint): bigint {
  return current >= previous ? current - previous : current;
}

/** Applies samples (any order) to a series state; samples are taken in time order. */
export function applySamples(initial: CounterState | null, samples: readonly CounterSample[]): CounterOutcome {
  const sorted = [...samples].sort((a, b) => a.time - b.time || a.row - b.row);
  const outcome: CounterOutcome = { state: initial, intervals: [], baselines: [], duplicates: [], stale: [] };
  const latestStored = initial?.time ?? -Infinity;
  let state = initial;
  for (const s of sorted) {
    if (state === null) {
      outcome.baselines.push(s.row);
      state = { time: s.time, inBytes: s.inBytes, outBytes: s.outBytes };
    } else if (s.time === state.time) {
      outcome.duplicates.push(s.row);
    } else if (s.time < latestStored) {
      outcome.stale.push(s.row);
    } else {
      outcome.intervals.push({
        row: s.row,
        from: state.time,
        to: s.time,
        inBytes: counterDelta(state.inBytes, s.inBytes),
        outBytes: counterDelta(state.outBytes, s.outBytes),
      });
      state = { time: s.time, inBytes: s.inBytes, outBytes: s.outBytes };
    }
  }
  outcome.state = state;
  return outcome;
}
