import path from 'node:path';
import { Router } from 'express';

/**
 * GraphiQL served entirely from this service (it must work with no internet access):
 * GraphiQL 3's browser build on React 18's UMD builds, straight from node_modules.
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
  return router;
}

/** Package `exports` maps hide the UMD files from require.resolve; their folders are public. */
function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

const FIRST_QUERY = `# Paste a token into the Headers tab below:
#   { "Authorization": "Bearer um_..." }
# then run this query with the play button.
query FirstLook {
  accounts(paginator: { page: 1, records_per_page: 10 }) {
    entities { id name bill_day ip_assignments { entities { subnet } } }
    page_info { page total_pages total_count records_per_page }
  }
}
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Usage meter · GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: new URL('/api/graphql', window.location.href).toString() });
    const root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: ${JSON.stringify(FIRST_QUERY)},
      defaultHeaders: JSON.stringify({ Authorization: 'Bearer <paste your token>' }, null, 2),
      headerEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers',
    }));
  </script>
</body>
</html>
`;
