import type { RouterRefusal, RouterRefusalKind } from '../router/refusal.js';

/** An RFC 9457 problem details document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
}

/** The one place where router refusals become HTTP statuses. */
const STATUS: Record<RouterRefusalKind, { status: number; title: string }> = {
  'signature-missing': { status: 401, title: 'The request is not signed' },
  'signature-invalid': { status: 401, title: 'The signature does not verify' },
  'signature-stale': { status: 401, title: 'The signature is too old or from the future' },
  replayed: { status: 401, title: 'The request was replayed' },
  'unknown-key': { status: 401, title: 'The signing key is not registered' },
  'certificate-expired': { status: 403, title: 'The certificate has expired' },
  'certificate-revoked': { status: 403, title: 'The certificate is revoked' },
  'district-inactive': { status: 403, title: 'The district is not active in the exchange' },
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'terms-not-accepted': { status: 400, title: 'The terms of service were not accepted' },
  'already-registered': { status: 409, title: 'The district or key is already registered' },
  'unknown-district': { status: 404, title: 'No such district' },
  'no-certificate': { status: 404, title: 'No certificate has been issued yet' },
  'wrong-state': { status: 409, title: 'The registration is not in a state that allows this' },
  'concurrent-change': { status: 409, title: 'The district was changed at the same time' },
};

/** The problem document for a router refusal; its type is `urn:rex:router:<kind>`. */
export function routerProblem(refusal: RouterRefusal, instance?: string): Problem {
  const { status, title } = STATUS[refusal.kind];
  return { type: `urn:rex:router:${refusal.kind}`, title, status, detail: refusal.detail, ...(instance ? { instance } : {}) };
}
