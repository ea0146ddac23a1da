/**
 * Builds the engine's model and JSON Schemas from the official Ed-Fi OpenAPI
 * specifications, the way Ed-Fi's Meadowlark derived everything from the
 * data standard's model: identity from `x-Ed-Fi-isIdentity`, references from
 * the `…Reference` schemas, descriptors from `…Descriptor` properties.
 *
 * Pure: takes the parsed specification documents, returns plain JSON.
 */
import type {
  DescriptorField,
  DocumentPath,
  EdfiModel,
  IdentityField,
  QueryField,
  ReferenceField,
  ResourceModel,
} from '../resource-model.js';

/** A JSON Schema / OpenAPI schema object, loosely typed. */
type Schema = Record<string, any>;

/** The parsed inputs of the generation. */
export interface SpecInputs {
  /** resources-ds-5.0.yaml, parsed. */
  resources: Schema;
  /** resources-ds-6.0.yaml, parsed (only `studentHealths` is taken from it). */
  resources6: Schema;
  /** descriptor-api-5.0.yaml, parsed. */
  descriptors: Schema;
  /** Ed-Fi-Core-5.2.xsd as text (only for superclasses: `<xs:extension base=…>`). */
  xsd: string;
  /** Descriptor catalog files of DS 5.2 by descriptor name (e.g. `SexDescriptor`), as XML text. */
  descriptorCatalog: Readonly<Record<string, string>>;
  /** Our extension resources: name → JSON Schema (draft-07) and identity field names. */
  extensions: Readonly<Record<string, { schema: Schema; identity: readonly string[] }>>;
}

/** The generated artifacts. */
export interface GeneratedSpec {
  model: EdfiModel;
  /** One JSON Schema holding every definition (`#/definitions/edFi_student`). */
  schemas: { $id: string; definitions: Record<string, Schema> };
  /** Standard descriptor values: descriptor resource → [codeValue, shortDescription, description?][]. */
  descriptorValues: Record<string, { namespace: string; values: [string, string, string?][] }>;
}

/** Resources taken from DS 6.0 because DS 5.0 lacks them (added in DS 5.1). */
const FROM_DS6 = ['studentHealths'];
/** Descriptors of the DS 6.0 resources that DS 5.0's descriptor API lacks. */
const DESCRIPTORS_FROM_CATALOG = ['ImmunizationTypeDescriptor', 'NonMedicalImmunizationExemptionDescriptor'];
/** Superclasses a reference may point to (abstract entities of the data standard). */
const ABSTRACT_BASES = ['EducationOrganization', 'GeneralStudentProgramAssociation'];
/** System properties the engine adds and strips (never validated). */
const SYSTEM_PROPERTIES = new Set(['id', '_etag', '_lastModifiedDate', 'link', '_ext']);
/** Paging and change-query parameters, which are not document properties. */
const PAGING_PARAMETERS = new Set(['offset', 'limit', 'minChangeVersion', 'maxChangeVersion', 'totalCount', 'id']);
/** Formats ajv-formats knows that matter for Ed-Fi (others are dropped). */
const KEPT_FORMATS = new Set(['date', 'date-time']);

/** Builds the model, schema bundle and descriptor catalog from the specifications. */
export function buildEdfiSpec(inputs: SpecInputs): GeneratedSpec {
  const sources = collectResources(inputs);
  const definitions = collectDefinitions(inputs, sources);
  const descriptorNames = new Set(sources.filter((s) => s.isDescriptor).map((s) => s.name));
  const superclasses = parseSuperclasses(inputs.xsd);
  const context: BuildContext = { definitions, descriptorNames, sources };
  const models = sources.map((source) => buildResource(context, source, superclasses));
  return {
    model: { dataStandard: '5.0', resources: Object.fromEntries(dependencyOrder(models).map((m) => [`${m.project}/${m.name}`, m])) },
    schemas: { $id: 'edfi', definitions: sortKeys(definitions) },
    descriptorValues: buildDescriptorValues(inputs.descriptorCatalog, descriptorNames),
  };
}

/** One resource found in a specification. */
interface ResourceSource {
  project: 'ed-fi' | 'rex';
  name: string;
  schema: string;
  isDescriptor: boolean;
  /** Identity field names (reference form) with their JSON types. */
  identity: { name: string; type: QueryField['type'] }[];
  /** GET query parameters (reference form) with their JSON types. */
  parameters: { name: string; type: QueryField['type'] }[];
  allowIdentityUpdate: boolean;
}

