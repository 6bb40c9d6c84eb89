/// <reference lib="dom" />
import { chromium, Browser, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { chromiumPath, describeWithPeers } from '../support/peers';

/**
 * The explorer in a real browser, with the network limited to this service: GraphiQL must load
 * every asset (and the icon) from here, ask for the token before fetching the schema, and then
 * offer the Docs panel and autocomplete on first use. The token lives in session storage only.
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

  /**
   * /graphiql in a fresh browser context (empty storage, or what `localState` puts in local storage),
   * recording the requests that left the service and failed answers.
   */
  async function openExplorer(localState: Record<string, string> = {}): Promise<{ page: Page; foreignRequests: string[]; failedAnswers: string[] }> {
    const context = await browser.newContext();
    await context.addInitScript((entries) => {
      for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
    }, localState);
    const page = await context.newPage();
    const foreignRequests: string[] = [];
    const failedAnswers: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === t.url) return route.continue();
      foreignRequests.push(url.toString());
      return route.abort();
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failedAnswers.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${t.url}/graphiql`);
    return { page, foreignRequests, failedAnswers };
  }

  /** Where the page keeps things: the session storage's token, and every local storage value. */
  const storedState = (page: Page) =>
    page.evaluate(() => ({
      sessionToken: sessionStorage.getItem('usage-meter:token'),
      local: Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key)}`),
    }));

  /** The Docs panel shows Query's fields; autocomplete in the query editor proposes top_data_usage. */
  async function expectSchemaLoaded(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).click();
    const fields = page.locator('.graphiql-doc-explorer-field-name');
    await fields.getByText('top_data_usage', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await fields.allTextContents()).toEqual(expect.arrayContaining(['accounts', 'data_usage_totals', 'top_data_usage', 'personal_access_tokens']));

    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ top_da');
    await page.locator('.CodeMirror-hints li', { hasText: 'top_data_usage' }).waitFor({ timeout: 10_000 });
  }

  /** Runs a query in the editor (replacing what it holds) and waits for its answer. */
  async function runTokensQuery(page: Page): Promise<void> {
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{ personal_access_tokens { name } }');
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('bootstrap (BOOTSTRAP_API_TOKEN)').waitFor({ timeout: 20_000 });
  }

  it('asks for the token first, refuses a wrong one, then loads the schema: Docs and autocomplete work on first use', async () => {
    const { page, foreignRequests, failedAnswers } = await openExplorer();
    const tokenField = page.getByLabel('API token');
    await tokenField.fill('um_' + 'x'.repeat(43));
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.getByRole('alert').getByText('Unknown or revoked token').waitFor();
    failedAnswers.length = 0; // that 401 was the point

    await tokenField.fill(t.token);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.getByText(`Token …${t.token.slice(-4)} in use`).waitFor();
    await expectSchemaLoaded(page);

    await runTokensQuery(page);
    await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT ?? '/tmp/graphiql.png' });

    const stored = await storedState(page);
    expect(stored.sessionToken).toBe(t.token);
    expect(stored.local.length).toBeGreaterThan(0); // GraphiQL keeps its tabs there...
    expect(stored.local.filter((entry) => entry.includes(t.token))).toEqual([]); // ...but not the token
    expect(foreignRequests).toEqual([]);
    expect(failedAnswers).toEqual([]); // /favicon.ico included
  }, 90_000);

  it('takes the token from the Headers tab, loads the schema with it, and keeps it out of local storage', async () => {
    const { page, foreignRequests, failedAnswers } = await openExplorer();
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .CodeMirror').filter({ visible: true }).click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${t.token}` }));
    await page.getByText(`Token …${t.token.slice(-4)} in use`).waitFor({ timeout: 20_000 });
    await expectSchemaLoaded(page);

    // A query run with the token in the Headers tab lands in GraphiQL's history, headers and all,
    // were they not left out.
    await runTokensQuery(page);
    const stored = await storedState(page);
    expect(stored.sessionToken).toBe(t.token);
    expect(stored.local.some((entry) => entry.startsWith('graphiql:queries='))).toBe(true);
    expect(stored.local.filter((entry) => entry.includes(t.token))).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(failedAnswers).toEqual([]);
  }, 90_000);

  it('moves a token that the earlier explorer kept in local storage to session storage', async () => {
    const headers = JSON.stringify({ Authorization: `Bearer ${t.token}` });
    const tab = { id: 'tab-1', title: 'Tokens', query: '{ personal_access_tokens { name } }', variables: null, headers, operationName: null, response: null };
    const { page, failedAnswers } = await openExplorer({
      'graphiql:headers': headers,
      'graphiql:tabState': JSON.stringify({ tabs: [tab], activeTabIndex: 0 }),
    });
    await page.getByText(`Token …${t.token.slice(-4)} in use`).waitFor({ timeout: 20_000 });
    await expectSchemaLoaded(page);
    const stored = await storedState(page);
    expect(stored.sessionToken).toBe(t.token);
    expect(stored.local.some((entry) => entry.startsWith('graphiql:tabState='))).toBe(true);
    expect(stored.local.filter((entry) => entry.includes(t.token))).toEqual([]);
    expect(failedAnswers).toEqual([]);
  }, 90_000);

  it('serves its icon', async () => {
    const response = await fetch(`${t.url}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    const bytes = Buffer.from(await response.arrayBuffer());
    // An ICO of one 32×32 image, stored as PNG.
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 1, 0, 1, 0, 32, 32]);
    expect(bytes.subarray(22, 26).toString('latin1')).toBe('\x89PNG');
  });
});
