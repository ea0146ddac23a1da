import type { ToolRight } from './tool-rights.js';
import type { ConsoleUser } from './user-store.js';

/** Whether a user may use a tool. */
export type RightCheck =
  | { kind: 'allowed'; user: ConsoleUser }
  | { kind: 'disabled'; user: ConsoleUser }
  | { kind: 'missing-right'; user: ConsoleUser; right: ToolRight };

/**
 * Checks that an enabled user holds a tool right. Every API that acts for a
 * console user asks this (DESIGN §5: enforced by the API, not only hidden
 * in the UI).
 */
export function requireRight(user: ConsoleUser, right: ToolRight): RightCheck {
  if (user.disabled) return { kind: 'disabled', user };
  if (!user.rights.includes(right)) return { kind: 'missing-right', user, right };
  return { kind: 'allowed', user };
}
