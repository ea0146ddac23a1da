import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  createCertificateRequest,
  inspectCertificateRequest,
  isIssuedBy,
  issueCertificate,
} from '../../src/crypto/certificate-authority.js';
import { generateRsaKeyPair, keyIdOf } from '../../src/crypto/keys.js';

const subject = { ncesId: '0400001', name: 'Saguaro Unified School District', state: 'AZ' };

describe('certificate authority', () => {
  const ca = createCertificateAuthority('Test Router CA');
  const pair = generateRsaKeyPair();
  const csr = createCertificateRequest(pair, subject);

  it('reads the district identity and key from a valid request', () => {
    const inspection = inspectCertificateRequest(csr);
    expect(inspection).toMatchObject({ ok: true, subject });
    if (inspection.ok) expect(keyIdOf(inspection.publicKeyPem)).toBe(keyIdOf(pair.publicKeyPem));
  });

  it('refuses a request that is not PEM or whose signature was altered', () => {
    expect(inspectCertificateRequest('not a csr').ok).toBe(false);
    const body = csr.split('\n').slice(1, -2).join('');
    const der = Buffer.from(body, 'base64');
    der[der.length - 5] = der[der.length - 5]! ^ 0xff;
    const broken = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(inspectCertificateRequest(broken)).toMatchObject({ ok: false });
  });

  it('issues a certificate for the same key, verifiable with node:crypto', () => {
    const notBefore = new Date();
    const notAfter = new Date(notBefore.getTime() + 86_400_000);
    const issued = issueCertificate(ca, csr, { notBefore, notAfter });
    const cert = new X509Certificate(issued.pem);
    expect(cert.subject).toContain('CN=0400001');
    expect(cert.serialNumber.toLowerCase()).toBe(issued.serial);
    expect(keyIdOf(cert.publicKey)).toBe(keyIdOf(pair.publicKeyPem));
    expect(isIssuedBy(issued.pem, ca.certificatePem)).toBe(true);
    expect(isIssuedBy(issued.pem, createCertificateAuthority('Another CA').certificatePem)).toBe(false);
  });
});
