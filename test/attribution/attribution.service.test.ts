import { DataSource } from 'typeorm';
import { AttributionService } from '../../src/attribution/attribution.service';
import { createDataSource, Engine } from '../../src/db/data-source';
import { openTestDataSource, testEngines } from '../support/database';

/** Polls `check` until it passes (or the deadline passes): asynchronous effects without sleeps. */
async function expectEventually(check: () => void, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}

const ms = (value: Date | string) => new Date(value).getTime();
/** 10:00 UTC two days ago: inside the in-memory history window. */
const tenTwoDaysAgo = () => {
  const d = new Date(Date.now() - 2 * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 10);
};

describe.each(testEngines())('attribution on %s', (engine: Engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let settings: Awaited<ReturnType<typeof openTestDataSource>>['db']['settings'];
  let service: AttributionService;
  let accountA: number;
  let accountB: number;
  let accountC: number;

  const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> => {
    const rows = await dataSource.query(sql, params);
    return rows[0] as T;
  };
  const id = async (sql: string, params: unknown[] = []) => Number((await one<{ id: string }>(`${sql} RETURNING id`, params)).id);
  const assign = (subnet: string, type: string, ownerId: number) =>
    id(`INSERT INTO ip_assignments (subnet, ipassignmentable_type, ipassignmentable_id) VALUES ($1, $2, $3)`, [subnet, type, ownerId]);
  const openHistory = (subnet: string) =>
    dataSource.query(
      `SELECT account_id::text AS account_id, unique_identifier, assigned_datetime, removed_datetime
         FROM ip_assignment_histories WHERE subnet = $1::cidr ORDER BY id`,
      [subnet],
    );

  beforeAll(async () => {
    const opened = await openTestDataSource(engine);
    dataSource = opened.dataSource;
    close = opened.close;
    settings = opened.db.settings;
    const status = await id(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    const type = await id(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const account = (name: string) =>
      id(`INSERT INTO accounts (name, account_status_id, account_type_id) VALUES ($1, $2, $3)`, [name, status, type]);
    accountA = await account('A');
    accountB = await account('B');
    accountC = await account('C');
    service = new AttributionService(dataSource, { syncIntervalMs: 60_000, historyDays: 90 });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await close?.();
  });

  it('keeps history through the owner chain with triggers, for every writer', async () => {
    const item = await id(`INSERT INTO inventory_items (name, inventoryitemable_id) VALUES ('CPE', $1)`, [accountB]);
    const radius = await id(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'alice')`, [accountC]);
    await assign('198.51.100.0/24', 'Account', accountA);
    const onItem = await assign('198.51.101.7/32', 'InventoryItem', item);
    await assign('2001:db8:100::/56', 'RadiusAccount', radius);
    // An owner that does not resolve to an account opens no history.
    await assign('198.51.102.0/24', 'InventoryItem', 999_999);

    expect(await openHistory('198.51.100.0/24')).toEqual([
      expect.objectContaining({ account_id: String(accountA), unique_identifier: null, removed_datetime: null }),
    ]);
    expect(await openHistory('198.51.101.7/32')).toEqual([expect.objectContaining({ account_id: String(accountB), removed_datetime: null })]);
    expect(await openHistory('2001:db8:100::/56')).toEqual([
      expect.objectContaining({ account_id: String(accountC), unique_identifier: 'alice', removed_datetime: null }),
    ]);
    expect(await openHistory('198.51.102.0/24')).toEqual([]);

    // Columns attribution does not care about change nothing.
    await dataSource.query(`UPDATE ip_assignments SET description = 'rack 4', soft = true WHERE id = $1`, [onItem]);
    expect(await openHistory('198.51.101.7/32')).toHaveLength(1);

    // The device moves to another account: close + open.
    await dataSource.query(`UPDATE inventory_items SET inventoryitemable_id = $1 WHERE id = $2`, [accountA, item]);
    const moved = await openHistory('198.51.101.7/32');
    expect(moved.map((r: { account_id: string }) => r.account_id)).toEqual([String(accountB), String(accountA)]);
    expect(moved[0].removed_datetime).not.toBeNull();
    expect(ms(moved[1].assigned_datetime)).toBe(ms(moved[0].removed_datetime));

    // The subnet of an assignment changes: the old subnet is closed, the new one opened.
    await dataSource.query(`UPDATE ip_assignments SET subnet = '198.51.101.8/32' WHERE id = $1`, [onItem]);
    expect((await openHistory('198.51.101.7/32')).every((r: { removed_datetime: Date | null }) => r.removed_datetime !== null)).toBe(true);
    expect(await openHistory('198.51.101.8/32')).toEqual([expect.objectContaining({ account_id: String(accountA), removed_datetime: null })]);

    // The RADIUS login is renamed and given to another account: its addresses and its username follow.
    await dataSource.query(`UPDATE radius_accounts SET username = 'alice2', account_id = $1 WHERE id = $2`, [accountB, radius]);
    const renamed = await openHistory('2001:db8:100::/56');
    expect(renamed.map((r: { unique_identifier: string }) => r.unique_identifier)).toEqual(['alice', 'alice2']);
    expect(renamed[1]).toMatchObject({ account_id: String(accountB), removed_datetime: null });
    const users = await dataSource.query(
      `SELECT username, account_id::text AS account_id, removed_datetime IS NULL AS open FROM radius_account_histories WHERE radius_account_id = $1 ORDER BY id`,
      [radius],
    );
    expect(users).toEqual([
      { username: 'alice', account_id: String(accountC), open: false },
      { username: 'alice2', account_id: String(accountB), open: true },
    ]);

    // Deleting the assignment closes its history; every step is in the change log.
    await dataSource.query(`DELETE FROM ip_assignments WHERE subnet = '198.51.100.0/24'`);
    expect(await openHistory('198.51.100.0/24')).toEqual([expect.objectContaining({ account_id: String(accountA), removed_datetime: expect.any(Date) })]);
    const changes = await one<{ n: string }>(`SELECT count(*)::text AS n FROM attribution_changes`);
    expect(Number(changes.n)).toBeGreaterThanOrEqual(12);
  });

  it('answers now and in the past through the owner chain, after refresh()', async () => {
    const item = await id(`INSERT INTO inventory_items (name, inventoryitemable_id) VALUES ('router', $1)`, [accountA]);
    const radius = await id(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'bob')`, [accountB]);
    await assign('10.0.0.0/8', 'Account', accountC);
    await assign('10.1.0.0/16', 'InventoryItem', item);
    await assign('10.1.2.3/32', 'RadiusAccount', radius);
    await assign('2001:db8:200::/48', 'Account', accountA);
    await assign('2001:db8:200:1::/64', 'RadiusAccount', radius);
    // An IPv4-mapped IPv6 subnet is the IPv4 subnet it maps, for both address forms.
    await assign('::ffff:100.64.0.0/112', 'Account', accountA);
    await service.refresh();
    const now = Date.now() + 1000;
    expect(service.accountForIp('100.64.1.1', now)).toBe(accountA);
    expect(service.accountForIp('::ffff:100.64.1.1', now)).toBe(accountA);
    expect(service.accountForIp('100.65.0.1', now)).toBeNull();

    expect(service.accountForIp('10.1.2.3', now)).toBe(accountB);
    expect(service.accountForIp('10.1.2.4', now)).toBe(accountA);
    expect(service.accountForIp('10.9.9.9', now)).toBe(accountC);
    expect(service.accountForIp('11.0.0.1', now)).toBeNull();
    expect(service.accountForIPv4(0x0a010203, now)).toBe(accountB);
    expect(service.accountForIp('::ffff:10.1.2.3', now)).toBe(accountB);
    expect(service.accountForIp('2001:db8:200:1::99', now)).toBe(accountB);
    expect(service.accountForIp('2001:db8:200:2::99', now)).toBe(accountA);
    expect(service.accountForIp('not an address', now)).toBeNull();
    expect(service.accountForUsername('bob', now)).toBe(accountB);
    expect(service.accountForUsername('nobody', now)).toBeNull();
    expect(service.radiusAccountForUsername('bob')).toBe(radius);
    expect(service.radiusAccountForUsername('nobody')).toBeNull();

    // The dynamic address moves from bob (B) to a new login carol (C) at T.
    const carol = await id(`INSERT INTO radius_accounts (account_id, username) VALUES ($1, 'carol')`, [accountC]);
    await dataSource.query(`UPDATE ip_assignments SET ipassignmentable_id = $1 WHERE subnet = '10.1.2.3/32'`, [carol]);
    await service.refresh();
    const [bobRow, carolRow] = await openHistory('10.1.2.3/32');
    const t = ms(bobRow.removed_datetime);
    expect(ms(carolRow.assigned_datetime)).toBe(t);
    expect(carolRow.unique_identifier).toBe('carol');

    // Traffic just before T, reported late, goes to whoever held the address then.
    expect(service.accountForIp('10.1.2.3', t - 1)).toBe(accountB);
    expect(service.accountForIp('10.1.2.3', t)).toBe(accountC);
    expect(service.accountForIp('10.1.2.3', Date.now() + 1000)).toBe(accountC);
    // Before the /32 existed, the covering /16 (the router of A) answered: longest match AT that time.
    // (The /16 may have been assigned in the same millisecond as the /32 on a fast server: then the /8 of C.)
    const [sixteen] = await openHistory('10.1.0.0/16');
    const justBefore = ms(bobRow.assigned_datetime) - 1;
    expect(service.accountForIp('10.1.2.3', justBefore)).toBe(justBefore >= ms(sixteen.assigned_datetime) ? accountA : accountC);

    // The /32 is released: the /16 answers again from then on, the past stays as it was.
    await dataSource.query(`DELETE FROM ip_assignments WHERE subnet = '10.1.2.3/32'`);
    await service.refresh();
    const [, closed] = await openHistory('10.1.2.3/32');
    const released = ms(closed.removed_datetime);
    expect(service.accountForIp('10.1.2.3', Date.now() + 1000)).toBe(accountA);
    expect(service.accountForIp('10.1.2.3', released - 1)).toBe(accountC);
    expect(service.accountForIp('10.1.2.3', t - 1)).toBe(accountB);

    // Usernames have a past too.
    await dataSource.query(`UPDATE radius_accounts SET username = 'robert' WHERE id = $1`, [radius]);
    const renameAt = await one<{ at: Date }>(
      `SELECT removed_datetime AS at FROM radius_account_histories WHERE radius_account_id = $1 AND username = 'bob'`,
      [radius],
    );
    await service.refresh();
    expect(service.accountForUsername('bob', Date.now() + 1000)).toBeNull();
    expect(service.accountForUsername('robert', Date.now() + 1000)).toBe(accountB);
    expect(service.accountForUsername('bob', ms(renameAt.at) - 1)).toBe(accountB);
    expect(service.accountForUsername('robert', ms(renameAt.at) - 1)).toBeNull();
    expect(service.radiusAccountForUsername('bob')).toBeNull();
    expect(service.radiusAccountForUsername('robert')).toBe(radius);
  });

  it('answers from explicit history rows: A until 10:00, then B', async () => {
    const ten = tenTwoDaysAgo();
    const iso = (t: number) => new Date(t).toISOString();
    const hist = async (account: number, from: number, to: number | null) => {
      const historyId = await id(
        `INSERT INTO ip_assignment_histories (subnet, account_id, assigned_datetime, removed_datetime) VALUES ('203.0.113.9/32', $1, $2, $3)`,
        [account, iso(from), to === null ? null : iso(to)],
      );
      await dataSource.query(`INSERT INTO attribution_changes (kind, history_id) VALUES ('ip', $1)`, [historyId]);
    };
    await hist(accountA, ten - 3_600_000, ten);
    await hist(accountB, ten, ten + 3_600_000);
    await service.refresh();
    expect(service.accountForIp('203.0.113.9', ten - 60_000)).toBe(accountA);
    expect(service.accountForIp('203.0.113.9', ten)).toBe(accountB);
    expect(service.accountForIp('203.0.113.9', ten + 3_600_000)).toBeNull();
    expect(service.accountForIp('203.0.113.9', ten - 3_600_001)).toBeNull();
    // Nobody holds it now.
    expect(service.accountForIp('203.0.113.9', Date.now())).toBeNull();
  });

  it('a fresh instance loads current assignments and history at start', async () => {
    // Pages of 3 rows: the paged loading path is exercised too.
    const fresh = new AttributionService(dataSource, { syncIntervalMs: 60_000, historyDays: 90, loadPageSize: 3 });
    await fresh.start();
    try {
      const now = Date.now() + 1000;
      for (const address of ['10.1.2.3', '10.9.9.9', '2001:db8:200:1::1', '2001:db8:200:9::1', '198.51.101.8', '11.1.1.1']) {
        expect(fresh.accountForIp(address, now)).toBe(service.accountForIp(address, now));
      }
      const ten = tenTwoDaysAgo();
      expect(fresh.accountForIp('203.0.113.9', ten - 1)).toBe(accountA);
      expect(fresh.accountForIp('203.0.113.9', ten)).toBe(accountB);
      expect(fresh.stats().currentPrefixes).toBe(service.stats().currentPrefixes);
      expect(fresh.stats().historyIntervals).toBe(service.stats().historyIntervals);
      expect(fresh.accountForUsername('robert', now)).toBe(accountB);
      expect(fresh.accountForUsername('bob', now)).toBeNull();
      expect(fresh.accountForUsername('carol', now)).toBe(accountC);
      expect(fresh.radiusAccountForUsername('robert')).toBe(service.radiusAccountForUsername('robert'));
      const [carol] = await dataSource.query(`SELECT id FROM radius_accounts WHERE username = 'carol'`);
      expect(fresh.radiusAccountForUsername('carol')).toBe(Number(carol.id));
    } finally {
      await fresh.stop();
    }
  });

  it('keeps only ATTRIBUTION_HISTORY_DAYS of closed intervals in memory', async () => {
    const ten = tenTwoDaysAgo();
    const oneDay = new AttributionService(dataSource, { syncIntervalMs: 60_000, historyDays: 1 });
    await oneDay.start();
    try {
      // The explicit rows (09:00 to 11:00 two days ago) ended outside a one-day window.
      expect(oneDay.accountForIp('203.0.113.9', ten - 60_000)).toBeNull();
      expect(oneDay.accountForIp('10.1.2.3', Date.now() + 1000)).toBe(service.accountForIp('10.1.2.3', Date.now() + 1000));
    } finally {
      await oneDay.stop();
    }
    const none = new AttributionService(dataSource, { syncIntervalMs: 60_000, historyDays: 0 });
    await none.start();
    try {
      await assign('192.0.2.128/25', 'Account', accountC);
      await dataSource.query(`DELETE FROM ip_assignments WHERE subnet = '192.0.2.128/25'`);
      const [row] = await openHistory('192.0.2.128/25');
      // The first refresh also does housekeeping: with a zero-day window the closed interval is dropped at once.
      await none.refresh();
      expect(none.accountForIp('192.0.2.130', ms(row.assigned_datetime))).toBeNull();
      expect(service.accountForIp('192.0.2.130', ms(row.assigned_datetime))).toBeNull(); // not refreshed yet
      await service.refresh();
      // (Assigned and released within one millisecond would be an empty interval.)
      const held = ms(row.removed_datetime) > ms(row.assigned_datetime);
      expect(service.accountForIp('192.0.2.130', ms(row.assigned_datetime))).toBe(held ? accountC : null);
    } finally {
      await none.stop();
    }
  });

  it('a second instance (another process) sees changes within its poll interval', async () => {
    // On PostgreSQL the second instance has its own connection pool, as another process would.
    const otherSource = engine === 'postgres' ? createDataSource(settings) : dataSource;
    if (!otherSource.isInitialized) await otherSource.initialize();
    const other = new AttributionService(otherSource, { syncIntervalMs: 100, historyDays: 90 });
    await other.start();
    try {
      expect(other.accountForIp('192.0.2.77', Date.now())).toBeNull();
      await assign('192.0.2.64/26', 'Account', accountB);
      await expectEventually(() => expect(other.accountForIp('192.0.2.77', Date.now())).toBe(accountB));
      await dataSource.query(`DELETE FROM ip_assignments WHERE subnet = '192.0.2.64/26'`);
      await expectEventually(() => expect(other.accountForIp('192.0.2.77', Date.now())).toBeNull());
      expect(other.stats().syncErrors).toBe(0);
    } finally {
      await other.stop();
      if (otherSource !== dataSource) await otherSource.destroy();
    }
  });

  if (engine === 'postgres') {
    it('does not miss a transaction that commits after a later one was read', async () => {
      const slow = dataSource.createQueryRunner();
      await slow.connect();
      await slow.startTransaction();
      try {
        // The slow transaction writes first (lower ids), commits last.
        await slow.query(`INSERT INTO ip_assignments (subnet, ipassignmentable_type, ipassignmentable_id) VALUES ('192.0.2.200/32', 'Account', $1)`, [accountA]);
        await assign('192.0.2.201/32', 'Account', accountB);
        await service.refresh();
        expect(service.accountForIp('192.0.2.201', Date.now() + 1000)).toBe(accountB);
        expect(service.accountForIp('192.0.2.200', Date.now() + 1000)).toBeNull();
        await slow.commitTransaction();
      } finally {
        await slow.release();
      }
      await service.refresh();
      expect(service.accountForIp('192.0.2.200', Date.now() + 1000)).toBe(accountA);
    });
  }

  // Last: it empties the table.
  it('TRUNCATE closes every open history row', async () => {
    await dataSource.query(`TRUNCATE ip_assignments`);
    const open = await one<{ n: string }>(`SELECT count(*)::text AS n FROM ip_assignment_histories WHERE removed_datetime IS NULL`);
    expect(open.n).toBe('0');
    await service.refresh();
    expect(service.stats().currentPrefixes).toBe(0);
    expect(service.accountForIp('10.9.9.9', Date.now() + 1000)).toBeNull();
  });
});
