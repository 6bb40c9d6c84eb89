/**
 * Copies the GraphQL documents of Sonar's open-source clients, byte for byte, into test/compat/documents/, each
 * behind a comment naming repository, path, commit and function. `--check` only compares (nothing is written).
 *
 *   node -r @swc-node/register test/compat/extract-client-documents.ts [--check]
 *
 * Reads the clients' git mirrors (paths below; override with NETFLOW_ONPREM_GIT / LIBREQOS_GIT). The only change
 * to the text is undoing the host language's escaping: PHP heredocs write `$` as `\$` (no other escape occurs,
 * and the script refuses any other backslash); the Python strings contain no backslash at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface Client {
  directory: string;
  repository: string;
  git: string;
  language: 'php' | 'python';
}

const CLIENTS: Record<'netflow-onprem' | 'libreqos', Client> = {
  'netflow-onprem': {
    directory: 'netflow-onprem',
    repository: 'SonarSoftwareInc/netflow-onprem',
    git: process.env.NETFLOW_ONPREM_GIT ?? '/work/.mirror/SonarSoftwareInc+netflow-onprem/repo',
    language: 'php',
  },
  libreqos: {
    directory: 'libreqos',
    repository: 'LibreQoE/LibreQoS',
    git: process.env.LIBREQOS_GIT ?? '/work/.mirror/LibreQoE+LibreQoS/repo',
    language: 'python',
  },
};

interface DocumentSource {
  client: keyof typeof CLIENTS;
  name: string;
  path: string;
  from: string;
  /** The first line of the document, to find it in the file. */
  startsWith: string;
  /** What the host language puts into the text before sending it, if anything. */
  interpolation?: string;
}

const PHP_ID = '`{$this->id}` is PHP interpolation: the client writes the NetflowOnPremise id there (decimal digits).';

export const DOCUMENT_SOURCES: DocumentSource[] = [
  {
    client: 'netflow-onprem',
    name: 'account-ip-assignments',
    path: 'src/app/Jobs/ProcessNetflowData.php',
    from: 'ProcessNetflowData::findAllIpAssignments()',
    startsWith: 'query accountIpAssignments {',
  },
  {
    client: 'netflow-onprem',
    name: 'create-data-usages',
    path: 'src/app/Jobs/ProcessDataUsage.php',
    from: 'ProcessDataUsage::sendBatch()',
    startsWith: 'mutation createDataUsagesMutation(',
  },
  {
    client: 'netflow-onprem',
    name: 'netflow-on-premises',
    path: 'src/app/Models/NetflowOnPremise.php',
    from: 'NetflowOnPremise::readQuery() (nothing in the repository calls it)',
    startsWith: 'query netflowOnPremises {',
    interpolation: PHP_ID,
  },
  {
    client: 'netflow-onprem',
    name: 'create-netflow-on-premise',
    path: 'src/app/Models/NetflowOnPremise.php',
    from: 'NetflowOnPremise::createMutation(), sent by InitializeNetflow::handle()',
    startsWith: 'mutation createMutation(',
  },
  {
    client: 'netflow-onprem',
    name: 'update-netflow-on-premise',
    path: 'src/app/Models/NetflowOnPremise.php',
    from: 'NetflowOnPremise::updateMutation(), sent by ProcessNetflowData::updateProgress()',
    startsWith: 'mutation updateMutation(',
    interpolation: PHP_ID,
  },
  {
    client: 'netflow-onprem',
    name: 'delete-netflow-on-premise',
    path: 'src/app/Models/NetflowOnPremise.php',
    from: 'NetflowOnPremise::deleteMutation(), sent by InitializeNetflow::handle() with --force',
    startsWith: 'mutation deleteMutation {',
    interpolation: PHP_ID,
  },
  {
    client: 'libreqos',
    name: 'get-active-statuses',
    path: 'src/integrationSonar.py',
    from: 'getActiveStatuses()',
    startsWith: 'query getActiveStatuses {',
  },
  {
    client: 'libreqos',
    name: 'get-sites-and-aps',
    path: 'src/integrationSonar.py',
    from: 'getSitesAndAps()',
    startsWith: 'query getSitesAndAps(',
  },
  {
    client: 'libreqos',
    name: 'get-accounts',
    path: 'src/integrationSonar.py',
    from: 'getAccounts()',
    startsWith: 'query getAccounts (',
  },
];

const DOCUMENTS_DIR = path.resolve(__dirname, 'documents');

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The text of the PHP heredoc (`<<<GQL` ... `GQL;`) or Python triple-quoted string that starts with `startsWith`. */
function literalText(source: string, language: Client['language'], startsWith: string): { text: string; unescaped: boolean } {
  const [open, close] = language === 'php' ? ['<<<GQL\n', '\nGQL;'] : ['"""', '"""'];
  const start = source.indexOf(`${open}${startsWith}`);
  if (start < 0 || source.indexOf(`${open}${startsWith}`, start + 1) >= 0) {
    throw new Error(`expected exactly one literal starting with ${JSON.stringify(startsWith)}`);
  }
  const from = start + open.length;
  const end = source.indexOf(close, from);
  if (end < 0) throw new Error(`unterminated literal starting with ${JSON.stringify(startsWith)}`);
  const raw = source.slice(from, end);
  if (language === 'php') {
    if (/\\[^$]/.test(raw)) throw new Error(`a PHP escape other than \\$ in ${startsWith}`);
    return { text: raw.replaceAll('\\$', '$'), unescaped: raw.includes('\\$') };
  }
  if (raw.includes('\\')) throw new Error(`a Python escape in ${startsWith}`);
  return { text: raw, unescaped: false };
}

function header(document: DocumentSource, client: Client, commit: string, unescaped: boolean): string {
  const literal = `${client.language === 'php' ? 'a PHP heredoc (<<<GQL)' : 'a Python triple-quoted string'}${
    unescaped ? ', `\\$` un-escaped to `$`' : ', as is'
  }`;
  return [
    `# Copied verbatim by test/compat/extract-client-documents.ts: do not edit by hand.`,
    `# Repository: github.com/${client.repository}`,
    `# Path: ${document.path}`,
    `# Commit: ${commit}`,
    `# From: ${document.from}; ${literal}.`,
    ...(document.interpolation ? [`# Interpolation: ${document.interpolation}`] : []),
    `# The document is everything after these comment lines, without the file's last newline.`,
    `# How the client sends it and with which variables: VARIABLES.md in this directory.`,
  ].join('\n');
}

function run(): void {
  const check = process.argv.includes('--check');
  const commits = new Map<string, string>();
  const differing: string[] = [];
  for (const document of DOCUMENT_SOURCES) {
    const client = CLIENTS[document.client];
    if (!commits.has(client.git)) commits.set(client.git, git(client.git, 'rev-parse', 'HEAD^{commit}').trim());
    const commit = commits.get(client.git) as string;
    const source = git(client.git, 'show', `${commit}:${document.path}`);
    const { text, unescaped } = literalText(source, client.language, document.startsWith);
    const file = path.join(DOCUMENTS_DIR, client.directory, `${document.name}.graphql`);
    const content = `${header(document, client, commit, unescaped)}\n${text}\n`;
    if (check) {
      let committed = '';
      try {
        committed = readFileSync(file, 'utf8');
      } catch {
        // missing: reported below
      }
      if (committed !== content) differing.push(path.relative(process.cwd(), file));
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
  }
  if (differing.length > 0) {
    process.stderr.write(`differ from the clients' sources:\n  ${differing.join('\n  ')}\n`);
    process.exit(1);
  }
}

if (require.main === module) run();
