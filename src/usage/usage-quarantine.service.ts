import type { DataSource, EntityManager } from 'typeorm';
import { UsageQuarantine } from '../db/entities';
import { findPage, Page } from '../db/list-page';
import { BASE_COLUMNS, ListQuery, ListSpec } from '../db/list-query';
import { sqlState } from '../db/sql-errors';
import type { UnattributedIncrement, UsageIncrement } from './ledger';

/** One ledger row the database refused, and why. */
export type RefusedRow = ({ kind: 'usage'; row: UsageIncrement } | { kind: 'unattributed'; row: UnattributedIncrement }) & { error: unknown };

/** Names for the SQLSTATEs a row's data can cause, for the /metrics reason label (others: `sqlstate_<code>`). */
const SQL_STATE_NAMES: Record<string, string> = {
  '22003': 'numeric_value_out_of_range',
  '22008': 'datetime_field_overflow',
  '22P02': 'invalid_text_representation',
  '22021': 'character_not_in_repertoire',
  '22001': 'string_data_right_truncation',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
};

/** A short, bounded reason for a refused row: the SQLSTATE's name, or `refused` when the writer's own check refused it. */
export function refusalReason(error: unknown): string {
  const code = sqlState(error);
  if (!code) return 'refused';
  return SQL_STATE_NAMES[code] ?? `sqlstate_${code}`;
}

/** PostgreSQL text cannot hold NUL: a refused row is kept whatever its labels contain. */
const storable = (text: string) => text.replace(/\u0000/g, '\uFFFD');

/**
 * Sets refused rows aside in usage_quarantine (one statement): their data as it was, the
 * database's message and SQLSTATE, their source. Nothing in it reaches the ledger.
 */
export async function quarantineRows(manager: EntityManager, refused: readonly RefusedRow[]): Promise<void> {
  if (refused.length === 0) return;
  // Years 0 to 9999 only: beyond them toISOString writes a form PostgreSQL does not read, and the row must go in whatever it holds.
  const time = (ms: number) => (ms >= -62_167_219_200_000 && ms < 253_402_300_800_000 ? new Date(ms).toISOString() : null);
  await manager.query(
    `INSERT INTO usage_quarantine (kind, account_id, ip, data_source_parent, data_source_identifier, time, in_bytes, out_bytes, reason, sql_state)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::numeric[], $8::numeric[], $9::text[], $10::text[])`,
    [
      refused.map((r) => r.kind),
      refused.map((r) => (r.kind === 'usage' ? String(r.row.accountId) : null)),
      refused.map((r) => (r.kind === 'unattributed' ? storable(r.row.ip) : null)),
      refused.map((r) => storable(r.row.source.parent)),
      refused.map((r) => storable(r.row.source.identifier)),
      refused.map((r) => time(r.row.timeMs)),
      refused.map((r) => r.row.inBytes.toString()),
      refused.map((r) => r.row.outBytes.toString()),
      refused.map((r) => storable(r.error instanceof Error ? r.error.message : String(r.error))),
      refused.map((r) => sqlState(r.error) ?? null),
    ],
  );
}

export const USAGE_QUARANTINE_LIST: ListSpec = {
  entity: 'UsageQuarantine',
  columns: {
    ...BASE_COLUMNS,
    kind: 'string',
    account_id: 'integer',
    ip: 'string',
    data_source_parent: 'string',
    data_source_identifier: 'string',
    time: 'datetime',
    reason: 'string',
    sql_state: 'string',
  },
  generalSearch: ['data_source_parent', 'data_source_identifier', 'ip', 'reason'],
};

/** The quarantine, read side (written only by the buffered usage writer). */
export class UsageQuarantineService {
  constructor(private readonly dataSource: DataSource) {}

  list(query: ListQuery): Promise<Page<UsageQuarantine>> {
    return findPage(this.dataSource.getRepository(UsageQuarantine).createQueryBuilder('usage_quarantine'), USAGE_QUARANTINE_LIST, query);
  }
}
