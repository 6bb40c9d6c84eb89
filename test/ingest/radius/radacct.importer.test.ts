import type { DataSource } from 'typeorm';
import { defaultRadacctImportsOptions, RadacctImportRegistry } from '../../../src/ingest/radius/radacct-imports.registry';
import { radacctDelta } from '../../../src/ingest/radius/radacct.importer';
import { RadiusMetrics } from '../../../src/ingest/radius/radius.metrics';
import { RadiusServerService } from '../../../src/radius/radius-server.service';
import { openTestDataSource, testEngines } from '../../support/database';
import { FreeRadius } from '../../support/freeradius';
import { createRadacctDatabase, RadacctDatabase, radacctQuery, radacctTypes } from '../../support/radacct';
import { describeWithPeers } from '../../support/peers';
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

/**
 * The import of one RadiusServer against a real FreeRADIUS (rlm_sql) writing its stock radacct
 * schema: MariaDB always (FREERADIUS_MYSQL), PostgreSQL with TEST_DATABASE_URL; our ledger on
 * every engine. The server is configured the way an operator does it, as a RadiusServer row.
 */
const cases = radacctTypes().flatMap((type) => testEngines().map((engine) => [type, engine] as const));

describeWithPeers('freeradius', 'mariadb', 'radclient').each(cases)('radacct import from a real FreeRADIUS writing to %s, ledger on %s', (type, engine) => {
  const SECRET = 'radacct-secret';
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let freeradius: FreeRadius;
  let radacct: RadacctDatabase;
  let port: number;
  let servers: RadiusServerService;
  let serverId: number;
  const attribution = new MapAttribution();
  const metrics = new RadiusMetrics();
  const send = async (...packets: string[]) => expect((await radclient(port, SECRET, packets, ['-r', '3', '-t', '1'])).code).toBe(0);
  /** The registry as the service runs it, with a poll interval long enough that only the tests' polls (and the first) run. */
  const startImports = async () => {
    const imports = new RadacctImportRegistry(
      { servers, dataSource, attribution, ledger: new TableLedger(), metrics },
      { ...defaultRadacctImportsOptions, pollIntervalMs: 3_600_000, batchSize: 2, overlapMs: 600_000 },
    );
    await imports.start();
    return { imports, importer: imports.importer(serverId)! };
  };

  beforeAll(async () => {
    const opened = await openTestDataSource(engine);
    dataSource = opened.dataSource;
    close = opened.close;
    await TableLedger.createTable(dataSource);
    attribution.usernames.set('alice', 1).set('bob', 2);
    servers = new RadiusServerService(dataSource);

    radacct = await createRadacctDatabase(type);
    port = await freeUdpPort();
    freeradius = new FreeRadius({ acctPort: port, secret: SECRET, databaseUrl: radacct.url, threads: 4 });
    await freeradius.start();
    serverId = (await servers.create({ ...radacct.server, name: 'freeradius-1', collect_bandwidth: true })).id;
  }, 120_000);

  afterAll(async () => {
    await freeradius?.stop();
    await close?.();
    await radacct?.drop();
  });

  it('credits interim snapshots and the final Stop exactly once, across re-reads and a restart', async () => {
    const alice = { 'User-Name': 'alice', 'NAS-IP-Address': '10.20.0.1', 'Acct-Session-Id': 'a-1', 'Framed-IP-Address': '100.64.5.5' };

    await send(
      packet({ ...alice, 'Acct-Status-Type': 'Start' }),
      packet({ ...alice, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 1000, 'Acct-Output-Octets': 20, 'Acct-Output-Gigawords': 1 }),
    );
    const first = await startImports();
    expect(first.importer).toBeDefined();
    await first.importer.pollOnce();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: GIB4 + 20n, out: 1000n });
    await first.importer.pollOnce(); // a re-read changes nothing
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: GIB4 + 20n, out: 1000n });

    // bob starts and stops between two polls: never seen open.
    const bob = { 'User-Name': 'bob', 'NAS-IP-Address': '10.20.0.1', 'Acct-Session-Id': 'b-1' };
    await send(
      packet({ ...alice, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 5000, 'Acct-Output-Octets': 30, 'Acct-Output-Gigawords': 2 }),
      packet({ ...bob, 'Acct-Status-Type': 'Start', 'Event-Timestamp': 1_700_000_000 }),
      packet({ ...bob, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 777, 'Acct-Output-Octets': 888, 'Event-Timestamp': 1_700_000_600 }),
      packet({ ...alice, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 6000, 'Acct-Input-Gigawords': 1, 'Acct-Output-Octets': 40, 'Acct-Output-Gigawords': 2 }),
    );
    await first.importer.pollOnce();
    await first.imports.stop();

    // A restarted import resumes from its checkpoint and credits nothing twice.
    const second = await startImports();
    await second.importer.pollOnce();
    await second.importer.pollOnce();
    await second.imports.stop();

    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: 2n * GIB4 + 40n, out: GIB4 + 6000n });
    expect(await TableLedger.totals(dataSource, 2)).toEqual({ in: 888n, out: 777n });
    const identifiers = await dataSource.query(`SELECT DISTINCT identifier FROM test_usage`);
    expect(identifiers).toEqual([{ identifier: '10.20.0.1' }]);
    // radacct's stop time, converted back from the engine's timestamp, is the usage's time.
    const [bobsTime] = await dataSource.query(`SELECT time_ms FROM test_usage WHERE account_id = 2`);
    expect(Number(bobsTime.time_ms)).toBe(1_700_000_600_000);
    const [checkpoint] = await dataSource.query(`SELECT last_radacctid::text AS last FROM radacct_import_checkpoints WHERE radius_server_id = $1`, [serverId]);
    expect(checkpoint.last).toBe('2');
    const closed = await dataSource.query(`SELECT count(*)::int AS n FROM radacct_import_sessions WHERE closed`);
    expect(closed[0].n).toBe(2);
    const [server] = await dataSource.query(`SELECT status, status_message, last_synchronized FROM radius_servers WHERE id = $1`, [serverId]);
    expect(server).toMatchObject({ status: 'UP', status_message: null });
    expect(server.last_synchronized).not.toBeNull();
  });

  it('credits none of a snapshot no session could have reached, counts it, and credits the next plausible one from the last good', async () => {
    const dave = { 'User-Name': 'alice', 'NAS-IP-Address': '10.20.0.3', 'Acct-Session-Id': 'd-1' };
    const before = await TableLedger.totals(dataSource, 1);
    const implausibleBefore = metrics.radacctImplausible;
    await send(packet({ ...dave, 'Acct-Status-Type': 'Start' }), packet({ ...dave, 'Acct-Status-Type': 'Interim-Update', 'Acct-Input-Octets': 100, 'Acct-Output-Octets': 200 }));
    const { imports, importer } = await startImports();
    await importer.pollOnce();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: before.in + 200n, out: before.out + 100n });
    // What a NAS with a broken counter makes FreeRADIUS store: 9e18 bytes seconds after the session started.
    await radacctQuery(radacct, `UPDATE radacct SET acctoutputoctets = 9000000000000000000 WHERE acctsessionid = 'd-1'`);
    await importer.pollOnce();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: before.in + 200n, out: before.out + 100n });
    expect(metrics.radacctImplausible - implausibleBefore).toBe(1);
    expect(metrics.implausible.get('10.20.0.3')).toBe(1);
    expect(imports.ingestStatus().find((e) => e.dataSourceIdentifier === 'radacct:freeradius-1')?.dropped).toEqual({ implausible_bytes: 1 });
    await radacctQuery(radacct, `UPDATE radacct SET acctoutputoctets = 5200, acctinputoctets = 150 WHERE acctsessionid = 'd-1'`);
    await importer.pollOnce();
    await imports.stop();
    expect(await TableLedger.totals(dataSource, 1)).toEqual({ in: before.in + 5200n, out: before.out + 150n });
  });

  it("counts an unknown login's bytes as radacct's unattributed bytes, once, and leaves re-read rows alone", async () => {
    const carol = { 'User-Name': 'carol', 'NAS-IP-Address': '10.20.0.2', 'Acct-Session-Id': 'c-1' };
    await send(packet({ ...carol, 'Acct-Status-Type': 'Start' }), packet({ ...carol, 'Acct-Status-Type': 'Stop', 'Acct-Input-Octets': 100, 'Acct-Output-Octets': 23 }));
    const unattributedBefore = metrics.radacctUnattributedBytes;
    const third = await startImports();
    await third.importer.pollOnce();
    const versions = async () => (await dataSource.query(`SELECT acctuniqueid, version FROM radacct_import_sessions ORDER BY acctuniqueid`)).map((r: { version: number }) => Number(r.version));
    const before = await versions();
    await third.importer.pollOnce(); // every row is within the overlap window: read again, nothing new
    await third.imports.stop();
    expect(await versions()).toEqual(before);
    expect(third.importer.status.unattributedBytes).toBe(123n);
    expect(metrics.radacctUnattributedBytes - unattributedBefore).toBe(123n);
    expect(metrics.unattributedBytes).toBe(0n);
  });

  it('shows a database without radacct as the server DOWN with the reason, and stores nothing', async () => {
    const empty = await createRadacctDatabase(type, { schema: false });
    try {
      const { id } = await servers.create({ ...empty.server, name: 'no-radacct', collect_bandwidth: true });
      const imports = new RadacctImportRegistry({ servers, dataSource, attribution, ledger: new TableLedger() }, { ...defaultRadacctImportsOptions, pollIntervalMs: 3_600_000 });
      await imports.start();
      await expect(imports.importer(id)!.pollOnce()).rejects.toThrow(/: there is no radacct table in this database/);
      expect(imports.importer(id)!.status).toMatchObject({ status: 'DOWN', lastError: expect.stringMatching(/no radacct table/) });
      // The working server beside it still imports.
      await expect(imports.importer(serverId)!.pollOnce()).resolves.toMatchObject({ inBytes: 0n, outBytes: 0n });
      await imports.stop();
      const [row] = await dataSource.query(`SELECT status, status_message, last_synchronized FROM radius_servers WHERE id = $1`, [id]);
      expect(row).toMatchObject({ status: 'DOWN', last_synchronized: null });
      expect(row.status_message).toMatch(new RegExp(`^${type === 'FREERADIUS_MYSQL' ? 'MySQL' : 'PostgreSQL'} 127\\.0\\.0\\.1:\\d+/radacct_\\w+: there is no radacct table`));
      expect(await dataSource.query(`SELECT * FROM radacct_import_checkpoints WHERE radius_server_id = $1`, [id])).toEqual([]);
      await servers.delete(id);
    } finally {
      await empty.drop();
    }
  });

  it('credits nothing again when the server is deleted and created anew (sessions are keyed by acctuniqueid, not by server)', async () => {
    const totals = async () => [await TableLedger.totals(dataSource, 1), await TableLedger.totals(dataSource, 2)];
    const before = await totals();
    await servers.delete(serverId);
    expect(await dataSource.query(`SELECT * FROM radacct_import_checkpoints WHERE radius_server_id = $1`, [serverId])).toEqual([]);
    serverId = (await servers.create({ ...radacct.server, name: 'freeradius-1 again', collect_bandwidth: true })).id;

    const again = await startImports();
    const read = await again.importer.pollOnce(); // from radacctid 0: every row read again
    await again.imports.stop();
    expect(read.rows).toBeGreaterThanOrEqual(3);
    expect({ in: read.inBytes, out: read.outBytes }).toEqual({ in: 0n, out: 0n });
    expect(await totals()).toEqual(before);
  });
});
