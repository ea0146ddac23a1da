/**
 * `POST /data/v3/bulk`: NDJSON records in (`application/x-ndjson`, one
 * `{"resource","project","document"}` per line), one NDJSON result per record
 * out, streamed while the upload is still arriving. Authorized like the
 * Ed-Fi API (bearer token, the client's education organizations). Documented
 * in openapi/edfi-access.json.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { edfiProblem, isEdfiFailure } from '../edfi/edfi-problem.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { runBulk } from '../loading/bulk-lines.js';
import { RecordWriter } from '../loading/record-writer.js';
import type { NodeRoutes } from './node-app.js';
import { apiAccessFor } from './oauth-routes.js';

/** The bulk endpoint as a node feature plugin. */
export const bulkRoutes: NodeRoutes = async (app, deps) => {
  const access = apiAccessFor(deps);
  // The body is handed over as a stream (no size limit, no buffering): records are read line by line.
  app.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));
  app.post('/data/v3/bulk', async (request, reply) => {
    const correlationId = randomUUID();
    const caller = await access.authenticate(request.headers.authorization);
    if (isEdfiFailure(caller)) {
      const problem = edfiProblem(caller, correlationId);
      return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problem));
    }
    if (!/^application\/x-ndjson\b/i.test(request.headers['content-type'] ?? '')) {
      const problem = edfiProblem({ kind: 'unsupported-media-type', detail: 'The bulk endpoint takes application/x-ndjson: one {"resource","project","document"} per line.' }, correlationId);
      return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problem));
    }
    const writer = new RecordWriter(deps.orm, edfiSpec(), { scope: caller.scope });
    // Results are pushed without waiting for the client to read them, so a client that reads only
    // after it has sent everything cannot deadlock the upload; a result line is small.
    const output = new PassThrough({ highWaterMark: 1 << 16 });
    runBulk(request.body as Readable, writer, (text) => output.write(text)).then(
      () => output.end(),
      (error: unknown) => {
        request.log.error(error);
        output.destroy(error as Error);
      },
    );
    return reply.code(200).type('application/x-ndjson; charset=utf-8').header('Correlation-Id', correlationId).send(output);
  });
};
