import path from 'node:path';
import { Router } from 'express';

/**
 * GraphiQL served entirely from this service (it must work with no internet access):
 * GraphiQL 3's browser build on React 18's UMD builds, straight from node_modules, and the icon.
 */
export function graphiqlRouter(): Router {
  const router = Router();
  const assets: Record<string, string> = {
    'react.production.min.js': path.join(packageDir('react'), 'umd/react.production.min.js'),
    'react-dom.production.min.js': path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
    'graphiql.min.js': path.join(packageDir('graphiql'), 'dist/index.umd.js'),
    'graphiql.min.css': path.join(packageDir('graphiql'), 'dist/style.css'),
  };
  router.get('/graphiql', (_req, res) => {
    res.type('html').send(PAGE);
  });
  for (const [name, file] of Object.entries(assets)) {
    router.get(`/graphiql/assets/${name}`, (_req, res) => {
      res.sendFile(file, { maxAge: '1d' });
    });
  }
  router.get('/favicon.ico', (_req, res) => {
    res.type('image/x-icon').set('cache-control', 'public, max-age=86400').send(FAVICON);
  });
  return router;
}

/** Package `exports` maps hide the UMD files from require.resolve; their folders are public. */
function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/**
 * This service's icon: white bars rising on a blue rounded square, 32×32, a PNG inside an ICO
 * (every browser reads that). 168 bytes: kept here rather than in a file the build would have to copy.
 */
export const FAVICON = Buffer.from(
  'AAABAAEAICAAAAEAIACSAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAFlJREFUeNrt18ENACAIQ1E2cUQHdwidAI0EFONv4tW+IxXJnFJb93hXSk2Y6PIp4lS5ivgb4PWpliUCAIDnALsBAACAGeAVAADMV1EkgKM03zBJMc1SjNPTGXL+fbgszuifAAAAAElFTkSuQmCC',
  'base64',
);

const FIRST_QUERY = `# Run it with the play button (Ctrl-Enter).
# The token is kept in this browser tab only.
# To use another: "Forget" above, or put
#   { "Authorization": "Bearer um_..." }
# in the Headers tab below.
query FirstLook {
  accounts(paginator: { page: 1, records_per_page: 10 }) {
    entities { id name bill_day ip_assignments { entities { subnet } } }
    page_info { page total_pages total_count records_per_page }
  }
}
`;

/**
 * The explorer asks for the token before anything else, or takes one put in its Headers tab, and only
 * then lets GraphiQL fetch the schema (with the token): the Docs panel and autocomplete work from the
 * start. Until there is a token, GraphiQL is told there is no schema (`schema: null`) instead of
 * failing to fetch one. A token is used only once the API has accepted it, and kept in session
 * storage (this tab, until it closes), never in local storage: GraphiQL keeps its tabs and history
 * there, and its history would keep the Headers tab's text, so history entries are stored without it.
 */
