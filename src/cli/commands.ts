import type { Command } from './command.js';
import { exchangeCommands } from './exchange-commands.js';
import { roleCommands } from './role-commands.js';
import { sandboxCommand } from './sandbox-command.js';

/** Every `rex` command. Features add their command modules here. */
export const commands: Command[] = [sandboxCommand, ...roleCommands, ...exchangeCommands];
