import {
  addressesOf,
  attribute,
  decimalOf,
  defined,
  descriptor,
  fail,
  keyOf,
  need,
  nonEmpty,
  schoolYearOf,
  yearRoundSession,
  type MappingContext,
  type SifObjectMapper,
} from './map-support.js';
import { child, childText, listItems, textOf, type SifObject } from './sif-object.js';

/**
 * SchoolInfo → schools; SchoolCourseInfo → courses (owned by the school);
 * SectionInfo → sections, in a course offering of the school's year-round
 * session for the section's school year (see yearRoundSession).
 */

/** Ed-Fi school ids are integers: the 12-digit NCES school id, else a numeric state or local id. */
function schoolIdOf(object: SifObject): number {
  for (const element of ['NCESId', 'StateProvinceId', 'LocalId']) {
    const value = childText(object, element);
    if (value !== undefined && /^\d{1,15}$/.test(value)) return Number(value);
  }
  return fail('SchoolInfo needs a numeric NCESId, StateProvinceId or LocalId to become an Ed-Fi schoolId');
}

function schoolPhones(object: SifObject, context: MappingContext): Record<string, unknown>[] {
  return listItems(object, 'PhoneNumberList', 'PhoneNumber').map((phone, i) => {
    const at = `PhoneNumberList/PhoneNumber[${i + 1}]`;
    return {
      institutionTelephoneNumberTypeDescriptor: descriptor(context, 'schoolPhoneType', need(childText(phone, '@Type'), `${at}/@Type`), `${at}/@Type`),
      telephoneNumber: need(childText(phone, 'Number'), `${at}/Number`),
    };
  });
}

function gradeLevels(object: SifObject, context: MappingContext): Record<string, unknown>[] {
  return listItems(object, 'GradeLevels', 'GradeLevel').map((level, i) => ({
    gradeLevelDescriptor: descriptor(context, 'gradeLevel', need(childText(level, 'Code'), `GradeLevels/GradeLevel[${i + 1}]/Code`), 'GradeLevels/GradeLevel/Code'),
  }));
}

/** SchoolInfo: schools, in the district's local education agency. */
export const schoolInfoMapper: SifObjectMapper = {
  objectName: 'SchoolInfo',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: () => [],
  map(object, _refId, context) {
    const schoolId = schoolIdOf(object);
    const levels = gradeLevels(object, context);
    if (levels.length === 0) fail('GradeLevels is missing; Ed-Fi requires the grade levels a school offers');
    const nces = childText(object, 'NCESId');
    const state = childText(object, 'StateProvinceId');
    const codes = [
      ...(nces ? [{ educationOrganizationIdentificationSystemDescriptor: 'uri://ed-fi.org/EducationOrganizationIdentificationSystemDescriptor#NCES', identificationCode: nces }] : []),
      ...(state ? [{ educationOrganizationIdentificationSystemDescriptor: 'uri://ed-fi.org/EducationOrganizationIdentificationSystemDescriptor#SEA', identificationCode: state }] : []),
    ];
    const school = defined({
      schoolId,
      nameOfInstitution: need(childText(object, 'SchoolName'), 'SchoolName'),
      educationOrganizationCategories: [{ educationOrganizationCategoryDescriptor: 'uri://ed-fi.org/EducationOrganizationCategoryDescriptor#School' }],
      gradeLevels: levels,
      localEducationAgencyReference: { localEducationAgencyId: context.localEducationAgencyId },
      addresses: nonEmpty(addressesOf(object, context, 'schoolAddressType')),
      institutionTelephones: nonEmpty(schoolPhones(object, context)),
      identificationCodes: nonEmpty(codes),
      webSite: childText(object, 'SchoolURL'),
    });
    return { key: { schoolId }, documents: [{ resource: 'schools', document: school }] };
  },
};

/** SchoolCourseInfo: courses of the school. */
export const schoolCourseInfoMapper: SifObjectMapper = {
  objectName: 'SchoolCourseInfo',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: (object) => [['SchoolInfo', attribute(object, 'SchoolInfoRefId') ?? '']],
  map(object, _refId, context) {
    const schoolId = Number(keyOf(context, 'SchoolInfo', attribute(object, 'SchoolInfoRefId'), '@SchoolInfoRefId')['schoolId']);
    const courseCode = need(childText(object, 'CourseCode'), 'CourseCode');
    const courseTitle = need(childText(object, 'CourseTitle'), 'CourseTitle');
    const stateCode = childText(object, 'StateCourseCode');
    const credits = child(object, 'CourseCredits');
    const course = defined({
      courseCode,
      courseTitle,
      numberOfParts: 1,
      identificationCodes: [
        { courseIdentificationSystemDescriptor: 'uri://ed-fi.org/CourseIdentificationSystemDescriptor#School course code', identificationCode: courseCode, assigningOrganizationIdentificationCode: String(schoolId) },
        ...(stateCode ? [{ courseIdentificationSystemDescriptor: 'uri://ed-fi.org/CourseIdentificationSystemDescriptor#State course code', identificationCode: stateCode }] : []),
      ],
      educationOrganizationReference: { educationOrganizationId: schoolId },
      courseDescription: childText(object, 'Description'),
      maximumAvailableCredits: decimalOf(textOf(credits) ?? childText(object, 'CourseCredits')),
    });
    return { key: { courseCode, schoolId, courseTitle }, documents: [{ resource: 'courses', document: course }] };
  },
};

/** SectionInfo: the section, and the course offering it belongs to (created when missing). */
export const sectionInfoMapper: SifObjectMapper = {
  objectName: 'SectionInfo',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: (object) => [['SchoolCourseInfo', attribute(object, 'SchoolCourseInfoRefId') ?? '']],
  map(object, refId, context) {
    const course = keyOf(context, 'SchoolCourseInfo', attribute(object, 'SchoolCourseInfoRefId'), '@SchoolCourseInfoRefId');
    const schoolId = Number(course['schoolId']);
    const courseCode = String(course['courseCode']);
    const schoolYear = schoolYearOf(attribute(object, 'SchoolYear'), '@SchoolYear');
    const session = yearRoundSession(schoolId, schoolYear);
    const sectionIdentifier = childText(object, 'LocalId') ?? refId;
    const offering = defined({
      localCourseCode: courseCode,
      courseReference: { courseCode, educationOrganizationId: schoolId },
      schoolReference: { schoolId },
      sessionReference: session.reference,
      localCourseTitle: course['courseTitle'],
    });
    const courseOfferingReference = { localCourseCode: courseCode, ...session.reference };
    const section = defined({ sectionIdentifier, courseOfferingReference, sectionName: childText(object, 'Description') });
    return {
      key: { sectionIdentifier, ...courseOfferingReference } as Record<string, string | number>,
      documents: [...session.documents, { resource: 'courseOfferings', ensure: true, document: offering }, { resource: 'sections', document: section }],
    };
  },
};
