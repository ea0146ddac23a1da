import pg from 'pg';

/**
 * Listens on a PostgreSQL NOTIFY channel over a dedicated connection and
 * calls `onChange` with each payload, or `*` after the connection dropped,
 * when notifications may have been missed (the caller then drops all it
 * cached). Reconnects after a second. Returns a function that stops listening.
 */
export async function listenOnChannel(url: string, channel: string, onChange: (payload: string) => void): Promise<() => Promise<void>> {
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
    await next.query(`LISTEN ${channel}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
