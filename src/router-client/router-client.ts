import { createPrivateKey, type KeyObject } from 'node:crypto';
import { signRequest, signableFromUrl } from '../crypto/http-signature.js';
import type { components } from './router-api.js';

type Schemas = components['schemas'];
/** A router answer: the typed body on success, an RFC 9457 problem otherwise. */
export type RouterAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: number; problem: Schemas['Problem'] };

/** The node's signing key. */
export interface SigningKey {
  keyId: string;
  privateKeyPem: string;
}

/**
 * The node's client for the router API (openapi/router.json). Every call but
 * the terms is signed per RFC 9421 with the node's key.
 */
export class RouterClient {
  private readonly privateKey: KeyObject;

  constructor(
    /** The router's base URL. */
    readonly routerUrl: string,
    private readonly key: SigningKey,
  ) {
    this.privateKey = createPrivateKey(key.privateKeyPem);
  }

  /** The current terms of service. */
  terms(): Promise<RouterAnswer<Schemas['Terms']>> {
    return this.send('GET', '/v1/terms', undefined, false);
  }

  /** Sends a registration, signed with the key of its certificate request. */
  register(request: Schemas['RegistrationRequest']): Promise<RouterAnswer<Schemas['ExchangeStatus']>> {
    return this.send('POST', '/v1/registrations', request);
  }

  /** This district's registration and exchange status. */
  status(): Promise<RouterAnswer<Schemas['ExchangeStatus']>> {
    return this.send('GET', '/v1/status');
  }

  /** This district's certificate and the router CA certificate. */
  certificate(): Promise<RouterAnswer<Schemas['Certificates']>> {
    return this.send('GET', '/v1/certificate');
  }

  /** The district locator. */
  directory(query: { state: string; name?: string; city?: string; zip?: string }): Promise<RouterAnswer<Schemas['DirectoryResult']>> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => Boolean(e[1])));
    return this.send('GET', `/v1/directory?${params}`);
  }

  /** An active district's certificate, to seal messages to it. */
  districtCertificate(ncesId: string): Promise<RouterAnswer<Schemas['DistrictCertificate']>> {
    return this.send('GET', `/v1/districts/${encodeURIComponent(ncesId)}/certificate`);
  }

  /**
   * Posts a signed body to a router path and returns the raw answer: zone
   * endpoints answer with a SIF_Ack (XML or JSON), not with the API's JSON.
   */
  async postSigned(path: string, body: Buffer | string, contentType: string, accept?: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
    const url = new URL(path, this.routerUrl);
    const headers: Record<string, string> = { 'content-type': contentType, ...(accept ? { accept } : {}) };
    Object.assign(headers, signRequest(signableFromUrl('POST', url, headers), body, { keyId: this.key.keyId, privateKey: this.privateKey }));
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  /** Withdraws this district from the exchange. */
  withdraw(reason?: string): Promise<RouterAnswer<Schemas['ExchangeStatus']>> {
    return this.send('POST', '/v1/withdrawal', reason ? { reason } : {});
  }

  private async send<T>(method: string, path: string, body?: unknown, signed = true): Promise<RouterAnswer<T>> {
    const url = new URL(path, this.routerUrl);
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (signed) Object.assign(headers, signRequest(signableFromUrl(method, url, headers), payload, { keyId: this.key.keyId, privateKey: this.privateKey }));
    const response = await fetch(url, { method, headers, ...(payload ? { body: payload } : {}) });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (response.ok) return { ok: true, status: response.status, body: parsed as T };
    return { ok: false, status: response.status, problem: parsed as Schemas['Problem'] };
  }
}
