import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import { isIssuedBy } from '../crypto/certificate-authority.js';
import { parseSignature, verifyParsedSignatureOffThread, type SignableRequest } from '../crypto/http-signature.js';
import { keyIdOf } from '../crypto/keys.js';
import { ExchangeRegistrationEntity } from '../node/registration-entity.js';
import { loadNodeIdentity, nodeSettings, routerClientFor } from '../node/registration.js';
import type { RouterClient } from '../router-client/router-client.js';
import { NATIONAL_ZONE_PATH, type OriginSignature } from './national-envelope.js';

/**
 * What a node trusts in the national zone (DESIGN §5): the router CA (from
 * its registration), certificates that CA issued — the router's signing
 * certificate (CN "NationalRouter") and districts' certificates (CN = NCES
 * id) — and nothing else. Verification uses node:crypto, on libuv's
 * thread pool so that a pushed batch does not hold up the node's console
 * and APIs.
 */
export class NationalTrust {
  readonly ncesId: string;
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly router: RouterClient;
  private caPem: string | undefined;
  /**
   * Certificates already checked against the CA, by DER, with their public key and key id: one
   * KeyObject per certificate, which also lets jose reuse its imported key (it caches by object).
   */
  private readonly certificates = new Map<string, IssuedCertificate>();
  private readonly recipients = new Map<string, { key: KeyObject; at: number }>();

  constructor(
    readonly config: RexConfig,
    private readonly orm: MikroORM,
  ) {
    const identity = loadNodeIdentity(config);
    this.ncesId = nodeSettings(config).district.ncesId;
    this.keyId = identity.keyId;
    this.privateKey = createPrivateKey(identity.keys.privateKeyPem);
    this.router = routerClientFor(config, identity);
  }

  /** The router CA certificate: from the node's registration, else asked of the router. */
  async caCertificate(): Promise<string | undefined> {
    if (this.caPem) return this.caPem;
    const registration = await this.orm.em.fork().findOne(ExchangeRegistrationEntity, { id: 1 });
    let pem = registration?.routerCertificatePem ?? undefined;
    if (!pem) {
      const answer = await this.router.certificate().catch(() => undefined);
      pem = answer?.ok ? answer.body.routerCertificate : undefined;
    }
    this.caPem = pem;
    return pem;
  }

  /**
   * A certificate (base64 DER) the router CA issued to `commonName`, valid
   * at `at`, or a reason to refuse it.
   */
  async issuedCertificate(der: string | undefined, commonName: string, at: Date): Promise<({ ok: true } & IssuedCertificate) | { ok: false; reason: string }> {
    if (!der) return { ok: false, reason: `no certificate for ${commonName}` };
    let issued = this.certificates.get(der);
    if (!issued) {
      const ca = await this.caCertificate();
      if (!ca) return { ok: false, reason: 'this node does not know the router CA yet (refresh its status once approved)' };
      let parsed: X509Certificate;
      try {
        parsed = new X509Certificate(Buffer.from(der, 'base64'));
      } catch {
        return { ok: false, reason: 'the certificate is not X.509 DER' };
      }
      if (!isIssuedBy(parsed.toString(), ca)) return { ok: false, reason: 'the certificate was not issued by the router CA' };
      const publicKey = parsed.publicKey;
      issued = { certificate: parsed, publicKey, keyId: keyIdOf(publicKey) };
      this.certificates.set(der, issued);
    }
    const { certificate } = issued;
    if (!certificate.subject.split('\n').includes(`CN=${commonName}`)) return { ok: false, reason: `the certificate is not ${commonName}'s` };
    if (new Date(certificate.validFrom) > at || new Date(certificate.validTo) < at) return { ok: false, reason: `the certificate of ${commonName} was not valid at ${at.toISOString()}` };
    return { ok: true, ...issued };
  }

  /** Verifies the router's RFC 9421 signature on what it sent (a push, or its answer to SIF_GetMessage). */
  async verifyRouter(request: SignableRequest, body: Uint8Array, certificateHeader: string | undefined): Promise<string | undefined> {
    const parsed = parseSignature(request, body, this.config.router.signatureWindowSeconds);
    if (!parsed.ok) return `router signature: ${parsed.detail}`;
    const issued = await this.issuedCertificate(certificateHeader, 'NationalRouter', new Date());
    if (!issued.ok) return `router certificate: ${issued.reason}`;
    if (issued.keyId !== parsed.signature.keyId) return 'the router signature is not made with the router certificate key';
    return (await verifyParsedSignatureOffThread(request, parsed.signature, issued.publicKey)) ? undefined : 'the router signature does not verify';
  }

  /**
   * Verifies the sending district's own signature end to end: it signed
   * `POST {authority}/v1/zones/NationalRouter` with this body's
   * Content-Digest, with its router-issued certificate (CN = `sourceId`).
   * The age of the signature is not checked (pull-mode messages wait in the
   * queue); replays are harmless because processing is idempotent by id.
   */
  async verifyOrigin(origin: Partial<OriginSignature>, body: Uint8Array, sourceId: string): Promise<{ ok: true; publicKey: KeyObject; keyId: string } | { ok: false; reason: string }> {
    const request: SignableRequest = {
      method: 'POST',
      authority: origin.authority ?? '',
      path: NATIONAL_ZONE_PATH,
      query: '',
      headers: { 'content-digest': origin.contentDigest, 'signature-input': origin.signatureInput, signature: origin.signature },
    };
    const parsed = parseSignature(request, body, 10 * 365 * 86_400);
    if (!parsed.ok) return { ok: false, reason: `origin signature: ${parsed.detail}` };
    const issued = await this.issuedCertificate(origin.certificate, sourceId, new Date(parsed.signature.created * 1000));
    if (!issued.ok) return { ok: false, reason: `origin certificate: ${issued.reason}` };
    const { publicKey } = issued;
    if (issued.keyId !== parsed.signature.keyId) return { ok: false, reason: 'the origin signature is not made with the sender certificate key' };
    if (!(await verifyParsedSignatureOffThread(request, parsed.signature, publicKey))) return { ok: false, reason: 'the origin signature does not verify' };
    return { ok: true, publicKey, keyId: parsed.signature.keyId };
  }

  /**
   * The public key to seal to `ncesId`: its certificate from the router,
   * checked against the router CA, cached for ten minutes.
   */
  async recipientKey(ncesId: string): Promise<{ ok: true; key: KeyObject } | { ok: false; permanent: boolean; reason: string }> {
    const cached = this.recipients.get(ncesId);
    if (cached && Date.now() - cached.at < 600_000) return { ok: true, key: cached.key };
    const answer = await this.router.districtCertificate(ncesId);
    if (!answer.ok) return { ok: false, permanent: answer.status === 404, reason: answer.problem?.detail ?? `HTTP ${answer.status}` };
    const der = new X509Certificate(answer.body.certificate).raw.toString('base64');
    const issued = await this.issuedCertificate(der, ncesId, new Date());
    if (!issued.ok) return { ok: false, permanent: false, reason: issued.reason };
    this.recipients.set(ncesId, { key: issued.publicKey, at: Date.now() });
    return { ok: true, key: issued.publicKey };
  }
}

/** A certificate the router CA issued, with its public key and our key id for it. */
interface IssuedCertificate {
  certificate: X509Certificate;
  publicKey: KeyObject;
  keyId: string;
}
