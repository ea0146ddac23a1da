import pg from 'pg';
import { CLIENT_CHANNEL } from './client-store.js';

/**
 * Listens for client changes (revocations) on a dedicated connection and
 * calls `onChange` with the client key, or `*` after a reconnect, when
 * changes may have been missed. Returns a function that stops listening.
 */
export async function listenForClientChanges(url: string, onChange: (clientKey: string) => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => onChange(message.payload ?? '*'));
    next.on('error', () => {
      if (stopped) return;
      onChange('*');
      setTimeout(() => void connect().catch(() => onChange('*')), 1000);
    });
    await next.connect();
    await next.query(`LISTEN ${CLIENT_CHANNEL}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
