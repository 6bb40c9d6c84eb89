import { z } from 'zod';

/**
 * One typed configuration object, read from the environment once at start.
 * Every problem is reported with the name of the variable that causes it, so an
 * operator can fix the unit file without reading code.
 */

const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

const envSchema = z.object({
  PORT: port(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  BOOTSTRAP_API_TOKEN: z.string().min(20, 'must be at least 20 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TZ: z
    .string()
    .default('UTC')
    .refine(isKnownTimeZone, 'is not an IANA time zone name (e.g. UTC, America/Chicago)'),
  ATTRIBUTION_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  /** How far back attribution keeps assignment history in memory for late usage (days). */
  ATTRIBUTION_HISTORY_DAYS: z.coerce.number().min(0).max(3660).default(90),
  // NetFlow / IPFIX collector (0 disables it)
  NETFLOW_PORT: port(2055),
  NETFLOW_HOST: z.string().min(1).default('0.0.0.0'),
  NETFLOW_QUEUE_DATAGRAMS: z.coerce.number().int().min(16).default(65536),
  NETFLOW_TEMPLATE_LIFETIME_S: z.coerce.number().int().min(1).default(1800),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  http: { port: number; host: string };
  database: { url?: string; dataDir: string };
  auth: { bootstrapToken?: string };
  log: { level: Env['LOG_LEVEL'] };
  /** The one service time zone: billing periods start at midnight here. */
  timeZone: string;
  attribution: { syncIntervalMs: number; historyDays: number };
  /** port 0 = collector disabled. */
  netflow: { port: number; host: string; queueDatagrams: number; templateLifetimeMs: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    http: { port: e.PORT, host: e.HOST },
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
    auth: { bootstrapToken: e.BOOTSTRAP_API_TOKEN },
    log: { level: e.LOG_LEVEL },
    timeZone: e.TZ,
    attribution: { syncIntervalMs: e.ATTRIBUTION_SYNC_INTERVAL_MS, historyDays: e.ATTRIBUTION_HISTORY_DAYS },
    netflow: {
      port: e.NETFLOW_PORT,
      host: e.NETFLOW_HOST,
      queueDatagrams: e.NETFLOW_QUEUE_DATAGRAMS,
      templateLifetimeMs: e.NETFLOW_TEMPLATE_LIFETIME_S * 1000,
    },
  };
}

/** An empty variable (`PORT=`) means "not set", as shells and unit files usually intend. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
