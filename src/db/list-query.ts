import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badInput } from '../errors';
import { isStrictAddress } from '../net/ip';
import { INT64_MAX, INT64_MIN } from './int64';

/**
 * Sonar's list arguments (equality filters, paginator, sorter, search, general_search),
 * translated into SQL conditions with bound parameters. Pure: no GraphQL, no database.
 *
 * Safety rule: attribute names never reach SQL unless they are in the entity's whitelist
 * (`ListSpec.columns`); values only ever travel as parameters. An unknown attribute is a
 * BAD_USER_INPUT DomainError that names it.
 */

/** How a column is compared; decides which Search member may name it. */
export type ColumnKind = 'string' | 'integer' | 'datetime' | 'date' | 'ip' | 'boolean';
export type SortDirection = 'ASC' | 'DESC';
export type ComparisonOperator = 'GTE' | 'GT' | 'LTE' | 'LT' | 'EQ' | 'NEQ';

/** What a list query may touch on one entity: its columns (attribute = column name) and kinds. */
export interface ListSpec {
  /** The GraphQL type name, for error messages ("Account has no attribute foo"). */
  entity: string;
  columns: Readonly<Record<string, ColumnKind>>;
  /** Columns `general_search` looks into (any kind, compared as text); default: every `string` column. */
  generalSearch?: readonly string[];
}

/** The columns every entity has (see BaseEntity); spread them into a ListSpec. */
export const BASE_COLUMNS = { id: 'integer', created_at: 'datetime', updated_at: 'datetime' } as const satisfies Record<string, ColumnKind>;

export const MAX_RECORDS_PER_PAGE = 10_000;
export const DEFAULT_RECORDS_PER_PAGE = 100;

export interface Paginator {
  page: number;
  records_per_page: number;
}

export interface Sorter {
  attribute: string;
  direction: SortDirection;
}

export interface StringField {
  attribute: string;
  search_value: string;
  /** false negates the condition. */
  match: boolean;
  /** true: case-insensitive substring; false/absent: exact equality. */
  partial_matching?: boolean | null;
}

export interface ComparisonField<V> {
  attribute: string;
  search_value: V;
  operator: ComparisonOperator;
}

export interface IpAddressField {
  attribute: string;
  /** An address or subnet: a row matches when its column lies inside it (`<<=`). */
  search_value: string;
  match: boolean;
}

export interface BooleanField {
  attribute: string;
  search_value: boolean;
}

/** One Search object: all its conditions are ANDed. Several Search objects are ORed. */
export interface Search {
  string_fields?: StringField[] | null;
  integer_fields?: ComparisonField<number | bigint | string>[] | null;
  datetime_fields?: ComparisonField<Date | string>[] | null;
  ip_address_fields?: IpAddressField[] | null;
  boolean_fields?: BooleanField[] | null;
}

export interface ListQuery {
  /** Equality per column; `undefined` and `null` both mean "not filtered". */
  filters?: Readonly<Record<string, unknown>>;
  paginator?: Paginator | null;
  sorter?: Sorter[] | null;
  search?: Search[] | null;
  general_search?: string | null;
}

/** The SQL pieces of a ListQuery, ready for a query builder whose main alias is `alias`. */
export interface ListSql {
  /** null when nothing filters. */
  where: string | null;
  parameters: Record<string, unknown>;
  /** Quoted column expressions; always ends with the primary key so pages are stable. */
  orderBy: Array<[expression: string, direction: SortDirection]>;
  page: number;
  limit: number;
  offset: number;
}

const OPERATORS: Record<ComparisonOperator, string> = {
  GTE: '>=',
  GT: '>',
  LTE: '<=',
  LT: '<',
  EQ: '=',
  // NULL-safe: a NULL column is "not equal" to any value.
  NEQ: 'IS DISTINCT FROM',
};

const KIND_MEMBER: Record<ColumnKind, keyof Search> = {
  string: 'string_fields',
  integer: 'integer_fields',
  datetime: 'datetime_fields',
  date: 'datetime_fields',
  ip: 'ip_address_fields',
  boolean: 'boolean_fields',
};

/** Checks and normalizes a paginator: page >= 1, records_per_page 1..MAX_RECORDS_PER_PAGE. */
export function resolvePaginator(paginator?: Paginator | null): Paginator {
  const page = paginator?.page ?? 1;
  const size = paginator?.records_per_page ?? DEFAULT_RECORDS_PER_PAGE;
  if (!Number.isSafeInteger(page) || page < 1) {
    throw badInput(`paginator.page must be an integer of at least 1 (got ${page})`);
  }
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_RECORDS_PER_PAGE) {
    throw badInput(`paginator.records_per_page must be between 1 and ${MAX_RECORDS_PER_PAGE} (got ${size})`);
  }
  return { page, records_per_page: size };
}

