import { startTestApp } from './support/app';
import { testEngines } from './support/database';

/** What `App.stop()` reports: the count main.ts turns into the exit code (test/main.process.test.ts runs the process). */
describe.each(testEngines())('stopping the service on %s', (engine) => {
  const source = { parent: 'NetFlow', identifier: '192.0.2.1' };

  it('reports no unwritten rows when everything it held was written', async () => {
    const t = await startTestApp(engine);
    t.app.services.usageWriter.addUnattributed({ ip: '198.51.100.7', source, timeMs: Date.now(), inBytes: 10n, outBytes: 0n });
    expect(await t.app.stop()).toEqual({ unwrittenRows: 0 });
    await t.db.drop();
  });

  it('reports the rows it could not write when the database cannot take them', async () => {
    const t = await startTestApp(engine);
    const { usageWriter, dataSource } = t.app.services;
    // No retry mends a table that is gone (and no row is at fault: nothing to set aside).
    await dataSource.query(`ALTER TABLE unattributed_5m RENAME TO unattributed_5m_gone`);
    usageWriter.addUnattributed({ ip: '198.51.100.7', source, timeMs: Date.now(), inBytes: 10n, outBytes: 0n });
    usageWriter.addUnattributed({ ip: '198.51.100.8', source, timeMs: Date.now(), inBytes: 20n, outBytes: 0n });
    expect(await t.app.stop()).toEqual({ unwrittenRows: 2 });
    await t.db.drop();
  });
});
