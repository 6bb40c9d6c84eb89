import { z } from 'zod';
import { DEFAULT_MAX_BITS_PER_SECOND, MAX_MAX_BITS_PER_SECOND } from './usage/plausible-bytes';

/**
 * One typed configuration object, read from the environment once at start.
 * Every problem is reported with the name of the variable that causes it, so an
 * operator can fix the unit file without reading code.
 */

const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

/** Which browser origins may call the API: `*` (any), or the origins listed. */
export type CorsOrigins = '*' | readonly string[];

/**
 * CORS_ORIGINS: `*`, or a comma list of origins (`scheme://host[:port]`), kept as a browser writes
 * its `Origin` header (lower-case host, no default port) so that a plain comparison matches.
 */
const corsOrigins = z.string().transform((text, ctx): CorsOrigins => {
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 1 && items[0] === '*') return '*';
  const origins: string[] = [];
  for (const item of items) {
    const problem = originProblem(item);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    origins.push(new URL(item).origin);
  }
  return origins;
});

/** Why `item` is not an origin, or null. */
function originProblem(item: string): string | null {
  if (item === '') return 'has an empty entry: origins are separated by single commas';
  if (item === '*') return '`*` (any origin) cannot be combined with a list';
  const url = URL.canParse(item) ? new URL(item) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return `"${item}" is not an origin such as http://localhost:3000 or https://app.example.net`;
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    return `"${item}" is not an origin (no path, query or user): did you mean ${url.origin}?`;
  }
  return null;
}

