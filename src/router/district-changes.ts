import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';

/**
 * Router instances keep registered keys in memory; when a district changes
 * (approved, revoked, withdrawn …) the process that changed it announces the
 * change with PostgreSQL NOTIFY so every instance, and the CLI's changes,
 * take effect at once.
 */
export const DISTRICT_CHANNEL = 'rex_district_changed';

/** Announces that a district changed. Delivered to listeners when the surrounding transaction commits. */
export async function announceDistrictChange(em: EntityManager, ncesId: string): Promise<void> {
  await em.execute('SELECT pg_notify(?, ?)', [DISTRICT_CHANNEL, ncesId]);
}

/**
 * Listens for district changes on a dedicated connection and calls
 * `onChange` with the district's NCES id (or `*` after a reconnect, when
 * changes may have been missed). Returns a function that stops listening.
 */
export async function listenForDistrictChanges(url: string, onChange: (ncesId: string) => void): Promise<() => Promise<void>> {
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
    await next.query(`LISTEN ${DISTRICT_CHANNEL}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
