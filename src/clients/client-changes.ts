import { listenOnChannel } from '../storage/notifications.js';
import { CLIENT_CHANNEL } from './client-store.js';

/**
 * Listens for client changes (revocations) and calls `onChange` with the
 * client key, or `*` after a reconnect, when changes may have been missed.
 * Returns a function that stops listening.
 */
export function listenForClientChanges(url: string, onChange: (clientKey: string) => void): Promise<() => Promise<void>> {
  return listenOnChannel(url, CLIENT_CHANNEL, onChange);
}