interface BuildContext {
  definitions: Record<string, Schema>;
  descriptorNames: Set<string>;
  sources: ResourceSource[];
}

function collectResources(inputs: SpecInputs): ResourceSource[] {
  const found: ResourceSource[] = [];
  const add = (spec: Schema, isDescriptor: boolean, only?: string[]) => {
    for (const [path, item] of Object.entries<Schema>(spec.paths ?? {})) {
      const match = /^\/ed-fi\/([A-Za-z]+)$/.exec(path);
      if (!match || !item.post || !item.get) continue;
      if (only && !only.includes(match[1]!)) continue;
      found.push(resourceSource(match[1]!, item, spec, isDescriptor));
    }
  };
  add(inputs.resources, false);
  add(inputs.resources6, false, FROM_DS6);
  add(inputs.descriptors, true);
  for (const descriptor of DESCRIPTORS_FROM_CATALOG) found.push(catalogDescriptorSource(descriptor));
  for (const [name, extension] of Object.entries(inputs.extensions)) {
    const identity = extension.identity.map((field) => ({ name: field, type: identityType(extension.schema, field) }));
    found.push({ project: 'rex', name, schema: `rex_${name}`, isDescriptor: false, identity, parameters: identity, allowIdentityUpdate: false });
  }
  return found.sort((a, b) => `${a.project}/${a.name}`.localeCompare(`${b.project}/${b.name}`));
}

function resourceSource(name: string, item: Schema, spec: Schema, isDescriptor: boolean): ResourceSource {
  const schemaRef: string = item.post.requestBody.content['application/json'].schema.$ref;
  const parameters = (item.get.parameters as Schema[])
    .map((p) => (p.$ref ? resolvePointer(spec, p.$ref) : p))
    .filter((p) => p.in === 'query' && !PAGING_PARAMETERS.has(p.name))
    .map((p) => ({ name: p.name as string, type: jsonType(p.schema), identity: p['x-Ed-Fi-isIdentity'] === true }));
  const byId = spec.paths[`/ed-fi/${name}/{id}`] ?? {};
  const identity = isDescriptor
    ? [{ name: 'codeValue', type: 'string' as const }, { name: 'namespace', type: 'string' as const }]
    : parameters.filter((p) => p.identity).map(({ name: field, type }) => ({ name: field, type }));
  return {
    project: 'ed-fi',
    name,
    schema: schemaRef.split('/').pop()!,
    isDescriptor,
    identity,
    parameters: parameters.filter((p) => !(isDescriptor && p.name.endsWith('DescriptorId'))).map(({ name: n, type }) => ({ name: n, type })),
    allowIdentityUpdate: byId.put?.['x-Ed-Fi-isUpdatable'] === true,
  };
}

function catalogDescriptorSource(descriptor: string): ResourceSource {
  const name = `${lowerFirst(descriptor)}s`;
  const identity = [{ name: 'codeValue', type: 'string' as const }, { name: 'namespace', type: 'string' as const }];
  return { project: 'ed-fi', name, schema: `edFi_${lowerFirst(descriptor)}`, isDescriptor: true, identity, parameters: identity, allowIdentityUpdate: false };
}

function identityType(schema: Schema, field: string): QueryField['type'] {
  for (const property of Object.values<Schema>(schema.properties ?? {})) {
    const inner = property.properties?.[field];
    if (inner) return jsonType(inner);
  }
  return jsonType(schema.properties?.[field] ?? {});
}

function jsonType(schema: Schema): QueryField['type'] {
  const type = schema.type;
  return type === 'integer' || type === 'number' || type === 'boolean' ? type : 'string';
}

