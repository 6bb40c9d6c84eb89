/** One radacct row as the importer reads it, whatever the engine. Octets are cumulative since the session's start. */
export interface RadacctRow {
  /** Decimal string (bigint). */
  radacctid: string;
  acctuniqueid: string;
  username: string | null;
  nas: string | null;
  start_ms: number | null;
  update_ms: number | null;
  stop_ms: number | null;
  /** Decimal strings (bigint), null when radacct has none. */
  input_octets: string | null;
  output_octets: string | null;
}

/**
 * The radacct table of one FreeRADIUS database, as the importer reads it. One implementation
 * per rlm_sql engine (radacct-postgresql.reader.ts, radacct-mysql.reader.ts); each normalizes its
 * driver's values into RadacctRow and prefixes its errors with where it reads from.
 */
export interface RadacctReader {
  /** engine://host:port/database: where it reads (shown in errors; the checkpoint belongs to it). */
  readonly endpoint: string;
  /** Fails with a message naming what is wrong unless radacct has the columns the import reads. */
  checkTable(): Promise<void>;
  /** Rows up to `maxId` that are open, or were updated or stopped within the last `withinMs`. */
  openOrRecent(maxId: bigint, withinMs: number): Promise<RadacctRow[]>;
  /** The stopped rows among these sessions. */
  stoppedAmong(acctuniqueids: string[]): Promise<RadacctRow[]>;
  /** At most `limit` rows after `afterId`, in radacctid order. */
  after(afterId: bigint, limit: number): Promise<RadacctRow[]>;
  close(): Promise<void>;
}

type ColumnKind = 'integer' | 'text' | 'time' | 'address';

/** The radacct columns the import reads, as FreeRADIUS's stock schemas (PostgreSQL and MySQL) declare them. */
export const RADACCT_COLUMNS: Readonly<Record<string, ColumnKind>> = {
  radacctid: 'integer',
  acctuniqueid: 'text',
  username: 'text',
  nasipaddress: 'address',
  acctstarttime: 'time',
  acctupdatetime: 'time',
  acctstoptime: 'time',
  acctinputoctets: 'integer',
  acctoutputoctets: 'integer',
};

/** information_schema.columns data_type values each kind accepts (PostgreSQL's and MySQL's names). */
const ACCEPTED_TYPES: Record<ColumnKind, RegExp> = {
  integer: /^(bigint|integer|int|mediumint|numeric|decimal)$/i,
  text: /^(text|character varying|varchar|char|character|tinytext|mediumtext|longtext)$/i,
  time: /^(timestamp with time zone|timestamp without time zone|timestamp|datetime)$/i,
  address: /^(inet|text|character varying|varchar|char|character)$/i,
};

/**
 * What is wrong with a radacct table, given its columns (name and information_schema data_type),
 * or null when the import can read it. Pure, so both readers say it the same way.
 */
export function radacctTableProblem(columns: ReadonlyArray<{ name: string; type: string }>): string | null {
  if (!columns.length) return 'there is no radacct table in this database (FreeRADIUS creates it from its schema.sql)';
  const types = new Map(columns.map((c) => [c.name.toLowerCase(), c.type]));
  const missing = Object.keys(RADACCT_COLUMNS).filter((name) => !types.has(name));
  const mistyped = Object.entries(RADACCT_COLUMNS)
    .filter(([name, kind]) => types.has(name) && !ACCEPTED_TYPES[kind].test(types.get(name)!))
    .map(([name, kind]) => `${name} is ${types.get(name)}, not ${kind === 'time' ? 'a date and time' : kind === 'integer' ? 'an integer' : kind}`);
  const problems = [...(missing.length ? [`radacct has no column ${missing.join(', ')}`] : []), ...mistyped];
  return problems.length ? `${problems.join('; ')} (expected FreeRADIUS's stock radacct schema)` : null;
}

/** A reader's failure, prefixed with where it read: "MariaDB 10.0.0.5:3306/radius: Access denied ...". */
export class RadacctReadError extends Error {
  constructor(where: string, cause: unknown) {
    super(`${where}: ${cause instanceof Error ? cause.message || String((cause as { code?: string }).code ?? cause) : String(cause)}`);
    this.name = 'RadacctReadError';
  }
}

/** Runs one reader step and turns any failure into a RadacctReadError. */
export async function reading<T>(where: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw error instanceof RadacctReadError ? error : new RadacctReadError(where, error);
  }
}

/** Splits a list into chunks of at most `size` (IN lists and arrays of bounded length). */
export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Where a reader connects: a RadiusServer's ip_address and database credentials. */
export interface RadacctDatabase {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | null;
}

export interface RadacctReaderOptions {
  connectTimeoutMs: number;
  /** A statement that takes longer fails (a hung connection must not stall its server's import forever). */
  queryTimeoutMs: number;
}

/** host:port with brackets around an IPv6 address. */
export function hostPort(db: RadacctDatabase): string {
  return `${db.host.includes(':') ? `[${db.host}]` : db.host}:${db.port}`;
}
