/**
 * The engine's model of the Ed-Fi data standard: for every resource, where
 * its identity, references and descriptors are in a document. Generated from
 * the official OpenAPI specification (see generate/spec-model.ts) and
 * committed in `schemas/edfi/model.json`.
 */

/** A project namespace of the API: Ed-Fi core or our own extension. */
export type EdfiProject = 'ed-fi' | 'rex';

/** Where a value sits in a document: property names, `*` for every item of an array. */
export type DocumentPath = readonly string[];

/** One identity field in its reference form (the `…Reference` schema's property name). */
export interface IdentityField {
  /** Name in the reference form, e.g. `schoolId` or `gradingPeriodSchoolYear`. */
  readonly name: string;
  /** Where the value is in the document, e.g. `['schoolReference', 'schoolId']`. */
  readonly path: DocumentPath;
  /** JSON type of the value, used to parse query strings. */
  readonly type: 'string' | 'integer' | 'number' | 'boolean';
}

/** A `…Reference` property of a resource (at any depth). */
export interface ReferenceField {
  /** Path of the reference object, e.g. `['schoolReference']` or `['grades', '*', 'gradeReference']`. */
  readonly path: DocumentPath;
  /** `project/resource` of the target (an abstract superclass like `ed-fi/educationOrganizations` is allowed). */
  readonly target: string;
  /** Whether the reference is part of the identity of the document. */
  readonly identity: boolean;
}

/** A `…Descriptor` property of a resource (at any depth). */
export interface DescriptorField {
  readonly path: DocumentPath;
  /** The descriptor resource, e.g. `gradeLevelDescriptors`. */
  readonly descriptor: string;
}

/** A query parameter of GET `/{resource}` (a top-level scalar property or an identity field). */
export interface QueryField {
  readonly name: string;
  readonly path: DocumentPath;
  readonly type: 'string' | 'integer' | 'number' | 'boolean';
}

/** Everything the engine knows about one resource. */
export interface ResourceModel {
  readonly project: EdfiProject;
  /** The path segment, e.g. `studentSchoolAssociations`. */
  readonly name: string;
  /** Key of the JSON Schema in the schema bundle, e.g. `edFi_studentSchoolAssociation`. */
  readonly schema: string;
  readonly isDescriptor: boolean;
  /** Identity fields, sorted by name. */
  readonly identity: readonly IdentityField[];
  readonly references: readonly ReferenceField[];
  readonly descriptors: readonly DescriptorField[];
  readonly query: readonly QueryField[];
  /** `x-Ed-Fi-isUpdatable`: the identity may change through PUT. */
  readonly allowIdentityUpdate: boolean;
  /** An abstract superclass a reference may point to, with identity renames (e.g. schoolId → educationOrganizationId). */
  readonly superclass?: { readonly target: string; readonly rename: Readonly<Record<string, string>> };
}

/** The whole generated model. */
export interface EdfiModel {
  readonly dataStandard: string;
  /** By `project/name`, in dependency order (every resource after the ones it references). */
  readonly resources: Readonly<Record<string, ResourceModel>>;
}

/** `project/name`, the key of a resource in the model and in the store. */
export function resourceKey(project: string, name: string): string {
  return `${project}/${name}`;
}