function resolvePointer(spec: Schema, ref: string): Schema {
  return ref.replace(/^#\//, '').split('/').reduce((node: Schema, key) => node[key], spec);
}

/** Cleans every definition the served resources use into a draft-07 JSON Schema. */
function collectDefinitions(inputs: SpecInputs, sources: ResourceSource[]): Record<string, Schema> {
  const definitions: Record<string, Schema> = {};
  const take = (spec: Schema, name: string) => {
    if (definitions[name]) return;
    const raw = spec.components.schemas[name];
    if (!raw) throw new Error(`the specification has no schema ${name}`);
    definitions[name] = {};
    definitions[name] = cleanSchema(raw, (ref) => take(spec, ref));
  };
  for (const source of sources) {
    if (source.project === 'rex') continue;
    if (FROM_DS6.includes(source.name)) continue;
    if (source.isDescriptor && !inputs.descriptors.components.schemas[source.schema]) {
      definitions[source.schema] = cleanSchema(inputs.descriptors.components.schemas.edFi_sexDescriptor, () => {}, 'sexDescriptorId');
      continue;
    }
    take(source.isDescriptor ? inputs.descriptors : inputs.resources, source.schema);
  }
  // DS 6.0 resources: shared definitions keep their DS 5.0 form, new ones come from DS 6.0.
  const take6 = (name: string) => {
    if (definitions[name]) return;
    if (inputs.resources.components.schemas[name]) return take(inputs.resources, name);
    take(inputs.resources6, name);
  };
  for (const name of FROM_DS6) take6(sources.find((s) => s.name === name)!.schema);
  for (const [name, extension] of Object.entries(inputs.extensions)) {
    const { $schema: _ignored, ...schema } = extension.schema;
    definitions[`rex_${name}`] = schema;
  }
  return definitions;
}

/** Strips documentation and OpenAPI-only keywords; `$ref`s point into `definitions`. */
function cleanSchema(raw: Schema, onRef: (name: string) => void, dropProperty?: string): Schema {
  if (raw.$ref) {
    const name = String(raw.$ref).split('/').pop()!;
    onRef(name);
    return { $ref: `#/definitions/${name}` };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'description' || key === 'example' || key.startsWith('x-')) continue;
    if (key === 'format' && !KEPT_FORMATS.has(value)) continue;
    if (key === 'properties') {
      out.properties = {};
      for (const [name, property] of Object.entries<Schema>(value)) {
        if (SYSTEM_PROPERTIES.has(name) || name === dropProperty || name.endsWith('Extensions')) continue;
        out.properties[name] = cleanSchema(property, onRef);
      }
    } else if (key === 'items') out.items = cleanSchema(value, onRef);
    else if (key === 'required') out.required = (value as string[]).filter((n) => n !== dropProperty);
    else out[key] = value;
  }
  if (out.type === 'object' || out.properties) {
    out.type = 'object';
    out.additionalProperties = false;
    if (out.required?.length === 0) delete out.required;
  }
  return out;
}

/** Subclass → abstract superclass, from `<xs:extension base="…">` in the XSD. */
function parseSuperclasses(xsd: string): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /<xs:complexType name="(\w+)">\s*(?:<xs:annotation>[\s\S]*?<\/xs:annotation>\s*)?<xs:complexContent>\s*<xs:extension base="(\w+)"/g;
  for (const match of xsd.matchAll(pattern)) {
    if (ABSTRACT_BASES.includes(match[2]!)) found.set(match[1]!, match[2]!);
  }
  return found;
}

function buildResource(context: BuildContext, source: ResourceSource, superclasses: Map<string, string>): ResourceModel {
  const schema = context.definitions[source.schema]!;
  const references: ReferenceField[] = [];
  const descriptors: DescriptorField[] = [];
  walkSchema(context, schema, [], references, descriptors, new Set([source.schema]));
  const identity = source.isDescriptor
    ? source.identity.map(({ name, type }) => ({ name, type, path: [name] }))
    : source.identity.map(({ name, type }) => ({ name, type, path: locateIdentity(context, source, schema, name) }));
  identity.sort((a, b) => a.name.localeCompare(b.name));
  const identityRoots = new Set(identity.filter((f) => f.path.length > 1).map((f) => f.path[0]));
  const query = buildQuery(source, schema, identity);
  const model: ResourceModel = {
    project: source.project,
    name: source.name,
    schema: source.schema,
    isDescriptor: source.isDescriptor,
    identity,
    references: references.map((r) => ({ ...r, identity: r.path.length === 1 && identityRoots.has(r.path[0]) })),
    descriptors,
    query,
    allowIdentityUpdate: source.allowIdentityUpdate,
  };
  const base = superclasses.get(upperFirst(source.schema.replace(/^edFi_/, '')));
  return base ? { ...model, superclass: superclassOf(context, base, identity) } : model;
}

