import type { SifJsonValue } from '../sif/json-mapping.js';
import { toDescriptor, type CodeSetName, type CodeSets } from './code-sets.js';
import { child, childText, listItems, textOf, type SifObject } from './sif-object.js';

/**
 * Types and helpers shared by the SIF → Ed-Fi mappers. A mapper is a pure
 * function of the SIF object, the code sets and the keys of the objects it
 * refers to; it never reads a database (the sync layer looks the keys up
 * first, see src/sis-sync/).
 */

/** An Ed-Fi document a SIF object maps to. */
export interface MappedDocument {
  /** Ed-Fi resource (path segment), e.g. `students`. */
  readonly resource: string;
  readonly document: Record<string, unknown>;
  /**
   * A document the mapped ones depend on but the SIF object does not own
   * (a year-round session, a school year): created when missing, never
   * changed or deleted through this object.
   */
  readonly ensure?: boolean;
}

/** The natural-key values other SIF objects need to refer to this one (e.g. `{ studentUniqueId }`). */
export type ObjectKey = Readonly<Record<string, string | number>>;

/** The outcome of mapping one SIF object. */
export type MappingResult =
  | { kind: 'mapped'; key: ObjectKey; documents: MappedDocument[] }
  | { kind: 'failed'; reason: string };

/** What a mapper may consult besides the object itself. */
export interface MappingContext {
  readonly codes: CodeSets;
  /** The key recorded for another SIF object by its RefId; undefined when that object has not arrived. */
  keyOf(objectName: string, refId: string): ObjectKey | undefined;
  /** The district's own local education agency id (Ed-Fi `localEducationAgencyId`). */
  readonly localEducationAgencyId: number;
  /**
   * The key of a stored object found by its attribute values rather than by
   * RefId (see {@link SifObjectMapper.related}); undefined when none is stored.
   */
  relatedKeyOf?(objectName: string, attributes: Readonly<Record<string, string>>): ObjectKey | undefined;
}

/**
 * An object a mapping needs that the SIF object does not name by RefId, e.g.
 * the StudentSectionEnrollment of a student in a section for a mark: found
 * by the attribute values of the stored object (`{ '@StudentPersonalRefId': … }`).
 */