/**
 * Translates `query` for an entity into SQL over `alias`. Parameter names start with
 * `paramPrefix` so two translations can share one statement (e.g. a subquery).
 */
export function translateListQuery(spec: ListSpec, query: ListQuery, alias: string, paramPrefix = 'lq_'): ListSql {
  const parameters: Record<string, unknown> = {};
  let counter = 0;
  const param = (value: unknown): string => {
    const name = `${paramPrefix}${counter++}`;
    parameters[name] = value;
    return `:${name}`;
  };
  const column = (attribute: string, context: string): { sql: string; kind: ColumnKind } => {
    const kind = Object.prototype.hasOwnProperty.call(spec.columns, attribute) ? spec.columns[attribute] : undefined;
    if (!kind) {
      throw badInput(
        `${spec.entity} has no attribute "${attribute}" (in ${context}); known attributes: ${Object.keys(spec.columns).sort().join(', ')}`,
        { attribute },
      );
    }
    return { sql: `"${alias}"."${attribute}"`, kind };
  };

  const conditions: string[] = [];

  for (const [attribute, value] of Object.entries(query.filters ?? {})) {
    if (value === undefined || value === null) continue;
    const { sql, kind } = column(attribute, 'filter arguments');
    conditions.push(`${sql} = ${castParam(kind, param(filterValue(kind, attribute, value)))}`);
  }

  const groups = (query.search ?? []).map((search) => searchGroup(search, column, param)).filter((g) => g !== null);
  if (groups.length === 1) conditions.push(groups[0]);
  else if (groups.length > 1) conditions.push(`(${groups.map((g) => `(${g})`).join(' OR ')})`);

  const general = query.general_search?.trim();
  if (general) {
    const targets = spec.generalSearch ?? Object.keys(spec.columns).filter((c) => spec.columns[c] === 'string');
    if (targets.length > 0) {
      const pattern = param(`%${escapeLike(general)}%`);
      const text = (c: string) => {
        const { sql, kind } = column(c, 'general_search');
        // inet/cidr print as "10.0.0.0/24": searching their text finds "10.0." as a person expects.
        return kind === 'ip' ? `text(${sql})` : kind === 'string' ? sql : `${sql}::text`;
      };
      conditions.push(`(${targets.map((c) => `${text(c)} ILIKE ${pattern}`).join(' OR ')})`);
    }
  }

  const orderBy: ListSql['orderBy'] = [];
  for (const sorter of query.sorter ?? []) {
    if (sorter.direction !== 'ASC' && sorter.direction !== 'DESC') {
      throw badInput(`sorter.direction must be ASC or DESC (got ${String(sorter.direction)})`);
    }
    orderBy.push([column(sorter.attribute, 'sorter').sql, sorter.direction]);
  }
  // A total order, so that consecutive pages neither repeat nor skip rows.
  if (!orderBy.some(([expr]) => expr === `"${alias}"."id"`)) orderBy.push([`"${alias}"."id"`, 'ASC']);

  const { page, records_per_page } = resolvePaginator(query.paginator);
  return {
    where: conditions.length ? conditions.join(' AND ') : null,
    parameters,
    orderBy,
    page,
    limit: records_per_page,
    offset: (page - 1) * records_per_page,
  };
}

/** Adds the conditions and the ordering of `sql` to a query builder (not the paging). */
export function applyListSql<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, sql: ListSql): SelectQueryBuilder<T> {
  if (sql.where) qb.andWhere(sql.where, sql.parameters);
  sql.orderBy.forEach(([expression, direction], i) =>
    i === 0 ? qb.orderBy(expression, direction) : qb.addOrderBy(expression, direction),
  );
  return qb;
}

type ColumnLookup = (attribute: string, context: string) => { sql: string; kind: ColumnKind };

