/// <reference lib="dom" />
import { chromium, Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { chromiumPath, describeWithPeers } from '../support/peers';

/**
 * The explorer in a real browser, with the network limited to this service: GraphiQL must
 * load every asset from here and run a query with the Authorization header set in its
 * Headers tab. Needs Debian's chromium (.ci/run installs it).
 */
describeWithPeers('chromium')('GraphiQL in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('loads offline and runs a query with the token from the Headers tab', async () => {
    const page = await browser.newPage();
    const foreignRequests: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === t.url) return route.continue();
      foreignRequests.push(url.toString());
      return route.abort();
    });
    await page.addInitScript((token) => {
      localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${token}` }));
      localStorage.setItem('graphiql:query', '{ personal_access_tokens { name } }');
    }, t.token);

    await page.goto(`${t.url}/graphiql`);
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('bootstrap (BOOTSTRAP_API_TOKEN)').waitFor({ timeout: 20_000 });
    await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT ?? '/tmp/graphiql.png' });
    expect(foreignRequests).toEqual([]);
  }, 60_000);
});
