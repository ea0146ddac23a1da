import type { Command } from './command.js';
import { edfiCommands } from './edfi-commands.js';
import { exchangeCommands } from './exchange-commands.js';
import { roleCommands } from './role-commands.js';
import { sandboxCommand } from './sandbox-command.js';
import { sisCommands } from './sis-commands.js';
import { userCommands } from './user-commands.js';
import { transferCommands } from './transfer-commands.js';
import { zoneCommands } from './zone-commands.js';

/** Every `rex` command. Features add their command modules here. */
export const commands: Command[] = [sandboxCommand, ...roleCommands, ...exchangeCommands, ...edfiCommands, ...userCommands, ...zoneCommands, ...transferCommands, ...sisCommands];
