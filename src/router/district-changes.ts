import type { EntityManager } from '@mikro-orm/postgresql';
import { listenOnChannel } from '../storage/notifications.js';

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
 * Listens for district changes and calls `onChange` with the district's NCES
 * id (or `*` after a reconnect, when changes may have been missed). Returns a
 * function that stops listening.
 */
export function listenForDistrictChanges(url: string, onChange: (ncesId: string) => void): Promise<() => Promise<void>> {
  return listenOnChannel(url, DISTRICT_CHANNEL, onChange);
}
