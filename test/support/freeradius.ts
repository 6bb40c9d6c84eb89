import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real FreeRADIUS 3 (Debian `freeradius` + `freeradius-postgresql`) writing accounting to
 * PostgreSQL through rlm_sql, in a temporary raddb copied from /etc/freeradius/3.0 with a
 * minimal radiusd.conf: one accounting listener, the sql module, nothing else.
 */
export interface FreeRadiusOptions {
  acctPort: number;
  secret: string;
  /**
   * postgres://user[:password]@host[:port]/db: the database radacct lives in (schema applied by
   * `applyRadacctSchema`). A `?host=/var/run/postgresql` parameter (a socket directory) wins over the host.
   */
  databaseUrl: string;
  /** rlm_sql connection pool size and server threads. */
  threads?: number;
}

export const RADACCT_SCHEMA = '/etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql';

export class FreeRadius {
  private process: ChildProcess | null = null;
  private dir = '';
  output = '';

  constructor(private readonly options: FreeRadiusOptions) {}

  async start(): Promise<void> {
    const o = this.options;
    const db = new URL(o.databaseUrl);
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
  dialect = "postgresql"
  driver = "rlm_sql_postgresql"
  postgresql {
    send_application_name = yes
  }
  server = "${db.searchParams.get('host') ?? db.hostname}"
  port = ${db.port || 5432}
  login = "${decodeURIComponent(db.username || 'postgres')}"
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

/** Applies FreeRADIUS's shipped PostgreSQL schema (radacct and friends) with psql. */
export function applyRadacctSchema(databaseUrl: string): void {
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-f', RADACCT_SCHEMA], { stdio: 'pipe' });
}
