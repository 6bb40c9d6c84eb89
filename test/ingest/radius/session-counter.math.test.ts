import {
  applySessionEvent,
  counterDelta,
  eventTimeMs,
  octetTotal,
  SessionCounters,
  SessionEvent,
  TWO_32,
} from '../../../src/ingest/radius/session-counter.math';

const T0 = 1_700_000_000_000;

function ev(partial: Partial<SessionEvent> & Pick<SessionEvent, 'status'>): SessionEvent {
  return { atMs: T0, inputTotal: 0n, outputTotal: 0n, inputGigawords: false, outputGigawords: false, ...partial };
}

function run(events: SessionEvent[]): { session: SessionCounters | null; inBytes: bigint; outBytes: bigint; steps: ReturnType<typeof applySessionEvent>[] } {
  let session: SessionCounters | null = null;
  let inBytes = 0n;
  let outBytes = 0n;
  const steps = [];
  for (const e of events) {
    const step = applySessionEvent(session, e);
    session = step.next;
    inBytes += step.inBytes;
    outBytes += step.outBytes;
    steps.push(step);
  }
  return { session, inBytes, outBytes, steps };
}

describe('octetTotal', () => {
  it.each([
    [undefined, undefined, 0n],
    [0, undefined, 0n],
    [1000, undefined, 1000n],
    [1000, 0, 1000n],
    [0, 1, TWO_32],
    [5, 2, 2n * TWO_32 + 5n],
    [0xffffffff, 0xffffffff, 0xffffffffn * TWO_32 + 0xffffffffn],
    [undefined, 3, 3n * TWO_32],
  ])('octets %p gigawords %p -> %p', (octets, gigawords, expected) => {
    expect(octetTotal(octets, gigawords)).toBe(expected);
  });
});

describe('counterDelta', () => {
  it.each([
    ['same', 100n, 100n, false, 0n, 'same'],
    ['increase', 100n, 250n, false, 150n, 'increase'],
    ['increase from 0', 0n, 7n, false, 7n, 'increase'],
    ['increase across 2^32 with gigawords', TWO_32 - 10n, TWO_32 + 10n, true, 20n, 'increase'],
    ['32-bit wrap', 0xfffffff0n, 0x10n, false, 0x20n, 'wrap'],
    ['32-bit wrap to zero', 0xffffffffn, 0n, false, 1n, 'wrap'],
    ['drop of exactly 2^31 is a reset', 1n << 31n, 0n, false, 0n, 'reset'],
    ['drop of 2^31+1 is a wrap', (1n << 31n) + 1n, 0n, false, (1n << 31n) - 1n, 'wrap'],
    ['small drop is a reset', 1000n, 10n, false, 10n, 'reset'],
    ['large drop with gigawords is a reset', 5n * TWO_32, 100n, true, 100n, 'reset'],
    ['large drop from above 2^32 without gigawords is a reset', 3n * TWO_32, 100n, false, 100n, 'reset'],
    ['reset to zero', 500n, 0n, false, 0n, 'reset'],
  ])('%s', (_name, prev, cur, giga, delta, kind) => {
    expect(counterDelta(prev as bigint, cur as bigint, giga as boolean)).toEqual({ delta, kind });
  });
});

describe('eventTimeMs', () => {
  it('prefers Event-Timestamp', () => expect(eventTimeMs(T0, T0 - 5000, 30)).toBe(T0 - 5000));
  it('subtracts Acct-Delay-Time otherwise', () => expect(eventTimeMs(T0, undefined, 30)).toBe(T0 - 30_000));
  it('is the receive time without either', () => expect(eventTimeMs(T0, undefined, undefined)).toBe(T0));
  it('ignores a zero Event-Timestamp', () => expect(eventTimeMs(T0, 0, 2)).toBe(T0 - 2000));
});