/** Walks a schema for `…Reference` objects and `…Descriptor` strings, through arrays and common objects. */
function walkSchema(
  context: BuildContext,
  schema: Schema,
  path: string[],
  references: ReferenceField[],
  descriptors: DescriptorField[],
  seen: Set<string>,
): void {
  for (const [name, property] of Object.entries<Schema>(schema.properties ?? {})) {
    const here = [...path, name];
    const target = referenceTarget(context, name, property);
    if (target) {
      references.push({ path: here, target, identity: false });
      continue;
    }
    if (name.endsWith('Descriptor') && property.type === 'string') {
      descriptors.push({ path: here, descriptor: descriptorResource(context, name) });
      continue;
    }
    const inner = property.type === 'array' ? property.items : property;
    const itemPath = property.type === 'array' ? [...here, '*'] : here;
    if (inner?.$ref) {
      const defName = inner.$ref.split('/').pop();
      if (seen.has(defName)) continue;
      walkSchema(context, context.definitions[defName]!, itemPath, references, descriptors, new Set([...seen, defName]));
    } else if (inner?.properties) walkSchema(context, inner, itemPath, references, descriptors, seen);
  }
}

/** The `project/resource` a reference property points to, or undefined when it is not a reference. */
function referenceTarget(context: BuildContext, name: string, property: Schema): string | undefined {
  let definition: string | undefined;
  if (property.$ref && /Reference$/.test(property.$ref)) definition = property.$ref.split('/').pop();
  else if (name.endsWith('Reference') && property.type === 'object') definition = `edFi_${name}`;
  if (!definition) return undefined;
  const entity = definition.replace(/^edFi_/, '').replace(/Reference$/, '');
  const resource = context.sources.find((s) => s.project === 'ed-fi' && s.schema === `edFi_${entity}`);
  return `ed-fi/${resource ? resource.name : `${entity}s`}`;
}

/** The descriptor resource of a `…Descriptor` property, dropping role-name words until one exists. */
function descriptorResource(context: BuildContext, property: string): string {
  const words = upperFirst(property).split(/(?=[A-Z])/);
  for (let start = 0; start < words.length - 1; start += 1) {
    const candidate = `${lowerFirst(words.slice(start).join(''))}s`;
    if (context.descriptorNames.has(candidate)) return candidate;
  }
  throw new Error(`no descriptor resource for property ${property}`);
}

/**
 * Where an identity field (reference form) is in a document: a top-level
 * scalar, or a field of a top-level reference, possibly role-named
 * (`gradingPeriodSchoolYear` is `gradingPeriodReference.schoolYear`).
 * References whose fields all belong to the identity are preferred, so
 * `schoolId` comes from `schoolReference` rather than `calendarReference`.
 */
function locateIdentity(context: BuildContext, source: ResourceSource, schema: Schema, field: string): DocumentPath {
  const property = schema.properties?.[field];
  if (property && !property.$ref && property.type !== 'array' && property.type !== 'object') return [field];
  const identityNames = new Set(source.identity.map((f) => f.name));
  const candidates: { path: string[]; score: number }[] = [];
  const required = new Set<string>(schema.required ?? []);
  for (const [name, reference] of Object.entries<Schema>(schema.properties ?? {})) {
    if (!referenceTarget(context, name, reference)) continue;
    const fields = referenceFields(context, name, reference);
    // Role-named forms win over the plain name: courseReference.educationOrganizationId →
    // courseEducationOrganizationId, memberEducationOrganizationReference.educationOrganizationId →
    // memberEducationOrganizationId.
    const forms = roleNamedForms(name, reference);
    const mapped = fields.map((f) => forms.map((prefix) => `${prefix}${upperFirst(f)}`).find((n) => identityNames.has(n)) ?? f);
    const allIdentity = mapped.every((f) => identityNames.has(f));
    fields.forEach((f, i) => {
      if (mapped[i] === field) candidates.push({ path: [name, f], score: (allIdentity ? 2 : 0) + (required.has(name) ? 1 : 0) });
    });
  }
  candidates.sort((a, b) => b.score - a.score);
  if (!candidates[0]) throw new Error(`cannot locate identity field ${field} of ${source.name}`);
  return candidates[0].path;
}