export interface RelatedObject {
  readonly objectName: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** One SIF object type's mapping. */
export interface SifObjectMapper {
  readonly objectName: string;
  /** The key of the object in the ref map: its RefId, or its key attributes joined for objects without one. */
  refIdOf(object: SifObject): string | undefined;
  /** The (object name, RefId) pairs the mapping needs keys of. */
  references(object: SifObject): Array<[string, string]>;
  /** Objects the mapping needs keys of that are found by attribute values (see {@link RelatedObject}). */
  related?(object: SifObject): RelatedObject[];
  /**
   * The attributes (`@Name`) other mappers find this object by through
   * {@link RelatedObject}: the sync layer files their values under an index
   * (see {@link relatedKeyValue}) so the lookup never scans the zone.
   */
  readonly findBy?: readonly string[];
  /** Maps the whole object; throws {@link MappingFailure} for content that cannot be mapped. */
  map(object: SifObject, refId: string, context: MappingContext): { key: ObjectKey; documents: MappedDocument[] };
}

/** Separates the values of a related key (a control character, never in an attribute value). */
export const RELATED_KEY_SEPARATOR = '\u001f';

/**
 * The indexed key of an object found by attribute values: the values of the
 * target mapper's `findBy` attributes, in that order. `value` reads one
 * attribute (of the stored object, or of a {@link RelatedObject}).
 */
export function relatedKeyValue(findBy: readonly string[], value: (name: string) => string | undefined): string {
  return findBy.map((name) => value(name) ?? '').join(RELATED_KEY_SEPARATOR);
}

/** Raised inside mappers to stop at the first problem; turned into a `failed` result at the boundary. */
export class MappingFailure extends Error {
  override readonly name = 'MappingFailure';
}

/** Stops the mapping with a reason a person can act on. */
export function fail(reason: string): never {
  throw new MappingFailure(reason);
}

/** A mandatory value, or a failure naming the SIF element. */
export function need<T>(value: T | undefined, element: string): T {
  if (value === undefined) fail(`${element} is missing; Ed-Fi requires it`);
  return value;
}

/** The descriptor for a SIF code; a code missing from the set is a failure (never guessed). */
export function descriptor(context: MappingContext, set: CodeSetName, code: string, element: string): string {
  const uri = toDescriptor(context.codes, set, code);
  if (uri === undefined) fail(`${element} code "${code}" has no Ed-Fi mapping in code set ${set} (add one with: rex node sif codes set ${set} ${code} <descriptor>)`);
  return uri;
}

/** The descriptor for an optional SIF code. */
export function optionalDescriptor(context: MappingContext, set: CodeSetName, code: string | undefined, element: string): string | undefined {
  return code === undefined ? undefined : descriptor(context, set, code, element);
}

/** The key of a referenced object; a reference to an object that never arrived is a failure. */
export function keyOf(context: MappingContext, objectName: string, refId: string | undefined, element: string): ObjectKey {
  const id = need(refId, element);
  const key = context.keyOf(objectName, id);
  if (!key) fail(`${element} ${id} refers to a ${objectName} this node has not received`);
  return key;
}

/** The key of a related object (see {@link RelatedObject}); one that never arrived is a failure. */
export function relatedKey(context: MappingContext, related: RelatedObject, element: string): ObjectKey {
  const key = context.relatedKeyOf?.(related.objectName, related.attributes);
  if (!key) fail(`${element} refers to a ${related.objectName} this node has not received (${Object.values(related.attributes).join(', ')})`);
  return key;
}

/** A full xs:date (partial SIF dates such as `2027` or `2027-05` give undefined). */
export function fullDate(value: string | undefined): string | undefined {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
}

/** The school year (ending year, as Ed-Fi counts it) a date falls in: July starts the next school year. */
export function schoolYearOfDate(date: string): number {
  const [year, month] = date.split('-').map(Number) as [number, number];
  return month >= 7 ? year + 1 : year;
}

/** Copies the defined values only, so mapped documents carry no `undefined`. */
export function defined(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) out[name] = value;
  return out;
}

/** A non-empty array or undefined (Ed-Fi collections are left out rather than sent empty). */
export function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

const STATE = /^[A-Z]{2}$/;

/** A two-letter state code as a StateAbbreviationDescriptor URI. */
export function stateDescriptor(code: string | undefined): string | undefined {
  return code !== undefined && STATE.test(code) ? `uri://ed-fi.org/StateAbbreviationDescriptor#${code}` : undefined;
}

/** An ISO 3166 alpha-2 country code as a CountryDescriptor URI. */
export function countryDescriptor(code: string | undefined): string | undefined {
  return code !== undefined && STATE.test(code) ? `uri://ed-fi.org/CountryDescriptor#${code}` : undefined;
}

/** A SIF school year (xs:gYear) as a number. */
export function schoolYearOf(value: string | undefined, element: string): number {
  const year = Number(need(value, element));
  if (!Number.isInteger(year) || year < 1900 || year > 2200) fail(`${element} "${value}" is not a school year`);
  return year;
}

/** An xs:decimal as a number, or undefined. */
export function decimalOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** SIF Yes/No/Unknown as a boolean (Unknown and absent: undefined). */
export function yesNo(value: string | undefined): boolean | undefined {
  return value === 'Yes' ? true : value === 'No' ? false : undefined;
}

