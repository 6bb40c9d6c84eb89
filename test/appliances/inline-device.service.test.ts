import type { DataSource } from 'typeorm';
import { InlineDeviceService } from '../../src/appliances/inline-device.service';
import { openTestDataSource, testEngines } from '../support/database';

describe.each(testEngines())('InlineDeviceService on %s', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDataSource(engine));
  });

  afterAll(async () => {
    await close();
  });

  it('refuses an address with a zone id as bad input (PostgreSQL inet would refuse it), stores the plain address', async () => {
    const devices = new InlineDeviceService(dataSource);
    await expect(devices.create({ name: 'zoned', type: 'SAISEI', ip_address: 'fe80::1%eth0' })).rejects.toThrow(
      'ip_address "fe80::1%eth0" is not an IPv4 or IPv6 address',
    );
    const created = await devices.create({ name: 'plain', type: 'SAISEI', ip_address: 'fe80::1' });
    await expect(devices.update(created.id, { ip_address: 'fe80::1%eth0' })).rejects.toThrow('is not an IPv4 or IPv6 address');
    expect((await devices.get(created.id)).ip_address).toBe('fe80::1');
  });
});
