/**
 * The OpenAPI document of our `rex` extension namespace
 * (`/data/v3/rex/…`), written to `openapi/edfi-rex-extension.json`.
 */
import type { GeneratedSpec } from './spec-model.js';

/** Builds the OpenAPI 3.0 document of every `rex` resource in the model. */
export function extensionOpenApi(spec: GeneratedSpec): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const model of Object.values(spec.model.resources)) {
    if (model.project !== 'rex') continue;
    const ref = { $ref: `#/components/schemas/${model.schema}` };
    schemas[model.schema] = spec.schemas.definitions[model.schema];
    const query = model.query.map((field) => ({ name: field.name, in: 'query', schema: { type: field.type } }));
    paths[`/rex/${model.name}`] = {
      get: {
        summary: `Retrieves ${model.name} by natural key or other properties, paged by offset and limit.`,
        parameters: [...query, ...['offset', 'limit', 'minChangeVersion', 'maxChangeVersion'].map((name) => ({ name, in: 'query', schema: { type: 'integer' } })), { name: 'totalCount', in: 'query', schema: { type: 'boolean' } }],
        responses: { '200': { description: 'The matching documents.', content: { 'application/json': { schema: { type: 'array', items: ref } } } } },
      },
      post: {
        summary: `Creates or updates one of ${model.name} by its natural key (${model.identity.map((f) => f.name).join(', ')}).`,
        requestBody: { required: true, content: { 'application/json': { schema: ref } } },
        responses: { '200': { description: 'Updated.' }, '201': { description: 'Created.' }, '400': { description: 'Invalid.' }, '409': { description: 'A reference does not resolve.' } },
      },
    };
    paths[`/rex/${model.name}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } }],
      get: { summary: 'Retrieves one document by id.', responses: { '200': { description: 'The document.', content: { 'application/json': { schema: ref } } }, '404': { description: 'Not found.' } } },
      put: { summary: 'Replaces one document by id.', requestBody: { required: true, content: { 'application/json': { schema: ref } } }, responses: { '204': { description: 'Updated.' }, '412': { description: 'If-Match does not match.' } } },
      delete: { summary: 'Deletes one document by id.', responses: { '204': { description: 'Deleted.' }, '409': { description: 'Another document references it.' } } },
    };
    paths[`/rex/${model.name}/deletes`] = {
      get: { summary: 'Deleted documents with their change version and natural key values.', responses: { '200': { description: 'Tombstones.' } } },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Open Records Exchange extension of the Ed-Fi API',
      version: '1.0',
      description:
        'Resources Ed-Fi core lacks, served by the same engine and rules as /data/v3/ed-fi (natural-key upsert, ETags, change queries, problem details). studentHealthConditions holds the health conditions and screenings a school nurse records; its natural key is studentReference + educationOrganizationReference.',
    },
    servers: [{ url: '/data/v3' }],
    paths,
    components: { schemas },
  };
}
