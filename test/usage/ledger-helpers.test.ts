import type { EntityManager } from 'typeorm';
import { ledgerRow, loadFreeWindows, loadMissingAccountsAndWindows } from '../../src/usage/ledger.service';

/** A manager that is not PostgreSQL, so preparedQuery sends the statement through `query`. */
function fakeManager(rows: object[]) {
  const query = jest.fn(async (_sql: string, _parameters: unknown[]) => rows);
  return { manager: { connection: { driver: {} }, query } as unknown as EntityManager, query };
}

const window = (account_id: string, day: number | null, start_minute: number | null, end_minute: number | null) => ({
  account_id,
  day,
  start_minute,
  end_minute,
});

describe('ledger.service helpers', () => {
  it('puts all bytes on the free or the billable side', () => {
    const bytes = { inBytes: 7n, outBytes: 3n };
    expect(ledgerRow(1, 2, 300_000, bytes, false)).toEqual({
      accountId: 1,
      sourceId: 2,
      bucket: 300_000,
      inBytes: 7n,
      outBytes: 3n,
      freeInBytes: 0n,
      freeOutBytes: 0n,
    });
    expect(ledgerRow(1, 2, 300_000, bytes, true)).toEqual({
      accountId: 1,
      sourceId: 2,
      bucket: 300_000,
      inBytes: 0n,
      outBytes: 0n,
      freeInBytes: 7n,
      freeOutBytes: 3n,
    });
  });

  it('loadFreeWindows sends the account ids as one array literal and groups the windows per account', async () => {
    const { manager, query } = fakeManager([window('2', 1, 0, 60), window('2', 3, 120, 180), window('5', 0, 0, 1440)]);
    const windows = await loadFreeWindows(manager, [2, 5, 9]);
    // One string built by arrayLiteral, not a JS array the driver escapes element by element (hot path).
    expect(query.mock.calls[0][1]).toEqual(['{2,5,9}']);
    expect(windows).toEqual(
      new Map([
        [
          2,
          [
            { weekday: 1, startMinute: 0, endMinute: 60 },
            { weekday: 3, startMinute: 120, endMinute: 180 },
          ],
        ],
        [5, [{ weekday: 0, startMinute: 0, endMinute: 1440 }]],
      ]),
    );
  });

  it('loadMissingAccountsAndWindows reads the missing accounts and the windows from one set of rows', async () => {
    const { manager, query } = fakeManager([
      { ...window('2', 1, 0, 60), known: true },
      { ...window('2', 2, 0, 30), known: true },
      { ...window('9', null, null, null), known: false },
    ]);
    const { missing, windows } = await loadMissingAccountsAndWindows(manager, [2, 4, 9]);
    expect(query.mock.calls[0][1]).toEqual(['{2,4,9}']);
    expect(missing).toEqual(new Set([9]));
    expect(windows).toEqual(
      new Map([
        [
          2,
          [
            { weekday: 1, startMinute: 0, endMinute: 60 },
            { weekday: 2, startMinute: 0, endMinute: 30 },
          ],
        ],
      ]),
    );
  });
});
