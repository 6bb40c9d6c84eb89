import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { RadacctImporter, radacctDelta } from '../../../src/ingest/radius/radacct.importer';
import { openTestDataSource, testEngines } from '../../support/database';
import { applyRadacctSchema, FreeRadius } from '../../support/freeradius';
import { freeUdpPort, MapAttribution, packet, radclient, TableLedger } from './radius-test-support';

const GIB4 = 2n ** 32n;

describe('radacctDelta', () => {
  it.each([
    [undefined, ['0', '0'], 0n, 0n],
    [undefined, ['100', '200'], 100n, 200n],
    [{ inputOctets: 100n, outputOctets: 200n }, ['100', '200'], 0n, 0n],
    [{ inputOctets: 100n, outputOctets: 200n }, ['150', '260'], 50n, 60n],
    [{ inputOctets: 100n, outputOctets: 200n }, ['90', '260'], 0n, 60n],
    [undefined, [null, null], 0n, 0n],
    [{ inputOctets: 0n, outputOctets: 0n }, [String(5n * GIB4 + 1n), '0'], 5n * GIB4 + 1n, 0n],
  ])('credited %p, row %p -> up %p down %p', (credited, [i, o], up, down) => {
    const r = radacctDelta(credited, { input_octets: i, output_octets: o });
    expect([r.up, r.down]).toEqual([up, down]);
  });
});

const serverUrl = process.env.TEST_DATABASE_URL;
const describeWithPostgres = serverUrl ? describe.each(testEngines()) : describe.skip.each(['pglite']);

