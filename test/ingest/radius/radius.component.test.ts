import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';
import { describeWithPeers } from '../../support/peers';
import { eventually, freeUdpPort, packet, radclient } from './radius-test-support';

/** The RADIUS component inside the whole service: configuration, clients from the API, counters on /metrics and ingest_status. */
describeWithPeers('radclient').each(testEngines())('RADIUS component in the app on %s', (engine) => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await freeUdpPort();
    t = await startTestApp(engine, { RADIUS_ACCT_PORT: String(port), RADIUS_ACCT_HOST: '127.0.0.1', RADIUS_CLIENTS_REFRESH_MS: '100' });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('drops requests from unknown clients and with a wrong secret, and reports them', async () => {
    const unknown = await radclient(port, 'whatever', [packet({ 'User-Name': 'x', 'Acct-Session-Id': 's', 'Acct-Status-Type': 'Start' })], ['-r', '1', '-t', '0.3']);
    expect(unknown.code).not.toBe(0);

    const created = await t.gql(`mutation { createRadiusClient(input: {name: "lab", subnet: "127.0.0.1", secret: "right"}) { id subnet } }`);
    expect(created.data.createRadiusClient.subnet).toBe('127.0.0.1/32');
    // The client list reloads every 100 ms here: retry until the request is checked against the new secret.
    const serverEntry = async () => {
      await radclient(port, 'wrong', [packet({ 'User-Name': 'x', 'Acct-Session-Id': 's', 'Acct-Status-Type': 'Start' })], ['-r', '1', '-t', '0.2']);
      const status = await t.gql(`{ ingest_status { data_source_parent data_source_identifier received dropped { name count } } }`);
      return status.data.ingest_status.find((e: { data_source_identifier: string }) => e.data_source_identifier === 'accounting-server');
    };
    const server = await eventually(serverEntry, (e) => e.dropped.some((d: { name: string }) => d.name === 'bad_authenticator'));
    expect(server.data_source_parent).toBe('RADIUS');
    const dropped = Object.fromEntries(server.dropped.map((d: { name: string; count: string }) => [d.name, d.count]));
    expect(Number(dropped.unknown_client)).toBeGreaterThanOrEqual(1);
    expect(Number(dropped.bad_authenticator)).toBeGreaterThanOrEqual(1);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(`usage_meter_radius_dropped_total{reason="bad_authenticator"} ${dropped.bad_authenticator}`);
    expect(metrics).toContain(`usage_meter_radius_requests_received_total ${server.received}`);
    expect(metrics).toContain('usage_meter_radacct_bytes_unattributed_total 0');
  });
});
