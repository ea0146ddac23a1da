import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the TypeScript module `entry`, with
 * `data` as its `workerData.data`. The thread registers tsx itself
 * (ts-worker-boot.js): however this process loaded TypeScript (`node
 * --import tsx`, the `rex` bin, vitest), a worker cannot load a .ts entry
 * with it on Node 20. This thread's tsx flags are left out of the worker's
 * (registering twice costs startup time); other flags, such as
 * --cpu-prof, carry over.
 */
export function startTsWorker(entry: URL, data: unknown): Worker {
  return new Worker(new URL('./ts-worker-boot.js', import.meta.url), {
    workerData: { entry: entry.href, data },
    execArgv: withoutTsxImports(process.execArgv),
  });
}

function withoutTsxImports(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if ((arg === '--import' || arg === '--loader') && argv[i + 1]?.includes('tsx')) i += 1;
    else if (!/^--(import|loader)=.*tsx/.test(arg)) kept.push(arg);
  }
  return kept;
}
