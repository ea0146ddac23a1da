import type { SifJsonObject, SifJsonValue } from '../sif/json-mapping.js';
import { isElement, isNil } from './sif-object.js';

/**
 * Applies a SIF_Event Change to the stored copy of an object. A Change
 * carries only the elements that changed (SIF 2.x, SIF_Event "Change":
 * partial objects): attributes and simple elements present replace the
 * stored ones, a nil element (`xsi:nil="true"`) clears one, elements with
 * children merge recursively, and in the keyed lists of the data model
 * (addresses, phones, e-mails, other ids, other names — keyed by `@Type`)
 * each item replaces the stored item of the same type, or removes it when
 * it carries `SIF_Action="Delete"`. Other repeated elements (RaceList,
 * GradeLevels…) are replaced whole, as the XSD gives them no key.
 */
export function mergeSifChange(stored: SifJsonObject, change: SifJsonObject): SifJsonObject {
  const out: SifJsonObject = { ...stored };
  for (const [name, value] of Object.entries(change)) {
    if (isNil(value)) {
      delete out[name];
      continue;
    }
    const current = out[name];
    if (KEYED_LISTS[name] && isElement(value)) out[name] = mergeKeyedList(isElement(current) ? current : {}, value, KEYED_LISTS[name]);
    else if (isElement(value) && isElement(current) && hasChildElements(value) && !REPLACED_WHOLE.has(name)) out[name] = mergeSifChange(current, value);
    else out[name] = value;
  }
  return out;
}

/** List container → its keyed item element. */
const KEYED_LISTS: Readonly<Record<string, string>> = {
  AddressList: 'Address',
  PhoneNumberList: 'PhoneNumber',
  EmailList: 'Email',
  OtherIdList: 'OtherId',
  OtherNames: 'Name',
};

/** Containers whose content is a whole set (no key to merge by). */
const REPLACED_WHOLE = new Set(['RaceList', 'LanguageList', 'GradeLevels', 'ScheduleInfoList', 'SubjectAreaList', 'ContactFlags']);

function hasChildElements(value: SifJsonObject): boolean {
  return Object.keys(value).some((k) => !k.startsWith('@') && k !== '#text');
}

function items(value: SifJsonValue | undefined): SifJsonValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function typeOf(item: SifJsonValue): string | undefined {
  return isElement(item) && typeof item['@Type'] === 'string' ? item['@Type'] : undefined;
}

function mergeKeyedList(stored: SifJsonObject, change: SifJsonObject, itemName: string): SifJsonObject {
  let merged = items(stored[itemName]);
  for (const item of items(change[itemName])) {
    const type = typeOf(item);
    const remove = isElement(item) && item['@SIF_Action'] === 'Delete';
    const index = merged.findIndex((m) => typeOf(m) === type);
    if (remove) {
      merged = merged.filter((m) => typeOf(m) !== type);
    } else if (index >= 0) {
      merged = merged.map((m, i) => (i === index ? item : m));
    } else {
      merged = [...merged, item];
    }
  }
  const out: SifJsonObject = { ...stored };
  if (merged.length === 0) delete out[itemName];
  else out[itemName] = merged.length === 1 ? merged[0]! : merged;
  return out;
}