const envSchema = z.object({
  PORT: port(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  CORS_ORIGINS: corsOrigins.optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  BOOTSTRAP_API_TOKEN: z.string().min(20, 'must be at least 20 characters').optional(),
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,}$/, 'must be 16 or more printable characters without spaces')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TZ: z
    .string()
    .default('UTC')
    .refine(isKnownTimeZone, 'is not an IANA time zone name (e.g. UTC, America/Chicago)'),
  ATTRIBUTION_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  // RADIUS accounting (src/ingest/radius): RADIUS_ACCT_PORT=0 disables the server.
  RADIUS_ACCT_PORT: port(1813),
  RADIUS_ACCT_HOST: z.string().min(1).default('0.0.0.0'),
  RADIUS_BATCH_MAX: z.coerce.number().int().min(1).max(20_000).default(4000),
  RADIUS_COMMIT_LANES: z.coerce.number().int().min(1).max(64).default(4),
  RADIUS_QUEUE_MAX: z.coerce.number().int().min(1).default(100_000),
  RADIUS_REPLY_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
  RADIUS_CLIENTS_REFRESH_MS: z.coerce.number().int().min(100).default(5000),
  /** Deprecated: a bootstrap for the FREERADIUS_POSTGRESQL RadiusServer it names (src/ingest/radius/radacct-database-url.ts). */
  RADACCT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL of the FreeRADIUS database')
    .refine(namesServerFields, 'must name the user, the database and its host (a RadiusServer ip_address, not a Unix socket directory)')
    .optional(),
  RADACCT_POLL_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /** How far back attribution keeps assignment history in memory for late usage (days). */
  ATTRIBUTION_HISTORY_DAYS: z.coerce.number().min(0).max(3660).default(90),
  // Usage ledger (src/usage/)
  LEDGER_FINE_RETENTION_HOURS: z.coerce.number().int().min(1).default(24),
  LEDGER_HOURLY_RETENTION_DAYS: z.coerce.number().int().min(1).default(14),
  LEDGER_DAILY_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  LEDGER_UNATTRIBUTED_RETENTION_DAYS: z.coerce.number().int().min(1).default(35),
  LEDGER_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  LEDGER_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  LEDGER_FLUSH_MAX_ROWS: z.coerce.number().int().min(1).default(20_000),
  USAGE_MAX_BATCH_ROWS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  USAGE_MAX_FUTURE_SECONDS: z.coerce.number().int().min(0).default(300),
  // Every source's edge check (src/usage/plausible-bytes.ts): the fastest one record may have moved bytes.
  USAGE_MAX_BITS_PER_SECOND: z.coerce.number().int().min(1_000_000).max(MAX_MAX_BITS_PER_SECOND).default(DEFAULT_MAX_BITS_PER_SECOND),
  // NetFlow / IPFIX collector (0 disables it)
  NETFLOW_PORT: port(2055),
  NETFLOW_HOST: z.string().min(1).default('0.0.0.0'),
  NETFLOW_QUEUE_DATAGRAMS: z.coerce.number().int().min(16).default(65536),
  NETFLOW_TEMPLATE_LIFETIME_S: z.coerce.number().int().min(1).default(1800),
  // Appliances (Preseem, SaiSei). Preseem's own settings (enabled, api_key, base_url, interval) live in the database.
  APPLIANCE_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  APPLIANCE_BACKOFF_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  APPLIANCE_BACKOFF_MAX_MS: z.coerce.number().int().min(10).default(900_000),
  APPLIANCE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  PRESEEM_USAGE_PATH: z.string().regex(/^\//, 'must start with /').default('/v1/usage'),
  PRESEEM_PAGE_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  PRESEEM_LOOKBACK_S: z.coerce.number().int().min(0).default(7200),
  PRESEEM_INITIAL_LOOKBACK_S: z.coerce.number().int().min(0).default(3600),
  PRESEEM_SETTINGS_CHECK_S: z.coerce.number().int().min(1).default(30),
  SAISEI_POLL_INTERVAL_S: z.coerce.number().int().min(1).default(60),
  SAISEI_WINDOW_S: z.coerce.number().int().min(10).max(86_400).default(300),
  SAISEI_SETTLE_S: z.coerce.number().int().min(0).default(60),
  // The REST system name of SAISEI devices without their own InlineDevice.system_name.
  SAISEI_SYSTEM_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a REST system name such as stm').default('stm'),
  SAISEI_PAGE_SIZE: z.coerce.number().int().min(1).max(100_000).default(500),
  SAISEI_MAX_CATCHUP_S: z.coerce.number().int().min(60).default(86_400),
  SAISEI_MAX_WINDOWS_PER_POLL: z.coerce.number().int().min(1).default(12),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  /** corsOrigins absent: no cross-origin access (no CORS headers). */
  http: { port: number; host: string; corsOrigins?: CorsOrigins };
  database: { url?: string; dataDir: string };
  /** metricsToken: the Bearer token `/metrics` asks for; absent, `/metrics` is open. */
  auth: { bootstrapToken?: string; metricsToken?: string };
  log: { level: Env['LOG_LEVEL'] };
  /** The one service time zone: billing periods start at midnight here. */
  timeZone: string;
  attribution: { syncIntervalMs: number; historyDays: number };
  radius: {
    /** null: the accounting server is disabled (RADIUS_ACCT_PORT=0). */
    acctPort: number | null;
    acctHost: string;
    batchMax: number;
    /** Group-commit transactions in flight at once (sessions are spread over them). */
    lanes: number;
    queueMax: number;
    replyCacheMs: number;
    clientsRefreshMs: number;
    /** Deprecated bootstrap: the FREERADIUS_POSTGRESQL RadiusServer to make sure of at start. */
    radacctUrl?: string;
    radacctPollIntervalMs: number;
  };
  ledger: LedgerConfig;
  /** port 0 = collector disabled. */
  netflow: { port: number; host: string; queueDatagrams: number; templateLifetimeMs: number };
  appliances: ApplianceConfig;
}

export interface ApplianceConfig {
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retentionMs: number;
  preseem: { usagePath: string; pageSize: number; lookbackMs: number; initialLookbackMs: number; idleIntervalMs: number };
  saisei: { pollIntervalMs: number; windowMs: number; settleMs: number; systemName: string; pageSize: number; maxCatchupMs: number; maxWindowsPerPoll: number };
}

export interface LedgerConfig {
  /** 5-minute buckets older than this are rolled up into local-hour buckets. */
  fineRetentionHours: number;
  /** Hour buckets older than this are rolled up into local-day buckets. */
  hourlyRetentionDays: number;
  /** Day buckets older than this are deleted; 0 keeps them forever. */
  dailyRetentionDays: number;
  /** Unattributed traffic older than this is deleted. */
  unattributedRetentionDays: number;
  rollupIntervalMs: number;
  /** Buffered writers flush at least this often, and as soon as this many rows are pending. */
  flushIntervalMs: number;
  flushMaxRows: number;
  /** createDataUsages: most rows in one call. */
  maxBatchRows: number;
  /** createDataUsages: how far in the future a sample time may be (clock skew). */
  maxFutureSeconds: number;
  /** Every source: the most bits per second one record may account for (RecordByteLimit). */
  maxBitsPerSecond: number;
}

export const defaultLedgerConfig: LedgerConfig = {
  fineRetentionHours: 24,
  hourlyRetentionDays: 14,
  dailyRetentionDays: 0,
  unattributedRetentionDays: 35,
  rollupIntervalMs: 60_000,
  flushIntervalMs: 1000,
  flushMaxRows: 20_000,
  maxBatchRows: 10_000,
  maxFutureSeconds: 300,
  maxBitsPerSecond: DEFAULT_MAX_BITS_PER_SECOND,
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    http: { port: e.PORT, host: e.HOST, corsOrigins: e.CORS_ORIGINS },
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
    auth: { bootstrapToken: e.BOOTSTRAP_API_TOKEN, metricsToken: e.METRICS_TOKEN },
    log: { level: e.LOG_LEVEL },
    timeZone: e.TZ,
    attribution: { syncIntervalMs: e.ATTRIBUTION_SYNC_INTERVAL_MS, historyDays: e.ATTRIBUTION_HISTORY_DAYS },
    radius: {
      acctPort: e.RADIUS_ACCT_PORT === 0 ? null : e.RADIUS_ACCT_PORT,
      acctHost: e.RADIUS_ACCT_HOST,
      batchMax: e.RADIUS_BATCH_MAX,
      lanes: e.RADIUS_COMMIT_LANES,
      queueMax: e.RADIUS_QUEUE_MAX,
      replyCacheMs: e.RADIUS_REPLY_CACHE_MS,
      clientsRefreshMs: e.RADIUS_CLIENTS_REFRESH_MS,
      radacctUrl: e.RADACCT_DATABASE_URL,
      radacctPollIntervalMs: e.RADACCT_POLL_INTERVAL_MS,
    },
    ledger: {
      fineRetentionHours: e.LEDGER_FINE_RETENTION_HOURS,
      hourlyRetentionDays: e.LEDGER_HOURLY_RETENTION_DAYS,
      dailyRetentionDays: e.LEDGER_DAILY_RETENTION_DAYS,
      unattributedRetentionDays: e.LEDGER_UNATTRIBUTED_RETENTION_DAYS,
      rollupIntervalMs: e.LEDGER_ROLLUP_INTERVAL_MS,
      flushIntervalMs: e.LEDGER_FLUSH_INTERVAL_MS,
      flushMaxRows: e.LEDGER_FLUSH_MAX_ROWS,
      maxBatchRows: e.USAGE_MAX_BATCH_ROWS,
      maxFutureSeconds: e.USAGE_MAX_FUTURE_SECONDS,
      maxBitsPerSecond: e.USAGE_MAX_BITS_PER_SECOND,
    },
    netflow: {
      port: e.NETFLOW_PORT,
      host: e.NETFLOW_HOST,
      queueDatagrams: e.NETFLOW_QUEUE_DATAGRAMS,
      templateLifetimeMs: e.NETFLOW_TEMPLATE_LIFETIME_S * 1000,
    },
    appliances: {
      timeoutMs: e.APPLIANCE_HTTP_TIMEOUT_MS,
      backoffBaseMs: e.APPLIANCE_BACKOFF_BASE_MS,
      backoffMaxMs: Math.max(e.APPLIANCE_BACKOFF_MAX_MS, e.APPLIANCE_BACKOFF_BASE_MS),
      retentionMs: e.APPLIANCE_RETENTION_DAYS * 86_400_000,
      preseem: {
        usagePath: e.PRESEEM_USAGE_PATH,
        pageSize: e.PRESEEM_PAGE_SIZE,
        lookbackMs: e.PRESEEM_LOOKBACK_S * 1000,
        initialLookbackMs: e.PRESEEM_INITIAL_LOOKBACK_S * 1000,
        idleIntervalMs: e.PRESEEM_SETTINGS_CHECK_S * 1000,
      },
      saisei: {
        pollIntervalMs: e.SAISEI_POLL_INTERVAL_S * 1000,
        windowMs: e.SAISEI_WINDOW_S * 1000,
        settleMs: e.SAISEI_SETTLE_S * 1000,
        systemName: e.SAISEI_SYSTEM_NAME,
        pageSize: e.SAISEI_PAGE_SIZE,
        maxCatchupMs: e.SAISEI_MAX_CATCHUP_S * 1000,
        maxWindowsPerPoll: e.SAISEI_MAX_WINDOWS_PER_POLL,
      },
    },
  };
}

/** An empty variable (`PORT=`) means "not set", as shells and unit files usually intend. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** RADACCT_DATABASE_URL stands for a RadiusServer: its host, user and database are that server's. */
function namesServerFields(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.hostname !== '' && parsed.username !== '' && parsed.pathname.length > 1 && !parsed.searchParams.get('host')?.startsWith('/');
  } catch {
    return false;
  }
}

function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
