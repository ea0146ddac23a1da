import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateRequest, isIssuedBy, issueCertificate, type CertificateAuthority } from '../../crypto/certificate-authority.js';
import { signRequest, signRequestOffThread, type SignableRequest, type SignatureHeaders } from '../../crypto/http-signature.js';
import { keyIdOf, loadOrCreateKeyPair } from '../../crypto/keys.js';

/**
 * The key the router signs what it forwards with (DESIGN §5: "every
 * router→node message is signed"). It is not the CA key, which only signs
 * certificates: the CA issues this key a certificate (CN "NationalRouter"),
 * sent with every signed delivery so nodes check it against the CA they
 * already trust.
 */
export interface RouterSigner {
  keyId: string;
  privateKey: KeyObject;
  certificatePem: string;
  /** The certificate as base64 DER, for the X-Rex-Router-Certificate header. */
  certificateHeader: string;
  sign(request: SignableRequest, body: Uint8Array | string): SignatureHeaders;
  /** The same signature, computed on the thread pool. */
  signOffThread(request: SignableRequest, body: Uint8Array | string): Promise<SignatureHeaders>;
}

/** Loads the router's signing key and certificate from `caDir`, creating them at first use. */
export function loadOrCreateRouterSigner(caDir: string, ca: CertificateAuthority): RouterSigner {
  const keys = loadOrCreateKeyPair(join(caDir, 'router-signing-key.pem'));
  const certFile = join(caDir, 'router-signing-cert.pem');
  let certificatePem = existsSync(certFile) ? readFileSync(certFile, 'utf8') : '';
  if (!certificatePem || !isIssuedBy(certificatePem, ca.certificatePem)) {
    const now = Date.now();
    const csr = createCertificateRequest(keys, { ncesId: 'NationalRouter', name: 'Open Records Exchange Router', state: 'US' });
    certificatePem = issueCertificate(ca, csr, { notBefore: new Date(now - 300_000), notAfter: new Date(now + 3650 * 86_400_000) }).pem;
    writeFileSync(certFile, certificatePem);
  }
  const keyId = keyIdOf(keys.publicKeyPem);
  const privateKey = createPrivateKey(keys.privateKeyPem);
  return {
    keyId,
    privateKey,
    certificatePem,
    certificateHeader: new X509Certificate(certificatePem).raw.toString('base64'),
    sign: (request, body) => signRequest(request, body, { keyId, privateKey }),
    signOffThread: (request, body) => signRequestOffThread(request, body, { keyId, privateKey }),
  };
}
