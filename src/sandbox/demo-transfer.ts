/**
 * `rex sandbox demo-transfer`: one national records transfer between the
 * running sandbox's two demo districts, step by step (DESIGN §3: a newcomer
 * does a full national transfer in minutes). Works on both nodes'
 * databases; the running nodes' outbox workers and the router carry the
 * messages, so each step shows what really travels.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { RecordWriter } from '../loading/record-writer.js';
import { nodeSchema } from '../node/node-schema.js';
import { openRoleDatabase, type RoleDatabase } from '../storage/role-database.js';
import { RecordsTransferEntity, type RecordsTransfer, type UserRef } from '../transfer/transfer-entity.js';
import { transferNodeOf } from '../transfer/transfer-node.js';
import { statusLabel } from '../transfer/transfer-status.js';
import { releaseTransfer, requestTransfer, viewPacket } from '../transfer/transfer-workflow.js';

/** The registrar the demo acts as, on both sides. */
const DEMO_USER: UserRef = { username: 'demo-registrar', name: 'Registrar, Demo' };

/** Runs the demo from `requesting`'s point of view, asking `releasing`; returns the exit code. */
export async function runDemoTransfer(requesting: RexConfig, releasing: RexConfig, log: (line: string) => void = console.log, timeoutMs = 60_000): Promise<number> {
  const [asker, holder] = [await openRoleDatabase(requesting, nodeSchema, { poolMax: 3 }), await openRoleDatabase(releasing, nodeSchema, { poolMax: 3 })];
  try {
    return await demo(requesting, releasing, asker, holder, log, timeoutMs);
  } finally {
    await asker.close();
    await holder.close();
  }
}

async function demo(requesting: RexConfig, releasing: RexConfig, asker: RoleDatabase, holder: RoleDatabase, log: (line: string) => void, timeoutMs: number): Promise<number> {
  const [askerNode, holderNode] = [transferNodeOf(requesting), transferNodeOf(releasing)];
  const source = await firstStudent(holder.orm);
  if (!source) {
    log(`${holderNode.district.name} has no students yet: load some with  npm run rex -- node seed --config <its config>`);
    return 1;
  }
  log(`1. ${askerNode.district.name} enrols ${source.body.lastSurname}, ${source.body.firstName}, who comes from ${holderNode.district.name}.`);
  const localId = await enrolNewStudent(asker.orm, Number(askerNode.district.ncesId), source);

  const requested = await requestTransfer(asker.orm.em, askerNode, { studentUniqueId: localId, releasingDistrict: holderNode.district, comments: 'Demo: new enrollment', user: DEMO_USER });
  if (requested.kind !== 'ok') {
    log(`   the request was refused: ${requested.detail}`);
    return 1;
  }
  const msgId = requested.value.requestMessageId;
  log(`2. Request sent (sealed SIF_Request ${msgId}) from ${askerNode.district.name} to ${holderNode.district.name}.`);

  const arrived = await waitFor(() => transferAt(holder.orm, 'releasing', msgId, ['pending-release', 'released', 'match-error', 'rejected']), timeoutMs);
  if (!arrived) return notArrived(log, 'the request did not reach the releasing node');
  log(`3. ${holderNode.district.name} matched it automatically: ${statusLabel(arrived.status)}${arrived.studentId ? ` (its student ${arrived.studentId})` : ''}.`);
  if (arrived.status === 'match-error') return notArrived(log, 'no exact match: see the Process Alerts of the releasing district');
  if (arrived.status === 'pending-release') {
    const released = await releaseTransfer(holder.orm.em, holderNode, arrived.id, { user: DEMO_USER, comments: 'Demo: released from Process Alerts' });
    if (released.kind !== 'ok') return notArrived(log, `the release was refused: ${released.detail}`);
    log(`4. ${DEMO_USER.name} released the records from Process Alerts: the packet is sealed to ${askerNode.district.name} and sent.`);
  } else {
    log(`4. Released automatically (${holderNode.district.name} opted in for exact matches).`);
  }

  const received = await waitFor(() => transferAt(asker.orm, 'requesting', msgId, ['received']), timeoutMs);
  if (!received) return notArrived(log, 'the packet did not reach the requesting node');
  const packet = await viewPacket(asker.orm.em, askerNode, received.id, DEMO_USER);
  if (packet.kind !== 'ok') return notArrived(log, packet.detail);
  const counts = Object.entries(packet.value.records).map(([resource, docs]) => `${resource.split('/')[1]} ${docs.length}`);
  log(`5. ${askerNode.district.name} received and verified the packet: ${packet.value.recordTypes.join(', ')}.`);
  log(`   Ed-Fi documents: ${counts.join(', ')}.`);
  log(`   Transfer ${received.id}: ${statusLabel(received.status)}; every step is in the FERPA disclosure log of both districts.`);
  return 0;
}

function notArrived(log: (line: string) => void, why: string): number {
  log(`   stopped: ${why}. Is the sandbox running (npm start)?`);
  return 1;
}

async function firstStudent(orm: MikroORM): Promise<{ id: string; body: Record<string, unknown>; seoa?: Record<string, unknown> } | undefined> {
  const [row] = await orm.em.fork().execute<Array<{ id: string; body: Record<string, unknown>; seoa: Record<string, unknown> | null }>>(
    `SELECT s.identity->>'studentUniqueId' AS id, s.body, (
       SELECT e.body FROM edfi_document e WHERE e.resource = 'ed-fi/studentEducationOrganizationAssociations'
       AND e.identity->>'studentUniqueId' = s.identity->>'studentUniqueId' LIMIT 1) AS seoa
     FROM edfi_document s WHERE s.resource = 'ed-fi/students' ORDER BY s.seq LIMIT 1`,
  );
  return row ? { id: row.id, body: row.body, ...(row.seoa ? { seoa: row.seoa } : {}) } : undefined;
}

/**
 * The new district's own record of the student (a transfer needs one): the
 * student document under a new id and, when its agency exists, the
 * association with the sex and SSN. Idempotent: run twice, written once.
 */
async function enrolNewStudent(orm: MikroORM, leaId: number, source: { id: string; body: Record<string, unknown>; seoa?: Record<string, unknown> }): Promise<string> {
  const newId = `DEMO-${source.id}`;
  const writer = new RecordWriter(orm, edfiSpec());
  const [student] = await writer.write([{ resource: 'students', document: { ...source.body, studentUniqueId: newId } }]);
  if (!student || student.status >= 300) throw new Error(`could not write the demo student: ${JSON.stringify(student)}`);
  const codes = (source.seoa?.studentIdentificationCodes as Array<Record<string, unknown>> | undefined)?.filter((c) => c.assigningOrganizationIdentificationCode === 'SSA');
  await writer.write([
    {
      resource: 'studentEducationOrganizationAssociations',
      document: {
        studentReference: { studentUniqueId: newId },
        educationOrganizationReference: { educationOrganizationId: leaId },
        ...(source.seoa?.sexDescriptor ? { sexDescriptor: source.seoa.sexDescriptor } : {}),
        ...(codes?.length ? { studentIdentificationCodes: codes } : {}),
      },
    },
  ]);
  return newId;
}

async function transferAt(orm: MikroORM, side: RecordsTransfer['side'], msgId: string, statuses: string[]): Promise<RecordsTransfer | undefined> {
  const transfer = await orm.em.fork().findOne(RecordsTransferEntity, { side, requestMessageId: msgId });
  return transfer && statuses.includes(transfer.status) ? transfer : undefined;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