describeWithPostgres('radacct import from a real FreeRADIUS writing to PostgreSQL, ledger on %s', (engine) => {
  const SECRET = 'radacct-secret';
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let freeradius: FreeRadius;
  let radacctUrl: string;
  let radacctDb: string;
  let port: number;
  const attribution = new MapAttribution();
  const importer = () =>
    new RadacctImporter({ databaseUrl: radacctUrl, pollIntervalMs: 3_600_000, batchSize: 2, overlapMs: 600_000, source: 'test' }, dataSource, attribution, new TableLedger());

  beforeAll(async () => {
    const opened = await openTestDataSource(engine as 'pglite' | 'postgres');
    dataSource = opened.dataSource;
    close = opened.close;
    await TableLedger.createTable(dataSource);
    attribution.usernames.set('alice', 1).set('bob', 2);

    radacctDb = `radacct_${randomBytes(5).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${radacctDb}`);
    await admin.end();
    const url = new URL(serverUrl!);
    url.pathname = `/${radacctDb}`;
    radacctUrl = url.toString();
    applyRadacctSchema(radacctUrl);
    port = await freeUdpPort();
    freeradius = new FreeRadius({ acctPort: port, secret: SECRET, databaseUrl: radacctUrl, threads: 4 });
    await freeradius.start();
  }, 60_000);

  afterAll(async () => {
    await freeradius?.stop();
    await close?.();
    if (radacctDb) {
      const admin = new Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${radacctDb} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('credits interim snapshots and the final Stop exactly once, across re-reads and a restart', async () => {
    const alice = { 'User-Name': 'alice', 'NAS-IP-Address': '10.20.0.1', 'Acct-Session-Id': 'a-1', 'Framed-IP-Address': '100.64.5.5' };
    const send = async (...packets: string[]) => expect((await radclient(port, SECRET, packets, ['-r', '3', '-t', '1'])).code).toBe(0);

    await send(
      packet({ ...alice, 'Acct-Status-Type': 'Start' }),
      packet({ ...alice, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 20, 'Acct-Output-Gigawords': 1 }),
    );
    const first = importer();
    await first.start();
    await first.pollOnce();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: GIB4 + 20n, out: 1000n });
    await first.pollOnce(); // a re-read changes nothing
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: GIB4 + 20n, out: 1000n });

    // bob starts and stops between two polls: never seen open.
    const bob = { 'User-Name': 'bob', 'NAS-IP-Address': '10.20.0.1', 'Acct-Session-Id': 'b-1' };
    await send(
      packet({ ...alice, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 5000, 'Acct-Output-Octets': 30, 'Acct-Output-Gigawords': 2 }),
      packet({ ...bob, 'Acct-Status-Type': 'Start' }),
      packet({ ...bob, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 777, 'Acct-Output-Octets': 888 }),
      packet({ ...alice, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 6000, 'Acct-Input-Gigawords': 1, 'Acct-Output-Octets': 40, 'Acct-Output-Gigawords': 2 }),
    );
    await first.pollOnce();
    await first.stop();

    // A restarted importer resumes from its checkpoint and credits nothing twice.
    const second = importer();
    await second.start();
    await second.pollOnce();
    await second.pollOnce();
    await second.stop();

    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: 2n * GIB4 + 40n, out: GIB4 + 6000n });
    expect(await TableLedger.totals(dataSource, 2)).toEqual({ in: 888n, out: 777n });
    const [{ identifier }] = await dataSource.query(`SELECT DISTINCT identifier FROM test_usage`);
    expect(identifier).toBe('10.20.0.1');
    const [checkpoint] = await dataSource.query(`SELECT last_radacctid::text AS last FROM radacct_import_checkpoints WHERE source = 'test'`);
    expect(checkpoint.last).toBe('2');
    const closed = await dataSource.query(`SELECT count(*)::int AS n FROM radacct_import_sessions WHERE closed`);
    expect(closed[0].n).toBe(2);
  });

  it('credits none of a snapshot no session could have reached, counts it, and credits the next plausible one from the last good', async () => {
    const dave = { 'User-Name': 'alice', 'NAS-IP-Address': '10.20.0.3', 'Acct-Session-Id': 'd-1' };
    await radclient(port, SECRET, [
      packet({ ...dave, 'Acct-Status-Type': 'Start' }),
      packet({ ...dave, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 100, 'Acct-Output-Octets': 200 }),
    ], ['-r', '3', '-t', '1']);
    const reader = importer();
    await reader.start();
    const before = await TableLedger.totals(dataSource, 1);
    await reader.pollOnce();
    // What a NAS with a broken counter makes FreeRADIUS store: 9e18 bytes seconds after the session started.
    const radacct = new Client({ connectionString: radacctUrl });
    await radacct.connect();
    await radacct.query(`UPDATE radacct SET acctoutputoctets = 9000000000000000000 WHERE acctsessionid = 'd-1'`);
    await reader.pollOnce();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: before.in + 200n, out: before.out + 100n });
    expect(reader.metrics.radacctImplausible).toBe(1);
    expect(reader.metrics.implausible.get('10.20.0.3')).toBe(1);
    await radacct.query(`UPDATE radacct SET acctoutputoctets = 5200, acctinputoctets = 150 WHERE acctsessionid = 'd-1'`);
    await radacct.end();
    await reader.pollOnce();
    await reader.stop();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: before.in + 5200n, out: before.out + 150n });
  });

  it("counts an unknown login's bytes as radacct's unattributed bytes, once, and leaves re-read rows alone", async () => {
    const carol = { 'User-Name': 'carol', 'NAS-IP-Address': '10.20.0.2', 'Acct-Session-Id': 'c-1' };
    await radclient(port, SECRET, [
      packet({ ...carol, 'Acct-Status-Type': 'Start' }),
      packet({ ...carol, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 100, 'Acct-Output-Octets': 23 }),
    ], ['-r', '3', '-t', '1']);
    const third = importer();
    await third.start();
    await third.pollOnce();
    const versions = async () => (await dataSource.query(`SELECT acctuniqueid, version FROM radacct_import_sessions ORDER BY acctuniqueid`)).map((r: { version: number }) => Number(r.version));
    const before = await versions();
    await third.pollOnce(); // every row is within the overlap window: read again, nothing new
    await third.stop();
    expect(await versions()).toEqual(before);
    expect(third.metrics.radacctUnattributedBytes).toBe(123n);
    expect(third.metrics.unattributedBytes).toBe(0n);
  });
});
