/// <reference lib="dom" />
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { chromiumPath, itWithPeers } from '../support/peers';

/**
 * Cross-origin access to the API (CORS_ORIGINS), over real HTTP: the preflight a browser sends before
 * a POST with a token, the POST itself, and origins not listed; then a real page on another origin
 * calling the API in Chromium. CORS changes nothing but headers, so one engine is enough here.
 */
const FRONT_END = 'http://localhost:3000';
const QUERY = JSON.stringify({ query: '{ __typename }' });

/** The answer's Access-Control-* headers. */
function corsHeaders(response: Response): Record<string, string> {
  const found: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.startsWith('access-control-')) found[name] = value;
  });
  return found;
}

/** What a browser sends before a cross-origin POST with a token and JSON: no token of its own. */
const preflight = (t: TestApp, origin: string) =>
  fetch(`${t.url}/api/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });

const post = (t: TestApp, headers: Record<string, string>) =>
  fetch(`${t.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: QUERY });

describe('CORS_ORIGINS with a list of origins', () => {
  let t: TestApp;
  let page: http.Server;
  let pageOrigin: string;
  let otherPage: http.Server;
  beforeAll(async () => {
    // Two pages on origins of their own (another port is another origin); only the first is listed.
    [page, pageOrigin] = await servePage();
    [otherPage] = await servePage();
    t = await startTestApp('pglite', { CORS_ORIGINS: `${FRONT_END}, https://app.example.net, ${pageOrigin}` });
  });
  afterAll(async () => {
    await t?.stop();
    page?.close();
    otherPage?.close();
  });

  it('answers the preflight from a listed origin without a token', async () => {
    const response = await preflight(t, FRONT_END);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': FRONT_END,
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type,x-request-id',
      'access-control-expose-headers': 'x-request-id',
      'access-control-max-age': '600',
    });
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('gives a preflight from an origin not listed no CORS headers: it meets the API as without CORS', async () => {
    const response = await preflight(t, 'http://localhost:3001');
    expect(corsHeaders(response)).toEqual({});
    expect(response.status).toBe(401);
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('lets a listed origin read the answer to a POST and its request id, a refusal included', async () => {
    const answered = await post(t, { origin: FRONT_END, authorization: `Bearer ${t.token}`, 'x-request-id': 'front-end-1' });
    expect(answered.status).toBe(200);
    expect(corsHeaders(answered)).toEqual({ 'access-control-allow-origin': FRONT_END, 'access-control-expose-headers': 'x-request-id' });
    expect(answered.headers.get('x-request-id')).toBe('front-end-1');
    expect(await answered.json()).toEqual({ data: { __typename: 'Query' } });

    const refused = await post(t, { origin: FRONT_END });
    expect(refused.status).toBe(401);
    expect(corsHeaders(refused)).toMatchObject({ 'access-control-allow-origin': FRONT_END });
    expect((await refused.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers a POST from an origin not listed, or with no Origin, without CORS headers', async () => {
    for (const headers of [{ origin: 'https://evil.example.net' }, {}] as Record<string, string>[]) {
      const response = await post(t, { ...headers, authorization: `Bearer ${t.token}` });
      expect(response.status).toBe(200);
      expect(corsHeaders(response)).toEqual({});
    }
  });

  itWithPeers('chromium')('in Chromium: a page on a listed origin calls the API with a token; a page on another origin cannot read it', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const callApi = async (origin: string) => {
        const tab = await browser.newPage();
        await tab.goto(origin);
        return tab.evaluate(
          async ({ api, token }) => {
            try {
              const response = await fetch(api, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': 'from-the-page' },
                body: JSON.stringify({ query: '{ __typename }' }),
              });
              return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() };
            } catch (error) {
              return { failed: String(error) };
            }
          },
          { api: `${t.url}/api/graphql`, token: t.token },
        );
      };
      expect(await callApi(pageOrigin)).toEqual({ status: 200, requestId: 'from-the-page', body: { data: { __typename: 'Query' } } });
      expect(await callApi(originOf(otherPage))).toEqual({ failed: 'TypeError: Failed to fetch' });
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('CORS_ORIGINS=*', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { CORS_ORIGINS: '*' });
  });
  afterAll(() => t?.stop());

  it('answers the preflight from any origin without a token, and lets any origin read the answers', async () => {
    const answer = await preflight(t, 'https://anywhere.example.org');
    expect(answer.status).toBe(204);
    expect(corsHeaders(answer)).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization,content-type,x-request-id' });

    const response = await post(t, { origin: 'https://anywhere.example.org', authorization: `Bearer ${t.token}` });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-request-id' });
  });
});

describe('CORS_ORIGINS unset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(() => t?.stop());

  it('sends no CORS headers: a preflight meets the API, which asks for a token', async () => {
    const answer = await preflight(t, FRONT_END);
    expect(answer.status).toBe(401);
    expect(corsHeaders(answer)).toEqual({});
    const response = await post(t, { origin: FRONT_END, authorization: `Bearer ${t.token}` });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({});
  });
});

/** A server of one empty page, on an ephemeral port of 127.0.0.1: an origin of its own. */
async function servePage(): Promise<[http.Server, string]> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>front end</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return [server, originOf(server)];
}

function originOf(server: http.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
