import { radacctTableProblem } from '../../../src/ingest/radius/radacct.reader';

/** The columns of FreeRADIUS's stock radacct as each engine's catalogue names their types. */
const POSTGRESQL = [
  ['radacctid', 'bigint'], ['acctsessionid', 'text'], ['acctuniqueid', 'text'], ['username', 'text'], ['nasipaddress', 'inet'],
  ['acctstarttime', 'timestamp with time zone'], ['acctupdatetime', 'timestamp with time zone'], ['acctstoptime', 'timestamp with time zone'],
  ['acctinputoctets', 'bigint'], ['acctoutputoctets', 'bigint'], ['framedipaddress', 'inet'],
].map(([name, type]) => ({ name, type }));
const MYSQL = [
  ['radacctid', 'bigint'], ['acctsessionid', 'varchar'], ['acctuniqueid', 'varchar'], ['username', 'varchar'], ['nasipaddress', 'varchar'],
  ['acctstarttime', 'datetime'], ['acctupdatetime', 'datetime'], ['acctstoptime', 'datetime'],
  ['acctinputoctets', 'bigint'], ['acctoutputoctets', 'bigint'], ['framedipaddress', 'varchar'],
].map(([name, type]) => ({ name, type }));

describe('radacctTableProblem', () => {
  it("accepts FreeRADIUS's stock schema on both engines", () => {
    expect(radacctTableProblem(POSTGRESQL)).toBeNull();
    expect(radacctTableProblem(MYSQL)).toBeNull();
  });

  it('says there is no table', () => {
    expect(radacctTableProblem([])).toMatch(/^there is no radacct table/);
  });

  it('names every missing column and every column of the wrong type', () => {
    const columns = MYSQL.filter((c) => c.name !== 'acctuniqueid' && c.name !== 'acctupdatetime').map((c) =>
      c.name === 'acctinputoctets' ? { ...c, type: 'varchar' } : c.name === 'acctstoptime' ? { ...c, type: 'int' } : c,
    );
    expect(radacctTableProblem(columns)).toBe(
      "radacct has no column acctuniqueid, acctupdatetime; acctstoptime is int, not a date and time; acctinputoctets is varchar, not an integer (expected FreeRADIUS's stock radacct schema)",
    );
  });
});
