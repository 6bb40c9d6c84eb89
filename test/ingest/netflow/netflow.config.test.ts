import { ConfigError, loadConfig } from '../../../src/config';

describe('NetFlow configuration', () => {
  it('defaults: port 2055 on all IPv4 addresses, 65536 queued datagrams, 30-minute template lifetime', () => {
    expect(loadConfig({}).netflow).toEqual({ port: 2055, host: '0.0.0.0', queueDatagrams: 65536, templateLifetimeMs: 1_800_000 });
  });

  it('NETFLOW_PORT=0 means disabled and is accepted', () => {
    expect(loadConfig({ NETFLOW_PORT: '0' }).netflow.port).toBe(0);
  });

  it.each([
    [{ NETFLOW_PORT: '65536' }, 'NETFLOW_PORT'],
    [{ NETFLOW_QUEUE_DATAGRAMS: '2' }, 'NETFLOW_QUEUE_DATAGRAMS'],
    [{ NETFLOW_TEMPLATE_LIFETIME_S: '0' }, 'NETFLOW_TEMPLATE_LIFETIME_S'],
  ])('rejects %p naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}: `));
  });
});
