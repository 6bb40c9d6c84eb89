
import dgram from 'node:dgram';
import { NetflowCollector } from '../../../src/ingest/netflow/netflow.collector';
import { DatabaseNetflowSettings } from '../../../src/ingest/netflow/netflow-settings.repository';
import { NetflowComponent } from '../../../src/ingest/netflow/netflow.component';
import { InlineDevice } from '../../../src/db/entities';
import { fixture } from '../../ingest/netflow/fixtures';
import { ListAttribution, SummingWriter } from '../../ingest/netflow/support/fakes';
import { dataSet, ip4, u32, v9Packet, v9Template } from '../../ingest/netflow/support/packets';
import { startTestApp, TestApp } from '../../support/app';
import { testEngines } from '../../support/database';

describe.each(testEngines())('NetFlow exporter configuration API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { NETFLOW_PORT: '0' });
  });
  afterAll(() => t.stop());

  const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

  it('creates, lists, updates and deletes endpoints, allowed subnets and whitelists', async () => {
    const ep = await t.gql(`mutation { createNetflowEndpoint(input: {name: "core"}) { id name whitelist_mode sampling_rate _version } }`);
    expect(ep.errors).toBeUndefined();
    const id = ep.data.createNetflowEndpoint.id;
    expect(ep.data.createNetflowEndpoint).toEqual({ id, name: 'core', whitelist_mode: false, sampling_rate: null, _version: '1' });

    const sub = await t.gql(`mutation($id: Int64Bit!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: "192.0.2.0/28"}) { id netflow_endpoint_id subnet } }`, { id });
    expect(sub.data.createNetflowAllowedSubnet).toMatchObject({ netflow_endpoint_id: id, subnet: '192.0.2.0/28' });
    const dup = await t.gql(`mutation($id: Int64Bit!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: "192.0.2.0/28"}) { id } }`, { id });
    expect(code(dup)).toBe('CONFLICT');
    const host = await t.gql(`mutation($id: Int64Bit!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: "192.0.2.1/24"}) { id } }`, { id });
    expect(code(host)).toBe('BAD_USER_INPUT');
    const missing = await t.gql(`mutation { createNetflowWhitelist(input: {netflow_endpoint_id: 999999, subnet: "100.64.0.0/10"}) { id } }`);
    expect(code(missing)).toBe('NOT_FOUND');
    const wl = await t.gql(`mutation($id: Int64Bit!) { createNetflowWhitelist(input: {netflow_endpoint_id: $id, subnet: "2001:db8::/32"}) { subnet } }`, { id });
    expect(wl.data.createNetflowWhitelist.subnet).toBe('2001:db8::/32');

    const up = await t.gql(`mutation($id: Int64Bit!) { updateNetflowEndpoint(id: $id, input: {whitelist_mode: true, sampling_rate: 100}) { whitelist_mode sampling_rate _version } }`, { id });
    expect(up.data.updateNetflowEndpoint).toEqual({ whitelist_mode: true, sampling_rate: 100, _version: '2' });
    const bad = await t.gql(`mutation($id: Int64Bit!) { updateNetflowEndpoint(id: $id, input: {sampling_rate: 0}) { id } }`, { id });
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const unset = await t.gql(`mutation($id: Int64Bit!) { updateNetflowEndpoint(id: $id, input: {unset_sampling_rate: true}) { sampling_rate } }`, { id });
    expect(unset.data.updateNetflowEndpoint.sampling_rate).toBeNull();

    const list = await t.gql(`query($id: Int64Bit!) { netflow_allowed_subnets(netflow_endpoint_id: $id, paginator: {page: 1, records_per_page: 10}) { entities { subnet } page_info { total_count } } netflow_endpoints(name: "core") { entities { id } } }`, { id });
    expect(list.data.netflow_allowed_subnets).toEqual({ entities: [{ subnet: '192.0.2.0/28' }], page_info: { total_count: 1 } });
    expect(list.data.netflow_endpoints.entities).toEqual([{ id }]);

    const del = await t.gql(`mutation($id: Int64Bit!) { deleteNetflowEndpoint(id: $id) { success } }`, { id });
    expect(del.data.deleteNetflowEndpoint.success).toBe(true);
    const after = await t.gql(`query { netflow_allowed_subnets { page_info { total_count } } netflow_whitelists { page_info { total_count } } }`);
    expect([after.data.netflow_allowed_subnets.page_info.total_count, after.data.netflow_whitelists.page_info.total_count]).toEqual([0, 0]);
  });

  it('the collector follows the configuration: an exporter counts once its subnet is allowed', async () => {
    const writer = new SummingWriter();
    const collector = new NetflowCollector(
      { attribution: new ListAttribution({ '100.64.0.0/24': 1 }), writer, settings: new DatabaseNetflowSettings(t.app.services.dataSource) },
      { port: 0, host: '127.0.0.1' },
    );
    t.app.services.netflowEndpoints.onChange(() => void collector.reloadSettings());
    await collector.start();
    const sock = dgram.createSocket('udp4');
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, collector.port, '127.0.0.1', () => r()));
    const tpl = v9Template(300, [[8, 4], [12, 4], [1, 4]]);
    const data = (seq: number) => v9Packet({ seq }, tpl, dataSet(300, [Buffer.concat([ip4('100.64.0.9'), ip4('198.51.100.1'), u32(1234)])]));
    try {
      await send(data(0));
      await new Promise((r) => setTimeout(r, 200));
      await collector.whenIdle();
      expect(writer.accounts.size).toBe(0);
      expect(collector.global.unknownExporter).toBe(1);

      const ep = await t.gql(`mutation { createNetflowEndpoint(input: {name: "lab"}) { id } }`);
      await t.gql(`mutation($id: Int64Bit!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: "127.0.0.1"}) { id } }`, { id: ep.data.createNetflowEndpoint.id });
      await collector.reloadSettings();
      await send(data(1));
      await new Promise((r) => setTimeout(r, 200));
      await collector.whenIdle();
      expect(writer.totals()).toEqual({ '1': { in: 0, out: 1234 } });
    } finally {
      sock.close();
      await collector.stop();
    }
  });

  it('reads account ids for PacketLogic subscribers only while a PacketLogic device is enabled', async () => {
    const { dataSource } = t.app.services;
    await dataSource.query(`INSERT INTO account_statuses (name) VALUES ('Active')`);
    await dataSource.query(`INSERT INTO account_types (name) VALUES ('Residential')`);
    const [{ id }] = await dataSource.query(
      `INSERT INTO accounts (name, account_status_id, account_type_id)
       SELECT 'PL subscriber', s.id, ty.id FROM account_statuses s, account_types ty LIMIT 1 RETURNING id`,
    );
    const settings = new DatabaseNetflowSettings(dataSource);
    await settings.load();
    expect(settings.accountIds).toEqual(new Set());

    await dataSource.getRepository(InlineDevice).save({ name: 'pl-ids', type: 'PACKETLOGIC', ip_address: '192.0.2.1', enabled: true });
    await settings.load();
    expect(settings.accountIds).toEqual(new Set([Number(id)]));
  });
});


