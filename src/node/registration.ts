import { join } from 'node:path';
import { renameSync, existsSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { NodeSettings, RexConfig } from '../config/load-config.js';
import { createCertificateRequest } from '../crypto/certificate-authority.js';
import { keyIdOf, loadOrCreateKeyPair, type PemKeyPair } from '../crypto/keys.js';
import { selectLocalities } from '../directory/localities.js';
import type { components } from '../router-client/router-api.js';
import { RouterClient, type RouterAnswer } from '../router-client/router-client.js';
import { collectStudentPlaces, type DocumentReader } from './district-places.js';
import { ExchangeRegistrationEntity, type ExchangeRegistration } from './registration-entity.js';

/** The router's status answer. */
export type ExchangeStatusView = components['schemas']['ExchangeStatus'];

/** The node's key pair and its key id. */
export interface NodeIdentity {
  keys: PemKeyPair;
  keyId: string;
}

/** What registering, checking or withdrawing came to. */
export type ExchangeOutcome =
  | { ok: true; status: ExchangeStatusView }
  | { ok: false; reason: 'terms-not-accepted'; terms: components['schemas']['Terms'] }
  | { ok: false; reason: 'not-registered' | 'refused' | 'unreachable'; detail: string; status?: number; problemType?: string };

/** The settings of a node; throws if the configuration has no `node` section (a bug in the caller). */
export function nodeSettings(config: RexConfig): NodeSettings {
  if (!config.node) throw new Error('this command needs a node configuration (a "node" section naming the district and router)');
  return config.node;
}

/** The node's key pair, generated at first use into `dataDir/keys` (never in git). */
export function loadNodeIdentity(config: RexConfig): NodeIdentity {
  const keys = loadOrCreateKeyPair(keyFile(config));
  return { keys, keyId: keyIdOf(keys.publicKeyPem) };
}

/** A router client signing with the node's key. */
export function routerClientFor(config: RexConfig, identity = loadNodeIdentity(config)): RouterClient {
  return new RouterClient(nodeSettings(config).routerUrl, { keyId: identity.keyId, privateKeyPem: identity.keys.privateKeyPem });
}

/**
 * Registers the district with the router (DESIGN §6.1): identity, endpoint,
 * delivery mode, accepted terms, a certificate request for the node's key,
 * and the cities and zip codes holding more than 1% of its students, all
 * signed with that key. A key that was revoked is replaced first.
 */
export async function registerWithRouter(
  config: RexConfig,
  orm: MikroORM,
  options: { acceptTerms: boolean; registeredBy: string; endpoint: string; readDocuments: DocumentReader },
): Promise<ExchangeOutcome> {
  const settings = nodeSettings(config);
  const previous = await orm.em.fork().findOne(ExchangeRegistrationEntity, { id: 1 });
  if (previous && /withdrawn|revoked|rejected/i.test(previous.reason ?? '')) retireKey(config);
  const identity = loadNodeIdentity(config);
  const client = routerClientFor(config, identity);
  const terms = await reach(() => client.terms());
  if (!terms.ok) return terms;
  if (!terms.value.ok) return refused(terms.value);
  if (!options.acceptTerms) return { ok: false, reason: 'terms-not-accepted', terms: terms.value.body };

  const localities = selectLocalities(await collectStudentPlaces(options.readDocuments));
  const answer = await reach(() =>
    client.register({
      district: settings.district,
      endpoint: options.endpoint,
      deliveryMode: settings.deliveryMode,
      termsVersion: terms.value.ok ? terms.value.body.version : '',
      applicationName: settings.applicationName,
      registeredBy: options.registeredBy,
      certificateRequest: createCertificateRequest(identity.keys, settings.district),
      localities,
    }),
  );
  return remember(orm, config, identity, answer);
}

/** Asks the router for this district's status and remembers it (with the certificate once issued). */
export async function refreshStatus(config: RexConfig, orm: MikroORM): Promise<ExchangeOutcome> {
  const registration = await orm.em.fork().findOne(ExchangeRegistrationEntity, { id: 1 });
  if (!registration) return { ok: false, reason: 'not-registered', detail: 'this node has not registered with the router' };
  const identity = loadNodeIdentity(config);
  return remember(orm, config, identity, await reach(() => routerClientFor(config, identity).status()));
}

/** Withdraws the district from the exchange. */
export async function withdrawFromExchange(config: RexConfig, orm: MikroORM, reason: string): Promise<ExchangeOutcome> {
  const identity = loadNodeIdentity(config);
  return remember(orm, config, identity, await reach(() => routerClientFor(config, identity).withdraw(reason)));
}

/** The node's last known registration, if any. */
export async function localRegistration(orm: MikroORM): Promise<ExchangeRegistration | null> {
  return orm.em.fork().findOne(ExchangeRegistrationEntity, { id: 1 });
}

/**
 * The status as the source's registration page shows it:
 * "Exchange Registration: Registered from: …, Application Name: …",
 * "Registered By: … at …", "Exchange Status: Active|Inactive" and the reason.
 */
export function formatExchangeStatus(status: Pick<ExchangeRegistration, 'registeredFrom' | 'applicationName' | 'registeredBy' | 'registeredAt' | 'exchangeStatus' | 'reason'>): string {
  const lines = [
    `Exchange Registration: Registered from: ${status.registeredFrom ?? 'unknown'}, Application Name: ${status.applicationName}`,
    `Registered By: ${status.registeredBy} at ${formatTimestamp(status.registeredAt)}`,
    `Exchange Status: ${status.exchangeStatus}`,
  ];
  if (status.reason) lines.push(status.reason);
  return lines.join('\n');
}

function formatTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getMonth() + 1)}/${pad(date.getDate())}/${date.getFullYear()} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function remember(
  orm: MikroORM,
  config: RexConfig,
  identity: NodeIdentity,
  answer: { ok: true; value: RouterAnswer<ExchangeStatusView> } | Extract<ExchangeOutcome, { ok: false }>,
): Promise<ExchangeOutcome> {
  if (!answer.ok) return answer;
  const em = orm.em.fork();
  const existing = await em.findOne(ExchangeRegistrationEntity, { id: 1 });
  if (!answer.value.ok) {
    // A revoked or withdrawn district learns its status from the refusal itself.
    if (existing && /certificate-revoked|certificate-expired/.test(answer.value.problem.type)) {
      Object.assign(existing, { exchangeStatus: 'Inactive', reason: answer.value.problem.detail ?? answer.value.problem.title, checkedAt: new Date() });
      await em.flush();
    }
    return refused(answer.value);
  }
  const status = answer.value.body;
  const row = existing ?? em.create(ExchangeRegistrationEntity, { id: 1 } as ExchangeRegistration);
  const certificates = await fetchNewCertificate(config, identity, row, status);
  Object.assign(row, {
    ncesId: status.ncesId,
    routerUrl: nodeSettings(config).routerUrl,
    keyId: identity.keyId,
    registeredBy: status.registeredBy,
    registeredAt: new Date(status.registeredAt),
    registeredFrom: status.exchangeRegistration.registeredFrom,
    applicationName: status.exchangeRegistration.applicationName,
    exchangeStatus: status.exchangeStatus,
    reason: status.reason,
    ...certificates,
    checkedAt: new Date(),
  } satisfies Partial<ExchangeRegistration>);
  await em.flush();
  return { ok: true, status };
}

