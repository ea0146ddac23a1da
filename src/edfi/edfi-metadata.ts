/**
 * Ed-Fi metadata documents: the discovery document at `/` and the
 * `/metadata` list (Ed-Fi Discovery API 1.0), the OpenAPI documents of the
 * resources and descriptors, built from the committed model and schemas, and
 * the dependency order of resources derived from their references.
 */
import type { EdfiSpec } from './edfi-spec.js';
import type { ResourceModel } from './resource-model.js';

/** The discovery document (`metadataRoot` of the Ed-Fi Discovery API). */
export function edfiDiscovery(base: string): Record<string, unknown> {
  return {
    version: '7.3',
    informationalVersion: 'Open Records Exchange district node',
    suite: '3',
    build: '1.0.0',
    apiMode: 'Sandbox',
    dataModels: [
      { name: 'Ed-Fi', version: '5.0.0', informationalVersion: 'The Ed-Fi Data Standard 5.0 (studentHealths as in 5.1+)' },
      { name: 'rex', version: '1.0.0', informationalVersion: 'Open Records Exchange extension (studentHealthConditions)' },
    ],
    urls: {
      dependencies: `${base}/metadata/data/v3/dependencies`,
      openApiMetadata: `${base}/metadata`,
      oauth: `${base}/oauth/token`,
      dataManagementApi: `${base}/data/v3`,
      changeQueries: `${base}/changeQueries/v1`,
    },
  };
}

/** The `/metadata` list of OpenAPI documents (`apiSpecLink`). */
export function edfiMetadataLinks(base: string): Record<string, string>[] {
  return [
    { name: 'Resources', endpointUri: `${base}/metadata/data/v3/resources/swagger.json`, prefix: '' },
    { name: 'Descriptors', endpointUri: `${base}/metadata/data/v3/descriptors/swagger.json`, prefix: '' },
  ];
}

/** Resources in load order with their level (`dependency` of the Discovery API). */
export function edfiDependencies(spec: EdfiSpec): { resource: string; order: number; operations: string[] }[] {
  const levels = new Map<string, number>();
  const subclasses = new Map<string, string[]>();
  for (const r of spec.resources()) {
    if (r.superclass) subclasses.set(r.superclass.target, [...(subclasses.get(r.superclass.target) ?? []), `${r.project}/${r.name}`]);
  }
  // The model is already in dependency order, so one pass assigns levels.
  for (const r of spec.resources()) {
    const key = `${r.project}/${r.name}`;
    let level = 1;
    for (const reference of r.references) {
      for (const target of subclasses.get(reference.target) ?? [reference.target]) {
        if (target !== key && levels.has(target)) level = Math.max(level, levels.get(target)! + 1);
      }
    }
    levels.set(key, level);
  }
  return spec
    .resources()
    .map((r) => ({ resource: `/${r.project}/${r.name}`, order: levels.get(`${r.project}/${r.name}`)!, operations: ['Create', 'Update'] }))
    .sort((a, b) => a.order - b.order || a.resource.localeCompare(b.resource));
}

/** An OpenAPI 3.0 document of the resources (or descriptors) the engine serves. */
export function edfiOpenApi(spec: EdfiSpec, base: string, descriptors: boolean): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const resources = spec.resources().filter((r) => r.isDescriptor === descriptors);
  for (const resource of resources) paths[`/${resource.project}/${resource.name}`] = collectionPath(resource);
  for (const resource of resources) paths[`/${resource.project}/${resource.name}/{id}`] = itemPath(resource);
  const wanted = new Set(resources.map((r) => r.schema));
  const pending = [...wanted];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const schema = spec.definitions[name];
    schemas[name] = rewriteRefs(schema, (ref) => {
      if (!wanted.has(ref)) {
        wanted.add(ref);
        pending.push(ref);
      }
    });
  }
  return {
    openapi: '3.0.1',
    info: { title: descriptors ? 'Ed-Fi Descriptors API' : 'Ed-Fi Resources API', version: '5.0' },
    servers: [{ url: `${base}/data/v3` }],
    paths,
    components: { schemas },
  };
}

function collectionPath(resource: ResourceModel): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${resource.schema}` };
  return {
    get: {
      tags: [resource.name],
      operationId: `get${upperFirst(resource.name)}`,
      parameters: [
        ...['offset', 'limit', 'minChangeVersion', 'maxChangeVersion'].map((name) => ({ name, in: 'query', schema: { type: 'integer' } })),
        { name: 'totalCount', in: 'query', schema: { type: 'boolean' } },
        ...resource.query.map((f) => ({ name: f.name, in: 'query', schema: { type: f.type }, ...(resource.identity.some((i) => i.name === f.name) ? { 'x-Ed-Fi-isIdentity': true } : {}) })),
      ],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'array', items: ref } } } } },
    },
    post: {
      tags: [resource.name],
      operationId: `post${upperFirst(resource.name)}`,
      requestBody: { required: true, content: { 'application/json': { schema: ref } } },
      responses: { '200': { description: 'Updated' }, '201': { description: 'Created' } },
    },
  };
}

function itemPath(resource: ResourceModel): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${resource.schema}` };
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  return {
    get: { tags: [resource.name], parameters: [id], responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } } },
    put: {
      tags: [resource.name],
      parameters: [id],
      requestBody: { required: true, content: { 'application/json': { schema: ref } } },
      responses: { '204': { description: 'Updated' } },
      ...(resource.allowIdentityUpdate ? { 'x-Ed-Fi-isUpdatable': true } : {}),
    },
    delete: { tags: [resource.name], parameters: [id], responses: { '204': { description: 'Deleted' } } },
  };
}

function rewriteRefs(schema: unknown, onRef: (name: string) => void): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rewriteRefs(item, onRef));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = value.split('/').pop()!;
      onRef(name);
      out.$ref = `#/components/schemas/${name}`;
    } else out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, rewriteRefs(v, onRef)])) : rewriteRefs(value, onRef);
  }
  return out;
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
