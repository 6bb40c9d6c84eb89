import { startTestApp, TEST_TOKEN, TestApp } from '../support/app';
import { testEngines } from '../support/database';

const METRICS_TOKEN = 'scrape-me-0123456789abcdef';

describe.each(testEngines())('/metrics behind METRICS_TOKEN on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { METRICS_TOKEN });
  });
  afterAll(() => t.stop());

  const metrics = (authorization?: string) => fetch(`${t.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it('answers the scraper that sends the token', async () => {
    const response = await metrics(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('usage_meter_process_cpu_seconds_total');
  });

  it.each([
    ['no token', undefined],
    ['a wrong token of the same length', `Bearer ${METRICS_TOKEN.slice(0, -1)}x`],
    ['the token with something after it', `Bearer ${METRICS_TOKEN}x`],
    ['the token without "Bearer"', METRICS_TOKEN],
    ['an admin API token', `Bearer ${TEST_TOKEN}`],
  ])('refuses %s with 401 and says what to send', async (_case, authorization) => {
    const response = await metrics(authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    const body = await response.json();
    expect(body.errors[0]).toEqual({
      message: 'Missing or wrong token: send "Authorization: Bearer <METRICS_TOKEN>"',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(JSON.stringify(body)).not.toContain('usage_meter_');
  });

  it('leaves /healthz, /readyz and /graphiql open', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${t.url}/graphiql`)).status).toBe(200);
  });
});
