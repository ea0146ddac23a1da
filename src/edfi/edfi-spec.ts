/**
 * The committed Ed-Fi model and JSON Schemas (`schemas/edfi/`), loaded once,
 * with ajv validators compiled lazily per resource on first use (compiling
 * all 330 resources up front costs seconds at start for resources most
 * nodes never receive).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { resourceKey, type EdfiModel, type ResourceModel } from './resource-model.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SCHEMA_DIR = new URL('../../schemas/edfi/', import.meta.url);

/** The loaded specification: model, resource lookup and validation. */
export interface EdfiSpec {
  readonly model: EdfiModel;
  /** The resource at `/{project}/{name}`, matched case-insensitively. */
  resource(project: string, name: string): ResourceModel | undefined;
  /** Every resource in dependency order. */
  resources(): readonly ResourceModel[];
  /**
   * Validates a body; returns `validationErrors` keyed by JSON path, or undefined when valid.
   * Removes properties the resource does not define from `body` (they are ignored, not refused).
   */
  validate(resource: ResourceModel, body: unknown): Record<string, string[]> | undefined;
  /** The JSON Schema definitions (for OpenAPI metadata). */
  readonly definitions: Readonly<Record<string, unknown>>;
}

let loaded: EdfiSpec | undefined;

/** The committed specification, loaded once per process. */
export function edfiSpec(): EdfiSpec {
  loaded ??= createEdfiSpec(
    JSON.parse(readFileSync(new URL('model.json', SCHEMA_DIR), 'utf8')) as EdfiModel,
    JSON.parse(readFileSync(new URL('resources.schema.json', SCHEMA_DIR), 'utf8')) as { definitions: Record<string, unknown> },
  );
  return loaded;
}

/** Builds an {@link EdfiSpec} from a model and a schema bundle (used by tests with generated ones). */
export function createEdfiSpec(model: EdfiModel, bundle: { definitions: Record<string, unknown> }): EdfiSpec {
  // Properties the specification does not define are dropped, not refused: the Ed-Fi API
  // guidelines ("Data Strictness": should ignore extra attributes and not store them) and the
  // Ed-Fi Data Management Service (prunes overposted data before validating) do so, as the
  // ODS/API's deserializer does.
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, removeAdditional: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'edfi', definitions: bundle.definitions });
  const byPath = new Map<string, ResourceModel>();
  for (const resource of Object.values(model.resources)) byPath.set(resourceKey(resource.project, resource.name).toLowerCase(), resource);
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (resource: ResourceModel): ValidateFunction => {
    let validate = validators.get(resource.schema);
    if (!validate) {
      validate = ajv.getSchema(`edfi#/definitions/${resource.schema}`)!;
      validators.set(resource.schema, validate);
    }
    return validate;
  };
  const ordered = Object.values(model.resources);
  return {
    model,
    definitions: bundle.definitions,
    resource: (project, name) => byPath.get(`${project}/${name}`.toLowerCase()),
    resources: () => ordered,
    validate(resource, body) {
      const validate = validatorOf(resource);
      return validate(body) ? undefined : validationErrors(validate.errors ?? []);
    },
  };
}

/** ajv errors as Ed-Fi `validationErrors`: messages by JSON path (`$.addresses[0].city`). */
function validationErrors(errors: ErrorObject[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    let path = `$${error.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      path = `${path}.${(error.params as { missingProperty: string }).missingProperty}`;
      message = 'is required.';
    } else if (error.keyword === 'additionalProperties') {
      path = `${path}.${(error.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a property of this resource.';
    }
    (out[path] ??= []).push(message);
  }
  return out;
}
