// Entry of a worker thread running a TypeScript module (ts-worker.ts): registers tsx in this
// thread, then loads the module. Plain JavaScript because nothing can load TypeScript before this runs.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
