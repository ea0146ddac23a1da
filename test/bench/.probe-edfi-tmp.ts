import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { prepareDocument } from '../../src/edfi/document-identity.js';
import { RecordWriter } from '../../src/loading/record-writer.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { loadStandardDescriptors } from '../../src/records/standard-descriptors.js';
import { upsertDocument } from '../../src/records/document-store.js';
import { iterateSyntheticDistrict } from '../../src/seed/synthetic-district.js';
import { migrate, openDatabase } from '../../src/storage/database.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/storage/embedded-postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'rex-probe-'));
const postgres = await startEmbeddedPostgres(join(dir, 'pg'));
try {
  await ensureDatabase(postgres.url('postgres'), 'p');
  const orm = await openDatabase(postgres.url('p'), nodeSchema, 10);
  await migrate(orm, nodeSchema);
  await loadStandardDescriptors(orm.em.fork());
  const org: any[] = []; const students: any[] = [];
  let fam = false;
  for (const r of iterateSyntheticDistrict({ students: 1000, district: { ncesId: '0499901', name: 'B', state: 'AZ' } })) {
    if (r.resource === 'contacts') fam = true;
    if (!fam) org.push(r); else if (r.resource === 'students') students.push(r.document);
  }
  await new RecordWriter(orm, edfiSpec()).write(org);
  const spec = edfiSpec(); const res = spec.resource('ed-fi', 'students')!;
  const prepared = students.map((s) => prepareDocument(spec, res, s) as any);
  const knex = orm.em.getConnection().getKnex();
  let captured: any[] = []; knex.on('query', (q: any) => { if (q.sql.includes('written AS')) captured.push(q); });
  let t = performance.now();
  for (let i = 0; i < 300; i++) await upsertDocument(orm.em.fork(), prepared[i]);
  console.log('upsertDocument sequential ms', ((performance.now() - t) / 300).toFixed(2));
  knex.removeAllListeners('query');
  const pgc = await knex.client.acquireConnection();
  const text = (() => { let k = 0; return captured[0].sql.replace(/\?/g, () => '$' + ++k); })();
  t = performance.now();
  for (let i = 0; i < 300; i++) await pgc.query({ name: 'raw1', text, values: captured[i].bindings });
  console.log('raw pg named, same statements again (updates) ms', ((performance.now() - t) / 300).toFixed(2));
  t = performance.now();
  for (let i = 0; i < 300; i++) await pgc.query({ text, values: captured[i].bindings });
  console.log('raw pg unnamed ms', ((performance.now() - t) / 300).toFixed(2));
  await pgc.query('BEGIN');
  t = performance.now();
  for (let i = 0; i < 300; i++) await pgc.query({ name: 'raw1', text, values: captured[i].bindings });
  console.log('raw pg named in one tx ms', ((performance.now() - t) / 300).toFixed(2));
  await pgc.query('COMMIT');
  await pgc.query('BEGIN');
  t = performance.now();
  for (let i = 0; i < 300; i++) await pgc.query({ text: 'UPDATE edfi_document SET last_modified = now() WHERE id = $1', values: [captured[i].bindings[1]] });
  console.log('trivial update in one tx ms', ((performance.now() - t) / 300).toFixed(2));
  await pgc.query('COMMIT');
  await knex.client.releaseConnection(pgc);
  await orm.close(true);
} finally { await postgres.stop(); }
