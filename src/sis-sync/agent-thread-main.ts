import { parentPort, workerData } from 'node:worker_threads';
import { nodeSchema } from '../node/node-schema.js';
import { openDatabase } from '../storage/database.js';
import { startZoneDelivery } from '../zones/zone-delivery.js';
import type { AgentThreadData, FromAgentThread, ToAgentThread } from './agent-thread.js';
import { sisNodeAgentBatchFor } from './sis-node-agent.js';

/*
 * The SIS agent thread (agent-thread.ts): the zones' delivery worker with
 * the SIS node agent, on connections of its own, driven by the main
 * thread's wake-ups and drains, and polling besides as it always does.
 */

const port = parentPort!;
const { config, databaseUrl } = (workerData as { data: AgentThreadData }).data;
const post = (message: FromAgentThread) => port.postMessage(message);
const logAt = (level: 'info' | 'warn') => (object: object, message: string) => {
  try {
    post({ type: 'log', level, object, message });
  } catch {
    // A log object that cannot be cloned to the main thread must not fail the batch that logged it.
    post({ type: 'log', level, object: { detail: String(object) }, message });
  }
};

// Few connections: one batch runs at a time; the rest serve failures and the node agent's own acks.
const orm = await openDatabase(databaseUrl, nodeSchema, 4);
const delivery = startZoneDelivery(orm, { nodeAgentBatch: sisNodeAgentBatchFor(orm, config, { info: logAt('info'), warn: logAt('warn') }) });

port.on('message', (message: ToAgentThread) => {
  if (message.type === 'wake') delivery.wake();
  if (message.type === 'drain') {
    delivery.drain().then(
      (count) => post({ type: 'drained', id: message.id, count }),
      (error: unknown) => post({ type: 'drained', id: message.id, error: String(error) }),
    );
  }
  if (message.type === 'stop') void stop();
});

async function stop(): Promise<void> {
  await delivery.stop();
  await orm.close(true);
  post({ type: 'stopped' });
}
