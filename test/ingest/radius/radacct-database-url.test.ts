import type { DataSource } from 'typeorm';
import { ensureRadacctUrlServer } from '../../../src/ingest/radius/radacct-database-url';
import { RadiusServerService } from '../../../src/radius/radius-server.service';
import { openTestDataSource, testEngines } from '../../support/database';

/** RADACCT_DATABASE_URL, deprecated, as the bootstrap of the FREERADIUS_POSTGRESQL RadiusServer it names. */
describe.each(testEngines())('RADACCT_DATABASE_URL bootstrap on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let servers: RadiusServerService;
  const row = async (id: number) =>
    (
      await dataSource.query(
        `SELECT name, type, host(ip_address) AS ip, database_port, database_name, database_username, database_password, collect_bandwidth, enabled
           FROM radius_servers WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
    servers = new RadiusServerService(dataSource);
  });
  afterAll(() => close?.());

  it('creates the server once, keeps what the operator changed, and takes new credentials from the URL', async () => {
    const first = await ensureRadacctUrlServer('postgres://radius:s%40cret@localhost:5433/radius', servers);
    expect(await row(first.id)).toEqual({
      name: 'RADACCT_DATABASE_URL',
      type: 'FREERADIUS_POSTGRESQL',
      ip: '127.0.0.1',
      database_port: 5433,
      database_name: 'radius',
      database_username: 'radius',
      database_password: 's@cret',
      collect_bandwidth: true,
      enabled: true,
    });

    // The operator disables it through the API; the next start changes only the credentials.
    await servers.update(first.id, { enabled: false, name: 'main FreeRADIUS' });
    const again = await ensureRadacctUrlServer('postgresql://importer:new@127.0.0.1:5433/radius', servers);
    expect(again.id).toBe(first.id);
    expect(await row(first.id)).toMatchObject({ name: 'main FreeRADIUS', enabled: false, database_username: 'importer', database_password: 'new' });

    // Another database is another server; the default port is PostgreSQL's.
    const other = await ensureRadacctUrlServer('postgresql://radius@127.0.0.1/other', servers);
    expect(other.id).not.toBe(first.id);
    expect(await row(other.id)).toMatchObject({ database_port: 5432, database_name: 'other', database_password: null });
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM radius_servers`))[0].n).toBe(2);
  });
});
