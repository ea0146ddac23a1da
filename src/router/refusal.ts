/**
 * Why the router refuses a call. This is the router API's one error type:
 * services return it as a typed result, and src/http/router-problems.ts maps
 * each kind to an HTTP status and an RFC 9457 problem type.
 */
export type RouterRefusalKind =
  | 'signature-missing'
  | 'signature-invalid'
  | 'signature-stale'
  | 'replayed'
  | 'unknown-key'
  | 'certificate-expired'
  | 'certificate-revoked'
  | 'district-inactive'
  | 'invalid-request'
  | 'terms-not-accepted'
  | 'already-registered'
  | 'unknown-district'
  | 'no-certificate'
  | 'wrong-state'
  | 'concurrent-change';

/** A refusal with a sentence for the person reading it. */
export interface RouterRefusal {
  readonly kind: RouterRefusalKind;
  readonly detail: string;
}

/** A typed outcome: the value, or the reason for refusing. */
export type RouterResult<T> = { ok: true; value: T } | { ok: false; refusal: RouterRefusal };

/** Builds a refusal result. */
export function refuse<T = never>(kind: RouterRefusalKind, detail: string): RouterResult<T> {
  return { ok: false, refusal: { kind, detail } };
}

/** Builds a success result. */
export function accept<T>(value: T): RouterResult<T> {
  return { ok: true, value };
}
