import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { generateRsaKeyPair, type PemKeyPair } from './keys.js';

/**
 * The router's certificate authority and the certificate requests nodes send
 * it. node-forge builds and signs X.509 structures; verification on hot paths
 * uses node:crypto instead (DESIGN §5).
 */

/** The CA's key and self-signed certificate as PEM. */
export interface CertificateAuthority {
  keyPem: string;
  certificatePem: string;
}

/** The identity a district puts in its certificate request. */
export interface DistrictSubject {
  ncesId: string;
  name: string;
  state: string;
}

/** What the router learns from a certificate request whose self-signature verifies. */
export type CsrInspection =
  | { ok: true; publicKeyPem: string; subject: Partial<DistrictSubject> }
  | { ok: false; reason: string; /** Present when the request parses but its signature does not verify. */ publicKeyPem?: string };

/**
 * Reads the CA kept in `dir` or creates one there at first start: the key is
 * written with mode 0600 and never leaves the data directory.
 */
export function loadOrCreateCertificateAuthority(dir: string, name = 'Open Records Exchange Router CA'): CertificateAuthority {
  const keyFile = join(dir, 'ca-key.pem');
  const certFile = join(dir, 'ca-cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { keyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
  }
  const ca = createCertificateAuthority(name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, ca.keyPem, { mode: 0o600 });
  writeFileSync(certFile, ca.certificatePem);
  return ca;
}

/** Creates a self-signed CA certificate valid for ten years. */
export function createCertificateAuthority(name: string, now = new Date()): CertificateAuthority {
  const pair = generateRsaKeyPair();
  const key = forge.pki.privateKeyFromPem(pair.privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKeyPem);
  cert.serialNumber = newSerial();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + 3650 * 86_400_000);
  const subject = [{ name: 'commonName', value: name }, { name: 'countryName', value: 'US' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { keyPem: pair.privateKeyPem, certificatePem: forge.pki.certificateToPem(cert) };
}

/**
 * A PKCS#10 certificate signing request for a district's key pair:
 * CN is the NCES id, O the district's name, ST its state.
 */
export function createCertificateRequest(pair: PemKeyPair, subject: DistrictSubject): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(pair.publicKeyPem);
  csr.setSubject(subjectAttributes(subject));
  csr.sign(forge.pki.privateKeyFromPem(pair.privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/** Parses a certificate request and verifies its self-signature (proof of key possession). */
export function inspectCertificateRequest(pem: string): CsrInspection {
  let csr: ReturnType<typeof forge.pki.certificationRequestFromPem>;
  try {
    csr = forge.pki.certificationRequestFromPem(pem);
  } catch {
    return { ok: false, reason: 'the certificate request is not a PEM PKCS#10 request with an RSA key' };
  }
  if (!csr.publicKey) return { ok: false, reason: 'the certificate request has no RSA public key' };
  const publicKeyPem = forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey);
  if (!verifiesItself(csr)) return { ok: false, reason: 'the certificate request signature does not verify', publicKeyPem };
  const field = (name: string) => csr.subject.getField(name)?.value as string | undefined;
  return {
    ok: true,
    publicKeyPem,
    subject: { ncesId: field('CN'), name: field('O'), state: field('ST') },
  };
}

/** Issues a certificate for a verified request, signed by the CA. */
export function issueCertificate(
  ca: CertificateAuthority,
  csrPem: string,
  validity: { notBefore: Date; notAfter: Date },
): { pem: string; serial: string } {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  const caCert = forge.pki.certificateFromPem(ca.certificatePem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
  cert.serialNumber = newSerial();
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject(csr.subject.attributes);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true, serverAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { pem: forge.pki.certificateToPem(cert), serial: cert.serialNumber };
}

/** Checks with node:crypto that `certificatePem` was signed by the CA. */
export function isIssuedBy(certificatePem: string, caCertificatePem: string): boolean {
  const cert = new X509Certificate(certificatePem);
  const ca = new X509Certificate(caCertificatePem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** node-forge throws, rather than answering false, on some broken signatures. */
function verifiesItself(csr: { verify(): boolean }): boolean {
  try {
    return csr.verify();
  } catch {
    return false;
  }
}

function subjectAttributes(subject: DistrictSubject) {
  return [
    { name: 'commonName', value: subject.ncesId },
    { name: 'organizationName', value: subject.name },
    { name: 'stateOrProvinceName', value: subject.state },
    { name: 'countryName', value: 'US' },
  ];
}

/**
 * A positive 127-bit serial number in hex (RFC 5280 §4.1.2.2). The first byte
 * is kept between 0x40 and 0x7f: positive, and never a leading zero that DER
 * would drop, so the serial reads the same everywhere.
 */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}
