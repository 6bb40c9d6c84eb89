import { FakeApplianceServer, expectEventually } from '../../ingest/appliances/support';
import { testEngines } from '../../support/database';
import { startTestApp, TestApp } from '../../support/app';

/**
 * The whole service with its real attribution and ledger: Preseem configured and a SaiSei
 * device created through the API, both polled from local fakes, usage read back through
 * data_usage_totals and the pollers' state through ingest_status.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(testEngines())('appliances end to end on %s', (engine) => {
  let t: TestApp;
  let preseem: FakeApplianceServer;
  let saisei: FakeApplianceServer;
  let accountId: string;
  /** Set once the address is assigned: usage before it belongs to nobody. */
  let assignedAt = Infinity;
  const intervalEnd = Math.floor(Date.now() / 900_000) * 900_000;

  beforeAll(async () => {
    preseem = new FakeApplianceServer(() => ({
      body: {
        data: [
          // Above 2^53: exact end to end. Over 25 h: plausible at 1 Tbit/s (src/usage/plausible-bytes.ts).
          { account_id: accountId, start: new Date(intervalEnd - DAY - HOUR).toISOString(), end: new Date(intervalEnd).toISOString(), download_bytes: '9007199254740993', upload_bytes: 1 },
          ...(Number.isFinite(assignedAt)
            ? [{ ip: '100.64.0.7', start: new Date(assignedAt + 1000).toISOString(), end: new Date(assignedAt + 2000).toISOString(), download_bytes: 1000, upload_bytes: 10 }]
            : []),
        ],
      },
    }));
    saisei = new FakeApplianceServer(() => ({ body: { size: 1, collection: [{ name: 'User-100.64.0.7', dest_smoothed_rate: 8, source_smoothed_rate: 0.1 }] } }));
    await preseem.listen();
    await saisei.listen();
    t = await startTestApp(engine, { SAISEI_SETTLE_S: '0', SAISEI_WINDOW_S: '10', SAISEI_POLL_INTERVAL_S: '1', PRESEEM_SETTINGS_CHECK_S: '1' });
    const status = await t.gql(`mutation { createAccountStatus(input: {name: "Active"}) { id } }`);
    const type = await t.gql(`mutation { createAccountType(input: {name: "Residential"}) { id } }`);
    const account = await t.gql(`mutation($s: Int64Bit!, $t: Int64Bit!) { createAccount(input: {name: "Shaped", account_status_id: $s, account_type_id: $t}) { id } }`, {
      s: status.data.createAccountStatus.id,
      t: type.data.createAccountType.id,
    });
    accountId = account.data.createAccount.id;
    const ip = await t.gql(`mutation($id: Int64Bit!) { createIpAssignment(input: {subnet: "100.64.0.7", ipassignmentable_type: Account, ipassignmentable_id: $id}) { id } }`, { id: accountId });
    expect(ip.errors).toBeUndefined();
    assignedAt = Date.now();
  });

  afterAll(async () => {
    await t?.stop();
    await preseem.close();
    await saisei.close();
  });

  it('credits Preseem and SaiSei usage exactly once into the ledger and reports them in ingest_status', async () => {
    const device = await t.gql(`mutation($input: CreateInlineDeviceMutationInput!) { createInlineDevice(input: $input) { id } }`, {
      input: { name: 'edge-saisei', type: 'SAISEI', ip_address: '127.0.0.1', port: saisei.port, username: 'admin', password: 'pw' },
    });
    expect(device.errors).toBeUndefined();
    // The Preseem record below ends 2 s after the assignment: a record not over when asked for is left for a later poll.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, assignedAt + 2000 - Date.now())));
    const enabled = await t.gql(`mutation($input: UpdatePreseemMutationInput!) { updatePreseem(input: $input) { enabled } }`, {
      input: { enabled: true, api_key: 'k', base_url: `http://127.0.0.1:${preseem.port}`, interval: 60 },
    });
    expect(enabled.errors).toBeUndefined();

    const totals = async () => {
      const res = await t.gql(
        `query($a: Int64Bit!, $s: Datetime!, $e: Datetime!) { data_usage_totals(account_id: $a, start_datetime: $s, end_datetime: $e) { entities { data_source_parent data_source_identifier billable_in_bytes billable_out_bytes } } }`,
        { a: accountId, s: new Date(intervalEnd - 2 * DAY).toISOString(), e: new Date(Date.now() + DAY).toISOString() },
      );
      expect(res.errors).toBeUndefined();
      return res.data.data_usage_totals.entities as Array<Record<string, string>>;
    };
    await expectEventually(async () => {
      const rows = await totals();
      expect(rows.find((r) => r.data_source_parent === 'Preseem')).toEqual({
        data_source_parent: 'Preseem',
        data_source_identifier: 'Preseem',
        billable_in_bytes: '9007199254741993',
        billable_out_bytes: '11',
      });
      // Whole 10 s SaiSei windows after the assignment, at 8 / 0.1 kbit/s: 10 000 / 125 bytes each.
      const s = rows.find((r) => r.data_source_parent === 'SaiSei');
      expect(s).toMatchObject({ data_source_identifier: 'edge-saisei' });
      const windows = BigInt(s!.billable_in_bytes) / 10_000n;
      expect(windows).toBeGreaterThanOrEqual(1n);
      expect([s!.billable_in_bytes, s!.billable_out_bytes]).toEqual([String(windows * 10_000n), String(windows * 125n)]);
    }, 60_000);

    const status = await t.gql(`{ ingest_status { data_source_parent data_source_identifier accepted last_success last_error details { name count } } }`);
    const byParent = Object.fromEntries(status.data.ingest_status.map((s: { data_source_parent: string }) => [s.data_source_parent, s]));
    expect(byParent.Preseem).toMatchObject({ data_source_identifier: 'Preseem', last_error: null });
    expect(byParent.Preseem.details).toContainEqual({ name: 'intervals_credited', count: '2' });
    expect(byParent.SaiSei).toMatchObject({ data_source_identifier: 'edge-saisei', last_error: null });
    expect(JSON.stringify(status)).not.toContain('"pw"');
  });
});
