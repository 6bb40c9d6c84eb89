import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

/**
 * A real FreeRADIUS 3 writing accounting through rlm_sql, to PostgreSQL (Debian
 * `freeradius-postgresql`) or to MySQL/MariaDB (`freeradius-mysql`), in a temporary raddb copied
 * from /etc/freeradius/3.0 with a minimal radiusd.conf: one accounting listener, the sql module,
 * nothing else. The stock queries.conf of the dialect writes the stock radacct schema.
 */
export interface FreeRadiusOptions {
  acctPort: number;
  secret: string;
  /**
   * The database radacct lives in (schema applied by `applyRadacctSchema`), and by its scheme
   * the rlm_sql driver: postgres://user[:password]@host[:port]/db (a `?host=/var/run/postgresql`
   * parameter, a socket directory, wins over the host) or mysql://user[:password]@host[:port]/db.
   */
  databaseUrl: string;
  /** rlm_sql connection pool size and server threads. */
  threads?: number;
}

/** What differs between the two rlm_sql drivers the tests run. */
interface SqlDialect {
  dialect: 'postgresql' | 'mysql';
  defaultPort: number;
  /** The driver's own subsection of the sql module. */
  driverSection: string;
  schema: string;
}

const DIALECTS: Record<'postgres' | 'mysql', SqlDialect> = {
  postgres: {
    dialect: 'postgresql',
    defaultPort: 5432,
    driverSection: 'postgresql {\n    send_application_name = yes\n  }',
    schema: '/etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql',
  },
  mysql: {
    dialect: 'mysql',
    defaultPort: 3306,
    driverSection: 'mysql {\n    warnings = auto\n  }',
    schema: '/etc/freeradius/3.0/mods-config/sql/main/mysql/schema.sql',
  },
};

function dialectOf(databaseUrl: string): SqlDialect {
  const scheme = new URL(databaseUrl).protocol;
  if (scheme === 'postgres:' || scheme === 'postgresql:') return DIALECTS.postgres;
  if (scheme === 'mysql:') return DIALECTS.mysql;
  throw new Error(`no rlm_sql driver for ${scheme} URLs`);
}

export const RADACCT_SCHEMA = DIALECTS.postgres.schema;

export class FreeRadius {
  private process: ChildProcess | null = null;
  private dir = '';
  output = '';

  constructor(private readonly options: FreeRadiusOptions) {}

  async start(): Promise<void> {
    const o = this.options;
    const db = new URL(o.databaseUrl);
    const sql = dialectOf(o.databaseUrl);
    const threads = o.threads ?? 16;
    this.dir = mkdtempSync(path.join(tmpdir(), 'raddb-'));
    const raddb = path.join(this.dir, 'raddb');
    cpSync('/etc/freeradius/3.0', raddb, { recursive: true, dereference: true });
    for (const sub of ['sites-enabled', 'mods-enabled']) {
      rmSync(path.join(raddb, sub), { recursive: true, force: true });
      mkdirSync(path.join(raddb, sub));
    }
    for (const sub of ['log', 'run', 'radacct']) mkdirSync(path.join(this.dir, sub));
    writeFileSync(
      path.join(raddb, 'radiusd.conf'),
      `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
logdir = ${this.dir}/log
raddbdir = ${raddb}
radacctdir = ${this.dir}/radacct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
certdir = \${confdir}/certs
cadir = \${confdir}/certs
run_dir = ${this.dir}/run
db_dir = \${raddbdir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1048576
hostname_lookups = no
log {
  destination = files
  file = \${logdir}/radius.log
  syslog_facility = daemon
  stripped_names = no
  auth = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = ${threads}
  max_servers = ${threads}
  min_spare_servers = 1
  max_spare_servers = ${threads}
  max_requests_per_server = 0
  max_queue_size = 65536
  auto_limit_acct = no
}
client nas {
  ipaddr = 127.0.0.0/8
  secret = ${o.secret}
  require_message_authenticator = no
}
modules {
  $INCLUDE mods-enabled/
}
policy {
  $INCLUDE policy.d/
}
$INCLUDE sites-enabled/
`,
    );
    writeFileSync(
      path.join(raddb, 'mods-enabled', 'sql'),
      `sql {
  dialect = "${sql.dialect}"
  driver = "rlm_sql_${sql.dialect}"
  ${sql.driverSection}
  server = "${db.searchParams.get('host') ?? db.hostname}"
  port = ${db.port || sql.defaultPort}
  login = "${decodeURIComponent(db.username || (sql.dialect === 'mysql' ? 'root' : 'postgres'))}"
  password = "${decodeURIComponent(db.password)}"
  radius_db = "${db.pathname.slice(1)}"
  acct_table1 = "radacct"
  acct_table2 = "radacct"
  postauth_table = "radpostauth"
  authcheck_table = "radcheck"
  groupcheck_table = "radgroupcheck"
  authreply_table = "radreply"
  groupreply_table = "radgroupreply"
  usergroup_table = "radusergroup"
  delete_stale_sessions = yes
  pool {
    start = ${threads}
    min = ${threads}
    max = ${threads}
    spare = ${threads}
    uses = 0
    retry_delay = 1
    lifetime = 0
    idle_timeout = 600
  }
  read_clients = no
  client_table = "nas"
  group_attribute = "SQL-Group"
  $INCLUDE \${modconfdir}/\${.:name}/main/\${dialect}/queries.conf
}
`,
    );
    // expr provides the %{tolower:...} and %{md5:...} expansions queries.conf and acct_unique use.
    cpSync('/etc/freeradius/3.0/mods-available/expr', path.join(raddb, 'mods-enabled', 'expr'));
    writeFileSync(
      path.join(raddb, 'sites-enabled', 'acct'),
      `server acct {
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = ${o.acctPort}
  }
  preacct {
    acct_unique
  }
  accounting {
    sql
  }
}
`,
    );
    const child = spawn('freeradius', ['-f', '-d', raddb, '-l', 'stdout'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.stdout!.on('data', (d) => (this.output += d.toString()));
    child.stderr!.on('data', (d) => (this.output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`FreeRADIUS did not start:\n${this.output}`)), 20_000);
      const check = () => {
        if (this.output.includes('Ready to process requests')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`FreeRADIUS exited with ${code}:\n${this.output}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Applies FreeRADIUS's shipped schema of the URL's dialect (radacct and friends): with psql for
 * PostgreSQL, through mysql2 (the file's statements in one multi-statement query) for MySQL/MariaDB.
 */
export async function applyRadacctSchema(databaseUrl: string): Promise<void> {
  const sql = dialectOf(databaseUrl);
  if (sql.dialect === 'postgresql') {
    execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-f', sql.schema], { stdio: 'pipe' });
    return;
  }
  const db = new URL(databaseUrl);
  const connection = await createConnection({
    host: db.hostname,
    port: Number(db.port || sql.defaultPort),
    user: decodeURIComponent(db.username || 'root'),
    password: decodeURIComponent(db.password),
    database: db.pathname.slice(1),
    multipleStatements: true,
  });
  try {
    await connection.query(readFileSync(sql.schema, 'utf8'));
  } finally {
    await connection.end();
  }
}
