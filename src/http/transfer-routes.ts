/**
 * The national records-transfer API of a district node (openapi/node-transfer.json;
 * DESIGN §6): requests, the Records Transfer history, Process Alerts, release,
 * rejection, choosing a candidate, the match error report, received packets
 * and the FERPA disclosure log. Every route checks its tool right (DESIGN §5);
 * refusals are RFC 9457 problems with `urn:rex:node:…` types.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { disclosuresOf } from '../disclosure/disclosure-log.js';
import { routerClientFor } from '../node/registration.js';
import { attachTransferWorkflow } from '../transfer/transfer-handlers.js';
import type { RecordsTransfer, UserRef } from '../transfer/transfer-entity.js';
import { transferNodeOf, type TransferNode } from '../transfer/transfer-node.js';
import { statusLabel } from '../transfer/transfer-status.js';
import { listTransfers, type TransferWithHistory } from '../transfer/transfer-store.js';
import {
  chooseCandidate,
  getTransfer,
  processAlerts,
  rejectTransfer,
  releaseTransfer,
  requestTransfer,
  sendMatchErrorReport,
  viewPacket,
  type Decision,
  type WorkflowRefusal,
  type WorkflowResult,
} from '../transfer/transfer-workflow.js';
import type { NodeAppDeps, NodeRoutes } from './node-app.js';
import type { Problem } from './router-problems.js';
import { authenticatedUser, requireAnyToolRight, requireToolRight } from './session-auth.js';

/** The one place where workflow refusals become HTTP statuses. */
const REFUSALS: Record<WorkflowRefusal | 'invalid-body' | 'unknown-district' | 'router-unreachable', { status: number; title: string }> = {
  'not-found': { status: 404, title: 'No such transfer, student or packet' },
  'not-allowed': { status: 409, title: 'The transfer is not in a state that allows this' },
  'concurrent-change': { status: 409, title: 'The transfer was changed by someone else' },
  invalid: { status: 422, title: 'The request cannot be made' },
  'invalid-body': { status: 400, title: 'The request body is not valid' },
  'unknown-district': { status: 422, title: 'No such active district in the directory' },
  'router-unreachable': { status: 503, title: 'The national router cannot be reached' },
};

function refuse(reply: FastifyReply, kind: keyof typeof REFUSALS, detail: string, status?: number): FastifyReply {
  const { title, status: defaultStatus } = REFUSALS[kind];
  const problem: Problem = { type: `urn:rex:node:${kind}`, title, status: status ?? defaultStatus, detail };
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Sends a workflow result: the transfer (with its ETag) or the refusal; a stale If-Match is 412. */
async function answer(deps: NodeAppDeps, reply: FastifyReply, result: WorkflowResult<RecordsTransfer>, ifMatch: number | undefined): Promise<FastifyReply> {
  if (result.kind !== 'ok') return refuse(reply, result.kind, result.detail, result.kind === 'concurrent-change' && ifMatch !== undefined ? 412 : undefined);
  const full = await getTransfer(deps.orm.em, result.value.id);
  return reply.header('etag', `"${result.value.version}"`).send(transferView(full ?? { ...result.value, history: [] }));
}

/** A user as transfers name them. */
function userRef(request: FastifyRequest): UserRef {
  const user = authenticatedUser(request)!;
  return { username: user.username, name: user.displayName };
}

/** The version an If-Match header names (`"3"` or `W/"3"`), undefined without one, NaN when unreadable. */
function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(String(header).trim());
  return match ? Number(match[1]) : Number.NaN;
}

function body(request: FastifyRequest): Record<string, unknown> {
  return typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
}

/** An optional text field of the body: a string of at most `max` characters, or null. */
function optionalText(value: unknown, max = 2000): string | null | false {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) return false;
  return value.trim() === '' ? null : value;
}

/** A transfer as the API shows it (the SSN masked to its last four digits). */
export function transferView(t: TransferWithHistory) {
  const { ssn, ...demographics } = t.demographics;
  return {
    id: t.id,
    side: t.side,
    requestDate: t.requestedAt.toISOString(),
    name: t.studentName,
    status: t.status,
    statusLabel: statusLabel(t.status),
    requestingDistrict: t.requestingDistrict,
    releasingDistrict: t.releasingDistrict,
    studentUniqueId: t.studentId,
    demographics: { ...demographics, ...(ssn ? { ssn: `***-**-${ssn.replace(/\D/g, '').slice(-4)}` } : {}) },
    requestedBy: t.requestedBy,
    requestComments: t.requestComments,
    decidedBy: t.decidedBy,
    decidedAt: t.decidedAt?.toISOString() ?? null,
    decisionComments: t.decisionComments,
    candidates: t.candidates,
    version: t.version,
    history: t.history.map((e) => ({ status: e.status, at: e.at.toISOString(), actor: e.actor, note: e.note })),
  };
}

/** Decision routes: release, reject, error report (same body: comments). */
type DecisionStep = (node: TransferNode, id: string, decision: Decision, request: FastifyRequest) => Promise<WorkflowResult<RecordsTransfer> | string>;