describe('applySessionEvent', () => {
  it('Start, Interims, Stop: the sum of deltas equals the final totals; in = output octets (download)', () => {
    const r = run([
      ev({ status: 'Start' }),
      ev({ status: 'Interim-Update', atMs: T0 + 300_000, inputTotal: 1000n, outputTotal: 5000n }),
      ev({ status: 'Interim-Update', atMs: T0 + 600_000, inputTotal: 3000n, outputTotal: 9000n }),
      ev({ status: 'Stop', atMs: T0 + 700_000, inputTotal: 3500n, outputTotal: 10_000n, terminateCause: 'User-Request' }),
    ]);
    expect(r.outBytes).toBe(3500n);
    expect(r.inBytes).toBe(10_000n);
    expect(r.steps.map((s) => [s.inBytes, s.outBytes])).toEqual([[0n, 0n], [5000n, 1000n], [4000n, 2000n], [1000n, 500n]]);
    expect(r.session).toMatchObject({ startMs: T0, endMs: T0 + 700_000, terminateCause: 'User-Request' });
    expect(r.steps[3].closed).toBe(true);
  });

  it('gigawords: totals above 4 GiB are exact', () => {
    const r = run([
      ev({ status: 'Start' }),
      ev({ status: 'Interim-Update', atMs: T0 + 1, inputTotal: octetTotal(10, 1), outputTotal: octetTotal(20, 2), inputGigawords: true, outputGigawords: true }),
      ev({ status: 'Stop', atMs: T0 + 2, inputTotal: octetTotal(5, 3), outputTotal: octetTotal(27, 2), inputGigawords: true, outputGigawords: true }),
    ]);
    expect(r.outBytes).toBe(3n * TWO_32 + 5n);
    expect(r.inBytes).toBe(2n * TWO_32 + 27n);
  });

  it('32-bit wrap without gigawords', () => {
    const r = run([
      ev({ status: 'Interim-Update', inputTotal: 0xfff00000n, outputTotal: 0n }),
      ev({ status: 'Interim-Update', atMs: T0 + 1, inputTotal: 0x00100000n, outputTotal: 0n }),
    ]);
    expect(r.outBytes).toBe(0xfff00000n + 0x200000n);
  });

  it('counter reset: the new total is new usage', () => {
    const r = run([
      ev({ status: 'Interim-Update', inputTotal: 5000n, outputTotal: 8000n }),
      ev({ status: 'Interim-Update', atMs: T0 + 1, inputTotal: 100n, outputTotal: 200n }),
    ]);
    expect([r.inBytes, r.outBytes]).toEqual([8200n, 5100n]);
  });

  it('Interim without Start counts from 0 and estimates the start from Acct-Session-Time', () => {
    const r = run([ev({ status: 'Interim-Update', atMs: T0 + 60_000, inputTotal: 10n, outputTotal: 20n, sessionTimeS: 60 })]);
    expect([r.inBytes, r.outBytes]).toEqual([20n, 10n]);
    expect(r.session).toMatchObject({ startMs: T0, endMs: null });
  });

  it('Stop without Start counts from 0 and closes', () => {
    const r = run([ev({ status: 'Stop', inputTotal: 10n, outputTotal: 20n, terminateCause: 'Idle-Timeout' })]);
    expect([r.inBytes, r.outBytes]).toEqual([20n, 10n]);
    expect(r.session).toMatchObject({ endMs: T0, terminateCause: 'Idle-Timeout' });
    expect(r.steps[0].closed).toBe(true);
  });

  it('Start with non-zero counters credits them once', () => {
    const r = run([ev({ status: 'Start', inputTotal: 3n, outputTotal: 4n }), ev({ status: 'Start', inputTotal: 3n, outputTotal: 4n })]);
    expect([r.inBytes, r.outBytes]).toEqual([4n, 3n]);
  });

  it('repeated totals (retransmission with a new Identifier) credit nothing', () => {
    const interim = ev({ status: 'Interim-Update', atMs: T0 + 5, inputTotal: 100n, outputTotal: 200n });
    const r = run([ev({ status: 'Start' }), interim, { ...interim }, { ...interim, atMs: T0 + 6 }]);
    expect([r.inBytes, r.outBytes]).toEqual([200n, 100n]);
  });

  it('duplicate Stop credits nothing and keeps the first end time', () => {
    const stop = ev({ status: 'Stop', atMs: T0 + 10, inputTotal: 100n, outputTotal: 200n, terminateCause: 'User-Request' });
    const r = run([ev({ status: 'Start' }), stop, { ...stop, atMs: T0 + 20, terminateCause: 'Lost-Carrier' }]);
    expect([r.inBytes, r.outBytes]).toEqual([200n, 100n]);
    expect(r.session).toMatchObject({ endMs: T0 + 10, terminateCause: 'User-Request' });
    expect(r.steps[2]).toMatchObject({ closed: false, stale: true });
  });

  it('late Stop with higher totals credits only the difference', () => {
    const r = run([
      ev({ status: 'Stop', atMs: T0 + 10, inputTotal: 100n, outputTotal: 200n }),
      ev({ status: 'Stop', atMs: T0 + 11, inputTotal: 150n, outputTotal: 200n }),
    ]);
    expect([r.inBytes, r.outBytes]).toEqual([200n, 150n]);
  });

  it('an Interim arriving after the Stop neither counts nor reopens', () => {
    const r = run([
      ev({ status: 'Start' }),
      ev({ status: 'Stop', atMs: T0 + 10, inputTotal: 100n, outputTotal: 200n }),
      ev({ status: 'Interim-Update', atMs: T0 + 5, inputTotal: 50n, outputTotal: 60n }),
    ]);
    expect([r.inBytes, r.outBytes]).toEqual([200n, 100n]);
    expect(r.session?.endMs).toBe(T0 + 10);
    expect(r.session?.inputTotal).toBe(100n);
  });

  it('a reordered (older, lower) Interim is not a reset', () => {
    const r = run([
      ev({ status: 'Start' }),
      ev({ status: 'Interim-Update', atMs: T0 + 20, inputTotal: 500n, outputTotal: 900n }),
      ev({ status: 'Interim-Update', atMs: T0 + 10, inputTotal: 200n, outputTotal: 300n }),
      ev({ status: 'Interim-Update', atMs: T0 + 30, inputTotal: 600n, outputTotal: 1000n }),
    ]);
    expect([r.inBytes, r.outBytes]).toEqual([1000n, 600n]);
    expect(r.steps[2].stale).toBe(true);
  });

  it('a Start arriving after its Interim fixes the start time without counting', () => {
    const r = run([
      ev({ status: 'Interim-Update', atMs: T0 + 300_000, inputTotal: 10n, outputTotal: 20n }),
      ev({ status: 'Start', atMs: T0 }),
    ]);
    expect([r.inBytes, r.outBytes]).toEqual([20n, 10n]);
    expect(r.session).toMatchObject({ startMs: T0, endMs: null, inputTotal: 10n });
  });

  it('a newer lower total on an open session is a reset', () => {
    const r = run([
      ev({ status: 'Interim-Update', atMs: T0, inputTotal: 500n, outputTotal: 500n }),
      ev({ status: 'Interim-Update', atMs: T0 + 1, inputTotal: 10n, outputTotal: 600n }),
    ]);
    expect([r.inBytes, r.outBytes]).toEqual([600n, 510n]);
  });

  it('the sum of deltas equals the final total for random monotone sequences with gigawords', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 500; trial++) {
      let input = 0n;
      let output = 0n;
      const events: SessionEvent[] = [ev({ status: 'Start' })];
      const steps = 1 + Math.floor(rand() * 20);
      for (let i = 1; i <= steps; i++) {
        input += BigInt(Math.floor(rand() * 2 ** 33));
        output += BigInt(Math.floor(rand() * 2 ** 34));
        const e = ev({ status: i === steps ? 'Stop' : 'Interim-Update', atMs: T0 + i, inputTotal: input, outputTotal: output, inputGigawords: true, outputGigawords: true });
        events.push(e);
        if (rand() < 0.3) events.push({ ...e }); // duplicate
      }
      const r = run(events);
      expect([r.inBytes, r.outBytes]).toEqual([output, input]);
    }
  });

  it('the sum of deltas equals the true usage for 32-bit counters that wrap (no gigawords)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 500; trial++) {
      let trueInput = 0n;
      const events: SessionEvent[] = [ev({ status: 'Start' })];
      for (let i = 1; i <= 10; i++) {
        trueInput += BigInt(Math.floor(rand() * 2 ** 31)); // less than 2^31 per interval: wraps are detectable
        events.push(ev({ status: 'Interim-Update', atMs: T0 + i, inputTotal: trueInput % TWO_32 }));
      }
      expect(run(events).outBytes).toBe(trueInput);
    }
  });
});
