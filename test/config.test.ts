import { ConfigError, loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('has working defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 4000, host: '0.0.0.0' });
    expect(config.database).toEqual({ url: undefined, dataDir: './data' });
    expect(config.timeZone).toBe('UTC');
    expect(config.auth).toEqual({ bootstrapToken: undefined, metricsToken: undefined });
  });

  it('takes RADACCT_DATABASE_URL naming a host, a user and a database', () => {
    expect(loadConfig({ RADACCT_DATABASE_URL: 'postgresql://radius:pw@db.example.net:5433/radius' }).radius.radacctUrl).toBe('postgresql://radius:pw@db.example.net:5433/radius');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).http.port).toBe(4000);
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'http' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ TZ: 'Mars/Olympus' }, 'TZ'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ BOOTSTRAP_API_TOKEN: 'short' }, 'BOOTSTRAP_API_TOKEN'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: 'has a space in the middle' }, 'METRICS_TOKEN'],
    [{ CORS_ORIGINS: 'localhost:3000' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'ftp://files.example.net' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'http://localhost:3000/app' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'http://localhost:3000,,http://localhost:3001' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: '*,http://localhost:3000' }, 'CORS_ORIGINS'],
    [{ RADACCT_DATABASE_URL: 'mysql://radius@10.0.0.5/radius' }, 'RADACCT_DATABASE_URL'],
    // A RadiusServer's ip_address cannot be a socket directory.
    [{ RADACCT_DATABASE_URL: 'postgresql://radius@localhost/radius?host=/var/run/postgresql' }, 'RADACCT_DATABASE_URL'],
    [{ RADACCT_DATABASE_URL: 'postgresql://10.0.0.5/radius' }, 'RADACCT_DATABASE_URL'],
    [{ RADACCT_DATABASE_URL: 'postgresql://radius@10.0.0.5' }, 'RADACCT_DATABASE_URL'],
  ])('rejects %p naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  ${variable}: `));
  });

  it('reads CORS_ORIGINS as `*` or a list of origins written as browsers send them', () => {
    expect(loadConfig({}).http.corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: ' * ' }).http.corsOrigins).toBe('*');
    expect(loadConfig({ CORS_ORIGINS: 'http://LocalHost:3000/, https://app.example.net:443' }).http.corsOrigins).toEqual([
      'http://localhost:3000',
      'https://app.example.net',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'http://localhost:3000/app' })).toThrow('did you mean http://localhost:3000?');
  });
});
