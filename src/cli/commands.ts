import type { Command } from './command.js';

/** Every `rex` command. Features add their command modules here. */
export const commands: Command[] = [];
