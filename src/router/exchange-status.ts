import type { components } from '../router-client/router-api.js';
import type { District } from './district-entity.js';

/** The status answer, as the source's status page shows it. */
export type ExchangeStatusView = components['schemas']['ExchangeStatus'];

/** The reason shown for a registration whose signature did not verify (seeds/001). */
export const SIGNATURE_FAILED = 'Signature Validation failed';

/** Builds the status answer of a district. */
export function exchangeStatusOf(district: District, now = new Date()): ExchangeStatusView {
  const expired = district.status === 'active' && district.certificateNotAfter !== null && district.certificateNotAfter <= now;
  const active = district.status === 'active' && !expired;
  return {
    ncesId: district.ncesId,
    districtName: district.name,
    state: district.state,
    exchangeRegistration: { registeredFrom: district.registeredFrom, applicationName: district.applicationName },
    registeredBy: district.registeredBy,
    registeredAt: district.registeredAt.toISOString(),
    exchangeStatus: active ? 'Active' : 'Inactive',
    reason: active ? null : expired ? 'Certificate expired' : (district.reason ?? defaultReason(district)),
    registrationState: district.status,
    certificate:
      district.certificateSerial && district.certificateNotAfter
        ? { serial: district.certificateSerial, notAfter: district.certificateNotAfter.toISOString() }
        : null,
  };
}

function defaultReason(district: District): string {
  switch (district.status) {
    case 'pending':
      return 'Awaiting approval by the router operator';
    case 'invalid':
      return SIGNATURE_FAILED;
    case 'rejected':
      return 'Registration rejected by the router operator';
    case 'withdrawn':
      return 'Withdrawn from the exchange';
    case 'revoked':
      return 'Certificate revoked by the router operator';
    default:
      return '';
  }
}
