import type { DataSource } from 'typeorm';
import { RadiusClientEntry, RadiusClientRegistry } from '../../../src/ingest/radius/radius-clients.registry';

const client = (name: string, subnet: string): RadiusClientEntry => ({ name, subnet, secret: Buffer.from(`${name}-secret`) });

describe('RadiusClientRegistry', () => {
  const registry = new RadiusClientRegistry({} as DataSource);
  registry.setClients([
    client('region', '10.0.0.0/8'),
    client('bng', '10.1.0.0/16'),
    client('bng-twin', '10.1.0.0/16'),
    client('v6-core', '2001:db8::/32'),
    client('typo', 'not a subnet'),
  ]);

  it.each([
    ['10.1.2.3', 'bng'],
    ['10.2.0.1', 'region'],
    ['::ffff:10.1.2.3', 'bng'],
    ['2001:db8::7', 'v6-core'],
  ])('matches %s to %s (longest prefix, the first of equal subnets)', (address, name) => {
    expect(registry.lookup(address)?.name).toBe(name);
  });

  it('hands back the client with its secret', () => {
    expect(registry.lookup('10.9.9.9')?.secret.toString()).toBe('region-secret');
  });

  it.each(['192.0.2.1', '2001:db9::1', 'nonsense'])('knows no client for %s', (address) => {
    expect(registry.lookup(address)).toBeNull();
  });

  it('forgets clients on the next load', () => {
    const reloaded = new RadiusClientRegistry({} as DataSource);
    reloaded.setClients([client('bng', '10.1.0.0/16')]);
    reloaded.setClients([client('other', '192.0.2.0/24')]);
    expect(reloaded.lookup('10.1.2.3')).toBeNull();
    expect(reloaded.lookup('192.0.2.9')?.name).toBe('other');
  });
});
