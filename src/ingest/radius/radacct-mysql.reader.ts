import { createPool, Pool, RowDataPacket } from 'mysql2/promise';
import { chunks, hostPort, RadacctDatabase, radacctTableProblem, RadacctReader, RadacctReaderOptions, RadacctRow, reading } from './radacct.reader';

/**
 * Times: the stock queries.conf writes `FROM_UNIXTIME(epoch)`, which turns the epoch into a
 * DATETIME in the writing session's time zone, and UNIX_TIMESTAMP() turns it back in ours. Both
 * sessions keep the server's default time zone (neither sets one), so the round trip is exact
 * (except within the repeated hour when a local time zone's clocks go back).
 * Integers travel as decimal strings (CAST, and bigNumberStrings): octets exceed 2^53.
 */
const ROW_COLUMNS = `CAST(radacctid AS CHAR) AS radacctid, acctuniqueid, username, nasipaddress AS nas,
  UNIX_TIMESTAMP(acctstarttime) AS start_s, UNIX_TIMESTAMP(acctupdatetime) AS update_s, UNIX_TIMESTAMP(acctstoptime) AS stop_s,
  CAST(acctinputoctets AS CHAR) AS input_octets, CAST(acctoutputoctets AS CHAR) AS output_octets`;

interface MysqlRow extends RowDataPacket {
  radacctid: string;
  acctuniqueid: string;
  username: string | null;
  nas: string | null;
  start_s: string | number | null;
  update_s: string | number | null;
  stop_s: string | number | null;
  input_octets: string | null;
  output_octets: string | null;
}

/** radacct as FreeRADIUS's rlm_sql_mysql writes it to MySQL or MariaDB (DATETIME times, VARCHAR addresses). */
export class MysqlRadacctReader implements RadacctReader {
  readonly endpoint: string;
  private readonly where: string;
  private readonly pool: Pool;

  constructor(db: RadacctDatabase, private readonly options: RadacctReaderOptions) {
    this.endpoint = `mysql://${hostPort(db)}/${db.database}`;
    this.where = `MySQL ${hostPort(db)}/${db.database}`;
    this.pool = createPool({
      host: db.host,
      port: db.port,
      database: db.database,
      user: db.user,
      password: db.password ?? '',
      connectionLimit: 2,
      connectTimeout: options.connectTimeoutMs,
      supportBigNumbers: true,
      bigNumberStrings: true,
      enableKeepAlive: true,
    });
  }

  checkTable(): Promise<void> {
    return reading(this.where, async () => {
      const [rows] = await this.pool.query<RowDataPacket[]>({
        sql: `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'radacct'`,
        timeout: this.options.queryTimeoutMs,
      });
      const problem = radacctTableProblem(rows.map((r) => ({ name: String(r.name), type: String(r.type) })));
      if (problem) throw new Error(problem);
    });
  }

  openOrRecent(maxId: bigint, withinMs: number): Promise<RadacctRow[]> {
    const withinS = Math.ceil(withinMs / 1000);
    return this.rows(
      `SELECT ${ROW_COLUMNS} FROM radacct
        WHERE radacctid <= CAST(? AS SIGNED)
          AND (acctstoptime IS NULL OR acctupdatetime >= NOW() - INTERVAL ? SECOND OR acctstoptime >= NOW() - INTERVAL ? SECOND)`,
      [maxId.toString(), withinS, withinS],
    );
  }

  async stoppedAmong(acctuniqueids: string[]): Promise<RadacctRow[]> {
    const out: RadacctRow[] = [];
    for (const ids of chunks(acctuniqueids, 1000)) {
      out.push(...(await this.rows(`SELECT ${ROW_COLUMNS} FROM radacct WHERE acctuniqueid IN (?) AND acctstoptime IS NOT NULL`, [ids])));
    }
    return out;
  }

  after(afterId: bigint, limit: number): Promise<RadacctRow[]> {
    return this.rows(`SELECT ${ROW_COLUMNS} FROM radacct WHERE radacctid > CAST(? AS SIGNED) ORDER BY radacctid LIMIT ?`, [afterId.toString(), limit]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private rows(sql: string, values: unknown[]): Promise<RadacctRow[]> {
    return reading(this.where, async () => {
      const [rows] = await this.pool.query<MysqlRow[]>({ sql, values, timeout: this.options.queryTimeoutMs });
      return rows.map(toRow);
    });
  }
}

/** The driver's values as RadacctRow: times in ms, the NOT NULL DEFAULT '' of an absent NAS address as null. */
function toRow(r: MysqlRow): RadacctRow {
  const ms = (seconds: string | number | null) => (seconds === null ? null : Math.round(Number(seconds) * 1000));
  return {
    radacctid: r.radacctid,
    acctuniqueid: r.acctuniqueid,
    username: r.username,
    nas: r.nas === '' ? null : r.nas,
    start_ms: ms(r.start_s),
    update_ms: ms(r.update_s),
    stop_ms: ms(r.stop_s),
    input_octets: r.input_octets,
    output_octets: r.output_octets,
  };
}