const SCRIPT = `
const API = new URL('/api/graphql', window.location.href).toString();
const TOKEN_KEY = 'usage-meter:token';
const h = React.createElement;

/** The token of an "Authorization: Bearer <token>" in the Headers tab's JSON, if there is one. */
function tokenInHeaders(text) {
  let headers;
  try { headers = JSON.parse(text); } catch (error) { return null; }
  if (!headers || typeof headers !== 'object') return null;
  for (const name of Object.keys(headers)) {
    const match = name.toLowerCase() === 'authorization' && /^Bearer\\s+(\\S+)\\s*$/i.exec(String(headers[name]));
    if (match) return match[1];
  }
  return null;
}

/** Null when the API accepts the token, else why not, in its words. */
async function refusal(token) {
  try {
    const response = await fetch(API, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    if (response.ok) return null;
    const body = await response.json().catch(() => null);
    return (body && body.errors && body.errors[0] && body.errors[0].message) || 'HTTP ' + response.status;
  } catch (error) {
    return 'The service did not answer (' + error.message + ')';
  }
}

const HISTORY_KEYS = ['graphiql:queries', 'graphiql:favorites'];
/** GraphiQL's own storage in local storage (as its default), but history entries without their headers. */
const storage = {
  getItem: (key) => localStorage.getItem(key),
  setItem: (key, value) => localStorage.setItem(key, HISTORY_KEYS.includes(key) ? withoutHeaders(value) : value),
  removeItem: (key) => localStorage.removeItem(key),
  clear: () => graphiqlKeys().forEach((key) => localStorage.removeItem(key)),
  get length() { return graphiqlKeys().length; },
};
function graphiqlKeys() {
  return Object.keys(localStorage).filter((key) => key.startsWith('graphiql:'));
}
/** Stored history or tabs ({ queries: [{ query, variables, headers, ... }] }) with null headers, as GraphiQL clears them. */
function withoutHeaders(value) {
  return JSON.stringify(JSON.parse(value), (key, item) => (key === 'headers' ? null : item));
}

// The explorer before this one kept the Headers tab, token included, in local storage (and GraphiQL
// still reads it from there): the token moves to this tab's session storage, and the headers go.
if (localStorage.getItem('graphiql:headers') !== null) {
  const kept = tokenInHeaders(localStorage.getItem('graphiql:headers'));
  if (kept && !sessionStorage.getItem(TOKEN_KEY)) sessionStorage.setItem(TOKEN_KEY, kept);
  localStorage.removeItem('graphiql:headers');
  for (const key of ['graphiql:tabState', ...HISTORY_KEYS]) {
    const value = localStorage.getItem(key);
    if (value) localStorage.setItem(key, withoutHeaders(value));
  }
}

/** Above GraphiQL: the token asked for, or which one is in use. */
function TokenBar({ token, onToken, onForget }) {
  const [problem, setProblem] = React.useState(null);
  const [checking, setChecking] = React.useState(false);
  if (token) {
    return h('div', { className: 'token-bar' },
      h('span', { className: 'token-state' }, 'Token …' + token.slice(-4) + ' in use, kept in this tab only'),
      h('button', { type: 'button', onClick: onForget }, 'Forget'));
  }
  const submit = async (event) => {
    event.preventDefault();
    const candidate = String(new FormData(event.currentTarget).get('token')).trim();
    setChecking(true);
    const why = await refusal(candidate);
    setChecking(false);
    setProblem(why);
    if (!why) onToken(candidate);
  };
  return h('form', { className: 'token-bar', onSubmit: submit },
    h('label', { htmlFor: 'token' }, 'API token'),
    h('input', { id: 'token', name: 'token', type: 'password', autoComplete: 'off', autoFocus: true, required: true, placeholder: 'um_…' }),
    h('button', { type: 'submit', disabled: checking }, checking ? 'Checking…' : 'Use this token'),
    problem
      ? h('span', { className: 'token-problem', role: 'alert' }, problem)
      : h('span', { className: 'token-hint' }, 'printed once at the first start, or made with createPersonalAccessToken; kept in this tab only'));
}

function Explorer() {
  const [token, setToken] = React.useState(() => sessionStorage.getItem(TOKEN_KEY));
  const useToken = React.useCallback((next) => {
    sessionStorage.setItem(TOKEN_KEY, next);
    setToken(next);
  }, []);
  const forget = React.useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);
  // A new fetcher for each token: GraphiQL then fetches the schema again, with the token.
  const fetcher = React.useMemo(
    () => GraphiQL.createFetcher({ url: API, headers: token ? { Authorization: 'Bearer ' + token } : {} }),
    [token],
  );
  // A token put in the Headers tab is taken once the API accepts it, not at every key typed.
  const edits = React.useRef(0);
  const onEditHeaders = React.useCallback((text) => {
    const candidate = tokenInHeaders(text);
    const edit = ++edits.current;
    if (!candidate || candidate === token) return;
    setTimeout(async () => {
      if (edit === edits.current && !(await refusal(candidate)) && edit === edits.current) useToken(candidate);
    }, 300);
  }, [token, useToken]);
  return h(React.Fragment, null,
    h(TokenBar, { token, onToken: useToken, onForget: forget }),
    h('div', { className: 'explorer' },
      h(GraphiQL, {
        fetcher,
        schema: token ? undefined : null,
        storage,
        shouldPersistHeaders: false,
        defaultQuery: ${JSON.stringify(FIRST_QUERY)},
        onEditHeaders,
      })));
}

ReactDOM.createRoot(document.getElementById('graphiql')).render(h(Explorer));
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Usage meter · GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="icon" href="/favicon.ico" />
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
  <style>
    html, body, #graphiql { height: 100%; margin: 0; }
    #graphiql { display: flex; flex-direction: column; }
    .explorer { flex: 1; min-height: 0; }
    .token-bar { display: flex; align-items: center; gap: 0.6em; padding: 0.5em 1em; font: 14px system-ui, sans-serif;
      background: hsl(219, 28%, 96%); border-bottom: 1px solid hsl(219, 28%, 88%); }
    .token-bar input { width: 28em; max-width: 50vw; padding: 0.3em 0.5em; font: inherit; }
    .token-bar button { padding: 0.3em 0.8em; font: inherit; cursor: pointer; }
    .token-hint, .token-state { color: hsl(219, 15%, 40%); }
    .token-problem { color: hsl(0, 70%, 42%); font-weight: 600; }
  </style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script>${SCRIPT}</script>
</body>
</html>
`;
