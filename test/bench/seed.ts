/**
 * bench:seed — how fast the synthetic district streams, and in how much memory.
 *
 *   npm run bench:seed -- [--students 100000]
 *
 * Prints (a) records/s of iterateSyntheticDistrict alone, (b) the same pass
 * with JSON.stringify of every document (what any loader pays at least), and
 * as the baseline (c) JSON.parse + JSON.stringify of an equal number of
 * already-made documents, measured in the same run, plus peak memory.
 */
import { parseArgs } from 'node:util';
import { iterateSyntheticDistrict, type SyntheticRecord } from '../../src/seed/synthetic-district.js';

const { values } = parseArgs({ options: { students: { type: 'string', default: '100000' } } });
const students = Number(values.students);
const district = { ncesId: '0400720', name: 'Desert Sky Unified School District', state: 'AZ' };

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 200);

function timed(label: string, run: () => { records: number; bytes: number }): { seconds: number; records: number } {
  const started = performance.now();
  const { records, bytes } = run();
  const seconds = (performance.now() - started) / 1000;
  sample();
  const megabytes = bytes > 0 ? `, ${(bytes / 1e6).toFixed(0)} MB JSON` : '';
  console.log(`${label.padEnd(46)} ${records.toLocaleString('en-US').padStart(10)} records in ${seconds.toFixed(1).padStart(6)} s = ${Math.round(records / seconds).toLocaleString('en-US').padStart(8)} records/s${megabytes}`);
  return { seconds, records };
}

function generate(withJson: boolean): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  for (const record of iterateSyntheticDistrict({ students, district })) {
    records++;
    if (withJson) bytes += JSON.stringify(record.document).length;
    if ((records & 0xffff) === 0) sample();
  }
  return { records, bytes };
}

/** Baseline: copy-and-serialize an equal count of documents shaped like ours (a pool of real ones). */
function baseline(count: number): { records: number; bytes: number } {
  const pool: SyntheticRecord[] = [];
  for (const record of iterateSyntheticDistrict({ students: 200, district })) pool.push(record);
  const texts = pool.map((record) => JSON.stringify(record.document));
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += JSON.stringify(JSON.parse(texts[i % texts.length] ?? '{}')).length;
  return { records: count, bytes };
}

console.log(`synthetic district of ${students.toLocaleString('en-US')} students (machine shared and noisy: figures vary run to run)`);
const plain = timed('(a) generate (iterateSyntheticDistrict)', () => generate(false));
const json = timed('(b) generate + JSON.stringify', () => generate(true));
const base = timed('(c) baseline: JSON.parse+stringify only', () => baseline(plain.records));
clearInterval(sampler);
console.log(`ratios: (a)/(c) time ${(plain.seconds / base.seconds).toFixed(2)}×, (b)/(c) time ${(json.seconds / base.seconds).toFixed(2)}×`);
console.log(`records per student: ${(plain.records / Math.max(students, 1)).toFixed(1)}`);
console.log(`peak memory: rss sampled ${(peakRss / 1e6).toFixed(0)} MB, maxRSS ${(process.resourceUsage().maxRSS / 1e3).toFixed(0)} MB`);