describe.each(testEngines())('NetflowComponent in the running service on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.stop());

  it('reports through ingest_status and /metrics', async () => {
    const writer = new SummingWriter();
    const component = new NetflowComponent(t.app.services, { attribution: new ListAttribution({ '100.64.0.0/24': 1 }), writer }, 0);
    const ep = await t.gql(`mutation { createNetflowEndpoint(input: {name: "lab"}) { id } }`);
    await t.gql(`mutation($id: Int64Bit!) { createNetflowAllowedSubnet(input: {netflow_endpoint_id: $id, subnet: "127.0.0.0/8"}) { id } }`, { id: ep.data.createNetflowEndpoint.id });
    await component.start();
    const sock = dgram.createSocket('udp4');
    try {
      const tpl = v9Template(300, [[8, 4], [12, 4], [1, 4]]);
      const pkt = (seq: number) => v9Packet({ seq }, tpl, dataSet(300, [Buffer.concat([ip4('100.64.0.9'), ip4('198.51.100.1'), u32(1000)])]));
      for (const seq of [0, 1, 4]) await new Promise<void>((r) => sock.send(pkt(seq), component.collector!.port, '127.0.0.1', () => r()));
      await new Promise((r) => setTimeout(r, 300));
      await component.collector!.whenIdle();
      const status = await t.gql(`{ ingest_status { data_source_parent data_source_identifier received accepted estimated_lost bytes_attributed bytes_unattributed dropped { name count } } }`);
      expect(status.data.ingest_status).toContainEqual({
        data_source_parent: 'NetFlow',
        data_source_identifier: '127.0.0.1',
        received: '3',
        accepted: '3',
        estimated_lost: '2',
        bytes_attributed: '3000',
        bytes_unattributed: '0',
        dropped: [],
      });
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toContain('netflow_datagrams_received_total{source="NetFlow",exporter="127.0.0.1"} 3');
      expect(metrics).toContain('netflow_estimated_lost_total{source="NetFlow",exporter="127.0.0.1"} 2');
      expect(writer.totals()).toEqual({ '1': { in: 0, out: 3000 } });
    } finally {
      sock.close();
      await component.stop();
    }
  });

  it('an enabled PACKETLOGIC InlineDevice turns its exporter address into a PacketLogic source', async () => {
    await t.app.services.dataSource.getRepository(InlineDevice).save({ name: 'pl-lab', type: 'PACKETLOGIC', ip_address: '127.0.0.1', enabled: true });
    const writer = new SummingWriter();
    const component = new NetflowComponent(t.app.services, { attribution: new ListAttribution({ '138.44.161.14/32': 7 }), writer }, 0);
    await component.start();
    const sock = dgram.createSocket('udp4');
    try {
      for (const f of ['ipfix_test_procera_tpl52935.dat', 'ipfix_test_procera_data52935.dat']) {
        await new Promise<void>((r) => sock.send(fixture(f), component.collector!.port, '127.0.0.1', () => r()));
      }
      await new Promise((r) => setTimeout(r, 300));
      await component.collector!.whenIdle();
      expect(writer.totals()).toEqual({ '7': { in: 5 * 60 + 7076, out: 3310 } });
      expect(writer.sources).toEqual(new Set(['PacketLogic|pl-lab']));
      const status = await t.gql(`{ ingest_status { data_source_parent data_source_identifier bytes_attributed } }`);
      expect(status.data.ingest_status).toContainEqual({ data_source_parent: 'PacketLogic', data_source_identifier: 'pl-lab', bytes_attributed: String(5 * 60 + 7076 + 3310) });
    } finally {
      sock.close();
      await component.stop();
    }
  });
});
