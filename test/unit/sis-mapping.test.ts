import { describe, expect, it } from 'vitest';
import { prepareDocument } from '../../src/edfi/document-identity.js';
import { isEdfiFailure } from '../../src/edfi/edfi-problem.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import type { SifJsonObject } from '../../src/sif/json-mapping.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import { defaultCodeSets, toSifCode, withOverrides } from '../../src/sis-mapping/code-sets.js';
import { mergeSifChange } from '../../src/sis-mapping/merge-sif.js';
import { mapSifObject, type MappingContext, type ObjectKey } from '../../src/sis-mapping/sis-mapping.js';
import { eventXml, SIS_REF, SIS_SAMPLES } from '../support/sis-samples.js';
import { validateAgainstSifXsd } from '../support/xsd-validate.js';

const LEA = 499901;

/** The object element of a SIF_Event message in XML, read through the SIF core. */
function objectOf(objectName: string, objectXml: string): SifJsonObject {
  const decoded = decodeSif(eventXml(objectName, 'Add', objectXml), 'xml');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Event') throw new Error(`not an event: ${JSON.stringify(decoded)}`);
  return decoded.message.object[objectName] as SifJsonObject;
}

/** Maps every sample in order, each seeing the keys of the ones before (as the ref map gives them). */
function mapAll(codes = defaultCodeSets()) {
  const keys = new Map<string, ObjectKey>();
  const context: MappingContext = { codes, localEducationAgencyId: LEA, keyOf: (name, refId) => keys.get(`${name} ${refId}`) };
  const out: Record<string, ReturnType<typeof mapSifObject>> = {};
  for (const [name, xml] of SIS_SAMPLES) {
    const result = mapSifObject(name, objectOf(name, xml), context);
    if (result.kind === 'mapped') keys.set(`${name} ${result.refId}`, result.key);
    out[name] = result;
  }
  return { out, context };
}

function documents(result: ReturnType<typeof mapSifObject>): Record<string, unknown> {
  if (result.kind !== 'mapped') throw new Error(result.reason);
  return Object.fromEntries(result.documents.map((d) => [d.resource, d.document]));
}

