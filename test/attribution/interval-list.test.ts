import { IntervalList } from '../../src/attribution/interval-list';

describe('IntervalList', () => {
  it('answers who held the key at a time, with half-open intervals', () => {
    const list = new IntervalList();
    // A holds from 08:00 to 10:00, B from 10:00 on: traffic at 09:59 reported late goes to A.
    list.upsert(1, 800, 1000, 11);
    list.upsert(2, 1000, Infinity, 22);
    expect(list.accountAt(799)).toBeNull();
    expect(list.accountAt(800)).toBe(11);
    expect(list.accountAt(999)).toBe(11);
    expect(list.accountAt(1000)).toBe(22);
    expect(list.accountAt(1e12)).toBe(22);
  });

  it('reports gaps between holders as nobody', () => {
    const list = new IntervalList();
    list.upsert(1, 100, 200, 1);
    list.upsert(2, 300, 400, 2);
    expect(list.accountAt(150)).toBe(1);
    expect(list.accountAt(250)).toBeNull();
    expect(list.accountAt(350)).toBe(2);
    expect(list.accountAt(400)).toBeNull();
  });

  it('updates a row by id (an open interval that got closed) and keeps order when rows arrive out of order', () => {
    const list = new IntervalList();
    list.upsert(3, 300, Infinity, 3);
    list.upsert(1, 100, Infinity, 1);
    list.upsert(1, 100, 300, 1);
    expect(list.items.map((i) => i.id)).toEqual([1, 3]);
    expect(list.accountAt(299)).toBe(1);
    expect(list.accountAt(300)).toBe(3);
    expect(list.open()?.id).toBe(3);
    // Applying the same row again changes nothing.
    list.upsert(1, 100, 300, 1);
    expect(list.length).toBe(2);
  });

  it('lets the newer row win a tie (a close and an open in one transaction)', () => {
    const list = new IntervalList();
    list.upsert(5, 500, 500, 1); // opened and closed in the same transaction: empty
    list.upsert(6, 500, Infinity, 2);
    expect(list.accountAt(500)).toBe(2);
    expect(list.accountAt(499)).toBeNull();
  });

  it('prunes intervals that ended before a cutoff', () => {
    const list = new IntervalList();
    list.upsert(1, 0, 100, 1);
    list.upsert(2, 100, 200, 2);
    list.upsert(3, 200, Infinity, 3);
    expect(list.pruneEndedBefore(150)).toBe(1);
    expect(list.items.map((i) => i.id)).toEqual([2, 3]);
    expect(list.accountAt(50)).toBeNull();
  });
});