export const transferRoutes: NodeRoutes = async (app, deps) => {
  if (!deps.config.node) return;
  const node = transferNodeOf(deps.config);
  const detach = attachTransferWorkflow(deps.nationalHandlers, node);
  app.addHook('onClose', async () => detach());
  const em = deps.orm.em;
  const right = {
    request: requireToolRight('records-transfer', deps),
    history: requireToolRight('student-records-transfer', deps),
    inbox: requireToolRight('notify-process-inbox', deps),
    packet: requireAnyToolRight(
      ['student-records-transfer', 'import-transcripts', 'import-enrollment-history', 'import-assessments', 'import-immunizations', 'import-health-conditions', 'import-health-screenings'],
      deps,
    ),
  };

  app.post('/transfers', { preHandler: right.request }, async (request, reply) => {
    const input = body(request);
    const comments = optionalText(input.comments);
    if (typeof input.studentUniqueId !== 'string' || input.studentUniqueId === '') return refuse(reply, 'invalid-body', 'studentUniqueId (this district\'s Ed-Fi student id) is required');
    if (typeof input.releasingDistrict !== 'string' || !/^[0-9]{7}$/.test(input.releasingDistrict)) return refuse(reply, 'invalid-body', 'releasingDistrict is the 7-digit NCES id of a district from the directory');
    if (comments === false) return refuse(reply, 'invalid-body', 'comments is text of at most 2000 characters');
    const releasing = await releasingDistrict(deps, input.releasingDistrict);
    if (typeof releasing === 'string') return refuse(reply, releasing.startsWith('unreachable') ? 'router-unreachable' : 'unknown-district', releasing);
    const result = await requestTransfer(em, node, { studentUniqueId: input.studentUniqueId, releasingDistrict: releasing, comments, user: userRef(request) });
    if (result.kind !== 'ok') return refuse(reply, result.kind, result.detail);
    reply.code(201).header('location', `/transfers/${result.value.id}`);
    return answer(deps, reply, result, undefined);
  });

  app.get('/transfers', { preHandler: right.history }, async (request) => {
    const query = request.query as { student?: string; limit?: string };
    const limit = Math.min(Math.max(Number(query.limit) || 100, 1), 500);
    const transfers = await listTransfers(em.fork(), { ...(query.student ? { studentId: query.student } : {}), limit });
    return { transfers: transfers.map(transferView) };
  });

  app.get<{ Params: { id: string } }>('/transfers/:id', { preHandler: right.history }, async (request, reply) => {
    const transfer = isUuid(request.params.id) ? await getTransfer(em, request.params.id) : undefined;
    if (!transfer) return refuse(reply, 'not-found', `no transfer ${request.params.id}`);
    return reply.header('etag', `"${transfer.version}"`).send(transferView(transfer));
  });

  app.get('/process-alerts', { preHandler: right.inbox }, async () => {
    const alerts = await processAlerts(em);
    const brief = (t: RecordsTransfer) => transferView({ ...t, history: [] });
    return {
      incoming: alerts.incoming.map(brief),
      outgoing: alerts.outgoing.map(brief),
      notifications: alerts.notifications.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })),
    };
  });

  const decisionRoute = (path: string, step: DecisionStep) =>
    app.post<{ Params: { id: string } }>(`/transfers/:id/${path}`, { preHandler: right.inbox }, async (request, reply) => {
      if (!isUuid(request.params.id)) return refuse(reply, 'not-found', `no transfer ${request.params.id}`);
      const comments = optionalText(body(request).comments);
      if (comments === false) return refuse(reply, 'invalid-body', 'comments is text of at most 2000 characters');
      const ifMatch = ifMatchVersion(request);
      if (Number.isNaN(ifMatch)) return refuse(reply, 'invalid-body', 'If-Match names the transfer version as a quoted number, e.g. "3"', 400);
      const decision: Decision = { user: userRef(request), comments, ...(ifMatch !== undefined ? { expectedVersion: ifMatch } : {}) };
      const result = await step(node, request.params.id, decision, request);
      if (typeof result === 'string') return refuse(reply, 'invalid-body', result);
      return answer(deps, reply, result, ifMatch);
    });
  decisionRoute('release', (n, id, d) => releaseTransfer(em, n, id, d));
  decisionRoute('reject', (n, id, d) => rejectTransfer(em, n, id, d));
  decisionRoute('error-report', (n, id, d) => sendMatchErrorReport(em, n, id, d));
  decisionRoute('choose-candidate', async (n, id, d, request) => {
    const studentUniqueId = body(request).studentUniqueId;
    if (typeof studentUniqueId !== 'string' || studentUniqueId === '') return 'studentUniqueId (one of the transfer\'s candidates) is required';
    return chooseCandidate(em, n, id, studentUniqueId, d);
  });

  app.get<{ Params: { id: string } }>('/transfers/:id/packet', { preHandler: right.packet }, async (request, reply) => {
    if (!isUuid(request.params.id)) return refuse(reply, 'not-found', `no transfer ${request.params.id}`);
    const result = await viewPacket(em, node, request.params.id, userRef(request));
    if (result.kind !== 'ok') return refuse(reply, result.kind, result.detail);
    return reply.header('cache-control', 'no-store').send(result.value);
  });

  app.get<{ Params: { studentUniqueId: string } }>('/students/:studentUniqueId/disclosures', { preHandler: right.history }, async (request) => {
    const entries = await disclosuresOf(em.fork(), request.params.studentUniqueId);
    return { disclosures: entries.map((d) => ({ ...d, occurredAt: d.occurredAt.toISOString() })) };
  });
};

/** The releasing district as the router's directory knows it (active, with a certificate), or why not. */
async function releasingDistrict(deps: NodeAppDeps, ncesId: string): Promise<{ ncesId: string; name: string } | string> {
  try {
    const found = await routerClientFor(deps.config).districtCertificate(ncesId);
    if (found.ok) return { ncesId: found.body.ncesId, name: found.body.name };
    return found.problem?.detail ?? `district ${ncesId} is not an active district of the exchange`;
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