describe('SIF → Ed-Fi mapping', () => {
  const { out } = mapAll();

  it('maps SchoolInfo to a school of the district', () => {
    expect(documents(out['SchoolInfo']!)).toEqual({
      schools: {
        schoolId: 49990100001,
        nameOfInstitution: 'Dolores Huerta High School',
        educationOrganizationCategories: [{ educationOrganizationCategoryDescriptor: 'uri://ed-fi.org/EducationOrganizationCategoryDescriptor#School' }],
        gradeLevels: [{ gradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Ninth grade' }, { gradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Tenth grade' }],
        localEducationAgencyReference: { localEducationAgencyId: LEA },
        addresses: [
          {
            addressTypeDescriptor: 'uri://ed-fi.org/AddressTypeDescriptor#Physical',
            streetNumberName: '586 Prairie View Dr',
            city: 'Mesa',
            stateAbbreviationDescriptor: 'uri://ed-fi.org/StateAbbreviationDescriptor#AZ',
            postalCode: '85201',
            nameOfCounty: 'Maricopa',
          },
        ],
        institutionTelephones: [{ institutionTelephoneNumberTypeDescriptor: 'uri://ed-fi.org/InstitutionTelephoneNumberTypeDescriptor#Main', telephoneNumber: '480-555-0101' }],
        identificationCodes: [
          { educationOrganizationIdentificationSystemDescriptor: 'uri://ed-fi.org/EducationOrganizationIdentificationSystemDescriptor#NCES', identificationCode: '049990100001' },
          { educationOrganizationIdentificationSystemDescriptor: 'uri://ed-fi.org/EducationOrganizationIdentificationSystemDescriptor#SEA', identificationCode: 'AZ-101' },
        ],
        webSite: 'https://dhhs.example.org',
      },
    });
  });

  it('maps StudentPersonal to a student and its demographics on the district association', () => {
    expect(documents(out['StudentPersonal']!)).toEqual({
      students: {
        studentUniqueId: '708000001',
        firstName: 'Owen',
        middleName: 'Liam',
        lastSurname: 'Blackwell',
        birthDate: '2010-02-04',
        birthSexDescriptor: 'uri://ed-fi.org/SexDescriptor#Male',
        birthCity: 'Gilbert',
        birthStateAbbreviationDescriptor: 'uri://ed-fi.org/StateAbbreviationDescriptor#AZ',
        birthCountryDescriptor: 'uri://ed-fi.org/CountryDescriptor#US',
      },
      studentEducationOrganizationAssociations: {
        educationOrganizationReference: { educationOrganizationId: LEA },
        studentReference: { studentUniqueId: '708000001' },
        sexDescriptor: 'uri://ed-fi.org/SexDescriptor#Male',
        hispanicLatinoEthnicity: false,
        races: [{ raceDescriptor: 'uri://ed-fi.org/RaceDescriptor#White' }],
        languages: [{ languageDescriptor: 'uri://ed-fi.org/LanguageDescriptor#eng' }],
        addresses: [
          {
            addressTypeDescriptor: 'uri://ed-fi.org/AddressTypeDescriptor#Home',
            streetNumberName: '12376 Jefferson St',
            apartmentRoomSuiteNumber: 'Apt 3D',
            city: 'Mesa',
            stateAbbreviationDescriptor: 'uri://ed-fi.org/StateAbbreviationDescriptor#AZ',
            postalCode: '85203',
          },
        ],
        telephones: [{ telephoneNumberTypeDescriptor: 'uri://ed-fi.org/TelephoneNumberTypeDescriptor#Home', telephoneNumber: '480-555-0115', orderOfPriority: 1 }],
        electronicMails: [{ electronicMailTypeDescriptor: 'uri://ed-fi.org/ElectronicMailTypeDescriptor#Home/Personal', electronicMailAddress: 'owen@example.org', primaryEmailAddressIndicator: true }],
        studentIdentificationCodes: [
          { studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#District', assigningOrganizationIdentificationCode: '499901', identificationCode: '708000001' },
          { studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#State', assigningOrganizationIdentificationCode: 'State', identificationCode: 'AZ12345' },
          { studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#SSN', assigningOrganizationIdentificationCode: 'SSA', identificationCode: '123-45-6789' },
        ],
      },
    });
  });

  it('maps StudentContactPersonal and StudentContactRelationship to a contact and its association', () => {
    expect(documents(out['StudentContactPersonal']!)).toEqual({
      contacts: {
        contactUniqueId: 'C70800000001',
        firstName: 'Olivia',
        lastSurname: 'Nielsen',
        sexDescriptor: 'uri://ed-fi.org/SexDescriptor#Female',
        telephones: [{ telephoneNumberTypeDescriptor: 'uri://ed-fi.org/TelephoneNumberTypeDescriptor#Mobile', telephoneNumber: '480-555-0116', orderOfPriority: 1 }],
        electronicMails: [{ electronicMailTypeDescriptor: 'uri://ed-fi.org/ElectronicMailTypeDescriptor#Home/Personal', electronicMailAddress: 'olivia@example.com', primaryEmailAddressIndicator: true }],
      },
    });
    expect(documents(out['StudentContactRelationship']!)).toEqual({
      studentContactAssociations: {
        studentReference: { studentUniqueId: '708000001' },
        contactReference: { contactUniqueId: 'C70800000001' },
        relationDescriptor: 'uri://ed-fi.org/RelationDescriptor#Mother',
        primaryContactStatus: true,
        livesWith: true,
        emergencyContactStatus: true,
        legalGuardian: true,
        contactPriority: 1,
      },
    });
  });

  it('maps StudentSchoolEnrollment to a student school association with entry and grade level', () => {
    expect(documents(out['StudentSchoolEnrollment']!)).toEqual({
      schoolYearTypes: { schoolYear: 2026, currentSchoolYear: false, schoolYearDescription: '2025-2026' },
      studentSchoolAssociations: {
        studentReference: { studentUniqueId: '708000001' },
        schoolReference: { schoolId: 49990100001 },
        entryDate: '2025-08-13',
        entryGradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Ninth grade',
        entryTypeDescriptor: 'uri://ed-fi.org/EntryTypeDescriptor#Transfer',
        schoolYearTypeReference: { schoolYear: 2026 },
        primarySchool: true,
      },
    });
  });

  it('maps SchoolCourseInfo and SectionInfo to a course, its offering in a year-round session, and the section', () => {
    expect(documents(out['SchoolCourseInfo']!)).toEqual({
      courses: {
        courseCode: 'SPAN1',
        courseTitle: 'Spanish I',
        numberOfParts: 1,
        identificationCodes: [
          { courseIdentificationSystemDescriptor: 'uri://ed-fi.org/CourseIdentificationSystemDescriptor#School course code', identificationCode: 'SPAN1', assigningOrganizationIdentificationCode: '49990100001' },
          { courseIdentificationSystemDescriptor: 'uri://ed-fi.org/CourseIdentificationSystemDescriptor#State course code', identificationCode: '06101' },
        ],
        educationOrganizationReference: { educationOrganizationId: 49990100001 },
        courseDescription: 'First-year Spanish',
        maximumAvailableCredits: 0.5,
      },
    });
    const section = documents(out['SectionInfo']!);
    const sessionReference = { schoolId: 49990100001, schoolYear: 2026, sessionName: '2025-2026 Year Round' };
    expect(section['sessions']).toMatchObject({ sessionName: '2025-2026 Year Round', termDescriptor: 'uri://ed-fi.org/TermDescriptor#Year Round' });
    expect(section['courseOfferings']).toEqual({
      localCourseCode: 'SPAN1',
      courseReference: { courseCode: 'SPAN1', educationOrganizationId: 49990100001 },
      schoolReference: { schoolId: 49990100001 },
      sessionReference,
      localCourseTitle: 'Spanish I',
    });
    expect(section['sections']).toEqual({ sectionIdentifier: 'SPAN1-01', courseOfferingReference: { localCourseCode: 'SPAN1', ...sessionReference }, sectionName: 'Spanish I, period 3' });
  });

  it('maps StudentSectionEnrollment and StudentDailyAttendance', () => {
    expect(documents(out['StudentSectionEnrollment']!)).toEqual({
      studentSectionAssociations: {
        studentReference: { studentUniqueId: '708000001' },
        sectionReference: { sectionIdentifier: 'SPAN1-01', localCourseCode: 'SPAN1', schoolId: 49990100001, schoolYear: 2026, sessionName: '2025-2026 Year Round' },
        beginDate: '2025-08-13',
        endDate: '2025-12-19',
      },
    });
    expect(documents(out['StudentDailyAttendance']!)['studentSchoolAttendanceEvents']).toEqual({
      attendanceEventCategoryDescriptor: 'uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy',
      eventDate: '2025-09-10',
      schoolReference: { schoolId: 49990100001 },
      sessionReference: { schoolId: 49990100001, schoolYear: 2026, sessionName: '2025-2026 Year Round' },
      studentReference: { studentUniqueId: '708000001' },
      arrivalTime: '08:23:00',
    });
  });

  it('produces documents the Ed-Fi engine accepts', () => {
    const spec = edfiSpec();
    for (const result of Object.values(out)) {
      if (result.kind !== 'mapped') throw new Error(result.reason);
      for (const { resource, document } of result.documents) {
        const prepared = prepareDocument(spec, spec.resource('ed-fi', resource)!, structuredClone(document));
        expect(isEdfiFailure(prepared) ? { resource, prepared } : 'ok').toBe('ok');
      }
    }
  });

  it('fails, naming the code set, for a SIF code with no Ed-Fi mapping, and an override fixes it', () => {
    const xml = SIS_SAMPLES[6]![1].replace('<Code>09</Code>', '<Code>Other</Code>').replace('<Code>1822</Code>', '<Code>9999</Code>');
    const keys = new Map<string, ObjectKey>([
      [`StudentPersonal ${SIS_REF.student}`, { studentUniqueId: '708000001' }],
      [`SchoolInfo ${SIS_REF.school}`, { schoolId: 49990100001 }],
    ]);
    const noEntryTypes = { ...defaultCodeSets(), entryType: { ...defaultCodeSets().entryType, codes: {} } };
    const context: MappingContext = { codes: noEntryTypes, localEducationAgencyId: LEA, keyOf: (n, r) => keys.get(`${n} ${r}`) };
    const failed = mapSifObject('StudentSchoolEnrollment', objectOf('StudentSchoolEnrollment', xml), context);
    expect(failed).toMatchObject({ kind: 'failed', refId: SIS_REF.enrollment });
    expect(failed.kind === 'failed' && failed.reason).toContain('EntryType/Code code "9999" has no Ed-Fi mapping in code set entryType');
    const fixed = mapSifObject('StudentSchoolEnrollment', objectOf('StudentSchoolEnrollment', xml), {
      ...context,
      codes: withOverrides(noEntryTypes, [{ set: 'entryType', code: '9999', value: 'uri://district.example/EntryTypeDescriptor#Other' }]),
    });
    expect(documents(fixed)['studentSchoolAssociations']).toMatchObject({ entryTypeDescriptor: 'uri://district.example/EntryTypeDescriptor#Other' });
  });

  it('fails for a reference to an object the node never received', () => {
    const context: MappingContext = { codes: defaultCodeSets(), localEducationAgencyId: LEA, keyOf: () => undefined };
    const failed = mapSifObject('StudentSectionEnrollment', objectOf('StudentSectionEnrollment', SIS_SAMPLES[7]![1]), context);
    expect(failed.kind === 'failed' && failed.reason).toBe(`@StudentPersonalRefId ${SIS_REF.student} refers to a StudentPersonal this node has not received`);
  });

  it('merges a partial Change onto the stored object: keyed lists by @Type, SIF_Action Delete, nil clears', () => {
    const stored = objectOf('StudentPersonal', SIS_SAMPLES[3]![1]);
    const change = objectOf(
      'StudentPersonal',
      `<StudentPersonal RefId="${SIS_REF.student}"><Name Type="04"><LastName>Blackwell-Ortiz</LastName></Name><PhoneNumberList><PhoneNumber Type="0096" SIF_Action="Delete"><Number>480-555-0115</Number></PhoneNumber><PhoneNumber Type="0350"><Number>480-555-0199</Number></PhoneNumber></PhoneNumberList><EmailList><Email Type="Primary" xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></EmailList></StudentPersonal>`,
    );
    const merged = mergeSifChange(stored, change);
    expect(merged['Name']).toEqual({ '@Type': '04', LastName: 'Blackwell-Ortiz', FirstName: 'Owen', MiddleName: 'Liam' });
    expect(merged['PhoneNumberList']).toEqual({ PhoneNumber: { '@Type': '0350', Number: '480-555-0199' } });
    expect(merged['Demographics']).toEqual(stored['Demographics']);
    expect(merged['AddressList']).toEqual(stored['AddressList']);
  });

  it('reverses code sets for writing SIF from Ed-Fi', () => {
    const codes = defaultCodeSets();
    expect(toSifCode(codes, 'gradeLevel', 'uri://ed-fi.org/GradeLevelDescriptor#Ninth grade')).toBe('09');
    expect(toSifCode(codes, 'relationship', 'uri://ed-fi.org/RelationDescriptor#Neighbor')).toBe('9999');
    expect(toSifCode(codes, 'exitType', 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Transferred')).toBe('1908');
  });

  it('uses samples that validate against the SIF US 2.4 XSD', () => {
    const documents = Object.fromEntries(SIS_SAMPLES.map(([name, xml]) => [name, eventXml(name, 'Add', xml)]));
    expect(validateAgainstSifXsd(documents)).toEqual({});
  });
});
