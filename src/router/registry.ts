import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { issueCertificate, type CertificateAuthority } from '../crypto/certificate-authority.js';
import { rankDistricts, type DirectoryQuery } from '../directory/ranking.js';
import type { components } from '../router-client/router-api.js';
import { DistrictEntity, IssuedCertificateEntity, type District, type DistrictState, type IssuedCertificate } from './district-entity.js';
import { announceDistrictChange } from './district-changes.js';
import { SIGNATURE_FAILED } from './exchange-status.js';
import { accept, refuse, type RouterResult } from './refusal.js';
import { inNativeTransaction } from '../storage/bound-statements.js';

/** A registration as the node sends it. */
export type RegistrationRequest = components['schemas']['RegistrationRequest'];
/** One district in the directory's answer. */
export type DirectoryEntry = components['schemas']['DirectoryEntry'];

/** A registration and what the router found when it checked it. */
export interface RegistrationSubmission {
  request: RegistrationRequest;
  /** The key of the certificate request. */
  keyId: string;
  publicKeyPem: string;
  /** Whether the HTTP signature and the request's self-signature both verified with that key. */
  signatureVerified: boolean;
  registeredFrom: string;
}

/**
 * Stores a registration. A valid one waits for the operator as `pending`; one
 * whose signature did not verify is kept as `invalid` with the reason
 * "Signature Validation failed" (seeds/001), so the district can see why.
 * A registration never displaces an active or pending district of another
 * key, and a revoked key cannot register again.
 */
export async function submitRegistration(
  em: EntityManager,
  submission: RegistrationSubmission,
  termsVersion: string,
  now = new Date(),
): Promise<RouterResult<District>> {
  const { request, keyId } = submission;
  if (request.termsVersion !== termsVersion) {
    return refuse('terms-not-accepted', `the current terms of service are version ${termsVersion}; read and accept them first`);
  }
  const existing = await em.findOne(DistrictEntity, { ncesId: request.district.ncesId });
  const keyOwner = await em.findOne(DistrictEntity, { keyId });
  if (keyOwner && keyOwner.ncesId !== request.district.ncesId) {
    return refuse('already-registered', 'this key is registered to another district');
  }
  const blocked = existing && registrationBlocked(existing, keyId);
  if (blocked) return refuse('already-registered', blocked);

  const registration = {
    ncesId: request.district.ncesId,
    name: request.district.name,
    state: request.district.state,
    endpoint: request.endpoint,
    deliveryMode: request.deliveryMode,
    applicationName: request.applicationName,
    termsVersion: request.termsVersion,
    registeredFrom: submission.registeredFrom,
    registeredBy: request.registeredBy,
    registeredAt: now,
    status: submission.signatureVerified ? 'pending' : 'invalid',
    reason: submission.signatureVerified ? null : SIGNATURE_FAILED,
    keyId,
    publicKeyPem: submission.publicKeyPem,
    csrPem: request.certificateRequest,
    certificatePem: null,
    certificateSerial: null,
    certificateNotAfter: null,
    cities: request.localities.cities,
    zips: request.localities.zips,
    updatedAt: now,
  } satisfies Omit<District, 'version'>;
  return writeAndAnnounce(em, { current: existing, changes: registration });
}

/** The operator approves a pending registration: the CA issues its certificate and the district becomes active. */
export async function approveDistrict(
  em: EntityManager,
  ca: CertificateAuthority,
  ncesId: string,
  validityDays: number,
  now = new Date(),
): Promise<RouterResult<District>> {
  const found = await findInState(em, ncesId, ['pending'], 'approve');
  if (!found.ok) return found;
  const district = found.value;
  // Five minutes of slack for clocks that run a little behind the router's.
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const issued = issueCertificate(ca, district.csrPem, { notBefore, notAfter });
  const changes = {
    status: 'active',
    reason: null,
    certificatePem: issued.pem,
    certificateSerial: issued.serial,
    certificateNotAfter: notAfter,
    updatedAt: now,
  } satisfies Partial<District>;
  const certificate = { serial: issued.serial, ncesId, pem: issued.pem, notBefore, notAfter, revokedAt: null, revocationReason: null };
  return writeAndAnnounce(em, { current: district, changes, issued: certificate });
}

/** The operator rejects a registration that has not been approved. */
export async function rejectDistrict(em: EntityManager, ncesId: string, reason: string, now = new Date()): Promise<RouterResult<District>> {
  const found = await findInState(em, ncesId, ['pending', 'invalid'], 'reject');
  if (!found.ok) return found;
  const changes = { status: 'rejected', reason: `Registration rejected: ${reason}`, updatedAt: now } satisfies Partial<District>;
  return writeAndAnnounce(em, { current: found.value, changes });
}

/**
 * Ends a district's participation: the operator revokes it, or the district
 * withdraws. Its certificate is revoked and it leaves the directory.
 */
