import type { SifJsonObject, SifJsonValue } from '../sif/json-mapping.js';

/**
 * Reading SIF data objects in the JSON form of src/sif/json-mapping.ts.
 * Inside data objects a repeatable element is a value when it occurs once
 * and an array when it occurs more often (mapping rule 6), and an element
 * with attributes carries its text as `#text`; these helpers hide both.
 */

/** A SIF data object (e.g. the content of `<StudentPersonal>`). */
export type SifObject = SifJsonObject;

/** Whether a value is an element object (not text, not repeated). */
export function isElement(value: SifJsonValue | undefined): value is SifJsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether an element is explicitly nil (`xsi:nil="true"`), which in a Change means "clear this value". */
export function isNil(value: SifJsonValue | undefined): boolean {
  return isElement(value) && value['@xsi:nil'] === 'true';
}

/** The trimmed text of a simple element or attribute; undefined when absent, empty or nil. */
export function textOf(value: SifJsonValue | undefined): string | undefined {
  let text: SifJsonValue | undefined = value;
  if (isElement(value)) text = value['#text'];
  if (typeof text !== 'string') return undefined;
  const trimmed = text.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The text of a child element (or `@attribute`) of an element. */
export function childText(parent: SifJsonValue | undefined, name: string): string | undefined {
  return isElement(parent) ? textOf(parent[name]) : undefined;
}

/** A child element, when it is an element object. */
export function child(parent: SifJsonValue | undefined, name: string): SifJsonObject | undefined {
  if (!isElement(parent)) return undefined;
  const value = parent[name];
  return isElement(value) ? value : undefined;
}

/** Every occurrence of a child element, one or many (empty when absent). */
export function children(parent: SifJsonValue | undefined, name: string): SifJsonValue[] {
  if (!isElement(parent)) return [];
  const value = parent[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The elements of a list container, e.g. `children(child(o, 'AddressList'), 'Address')` in one call. */
export function listItems(parent: SifJsonValue | undefined, list: string, item: string): SifJsonValue[] {
  return children(child(parent, list), item);
}

/** The `Code` of a coded element (`<GradeLevel><Code>09</Code></GradeLevel>`). */
export function codeOf(parent: SifJsonValue | undefined, name: string): string | undefined {
  return childText(child(parent, name), 'Code');
}
