import { createPrivateKey } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createCertificateRequest } from '../../src/crypto/certificate-authority.js';
import { signRequest, signableFromUrl } from '../../src/crypto/http-signature.js';
import { generateRsaKeyPair, keyIdOf, type PemKeyPair } from '../../src/crypto/keys.js';

/** A test district with its own key, able to make signed calls to an app through inject. */
export interface TestDistrict {
  ncesId: string;
  name: string;
  state: string;
  keys: PemKeyPair;
  keyId: string;
  csr: string;
  registration(overrides?: Record<string, unknown>): Record<string, unknown>;
  call(app: FastifyInstance, method: string, path: string, body?: unknown, tamper?: (headers: Record<string, string>) => void): Promise<LightMyRequestResponse>;
}

const HOST = 'router.test';

/** Makes a district with a fresh RSA key and certificate request. */
export function testDistrict(ncesId: string, name: string, state: string, localities = { cities: ['Springfield'], zips: ['12345'] }): TestDistrict {
  const keys = generateRsaKeyPair();
  const privateKey = createPrivateKey(keys.privateKeyPem);
  const keyId = keyIdOf(keys.publicKeyPem);
  const csr = createCertificateRequest(keys, { ncesId, name, state });
  return {
    ncesId,
    name,
    state,
    keys,
    keyId,
    csr,
    registration: (overrides = {}) => ({
      district: { ncesId, name, state },
      endpoint: `http://node-${ncesId}.test/`,
      deliveryMode: 'push',
      termsVersion: '2026-01',
      applicationName: `rex-${state.toLowerCase()}`,
      registeredBy: 'Administrator, System',
      certificateRequest: csr,
      localities,
      ...overrides,
    }),
    async call(app, method, path, body, tamper) {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const headers: Record<string, string> = { host: HOST, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
      Object.assign(headers, signRequest(signableFromUrl(method, `http://${HOST}${path}`, headers), payload, { keyId, privateKey }));
      tamper?.(headers);
      return app.inject({ method: method as 'GET', url: path, headers, ...(payload ? { payload } : {}) });
    },
  };
}
