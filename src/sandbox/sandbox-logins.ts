import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createClient } from '../clients/client-store.js';
import type { RexConfig } from '../config/load-config.js';
import { ALL_TOOL_RIGHTS } from '../users/tool-rights.js';
import { createUser, setPassword } from '../users/user-store.js';

/** What a newcomer signs in with at one demo district. */
export interface SandboxLogins {
  /** A registrar holding every tool right (HTTP Basic or a session on the node's API). */
  user: { username: string; password: string };
  /** An Ed-Fi API client scoped to the whole district (OAuth2 client credentials). */
  edfiClient: { key: string; secret: string };
}

const REGISTRAR = 'registrar';

/**
 * The demo district's logins: made at the sandbox's first start, with
 * passwords and secrets generated here and kept (mode 0600) in the node's
 * data directory, never in git; later starts read them back.
 */
export async function ensureSandboxLogins(config: RexConfig, orm: MikroORM): Promise<SandboxLogins> {
  const file = join(config.dataDir, 'sandbox-logins.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SandboxLogins;
  const district = config.node!.district;
  const em = orm.em.fork();
  const password = randomBytes(12).toString('base64url');
  const created = await createUser(em, { username: REGISTRAR, displayName: 'Registrar, Demo', password, rights: ALL_TOOL_RIGHTS, grantedBy: 'sandbox' });
  // A start stopped before the file was written left the user behind: give it the new password.
  if (created.kind === 'exists') await setPassword(em, REGISTRAR, password);
  else if (created.kind !== 'created') throw new Error(`sandbox: could not create the ${REGISTRAR} user of ${district.name}: ${created.detail}`);
  const client = await createClient(em, { name: `${district.name} (sandbox)`, educationOrganizationIds: [Number(district.ncesId)] });
  const logins: SandboxLogins = { user: { username: REGISTRAR, password }, edfiClient: { key: client.key, secret: client.secret } };
  writeFileSync(file, `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600 });
  return logins;
}
