import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { createLoaders } from '../../../src/graphql/loaders';
import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

const TOTALS = `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) {
  data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) {
    entities { billable_in_bytes billable_out_bytes free_in_bytes free_out_bytes data_source_identifier data_source_parent }
    page_info { page total_pages total_count records_per_page }
  } }`;
/** Sonar's sonar_unique_id, spelled out here so the test checks the type name each resolver passes. */
function uniqueIdOf(typeName: string, id: string): string {
  return Buffer.from(`${typeName}:${id}`).toString('base64url');
}

const CREATE = `mutation($input: [CreateDataUsageMutationInput!]!) { createDataUsages(input: $input) { success message } }`;

describe.each(testEngines())('usage over GraphQL on %s', (engine) => {
  let t: TestApp;
  let accountIds: number[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine, { TZ: 'America/New_York' });
    const ds = t.app.services.dataSource;
    await ds.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await ds.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const rows = await ds.query(
      `INSERT INTO accounts (name, account_status_id, account_type_id, bill_day)
       SELECT 'acct ' || g, (SELECT id FROM account_statuses LIMIT 1), (SELECT id FROM account_types LIMIT 1), 1 + g % 28
         FROM generate_series(1, 100) g RETURNING id`,
    );
    accountIds = rows.map((r: { id: string }) => Number(r.id));
  }, 60_000);
  afterAll(() => t.stop());

  it('stores running counters and answers totals as exact Int64Bit strings', async () => {
    const a = String(accountIds[0]);
    const base = Date.now() - 3_600_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    // Counters past 2^53 grow by 2^53 + 1 over 24.5 hours: exact end to end, and within what the
    // edge rule lets an interval that long carry (1 Tbit/s: 1.1e16 bytes; src/usage/plausible-bytes.ts).
    const big = '1009007199254740993';
    const res = await t.gql(CREATE, {
      input: [
        { time: at(-1440), inbytes: '1000000000000000000', outbytes: 5, account_id: a, data_source_parent: 'Middleware', data_source_identifier: 'mw' },
        { time: at(30), inbytes: big, outbytes: 10, account_id: a, data_source_parent: 'Middleware', data_source_identifier: 'mw' },
      ],
    });
    expect(res.data.createDataUsages).toEqual({ success: true, message: expect.stringContaining('Stored 1 sample(s)') });
    const totals = await t.gql(TOTALS, { a, s: at(-1500), e: at(60) });
    expect(totals.data.data_usage_totals.entities).toEqual([
      {
        billable_in_bytes: '9007199254740993',
        billable_out_bytes: '5',
        free_in_bytes: '0',
        free_out_bytes: '0',
        data_source_identifier: 'mw',
        data_source_parent: 'Middleware',
      },
    ]);
    // The same batch again: nothing changes.
    await t.gql(CREATE, {
      input: [{ time: at(30), inbytes: big, outbytes: 10, account_id: a, data_source_parent: 'Middleware', data_source_identifier: 'mw' }],
    });
    expect((await t.gql(TOTALS, { a, s: at(-1500), e: at(60) })).data.data_usage_totals.entities[0].billable_in_bytes).toBe('9007199254740993');

    const series = await t.gql(
      `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) { data_usage(account_id: $a, start_datetime: $s, end_datetime: $e, datapoints: 4) {
        time inbytes_per_second data_source_parent } }`,
      { a, s: at(-60), e: at(60) },
    );
    expect(series.data.data_usage).toHaveLength(4);
  });

  it('rejects bad batches with a message naming the rows, and a 65-bit value as bad input', async () => {
    const res = await t.gql(CREATE, {
      input: [{ time: new Date().toISOString(), inbytes: '1', outbytes: '1', account_id: '987654', data_source_parent: 'X', data_source_identifier: 'y' }],
    });
    expect(res.data.createDataUsages).toEqual({ success: false, message: expect.stringContaining('input[0]: account 987654 does not exist') });
    const huge = await t.gql(CREATE, {
      input: [{ time: new Date().toISOString(), inbytes: '36893488147419103232', outbytes: '1', account_id: '1', data_source_parent: 'X', data_source_identifier: 'y' }],
    });
    expect(huge.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const empty = await t.gql(CREATE, { input: [] });
    expect(empty.data.createDataUsages.success).toBe(false);
  });

  it('manages policies, free periods and top-offs, and reports accounts over a threshold', async () => {
    const a = accountIds[1];
    const created = await t.gql(
      `mutation { createUsageBasedBillingPolicy(input: { name: "Basic", cap_in_gigabytes: "0.000001" }) {
        id name cap_in_gigabytes counted_directions sonar_unique_id _version } }`,
    );
    const policy = created.data.createUsageBasedBillingPolicy;
    expect(policy).toMatchObject({ name: 'Basic', cap_in_gigabytes: '0.000001', counted_directions: 'BOTH', _version: '1' });
    expect(policy.sonar_unique_id).toBe(uniqueIdOf('UsageBasedBillingPolicy', policy.id));
    const badWindow = await t.gql(
      `mutation($p: Int64Bit!) { createUsageBasedBillingPolicyFreePeriod(input: { usage_based_billing_policy_id: $p, day: MONDAY, start: "06:00", end: "02:00" }) { id } }`,
      { p: policy.id },
    );
    expect(badWindow.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const window = await t.gql(
      `mutation($p: Int64Bit!) { createUsageBasedBillingPolicyFreePeriod(input: { usage_based_billing_policy_id: $p, day: MONDAY, start: "01:00", end: "06:00" }) { id day start end sonar_unique_id _version } }`,
      { p: policy.id },
    );
    const freePeriod = window.data.createUsageBasedBillingPolicyFreePeriod;
    expect(freePeriod).toEqual({
      id: freePeriod.id,
      day: 'MONDAY',
      start: '01:00:00',
      end: '06:00:00',
      sonar_unique_id: uniqueIdOf('UsageBasedBillingPolicyFreePeriod', freePeriod.id),
      _version: '1',
    });
    const list = await t.gql(`{ usage_based_billing_policies { name free_periods { day start end } } }`);
    expect(list.data.usage_based_billing_policies[0].free_periods).toHaveLength(1);

    await t.gql(`mutation($a: Int64Bit!, $p: Int64Bit) { setAccountUsageBasedBillingPolicy(account_id: $a, usage_based_billing_policy_id: $p) { success } }`, {
      a: String(a),
      p: policy.id,
    });
    const topOff = await t.gql(`mutation($a: Int64Bit!) { createDataUsageTopOff(input: { account_id: $a, amount_in_bytes: "1000" }) { id amount_in_bytes sonar_unique_id _version } }`, {
      a: String(a),
    });
    const createdTopOff = topOff.data.createDataUsageTopOff;
    expect(createdTopOff).toEqual({
      id: createdTopOff.id,
      amount_in_bytes: '1000',
      sonar_unique_id: uniqueIdOf('DataUsageTopOff', createdTopOff.id),
      _version: '1',
    });
    await t.app.services.dataSource.transaction((m) =>
      t.app.services.ledger.record(m, [{ accountId: a, source: { parent: 'RADIUS', identifier: 'nas' }, timeMs: Date.now() - 1000, inBytes: 1500n, outBytes: 0n }]),
    );
    const over = await t.gql(`{ accounts_over_usage_threshold(percent: 50) { account_id counted_bytes allowance_in_bytes data_usage_percentage } }`);
    expect(over.data.accounts_over_usage_threshold).toEqual([
      { account_id: String(a), counted_bytes: '1500', allowance_in_bytes: '2000', data_usage_percentage: 75 },
    ]);
    const inUse = await t.gql(`mutation($p: Int64Bit!) { deleteUsageBasedBillingPolicy(id: $p) { success } }`, { p: policy.id });
    expect(inUse.errors?.[0].extensions?.code).toBe('CONFLICT');
    const missing = await t.gql(`mutation { deleteUsageBasedBillingPolicy(id: 999999) { success } }`);
    expect(missing.errors?.[0]).toMatchObject({ message: 'UsageBasedBillingPolicy 999999 does not exist', extensions: { code: 'NOT_FOUND' } });

    const histories = await t.gql(
      `query($a: Int64Bit!) { data_usage_histories(account_id: $a) { entities { end_time billable_in_bytes policy_cap_at_close_in_bytes top_off_total_at_close_in_bytes } } }`,
      { a: String(a) },
    );
    expect(histories.data.data_usage_histories.entities[0]).toEqual({
      end_time: null,
      billable_in_bytes: '1500',
      policy_cap_at_close_in_bytes: '1000',
      top_off_total_at_close_in_bytes: '1000',
    });
    const top = await t.gql(
      `query($s: Datetime!, $e: Datetime!) { top_data_usage(start_datetime: $s, end_datetime: $e, limit: 5, data_source_parent: "RADIUS") { account_id total_bytes } }`,
      { s: new Date(Date.now() - 86_400_000).toISOString(), e: new Date(Date.now() + 60_000).toISOString() },
    );
    expect(top.data.top_data_usage).toEqual([{ account_id: String(a), total_bytes: '1500' }]);
  });

  it('refuses null in policy, free period and top-off updates as bad input, and changes nothing', async () => {
    const policy = (
      await t.gql(`mutation { createUsageBasedBillingPolicy(input: { name: "Nulls", cap_in_gigabytes: "1", counted_directions: IN }) { id } }`)
    ).data.createUsageBasedBillingPolicy;
    const period = (
      await t.gql(
        `mutation($p: Int64Bit!) { createUsageBasedBillingPolicyFreePeriod(input: { usage_based_billing_policy_id: $p, day: SUNDAY, start: "01:00", end: "02:00" }) { id } }`,
        { p: policy.id },
      )
    ).data.createUsageBasedBillingPolicyFreePeriod;
    const topOff = (
      await t.gql(`mutation($a: Int64Bit!) { createDataUsageTopOff(input: { account_id: $a, amount_in_bytes: "5" }) { id } }`, { a: String(accountIds[2]) })
    ).data.createDataUsageTopOff;

    const refused = async (mutation: string, id: string, input: Record<string, unknown>) => {
      const inputType = `${mutation[0].toUpperCase()}${mutation.slice(1)}MutationInput`;
      const res = await t.gql(`mutation($id: Int64Bit!, $input: ${inputType}!) { ${mutation}(id: $id, input: $input) { id } }`, { id, input });
      expect(res.errors?.[0]).toMatchObject({ message: expect.stringContaining('cannot be null'), extensions: { code: 'BAD_USER_INPUT' } });
    };
    await refused('updateUsageBasedBillingPolicy', policy.id, { name: null });
    await refused('updateUsageBasedBillingPolicy', policy.id, { counted_directions: null });
    await refused('updateUsageBasedBillingPolicy', policy.id, { cap_in_gigabytes: null });
    await refused('updateUsageBasedBillingPolicyFreePeriod', period.id, { start: null });
    await refused('updateDataUsageTopOff', topOff.id, { amount_in_bytes: null });

    const policies = await t.gql(`{ usage_based_billing_policies { id name cap_in_gigabytes counted_directions free_periods { start } } }`);
    expect(policies.data.usage_based_billing_policies.find((p: { id: string }) => p.id === policy.id)).toEqual({
      id: policy.id,
      name: 'Nulls',
      cap_in_gigabytes: '1',
      counted_directions: 'IN',
      free_periods: [{ start: '01:00:00' }],
    });
    const topOffs = await t.gql(`query($a: Int64Bit!) { data_usage_top_offs(account_id: $a) { amount_in_bytes } }`, { a: String(accountIds[2]) });
    expect(topOffs.data.data_usage_top_offs).toEqual([{ amount_in_bytes: '5' }]);
  });

  it('loads current usage for a page of 100 accounts in a fixed number of statements', async () => {
    const manager = t.app.services.dataSource.manager;
    const spy = jest.spyOn(manager, 'query');
    const loaders = createLoaders(t.app.services);
    const usage = await Promise.all(accountIds.map((id) => loaders.currentUsage.load(id)));
    expect(usage.filter((u) => u !== null)).toHaveLength(100);
    expect(spy).toHaveBeenCalledTimes(3);
    spy.mockRestore();
  });

  it('serves Account.data_usage_percentage for a page of accounts in as many statements for 100 accounts as for 10', async () => {
    const page = (n: number) =>
      t.gql(`query($n: Int!) { accounts(paginator: { page: 1, records_per_page: $n }) { entities { id data_usage_percentage usage_based_billing_policy_id
        data_usage_histories(paginator: { page: 1, records_per_page: 1 }) { entities { billable_in_bytes } } } } }`, { n });
    await page(10); // warm-up (token check, caches)
    // Only the usage statements: attribution's background sync may run at any moment.
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    const usageStatements = () => spy.mock.calls.filter(([sql]) => /usage|top_offs/.test(String(sql))).length;
    const ten = await page(10);
    const small = usageStatements();
    spy.mockClear();
    const hundred = await page(100);
    const large = usageStatements();
    spy.mockRestore();
    expect(ten.errors).toBeUndefined();
    expect(hundred.data.accounts.entities).toHaveLength(100);
    const withPolicy = hundred.data.accounts.entities.find((a: { id: string }) => a.id === String(accountIds[1]));
    expect(withPolicy.data_usage_percentage).toBe(75);
    expect(hundred.data.accounts.entities[0].data_usage_percentage).toBeNull();
    // The accounts page itself (its columns include usage_based_billing_policy_id), then
    // currentUsage: accounts+policies, usage, top-offs; histories: the same three plus the oldest bucket.
    expect(small).toBe(8);
    expect(large).toBe(small);
  });
});