/** Prefixes a reference's fields may carry in the identity: the property's base name and its role name. */
function roleNamedForms(name: string, reference: Schema): string[] {
  const base = name.replace(/Reference$/, '');
  const entity = reference.$ref ? String(reference.$ref).split('/').pop()!.replace(/^edFi_/, '').replace(/Reference$/, '') : base;
  const forms = [base];
  if (base !== entity && base.endsWith(upperFirst(entity))) forms.push(base.slice(0, base.length - entity.length));
  return forms;
}

function referenceFields(context: BuildContext, name: string, reference: Schema): string[] {
  const definition = reference.$ref ? context.definitions[reference.$ref.split('/').pop()] : reference;
  return Object.keys(definition?.properties ?? context.definitions[`edFi_${name}`]?.properties ?? {});
}

function buildQuery(source: ResourceSource, schema: Schema, identity: IdentityField[]): QueryField[] {
  const query = new Map<string, QueryField>();
  for (const field of identity) query.set(field.name, field);
  for (const parameter of source.parameters) {
    if (query.has(parameter.name)) continue;
    const property = schema.properties?.[parameter.name];
    if (property && !property.$ref && property.type !== 'array' && property.type !== 'object') {
      query.set(parameter.name, { name: parameter.name, path: [parameter.name], type: parameter.type });
    }
  }
  return [...query.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The abstract target and identity renames of a subclass, e.g. schoolId → educationOrganizationId. */
function superclassOf(context: BuildContext, base: string, identity: IdentityField[]): ResourceModel['superclass'] {
  const baseFields = Object.keys(context.definitions[`edFi_${lowerFirst(base)}Reference`]?.properties ?? {}).sort();
  const own = identity.map((f) => f.name);
  const unmatchedOwn = own.filter((f) => !baseFields.includes(f));
  const unmatchedBase = baseFields.filter((f) => !own.includes(f));
  const rename: Record<string, string> = {};
  unmatchedOwn.forEach((f, i) => {
    if (unmatchedBase[i]) rename[f] = unmatchedBase[i]!;
  });
  return { target: `ed-fi/${lowerFirst(base)}s`, rename };
}

/** Orders resources so that every resource comes after those it references (descriptors first). */
function dependencyOrder(models: ResourceModel[]): ResourceModel[] {
  const byKey = new Map(models.map((m) => [`${m.project}/${m.name}`, m]));
  const subclasses = new Map<string, string[]>();
  for (const m of models) {
    if (m.superclass) subclasses.set(m.superclass.target, [...(subclasses.get(m.superclass.target) ?? []), `${m.project}/${m.name}`]);
  }
  const ordered: ResourceModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string) => {
    if (state.has(key)) return;
    state.set(key, 'visiting');
    const model = byKey.get(key)!;
    for (const reference of model.references) {
      for (const target of subclasses.get(reference.target) ?? [reference.target]) if (byKey.has(target)) visit(target);
    }
    state.set(key, 'done');
    ordered.push(model);
  };
  const sorted = [...byKey.keys()].sort((a, b) => Number(byKey.get(b)!.isDescriptor) - Number(byKey.get(a)!.isDescriptor) || a.localeCompare(b));
  for (const key of sorted) visit(key);
  return ordered;
}

function buildDescriptorValues(catalog: Readonly<Record<string, string>>, served: Set<string>): GeneratedSpec['descriptorValues'] {
  const servedByLower = new Map([...served].map((name) => [name.toLowerCase(), name]));
  const out: GeneratedSpec['descriptorValues'] = {};
  for (const file of Object.keys(catalog).sort()) {
    const resource = servedByLower.get(`${file}s`.toLowerCase());
    if (!resource) continue;
    const values: [string, string, string?][] = [];
    let namespace = '';
    for (const block of catalog[file]!.matchAll(/<(\w+Descriptor)>([\s\S]*?)<\/\1>/g)) {
      const tag = (name: string) => {
        const found = new RegExp(`<${name}>([^<]*)</${name}>`).exec(block[2]!);
        return found ? unescapeXml(found[1]!) : undefined;
      };
      const [code, short, long] = [tag('CodeValue'), tag('ShortDescription'), tag('Description')];
      namespace = tag('Namespace') ?? namespace;
      if (code === undefined) continue;
      values.push(long !== undefined && long !== short ? [code, short ?? code, long] : [code, short ?? code]);
    }
    if (values.length > 0) out[resource] = { namespace, values };
  }
  return out;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
