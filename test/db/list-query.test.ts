import { BASE_COLUMNS, ListSpec, translateListQuery, escapeLike } from '../../src/db/list-query';
import { DomainError } from '../../src/errors';

const spec: ListSpec = {
  entity: 'Thing',
  columns: { ...BASE_COLUMNS, name: 'string', note: 'string', size: 'integer', subnet: 'ip', on: 'boolean', day: 'date' },
};

function badInput(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_USER_INPUT');
    return error as DomainError;
  }
  throw new Error('expected a BAD_USER_INPUT DomainError');
}

describe('translateListQuery', () => {
  it('defaults: no condition, first page of 100, ordered by id', () => {
    expect(translateListQuery(spec, {}, 't')).toEqual({
      where: null,
      parameters: {},
      orderBy: [['"t"."id"', 'ASC']],
      page: 1,
      limit: 100,
      offset: 0,
    });
  });

  it('equality filters skip undefined and null, and bind values as parameters', () => {
    const sql = translateListQuery(spec, { filters: { name: "O'Brien", size: 5, note: undefined, on: null, subnet: '10.0.0.0/8' } }, 't');
    expect(sql.where).toBe('"t"."name" = :lq_0 AND "t"."size" = :lq_1 AND "t"."subnet" = :lq_2::inet');
    expect(sql.parameters).toEqual({ lq_0: "O'Brien", lq_1: '5', lq_2: '10.0.0.0/8' });
  });

  it('ANDs inside one Search object and ORs between Search objects', () => {
    const sql = translateListQuery(
      spec,
      {
        search: [
          {
            string_fields: [{ attribute: 'name', search_value: 'ab', match: true, partial_matching: true }],
            integer_fields: [{ attribute: 'size', search_value: 10, operator: 'GTE' }],
          },
          { boolean_fields: [{ attribute: 'on', search_value: true }], integer_fields: [{ attribute: 'size', search_value: '3', operator: 'NEQ' }] },
        ],
      },
      't',
    );
    expect(sql.where).toBe(
      '(("t"."name" ILIKE :lq_0 AND "t"."size" >= :lq_1) OR ("t"."size" IS DISTINCT FROM :lq_2 AND "t"."on" = :lq_3))',
    );
    expect(sql.parameters).toEqual({ lq_0: '%ab%', lq_1: '10', lq_2: '3', lq_3: true });
  });

  it('every operator maps to its SQL comparison', () => {
    const ops = { GTE: '>=', GT: '>', LTE: '<=', LT: '<', EQ: '=', NEQ: 'IS DISTINCT FROM' } as const;
    for (const [op, sqlOp] of Object.entries(ops)) {
      const sql = translateListQuery(spec, { search: [{ datetime_fields: [{ attribute: 'created_at', search_value: '2026-01-02T03:04:05+02:00', operator: op as never }] }] }, 't');
      expect(sql.where).toBe(`"t"."created_at" ${sqlOp} :lq_0::timestamptz`);
      expect(sql.parameters).toEqual({ lq_0: '2026-01-02T01:04:05.000Z' });
    }
  });

  it('exact and negated string matches; negation keeps NULL rows', () => {
    const sql = translateListQuery(spec, { search: [{ string_fields: [{ attribute: 'name', search_value: 'x', match: false }] }] }, 't');
    expect(sql.where).toBe('NOT COALESCE("t"."name" = :lq_0, false)');
  });

  it('ip_address_fields: the column lies inside the searched address/subnet', () => {
    const sql = translateListQuery(spec, { search: [{ ip_address_fields: [{ attribute: 'subnet', search_value: '10.0.0.0/8', match: true }, { attribute: 'subnet', search_value: '2001:db8::/32', match: false }] }] }, 't');
    expect(sql.where).toBe('"t"."subnet" <<= :lq_0::inet AND NOT COALESCE("t"."subnet" <<= :lq_1::inet, false)');
  });

  it('general_search: partial, case-insensitive, over the string columns, with LIKE wildcards escaped', () => {
    const sql = translateListQuery(spec, { general_search: ' 50%_off ' }, 't');
    expect(sql.where).toBe('("t"."name" ILIKE :lq_0 OR "t"."note" ILIKE :lq_0)');
    expect(sql.parameters).toEqual({ lq_0: '%50\\%\\_off%' });
    expect(escapeLike('a\\b')).toBe('a\\\\b');
    const withIp = translateListQuery({ ...spec, generalSearch: ['name', 'subnet', 'size'] }, { general_search: '10.0.' }, 't');
    expect(withIp.where).toBe('("t"."name" ILIKE :lq_0 OR text("t"."subnet") ILIKE :lq_0 OR "t"."size"::text ILIKE :lq_0)');
  });

  it('sorts by the sorter and then by id, and pages with offset', () => {
    const sql = translateListQuery(spec, { sorter: [{ attribute: 'size', direction: 'DESC' }, { attribute: 'name', direction: 'ASC' }], paginator: { page: 3, records_per_page: 25 } }, 't');
    expect(sql.orderBy).toEqual([['"t"."size"', 'DESC'], ['"t"."name"', 'ASC'], ['"t"."id"', 'ASC']]);
    expect(sql).toMatchObject({ page: 3, limit: 25, offset: 50 });
  });

  it('uses the given parameter prefix', () => {
    expect(translateListQuery(spec, { filters: { size: 1 } }, 't', 'p').parameters).toEqual({ p0: '1' });
  });

  describe('refuses, as BAD_USER_INPUT and never as SQL', () => {
    it('unknown attributes, naming them', () => {
      expect(badInput(() => translateListQuery(spec, { sorter: [{ attribute: 'size; DROP TABLE x', direction: 'ASC' }] }, 't')).message).toMatch(
        /Thing has no attribute "size; DROP TABLE x" \(in sorter\)/,
      );
      expect(badInput(() => translateListQuery(spec, { filters: { password: 'x' } }, 't')).message).toMatch(/"password"/);
      expect(badInput(() => translateListQuery(spec, { search: [{ string_fields: [{ attribute: 'nope', search_value: 'x', match: true }] }] }, 't')).message).toMatch(/"nope"/);
      expect(badInput(() => translateListQuery(spec, { filters: { constructor: 1 } }, 't')).message).toMatch(/"constructor"/);
    });
    it('a Search member that does not fit the column', () => {
      expect(badInput(() => translateListQuery(spec, { search: [{ string_fields: [{ attribute: 'size', search_value: '1', match: true }] }] }, 't')).message).toMatch(
        /"size" is a integer attribute: search it with integer_fields/,
      );
    });
    it('page size 0 or 100000 and page 0', () => {
      expect(badInput(() => translateListQuery(spec, { paginator: { page: 1, records_per_page: 0 } }, 't')).message).toMatch(/records_per_page must be between 1 and 10000 \(got 0\)/);
      expect(badInput(() => translateListQuery(spec, { paginator: { page: 1, records_per_page: 100000 } }, 't')).message).toMatch(/got 100000/);
      expect(badInput(() => translateListQuery(spec, { paginator: { page: 0, records_per_page: 10 } }, 't')).message).toMatch(/page must be an integer of at least 1/);
      expect(translateListQuery(spec, { paginator: { page: 1, records_per_page: 10000 } }, 't').limit).toBe(10000);
    });
    it('values of the wrong shape', () => {
      badInput(() => translateListQuery(spec, { search: [{ integer_fields: [{ attribute: 'size', search_value: '1.5', operator: 'EQ' }] }] }, 't'));
      badInput(() => translateListQuery(spec, { search: [{ integer_fields: [{ attribute: 'size', search_value: (2n ** 70n).toString(), operator: 'EQ' }] }] }, 't'));
      badInput(() => translateListQuery(spec, { search: [{ datetime_fields: [{ attribute: 'day', search_value: 'yesterday', operator: 'EQ' }] }] }, 't'));
      badInput(() => translateListQuery(spec, { search: [{ ip_address_fields: [{ attribute: 'subnet', search_value: '10.0.0.0/33', match: true }] }] }, 't'));
      badInput(() => translateListQuery(spec, { search: [{ ip_address_fields: [{ attribute: 'subnet', search_value: '10.1', match: true }] }] }, 't'));
      badInput(() => translateListQuery(spec, { search: [{ integer_fields: [{ attribute: 'size', search_value: 1, operator: 'LIKE' as never }] }] }, 't'));
      badInput(() => translateListQuery(spec, { sorter: [{ attribute: 'size', direction: 'UP' as never }] }, 't'));
    });
  });
});