/** Ed-Fi addresses from a SIF AddressList (people or schools). */
export function addressesOf(parent: SifJsonValue | undefined, context: MappingContext, set: 'addressType' | 'schoolAddressType'): Record<string, unknown>[] {
  return listItems(parent, 'AddressList', 'Address').map((address, i) => {
    const at = `AddressList/Address[${i + 1}]`;
    const street = child(address, 'Street');
    return defined({
      addressTypeDescriptor: descriptor(context, set, need(childText(address, '@Type'), `${at}/@Type`), `${at}/@Type`),
      streetNumberName: need(childText(street, 'Line1'), `${at}/Street/Line1`),
      apartmentRoomSuiteNumber: childText(street, 'Line2'),
      city: need(childText(address, 'City'), `${at}/City`),
      stateAbbreviationDescriptor: need(stateDescriptor(childText(address, 'StateProvince')), `${at}/StateProvince (a two-letter state)`),
      postalCode: need(childText(address, 'PostalCode'), `${at}/PostalCode`),
      nameOfCounty: childText(address, 'County'),
    });
  });
}

/** Ed-Fi telephones of a person from a SIF PhoneNumberList, in priority order. */
export function telephonesOf(parent: SifJsonValue | undefined, context: MappingContext): Record<string, unknown>[] {
  return listItems(parent, 'PhoneNumberList', 'PhoneNumber').map((phone, i) => {
    const at = `PhoneNumberList/PhoneNumber[${i + 1}]`;
    return {
      telephoneNumberTypeDescriptor: descriptor(context, 'phoneType', need(childText(phone, '@Type'), `${at}/@Type`), `${at}/@Type`),
      telephoneNumber: need(childText(phone, 'Number'), `${at}/Number`),
      orderOfPriority: i + 1,
    };
  });
}

/** Ed-Fi electronic mails from a SIF EmailList; the `Primary` one is the primary address. */
export function emailsOf(parent: SifJsonValue | undefined, context: MappingContext): Record<string, unknown>[] {
  return listItems(parent, 'EmailList', 'Email').map((email, i) => {
    const at = `EmailList/Email[${i + 1}]`;
    const type = need(childText(email, '@Type'), `${at}/@Type`);
    return {
      electronicMailTypeDescriptor: descriptor(context, 'emailType', type, `${at}/@Type`),
      electronicMailAddress: need(textOf(email), at),
      primaryEmailAddressIndicator: type === 'Primary',
    };
  });
}

/** The name fields of a SIF Name (NameOfRecordType) as an Ed-Fi person's. */
export function personNameOf(name: SifJsonValue | undefined, element: string): Record<string, unknown> {
  return defined({
    personalTitlePrefix: childText(name, 'Prefix'),
    firstName: need(childText(name, 'FirstName'), `${element}/FirstName`),
    middleName: childText(name, 'MiddleName'),
    lastSurname: need(childText(name, 'LastName'), `${element}/LastName`),
    generationCodeSuffix: childText(name, 'Suffix'),
    preferredFirstName: childText(name, 'PreferredName'),
  });
}

/**
 * The session SIF objects of a school year are placed in. SIF 2.4 schedules
 * by TermInfo, which the district zone does not carry; every section,
 * enrollment and attendance record of a school year therefore goes into one
 * year-round session per school (created when missing).
 */
export function yearRoundSession(schoolId: number, schoolYear: number): { reference: Record<string, unknown>; documents: MappedDocument[] } {
  const sessionName = `${schoolYear - 1}-${schoolYear} Year Round`;
  return {
    reference: { schoolId, schoolYear, sessionName },
    documents: [
      schoolYearDocument(schoolYear),
      {
        resource: 'sessions',
        ensure: true,
        document: {
          sessionName,
          schoolReference: { schoolId },
          schoolYearTypeReference: { schoolYear },
          beginDate: `${schoolYear - 1}-07-01`,
          endDate: `${schoolYear}-06-30`,
          termDescriptor: 'uri://ed-fi.org/TermDescriptor#Year Round',
          totalInstructionalDays: 180,
        },
      },
    ],
  };
}

/** The school year type a document refers to (created when missing). */
export function schoolYearDocument(schoolYear: number): MappedDocument {
  return {
    resource: 'schoolYearTypes',
    ensure: true,
    document: { schoolYear, currentSchoolYear: false, schoolYearDescription: `${schoolYear - 1}-${schoolYear}` },
  };
}

/** A SifObject's attribute. */
export function attribute(object: SifObject, name: string): string | undefined {
  return textOf(object[`@${name}`]);
}