function searchGroup(search: Search, column: ColumnLookup, param: (v: unknown) => string): string | null {
  const parts: string[] = [];
  const expect = (attribute: string, member: keyof Search) => {
    const c = column(attribute, `search.${member}`);
    if (KIND_MEMBER[c.kind] !== member) {
      throw badInput(`"${attribute}" is a ${c.kind} attribute: search it with ${KIND_MEMBER[c.kind]}, not ${member}`, { attribute });
    }
    return c;
  };

  for (const f of search.string_fields ?? []) {
    const { sql } = expect(f.attribute, 'string_fields');
    const condition = f.partial_matching
      ? `${sql} ILIKE ${param(`%${escapeLike(f.search_value)}%`)}`
      : `${sql} = ${param(f.search_value)}`;
    parts.push(f.match === false ? negate(condition) : condition);
  }
  for (const f of search.integer_fields ?? []) {
    const { sql } = expect(f.attribute, 'integer_fields');
    parts.push(`${sql} ${operator(f.operator)} ${param(integerValue(f.attribute, f.search_value))}`);
  }
  for (const f of search.datetime_fields ?? []) {
    const { sql, kind } = expect(f.attribute, 'datetime_fields');
    parts.push(`${sql} ${operator(f.operator)} ${castParam(kind, param(datetimeValue(f.attribute, f.search_value)))}`);
  }
  for (const f of search.ip_address_fields ?? []) {
    const { sql } = expect(f.attribute, 'ip_address_fields');
    // "the address/subnet in the column lies inside the searched one"
    const condition = `${sql} <<= ${param(ipValue(f.attribute, f.search_value))}::inet`;
    parts.push(f.match === false ? negate(condition) : condition);
  }
  for (const f of search.boolean_fields ?? []) {
    const { sql } = expect(f.attribute, 'boolean_fields');
    if (typeof f.search_value !== 'boolean') throw badInput(`boolean_fields.search_value for "${f.attribute}" must be true or false`);
    parts.push(`${sql} = ${param(f.search_value)}`);
  }
  return parts.length ? parts.join(' AND ') : null;
}

/** NOT that treats NULL as "does not match", so a negated search returns rows whose column is NULL. */
function negate(condition: string): string {
  return `NOT COALESCE(${condition}, false)`;
}

function operator(op: ComparisonOperator): string {
  const sql = Object.prototype.hasOwnProperty.call(OPERATORS, op) ? OPERATORS[op] : undefined;
  if (!sql) throw badInput(`operator must be one of ${Object.keys(OPERATORS).join(', ')} (got ${String(op)})`);
  return sql;
}

function castParam(kind: ColumnKind, placeholder: string): string {
  switch (kind) {
    case 'ip':
      return `${placeholder}::inet`;
    case 'datetime':
      return `${placeholder}::timestamptz`;
    case 'date':
      return `${placeholder}::date`;
    default:
      return placeholder;
  }
}

function filterValue(kind: ColumnKind, attribute: string, value: unknown): unknown {
  switch (kind) {
    case 'integer':
      return integerValue(attribute, value as number);
    case 'datetime':
    case 'date':
      return datetimeValue(attribute, value as Date | string);
    case 'ip':
      return ipValue(attribute, String(value));
    case 'boolean':
      if (typeof value !== 'boolean') throw badInput(`"${attribute}" must be true or false`);
      return value;
    default:
      return String(value);
  }
}

/** Integers travel as decimal strings so int8 columns compare exactly. */
function integerValue(attribute: string, value: number | bigint | string): string {
  let n: bigint;
  try {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error();
    if (typeof value === 'string' && !/^-?\d+$/.test(value.trim())) throw new Error();
    n = BigInt(typeof value === 'string' ? value.trim() : value);
  } catch {
    throw badInput(`"${attribute}" needs an integer search_value (got ${String(value)})`, { attribute });
  }
  if (n < INT64_MIN || n > INT64_MAX) throw badInput(`"${attribute}" search_value is outside the 64-bit range`, { attribute });
  return n.toString();
}

function datetimeValue(attribute: string, value: Date | string): string {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw badInput(`"${attribute}" needs a date/time search_value (got ${String(value)})`, { attribute });
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return date.toISOString();
}

/** An address or CIDR, checked here so a typo is a clear error and never a SQL error. */
function ipValue(attribute: string, value: string): string {
  const text = String(value).trim();
  const [address, prefix, extra] = text.split('/');
  const valid =
    extra === undefined &&
    isStrictAddress(address) &&
    (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (address.includes(':') ? 128 : 32)));
  if (!valid) throw badInput(`"${attribute}" needs an IP address or subnet in CIDR notation (got ${text})`, { attribute });
  return text;
}

/** Makes %, _ and \ literal inside an ILIKE pattern (backslash is PostgreSQL's default escape). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
