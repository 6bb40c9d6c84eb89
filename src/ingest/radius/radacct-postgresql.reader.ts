import { Pool } from 'pg';
import { ListenedClient } from '../../db/listened-client';
import { chunks, hostPort, RadacctDatabase, radacctTableProblem, RadacctReader, RadacctReaderOptions, RadacctRow, reading } from './radacct.reader';

/** The NAS address without its prefix length (inet prints 10.0.0.1/32 as text), whether the column is inet or text. */
const ROW_COLUMNS = `radacctid::text AS radacctid, acctuniqueid, username, split_part(nasipaddress::text, '/', 1) AS nas,
  (extract(epoch from acctstarttime) * 1000)::float8 AS start_ms,
  (extract(epoch from acctupdatetime) * 1000)::float8 AS update_ms,
  (extract(epoch from acctstoptime) * 1000)::float8 AS stop_ms,
  acctinputoctets::text AS input_octets, acctoutputoctets::text AS output_octets`;

/** radacct as FreeRADIUS's rlm_sql_postgresql writes it (timestamptz times, inet addresses). */
export class PostgresqlRadacctReader implements RadacctReader {
  readonly endpoint: string;
  private readonly where: string;
  private readonly pool: Pool;

  constructor(db: RadacctDatabase, options: RadacctReaderOptions) {
    this.endpoint = `postgresql://${hostPort(db)}/${db.database}`;
    this.where = `PostgreSQL ${hostPort(db)}/${db.database}`;
    this.pool = new Pool({
      host: db.host,
      port: db.port,
      database: db.database,
      user: db.user,
      password: db.password ?? undefined,
      max: 2,
      connectionTimeoutMillis: options.connectTimeoutMs,
      query_timeout: options.queryTimeoutMs,
      application_name: 'usage-meter-radacct',
      Client: ListenedClient,
    });
    // An idle connection the server ends: pg discards it, and the next statement says what is wrong.
    this.pool.on('error', () => {});
  }

  checkTable(): Promise<void> {
    return reading(this.where, async () => {
      const { rows } = await this.pool.query<{ name: string; type: string }>(
        `SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
          WHERE attrelid = to_regclass('radacct') AND attnum > 0 AND NOT attisdropped`,
      );
      const problem = radacctTableProblem(rows);
      if (problem) throw new Error(problem);
    });
  }

  openOrRecent(maxId: bigint, withinMs: number): Promise<RadacctRow[]> {
    return this.rows(
      `SELECT ${ROW_COLUMNS} FROM radacct
        WHERE radacctid <= $1
          AND (acctstoptime IS NULL OR acctupdatetime >= now() - $2 * interval '1 millisecond' OR acctstoptime >= now() - $2 * interval '1 millisecond')`,
      [maxId.toString(), withinMs],
    );
  }

  async stoppedAmong(acctuniqueids: string[]): Promise<RadacctRow[]> {
    const out: RadacctRow[] = [];
    for (const ids of chunks(acctuniqueids, 5000)) {
      out.push(...(await this.rows(`SELECT ${ROW_COLUMNS} FROM radacct WHERE acctuniqueid = ANY($1::text[]) AND acctstoptime IS NOT NULL`, [ids])));
    }
    return out;
  }

  after(afterId: bigint, limit: number): Promise<RadacctRow[]> {
    return this.rows(`SELECT ${ROW_COLUMNS} FROM radacct WHERE radacctid > $1 ORDER BY radacctid LIMIT $2`, [afterId.toString(), limit]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private rows(sql: string, params: unknown[]): Promise<RadacctRow[]> {
    return reading(this.where, async () => (await this.pool.query<RadacctRow>(sql, params)).rows);
  }
}
