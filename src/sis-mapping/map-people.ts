import {
  addressesOf,
  attribute,
  countryDescriptor,
  defined,
  descriptor,
  emailsOf,
  keyOf,
  need,
  nonEmpty,
  optionalDescriptor,
  personNameOf,
  stateDescriptor,
  telephonesOf,
  yesNo,
  type MappingContext,
  type SifObjectMapper,
} from './map-support.js';
import { child, childText, codeOf, listItems, textOf, type SifObject } from './sif-object.js';

/**
 * StudentPersonal → students (name, birth) and the district's
 * studentEducationOrganizationAssociations (sex, race, ethnicity, addresses,
 * phones, e-mails, languages, ids): DS 5 keeps a student's demographics on
 * the association with the education organization that reported them.
 * StudentContactPersonal → contacts; StudentContactRelationship →
 * studentContactAssociations.
 */

/** The assigning organization Ed-Fi records with an SSN (the Social Security Administration). */
const SSN_ASSIGNER = 'SSA';

function identificationCodes(object: SifObject, context: MappingContext): Record<string, unknown>[] {
  const lea = String(context.localEducationAgencyId);
  const codes: Record<string, unknown>[] = [];
  const local = childText(object, 'LocalId');
  if (local) codes.push({ studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#District', assigningOrganizationIdentificationCode: lea, identificationCode: local });
  const state = childText(object, 'StateProvinceId');
  if (state) codes.push({ studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#State', assigningOrganizationIdentificationCode: 'State', identificationCode: state });
  listItems(object, 'OtherIdList', 'OtherId').forEach((other, i) => {
    const at = `OtherIdList/OtherId[${i + 1}]`;
    const type = need(childText(other, '@Type'), `${at}/@Type`);
    const system = descriptor(context, 'studentIdType', type, `${at}/@Type`);
    codes.push({
      studentIdentificationSystemDescriptor: system,
      assigningOrganizationIdentificationCode: system.endsWith('#SSN') ? SSN_ASSIGNER : lea,
      identificationCode: need(textOf(other), at),
    });
  });
  return codes;
}

function races(demographics: SifObject | undefined, context: MappingContext): Record<string, unknown>[] {
  return listItems(demographics, 'RaceList', 'Race').map((race, i) => ({
    raceDescriptor: descriptor(context, 'race', need(childText(race, 'Code'), `Demographics/RaceList/Race[${i + 1}]/Code`), `Demographics/RaceList/Race[${i + 1}]/Code`),
  }));
}

function languages(demographics: SifObject | undefined): Record<string, unknown>[] {
  return listItems(demographics, 'LanguageList', 'Language')
    .map((language) => childText(language, 'Code'))
    .filter((code): code is string => code !== undefined)
    .map((code) => ({ languageDescriptor: `uri://ed-fi.org/LanguageDescriptor#${code}` }));
}

/** StudentPersonal: students + studentEducationOrganizationAssociations. */
export const studentPersonalMapper: SifObjectMapper = {
  objectName: 'StudentPersonal',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: () => [],
  map(object, refId, context) {
    // The district's local id is the student's unique id (as the records exchange and matching use it); the RefId otherwise.
    const studentUniqueId = childText(object, 'LocalId') ?? refId;
    const demographics = child(object, 'Demographics');
    const gender = childText(demographics, 'Gender');
    const student = defined({
      studentUniqueId,
      ...personNameOf(object['Name'], 'Name'),
      birthDate: need(childText(demographics, 'BirthDate'), 'Demographics/BirthDate'),
      birthSexDescriptor: optionalDescriptor(context, 'sex', gender, 'Demographics/Gender'),
      birthCity: childText(demographics, 'PlaceOfBirth'),
      birthStateAbbreviationDescriptor: stateDescriptor(childText(demographics, 'StateOfBirth')),
      birthCountryDescriptor: countryDescriptor(childText(demographics, 'CountryOfBirth')),
    });
    const association = defined({
      educationOrganizationReference: { educationOrganizationId: context.localEducationAgencyId },
      studentReference: { studentUniqueId },
      sexDescriptor: optionalDescriptor(context, 'sex', gender, 'Demographics/Gender'),
      hispanicLatinoEthnicity: yesNo(childText(demographics, 'HispanicLatino')),
      races: nonEmpty(races(demographics, context)),
      languages: nonEmpty(languages(demographics)),
      addresses: nonEmpty(addressesOf(object, context, 'addressType')),
      telephones: nonEmpty(telephonesOf(object, context)),
      electronicMails: nonEmpty(emailsOf(object, context)),
      studentIdentificationCodes: nonEmpty(identificationCodes(object, context)),
    });
    return {
      key: { studentUniqueId },
      documents: [
        { resource: 'students', document: student },
        { resource: 'studentEducationOrganizationAssociations', document: association },
      ],
    };
  },
};

/** StudentContactPersonal: contacts. The contact's local id is its unique id, else the RefId. */
export const studentContactPersonalMapper: SifObjectMapper = {
  objectName: 'StudentContactPersonal',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: () => [],
  map(object, refId, context) {
    const person = child(object, 'PersonInfo');
    const contactUniqueId = childText(person, 'LocalId') ?? refId;
    const gender = childText(child(person, 'Demographics'), 'Gender');
    const contact = defined({
      contactUniqueId,
      ...personNameOf(person?.['Name'], 'PersonInfo/Name'),
      sexDescriptor: optionalDescriptor(context, 'sex', gender, 'PersonInfo/Demographics/Gender'),
      addresses: nonEmpty(addressesOf(person, context, 'addressType')),
      telephones: nonEmpty(telephonesOf(person, context)),
      electronicMails: nonEmpty(emailsOf(person, context)),
    });
    return { key: { contactUniqueId }, documents: [{ resource: 'contacts', document: contact }] };
  },
};

/** StudentContactRelationship has no RefId (SIF 2.4): its key is the two RefIds it joins. */
function relationshipRefId(object: SifObject): string | undefined {
  const student = attribute(object, 'StudentPersonalRefId');
  const contact = attribute(object, 'StudentContactPersonalRefId');
  return student && contact ? `${student}:${contact}` : undefined;
}

/** StudentContactRelationship: studentContactAssociations (relation, flags, priority). */
export const studentContactRelationshipMapper: SifObjectMapper = {
  objectName: 'StudentContactRelationship',
  refIdOf: relationshipRefId,
  references: (object) => [
    ['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? ''],
    ['StudentContactPersonal', attribute(object, 'StudentContactPersonalRefId') ?? ''],
  ],
  map(object, _refId, context) {
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'StudentPersonalRefId'), '@StudentPersonalRefId');
    const contact = keyOf(context, 'StudentContactPersonal', attribute(object, 'StudentContactPersonalRefId'), '@StudentContactPersonalRefId');
    const flags = child(object, 'ContactFlags');
    const sequence = childText(object, 'ContactSequence');
    const relation = codeOf(object, 'Relationship');
    const association = defined({
      studentReference: { studentUniqueId: student['studentUniqueId'] },
      contactReference: { contactUniqueId: contact['contactUniqueId'] },
      relationDescriptor: relation === undefined ? undefined : descriptor(context, 'relationship', relation, 'Relationship/Code'),
      primaryContactStatus: sequence === undefined ? undefined : sequence === '1',
      livesWith: yesNo(childText(flags, 'LivesWith')),
      emergencyContactStatus: yesNo(childText(flags, 'EmergencyContact')),
      legalGuardian: yesNo(childText(flags, 'ParentLegalGuardian')),
      contactPriority: sequence === undefined ? undefined : Number(sequence),
    });
    return {
      key: { studentUniqueId: student['studentUniqueId']!, contactUniqueId: contact['contactUniqueId']! },
      documents: [{ resource: 'studentContactAssociations', document: association }],
    };
  },
};
