import { EntitySchema } from '@mikro-orm/postgresql';

/**
 * Where a district stands with the router:
 * - `pending`: registered with a valid signature, waiting for the operator;
 * - `active`: approved, certificate issued, listed in the directory;
 * - `invalid`: the registration's signature did not verify;
 * - `rejected`: the operator refused the registration;
 * - `withdrawn`: the district left the exchange; its certificate is revoked;
 * - `revoked`: the operator revoked the district's certificate.
 */
export type DistrictState = 'pending' | 'active' | 'invalid' | 'rejected' | 'withdrawn' | 'revoked';

/** A district known to the router: its registration, its key and its place in the directory. */
export interface District {
  ncesId: string;
  name: string;
  state: string;
  endpoint: string;
  deliveryMode: 'push' | 'pull';
  applicationName: string;
  termsVersion: string;
  registeredFrom: string;
  registeredBy: string;
  registeredAt: Date;
  status: DistrictState;
  reason: string | null;
  keyId: string;
  publicKeyPem: string;
  csrPem: string;
  certificatePem: string | null;
  certificateSerial: string | null;
  certificateNotAfter: Date | null;
  cities: string[];
  zips: string[];
  updatedAt: Date;
  version: number;
}

export const DistrictEntity = new EntitySchema<District>({
  name: 'District',
  tableName: 'district',
  properties: {
    ncesId: { type: 'string', primary: true },
    name: { type: 'string' },
    state: { type: 'string' },
    endpoint: { type: 'string' },
    deliveryMode: { type: 'string' },
    applicationName: { type: 'string' },
    termsVersion: { type: 'string' },
    registeredFrom: { type: 'string' },
    registeredBy: { type: 'string' },
    registeredAt: { type: 'datetime' },
    status: { type: 'string' },
    reason: { type: 'string', nullable: true },
    keyId: { type: 'string' },
    publicKeyPem: { type: 'text' },
    csrPem: { type: 'text' },
    certificatePem: { type: 'text', nullable: true },
    certificateSerial: { type: 'string', nullable: true },
    certificateNotAfter: { type: 'datetime', nullable: true },
    cities: { type: 'string[]' },
    zips: { type: 'string[]' },
    updatedAt: { type: 'datetime' },
    version: { type: 'integer', version: true },
  },
});

/** A certificate the router's CA issued; revocation is kept here for good. */
export interface IssuedCertificate {
  serial: string;
  ncesId: string;
  pem: string;
  notBefore: Date;
  notAfter: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
}

export const IssuedCertificateEntity = new EntitySchema<IssuedCertificate>({
  name: 'IssuedCertificate',
  tableName: 'issued_certificate',
  properties: {
    serial: { type: 'string', primary: true },
    ncesId: { type: 'string' },
    pem: { type: 'text' },
    notBefore: { type: 'datetime' },
    notAfter: { type: 'datetime' },
    revokedAt: { type: 'datetime', nullable: true },
    revocationReason: { type: 'string', nullable: true },
  },
});
