import { PGlite } from '@electric-sql/pglite';
(async () => {
  const db = new PGlite();
  await db.exec(`CREATE TABLE h AS SELECT g AS id, now() - g * interval '1 second' AS ts, ('10.' || (g>>16)%256 || '.' || (g>>8)%256 || '.' || g%256 || '/32')::cidr AS subnet, g % 1000 AS account_id FROM generate_series(1,110000) g`);
  for (const [name, expr] of [
    ['numeric extract', `floor(extract(epoch FROM ts) * 1000)`],
    ['date_part float', `floor(date_part('epoch', ts) * 1000)::int8`],
  ]) {
    for (let r = 0; r < 2; r++) {
      const t = Date.now();
      const res = await db.query(`SELECT string_agg(concat_ws(',', id, account_id, ${expr}, '', subnet::text), E'\\n' ORDER BY id) AS d FROM h`);
      console.log(name, Date.now() - t, 'ms', (res.rows[0] as any).d.length);
    }
  }
  let t = Date.now();
  await db.query(`SELECT string_agg(concat_ws(',', id, account_id, subnet::text), E'\\n' ORDER BY id) AS d FROM h`);
  console.log('no time', Date.now() - t);
  t = Date.now();
  await db.query(`SELECT string_agg(concat_ws(',', id, account_id), E'\\n' ORDER BY id) AS d FROM h`);
  console.log('no time no subnet', Date.now() - t);
  t = Date.now();
  await db.query(`SELECT string_agg(concat_ws(',', id, account_id, subnet::text), E'\\n') AS d FROM h`);
  console.log('no order', Date.now() - t);
})();
