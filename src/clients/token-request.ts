/**
 * Reading an OAuth2 client-credentials token request (RFC 6749 §4.4), with
 * the client authenticated either by HTTP Basic (§2.3.1, the recommended way)
 * or by `client_id`/`client_secret` in the body. Pure: the HTTP layer hands in
 * the Authorization header and the parsed body.
 */

/** An RFC 6749 §5.2 error code. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

/** An error answer of the token endpoint. */
export interface OAuthError {
  kind: 'error';
  error: OAuthErrorCode;
  description: string;
  /** 401 for invalid_client (§5.2), 400 otherwise. */
  status: 400 | 401;
  /** Whether the client tried HTTP Basic: the 401 then carries `WWW-Authenticate: Basic`. */
  basic: boolean;
}

/** A well-formed request: the client's credentials. */
export interface TokenRequest {
  kind: 'ok';
  clientId: string;
  clientSecret: string;
}

/** Reads a token request from its Authorization header and its body (form fields or JSON object). */
export function readTokenRequest(authorization: string | undefined, body: unknown): TokenRequest | OAuthError {
  const fields = bodyFields(body);
  const basic = authorization !== undefined && /^basic\s/i.test(authorization);
  const fail = (error: OAuthErrorCode, description: string): OAuthError => ({
    kind: 'error',
    error,
    description,
    status: error === 'invalid_client' ? 401 : 400,
    basic,
  });
  if (!fields) return fail('invalid_request', 'the body must be application/x-www-form-urlencoded (or a JSON object)');
  const grantType = fields.grant_type;
  if (!grantType) return fail('invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') return fail('unsupported_grant_type', 'only grant_type=client_credentials is supported');
  const inBody = fields.client_id !== undefined || fields.client_secret !== undefined;
  if (basic && inBody) return fail('invalid_request', 'use one way to authenticate the client: the Basic header or the body, not both');
  const credentials = basic ? basicCredentials(authorization!) : { clientId: fields.client_id, clientSecret: fields.client_secret };
  if (!credentials?.clientId || !credentials.clientSecret) return fail('invalid_client', 'client authentication failed: give the client id and secret');
  return { kind: 'ok', clientId: credentials.clientId, clientSecret: credentials.clientSecret };
}

/** Single-valued string fields of the body, or null when it is not an object. */
function bodyFields(body: unknown): Record<string, string | undefined> | null {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return null;
  const fields: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') fields[name] = value;
    else if (typeof value === 'number') fields[name] = String(value);
  }
  return fields;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ':' and base64-encoded. */
function basicCredentials(header: string): { clientId?: string; clientSecret?: string } | null {
  const decoded = Buffer.from(header.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** Reads the bearer token of an Authorization header (RFC 6750 §2.1), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization ? /^bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization) : null;
  return match?.[1];
}
