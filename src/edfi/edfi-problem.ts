/**
 * The one Ed-Fi error type and its mapping to HTTP: RFC 9457 problem details
 * with the `type` URNs of the Ed-Fi ODS/API error taxonomy
 * (`urn:ed-fi:api:…`), plus Ed-Fi's `correlationId`, `validationErrors`
 * (keyed by JSON path, e.g. `$.birthDate`) and `errors`.
 */

/** Every kind of failure the Ed-Fi API reports. */
export type EdfiFailureKind =
  | 'bad-request'
  | 'data-validation-failed'
  | 'key-change-not-supported'
  | 'authentication'
  | 'authorization'
  | 'not-found'
  | 'method-not-allowed'
  | 'unresolved-reference'
  | 'dependent-item-exists'
  | 'non-unique-identity'
  | 'optimistic-lock-failed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'internal-server-error';

/** An expected failure, as a typed value (not thrown). */
export interface EdfiFailure {
  readonly kind: EdfiFailureKind;
  readonly detail: string;
  /** Problems by JSON path of the request body, e.g. `{ "$.birthDate": ["…"] }`. */
  readonly validationErrors?: Readonly<Record<string, readonly string[]>>;
  readonly errors?: readonly string[];
}

/** An RFC 9457 problem details document with Ed-Fi's extensions. */
export interface EdfiProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  correlationId: string;
  validationErrors: Record<string, readonly string[]>;
  errors: readonly string[];
}

/** Status, type URN and title of each failure kind: the one place they become HTTP. */
const PROBLEM_TYPES: Record<EdfiFailureKind, { status: number; type: string; title: string }> = {
  'bad-request': { status: 400, type: 'urn:ed-fi:api:bad-request', title: 'Bad Request' },
  'data-validation-failed': { status: 400, type: 'urn:ed-fi:api:bad-request:data-validation-failed', title: 'Data Validation Failed' },
  'key-change-not-supported': { status: 400, type: 'urn:ed-fi:api:bad-request:key-change-not-supported', title: 'Key Change Not Supported' },
  authentication: { status: 401, type: 'urn:ed-fi:api:security:authentication', title: 'Authentication Failed' },
  authorization: { status: 403, type: 'urn:ed-fi:api:security:authorization', title: 'Authorization Denied' },
  'not-found': { status: 404, type: 'urn:ed-fi:api:not-found', title: 'Not Found' },
  'method-not-allowed': { status: 405, type: 'urn:ed-fi:api:method-not-allowed', title: 'Method Not Allowed' },
  'unresolved-reference': { status: 409, type: 'urn:ed-fi:api:conflict:unresolved-reference', title: 'Unresolved Reference' },
  'dependent-item-exists': { status: 409, type: 'urn:ed-fi:api:conflict:dependent-item-exists', title: 'Dependent Item Exists' },
  'non-unique-identity': { status: 409, type: 'urn:ed-fi:api:conflict:non-unique-identity', title: 'Identifying Values Are Not Unique' },
  'optimistic-lock-failed': { status: 412, type: 'urn:ed-fi:api:optimistic-lock-failed', title: 'Optimistic Lock Failed' },
  'payload-too-large': { status: 413, type: 'urn:ed-fi:api:bad-request', title: 'Payload Too Large' },
  'unsupported-media-type': { status: 415, type: 'urn:ed-fi:api:unsupported-media-type', title: 'Unsupported Media Type' },
  'internal-server-error': { status: 500, type: 'urn:ed-fi:api:internal-server-error', title: 'Internal Server Error' },
};

/** Builds a failure value. */
export function edfiFailure(kind: EdfiFailureKind, detail: string, extra: Omit<EdfiFailure, 'kind' | 'detail'> = {}): EdfiFailure {
  return { kind, detail, ...extra };
}

/** Whether a value is an {@link EdfiFailure}. */
export function isEdfiFailure(value: unknown): value is EdfiFailure {
  return typeof value === 'object' && value !== null && 'kind' in value && (value as EdfiFailure).kind in PROBLEM_TYPES && 'detail' in value;
}

/** The problem details document of a failure, with its HTTP status. */
export function edfiProblem(failure: EdfiFailure, correlationId: string): EdfiProblem {
  const { status, type, title } = PROBLEM_TYPES[failure.kind];
  return {
    type,
    title,
    status,
    detail: failure.detail,
    correlationId,
    validationErrors: { ...(failure.validationErrors ?? {}) },
    errors: failure.errors ?? [],
  };
}
