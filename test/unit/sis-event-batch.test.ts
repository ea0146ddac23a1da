import { describe, expect, it } from 'vitest';
import { newHeader, SIF_VERSION, type SifMessage } from '../../src/sif/sif-message.js';
import { eventSegments, runSegment } from '../../src/sis-sync/event-batch.js';
import type { NodeAgentDelivery, NodeAgentResult } from '../../src/zones/node-agent.js';
import { studentPersonal } from '../support/sif-samples.js';

const A = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
const B = 'B1B2C3D4E5F60718293A4B5C6D7E8F90';

function studentEvent(refId: string, action: 'Add' | 'Change' = 'Add'): NodeAgentDelivery {
  const message: SifMessage = { type: 'SIF_Event', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objectName: 'StudentPersonal', action, object: studentPersonal(refId) };
  return { zoneId: 'district-sis', kind: 'event', message };
}

function schoolEvent(): NodeAgentDelivery {
  const message: SifMessage = { type: 'SIF_Event', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objectName: 'SchoolInfo', action: 'Add', object: { SchoolInfo: { '@RefId': B } } };
  return { zoneId: 'district-sis', kind: 'event', message };
}

describe('batches of the SIS node agent', () => {
  it('groups a run of one object type by RefId, in order, and keeps other types and responses apart', () => {
    const batch = [studentEvent(A), studentEvent(B), studentEvent(A, 'Change'), schoolEvent(), studentEvent(B)];
    expect(eventSegments(batch).map((s) => s.groups)).toEqual([[[0, 2], [1]], [[3]], [[4]]]);
  });

  it('skips what follows a failure in the same RefId group, and reports the segment as not done', async () => {
    const batch = [studentEvent(A), studentEvent(B), studentEvent(A, 'Change')];
    const [segment] = eventSegments(batch);
    const results = new Array<NodeAgentResult>(batch.length).fill({ kind: 'skipped' });
    const ok = await runSegment(segment!, async (delivery) => {
      if (delivery === batch[0]) throw new Error('store unavailable');
    }, results);
    expect(ok).toBe(false);
    expect(results.map((r) => r.kind)).toEqual(['failed', 'done', 'skipped']);
  });
});