/** Fetches the certificate when the router has issued one this node does not hold yet. */
async function fetchNewCertificate(config: RexConfig, identity: NodeIdentity, row: ExchangeRegistration, status: ExchangeStatusView) {
  if (!status.certificate) return { certificatePem: null, certificateSerial: null };
  if (row.certificateSerial === status.certificate.serial && row.certificatePem) return {};
  const answer = await routerClientFor(config, identity).certificate();
  if (!answer.ok) return {};
  return {
    certificatePem: answer.body.certificate,
    certificateSerial: status.certificate.serial,
    routerCertificatePem: answer.body.routerCertificate,
  };
}

async function reach<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: 'unreachable'; detail: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, reason: 'unreachable', detail: `cannot reach the router: ${(error as Error).message}` };
  }
}

function refused(answer: Extract<RouterAnswer<unknown>, { ok: false }>): ExchangeOutcome {
  return {
    ok: false,
    reason: 'refused',
    status: answer.status,
    problemType: answer.problem?.type,
    detail: answer.problem?.detail ?? answer.problem?.title ?? `HTTP ${answer.status}`,
  };
}

function keyFile(config: RexConfig): string {
  return join(config.dataDir, 'keys', 'node-key.pem');
}

/** Moves a revoked key aside; the next use generates a new one. */
function retireKey(config: RexConfig): void {
  const file = keyFile(config);
  if (existsSync(file)) renameSync(file, `${file}.retired-${Date.now()}`);
}
