import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, TRANSFER_FORMAT, type RequestPayload } from '../../src/transfer/transfer-payloads.js';

const request: RequestPayload = {
  format: TRANSFER_FORMAT,
  kind: 'request',
  demographics: { firstName: 'Jenna', middleName: 'Marie', lastSurname: 'Abrams', birthDate: '2009-02-12', gender: 'Female' },
  requestingDistrict: { ncesId: '2799901', name: 'Ten Lakes Public Schools' },
  releasingDistrict: { ncesId: '0499901', name: 'Saguaro Unified School District' },
  requestedBy: { username: 'admin', name: 'Administrator, System' },
  requestedAt: '2026-11-24T10:00:00.000Z',
  comments: null,
};

describe('transfer payloads', () => {
  it('round-trips a request', () => {
    expect(decodePayload(encodePayload(request))).toEqual(request);
  });

  it.each([
    ['no payload', undefined],
    ['not JSON', Buffer.from('<xml/>')],
    ['another format', Buffer.from(JSON.stringify({ ...request, format: 'other/1' }))],
    ['an unknown kind', Buffer.from(JSON.stringify({ ...request, kind: 'gossip' }))],
    ['a request without demographics', Buffer.from(JSON.stringify({ ...request, demographics: { firstName: 'x' } }))],
    ['a status with an unknown status', Buffer.from(JSON.stringify({ format: TRANSFER_FORMAT, kind: 'status', requestMsgId: 'A', status: 'released' }))],
  ])('ignores %s', (_name, bytes) => {
    expect(decodePayload(bytes)).toBeUndefined();
  });
});