export async function endParticipation(
  em: EntityManager,
  ncesId: string,
  how: 'revoked' | 'withdrawn',
  reason: string,
  now = new Date(),
): Promise<RouterResult<District>> {
  const from: DistrictState[] = how === 'revoked' ? ['active', 'pending'] : ['active', 'pending', 'invalid', 'rejected'];
  const found = await findInState(em, ncesId, from, how === 'revoked' ? 'revoke' : 'withdraw');
  if (!found.ok) return found;
  const district = found.value;
  const label = how === 'revoked' ? 'Certificate revoked by the router operator' : 'Withdrawn from the exchange';
  const changes = { status: how, reason: reason ? `${label}: ${reason}` : label, updatedAt: now } satisfies Partial<District>;
  const revoked = district.certificateSerial ? { serial: district.certificateSerial, revokedAt: now, reason } : undefined;
  return writeAndAnnounce(em, { current: district, changes, revoked });
}

/**
 * The district locator: active districts of `state` with a valid
 * certificate, best match first (seeds/001 "District Locator").
 */
export async function searchDirectory(em: EntityManager, state: string, query: DirectoryQuery, now = new Date()): Promise<DirectoryEntry[]> {
  const districts = await em.find(
    DistrictEntity,
    { state: state.toUpperCase(), status: 'active', certificateNotAfter: { $gt: now } },
    { fields: ['ncesId', 'name', 'state', 'cities', 'zips'] },
  );
  return rankDistricts(
    districts.map((d) => ({ ncesId: d.ncesId, name: d.name, state: d.state, cities: d.cities, zips: d.zips })),
    query,
  );
}

/** Every district known to the router, for the operator. */
export async function listDistricts(em: EntityManager): Promise<District[]> {
  return em.find(DistrictEntity, {}, { orderBy: { state: 'asc', name: 'asc' } });
}

/** Finds a district by its key id, in any state. */
export async function findDistrictByKey(em: EntityManager, keyId: string): Promise<District | null> {
  return em.findOne(DistrictEntity, { keyId });
}

function registrationBlocked(existing: District, keyId: string): string | undefined {
  const sameKey = existing.keyId === keyId;
  if ((existing.status === 'withdrawn' || existing.status === 'revoked') && sameKey) {
    return 'this key was revoked; register with a new key';
  }
  if (existing.status === 'active') return 'the district is already registered and active; withdraw first to register again';
  if (existing.status === 'pending' && !sameKey) return 'the district has a registration awaiting approval with another key';
  return undefined;
}

async function findInState(
  em: EntityManager,
  ncesId: string,
  states: DistrictState[],
  action: string,
): Promise<RouterResult<District>> {
  const district = await em.findOne(DistrictEntity, { ncesId });
  if (!district) return refuse('unknown-district', `no district with NCES id ${ncesId} is registered`);
  if (!states.includes(district.status)) {
    return refuse('wrong-state', `cannot ${action} district ${ncesId}: its registration is ${district.status}`);
  }
  return accept(district);
}

/** A change to one district, with the certificate issued or revoked along with it. */
interface DistrictWrite {
  /** The district as read before the change; null for a first registration. */
  current: District | null;
  /** The changed fields; for a first registration, every field but the version. */
  changes: Partial<District>;
  issued?: IssuedCertificate;
  revoked?: { serial: string; revokedAt: Date; reason: string };
}

/**
 * Writes a district's change and announces it to every router process, in
 * one transaction. Native statements rather than `flush`: the router must
 * never enter MikroORM's AsyncLocalStorage contexts (see inNativeTransaction).
 * The version column makes a concurrent change of the same district fail
 * instead of overwriting it.
 */
async function writeAndAnnounce(em: EntityManager, write: DistrictWrite): Promise<RouterResult<District>> {
  const ncesId = write.current?.ncesId ?? write.changes.ncesId!;
  try {
    const district = await inNativeTransaction(em, async (tx) => {
      const written = await writeDistrict(tx, write);
      if (!written) return null;
      if (write.issued) await tx.insert(IssuedCertificateEntity, write.issued);
      if (write.revoked) {
        const { serial, revokedAt, reason } = write.revoked;
        await tx.nativeUpdate(IssuedCertificateEntity, { serial, revokedAt: null }, { revokedAt, revocationReason: reason });
      }
      await announceDistrictChange(tx, ncesId);
      return written;
    });
    if (!district) return refuse('concurrent-change', `district ${ncesId} was changed by someone else at the same time; try again`);
    return accept(district);
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      return refuse('already-registered', 'another registration for this district or key arrived at the same time');
    }
    throw error;
  }
}

/** Inserts or updates the district row; null when its version moved on since it was read. */
async function writeDistrict(tx: EntityManager, { current, changes }: DistrictWrite): Promise<District | null> {
  if (!current) {
    const district = { ...changes, version: 1 } as District;
    await tx.insert(DistrictEntity, district);
    return district;
  }
  const version = current.version + 1;
  const updated = await tx.nativeUpdate(DistrictEntity, { ncesId: current.ncesId, version: current.version }, { ...changes, version });
  return updated === 1 ? Object.assign(current, changes, { version }) : null;
}
