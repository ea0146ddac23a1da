import { createHash } from 'node:crypto';
import type { SifJsonObject, SifJsonValue } from '../sif/json-mapping.js';
import { defaultCodeSets, toSifCode, type CodeSetName, type CodeSets } from '../sis-mapping/code-sets.js';
import { SIS_OBJECT_NAMES } from '../sis-mapping/sis-mapping.js';
import { AS_OF_DATE, iterateSyntheticDistrict, type SyntheticDistrictOptions, type SyntheticRecord } from '../seed/synthetic-district.js';

/**
 * The simulated SIS's data: a synthetic district (src/seed/) written as
 * the SIF US 2.4 objects a SIS publishes — the Ed-Fi → SIF direction of the
 * mappings in src/sis-mapping/, with SIF codes from the same code sets
 * (reversed). Elements are written in the XSD's sequence order, because the
 * JSON form becomes XML in property order. RefIds are derived from natural
 * keys, so the same district always gets the same RefIds.
 */

/** One SIF object of the roster. */
export interface RosterObject {
  readonly objectName: string;
  readonly object: SifJsonObject;
}

/** The roster, in dependency order (the order of SIS_OBJECT_NAMES). */
export interface SisRoster {
  readonly objects: readonly RosterObject[];
  /** Every object of one type (to answer a SIF_Request). */
  byName(objectName: string): RosterObject[];
}

type Doc = Record<string, any>;

/** A RefId (32 upper-case hex digits) derived from an object's kind and natural key. */
export function rosterRefId(kind: string, key: string): string {
  return createHash('sha256').update(`${kind}\u0000${key}`).digest('hex').slice(0, 32).toUpperCase();
}

/** Only defined values, in the given (XSD) order. */
function element(values: Record<string, SifJsonValue | undefined>): SifJsonObject {
  const out: SifJsonObject = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) out[name] = value;
  return out;
}

/** A list container, or undefined when there are no items. */
function list(container: string, item: string, items: SifJsonObject[]): Record<string, SifJsonValue> | undefined {
  return items.length > 0 ? { [item]: items.length === 1 ? items[0]! : items } : undefined;
}

class Writer {
  constructor(private readonly codes: CodeSets) {}

  code(set: CodeSetName, uri: unknown): string | undefined {
    return typeof uri === 'string' ? toSifCode(this.codes, set, uri) : undefined;
  }

  coded(set: CodeSetName, uri: unknown): SifJsonObject | undefined {
    const code = this.code(set, uri);
    return code === undefined ? undefined : { Code: code };
  }

  addresses(addresses: Doc[] | undefined, set: 'addressType' | 'schoolAddressType'): SifJsonValue | undefined {
    const items = (addresses ?? []).flatMap((a) => {
      const type = this.code(set, a['addressTypeDescriptor']);
      if (!type) return [];
      return [
        element({
          '@Type': type,
          Street: element({ Line1: a['streetNumberName'], Line2: a['apartmentRoomSuiteNumber'] }),
          City: a['city'],
          County: a['nameOfCounty'],
          StateProvince: String(a['stateAbbreviationDescriptor']).split('#')[1],
          PostalCode: a['postalCode'],
        }),
      ];
    });
    return list('AddressList', 'Address', items);
  }

  phones(phones: Doc[] | undefined, set: 'phoneType' | 'schoolPhoneType', field: string): SifJsonValue | undefined {
    const items = (phones ?? []).flatMap((p) => {
      const type = this.code(set, p[field]);
      return type ? [{ '@Type': type, Number: String(p['telephoneNumber']) }] : [];
    });
    return list('PhoneNumberList', 'PhoneNumber', items);
  }

  emails(emails: Doc[] | undefined): SifJsonValue | undefined {
    const seen = new Set<string>();
    const items = (emails ?? []).flatMap((e) => {
      // The primary address is SIF's Primary e-mail; the others by type. One e-mail per SIF type.
      const type = e['primaryEmailAddressIndicator'] === true ? 'Primary' : this.code('emailType', e['electronicMailTypeDescriptor']);
      if (!type || seen.has(type)) return [];
      seen.add(type);
      return [{ '@Type': type, '#text': String(e['electronicMailAddress']) }];
    });
    return list('EmailList', 'Email', items);
  }

  name(person: Doc): SifJsonObject {
    return element({
      '@Type': '04',
      Prefix: person['personalTitlePrefix'],
      LastName: person['lastSurname'],
      FirstName: person['firstName'],
      MiddleName: person['middleName'],
      Suffix: person['generationCodeSuffix'],
      PreferredName: person['preferredFirstName'],
    });
  }
}

function yesNo(value: unknown): string | undefined {
  return value === true ? 'Yes' : value === false ? 'No' : undefined;
}

/** Collects the synthetic records the SIS objects are built from, indexed by natural key. */
class Collected {
  readonly schools: Doc[] = [];
  readonly offerings = new Map<string, Doc>();
  readonly sections: Doc[] = [];
  readonly students: Doc[] = [];
  readonly associations = new Map<string, Doc>();
  readonly contacts: Doc[] = [];
  readonly contactAssociations: Doc[] = [];
  readonly enrollments: Doc[] = [];
  readonly sectionEnrollments: Doc[] = [];
  readonly attendance: Doc[] = [];
  readonly grades: Doc[] = [];
  readonly academicRecords: Doc[] = [];
  readonly specialEducation: Doc[] = [];

  add(record: SyntheticRecord): void {
    const d = record.document as Doc;
    switch (record.resource) {
      case 'schools': return void this.schools.push(d);
      case 'courseOfferings': return void this.offerings.set(offeringKey(d['schoolReference'].schoolId, d['localCourseCode'], d['sessionReference'].schoolYear, d['sessionReference'].sessionName), d);
      case 'sections': return void this.sections.push(d);
      case 'students': return void this.students.push(d);
      case 'studentEducationOrganizationAssociations': return void this.associations.set(d['studentReference'].studentUniqueId, d);
      case 'contacts': return void this.contacts.push(d);
      case 'studentContactAssociations': return void this.contactAssociations.push(d);
      case 'studentSchoolAssociations': return void this.enrollments.push(d);
      case 'studentSectionAssociations': return void this.sectionEnrollments.push(d);
      case 'studentSchoolAttendanceEvents': return void this.attendance.push(d);
      case 'grades': return void this.grades.push(d);
      case 'studentAcademicRecords': return void this.academicRecords.push(d);
      case 'studentSpecialEducationProgramAssociations': return void this.specialEducation.push(d);
    }
  }
}

function offeringKey(schoolId: unknown, localCourseCode: unknown, schoolYear: unknown, sessionName: unknown): string {
  return `${String(schoolId)}|${String(localCourseCode)}|${String(schoolYear)}|${String(sessionName)}`;
}

/** Builds the roster of a synthetic district (see src/seed/synthetic-district.ts). */
export function buildSisRoster(options: SyntheticDistrictOptions, codes: CodeSets = defaultCodeSets()): SisRoster {
  const collected = new Collected();
  for (const record of iterateSyntheticDistrict(options)) collected.add(record);
  return rosterFrom(collected, new Writer(codes));
}

function rosterFrom(c: Collected, w: Writer): SisRoster {
  const out: RosterObject[] = [];
  const push = (objectName: string, object: SifJsonObject) => out.push({ objectName, object });
  const schoolRef = (schoolId: unknown) => rosterRefId('SchoolInfo', String(schoolId));
  const studentRef = (id: unknown) => rosterRefId('StudentPersonal', String(id));
  const contactRef = (id: unknown) => rosterRefId('StudentContactPersonal', String(id));

  for (const school of c.schools) push('SchoolInfo', schoolInfo(school, w, schoolRef(school['schoolId'])));

  // Only the courses and sections students of the roster are scheduled in.
  const usedSections = new Set(c.sectionEnrollments.map((e) => sectionKey(e['sectionReference'])));
  const sections = c.sections.filter((s) => usedSections.has(sectionKey({ ...s['courseOfferingReference'], sectionIdentifier: s['sectionIdentifier'] })));
  const courseRefs = new Map<string, string>();
  for (const section of sections) {
    const o = section['courseOfferingReference'];
    const offering = c.offerings.get(offeringKey(o.schoolId, o.localCourseCode, o.schoolYear, o.sessionName));
    const key = `${o.schoolId}|${o.localCourseCode}|${o.schoolYear}`;
    if (courseRefs.has(key)) continue;
    const refId = rosterRefId('SchoolCourseInfo', key);
    courseRefs.set(key, refId);
    push('SchoolCourseInfo', {
      '@RefId': refId,
      '@SchoolInfoRefId': schoolRef(o.schoolId),
      '@SchoolYear': String(o.schoolYear),
      CourseCode: String(offering?.['courseReference']?.courseCode ?? o.localCourseCode),
      CourseTitle: String(offering?.['localCourseTitle'] ?? o.localCourseCode),
    });
  }
  const sectionRefs = new Map<string, string>();
  for (const section of sections) {
    const o = section['courseOfferingReference'];
    const key = sectionKey({ ...o, sectionIdentifier: section['sectionIdentifier'] });
    const refId = rosterRefId('SectionInfo', key);
    sectionRefs.set(key, refId);
    push('SectionInfo', element({
      '@RefId': refId,
      '@SchoolCourseInfoRefId': courseRefs.get(`${o.schoolId}|${o.localCourseCode}|${o.schoolYear}`)!,
      '@SchoolYear': String(o.schoolYear),
      LocalId: String(section['sectionIdentifier']),
      Description: section['sectionName'],
    }));
  }

  for (const student of c.students) push('StudentPersonal', studentPersonal(student, c.associations.get(student['studentUniqueId']), w, studentRef(student['studentUniqueId'])));
  for (const contact of c.contacts) push('StudentContactPersonal', contactPersonal(contact, w, contactRef(contact['contactUniqueId'])));
  for (const a of c.contactAssociations) {
    const flags = element({ ParentLegalGuardian: yesNo(a['legalGuardian']), LivesWith: yesNo(a['livesWith']), EmergencyContact: yesNo(a['emergencyContactStatus']) });
    push('StudentContactRelationship', element({
      '@StudentPersonalRefId': studentRef(a['studentReference'].studentUniqueId),
      '@StudentContactPersonalRefId': contactRef(a['contactReference'].contactUniqueId),
      Relationship: w.coded('relationship', a['relationDescriptor']),
      ContactFlags: Object.keys(flags).length > 0 ? flags : undefined,
      ContactSequence: a['contactPriority'] === undefined ? undefined : String(a['contactPriority']),
    }));
  }
  for (const e of c.enrollments) {
    const studentId = e['studentReference'].studentUniqueId;
    const schoolId = e['schoolReference'].schoolId;
    push('StudentSchoolEnrollment', element({
      '@RefId': rosterRefId('StudentSchoolEnrollment', `${studentId}|${schoolId}|${e['entryDate']}`),
      '@StudentPersonalRefId': studentRef(studentId),
      '@SchoolInfoRefId': schoolRef(schoolId),
      '@MembershipType': e['primarySchool'] === false ? 'Concurrent' : 'Home',
      '@TimeFrame': timeFrame(e['entryDate'], e['exitWithdrawDate']),
      '@SchoolYear': String(e['schoolYearTypeReference']?.schoolYear ?? schoolYearOfDate(e['entryDate'])),
      EntryDate: e['entryDate'],
      EntryType: w.coded('entryType', e['entryTypeDescriptor']),
      GradeLevel: w.coded('gradeLevel', e['entryGradeLevelDescriptor']),
      ExitDate: e['exitWithdrawDate'],
      ExitType: w.coded('exitType', e['exitWithdrawTypeDescriptor']),
    }));
  }
  for (const e of c.sectionEnrollments) {
    const s = e['sectionReference'];
    const studentId = e['studentReference'].studentUniqueId;
    const sectionRef = sectionRefs.get(sectionKey(s));
    if (!sectionRef) continue;
    push('StudentSectionEnrollment', element({
      '@RefId': rosterRefId('StudentSectionEnrollment', `${studentId}|${sectionKey(s)}|${e['beginDate']}`),
      '@StudentPersonalRefId': studentRef(studentId),
      '@SectionInfoRefId': sectionRef,
      '@SchoolYear': String(s.schoolYear),
      EntryDate: e['beginDate'],
      ExitDate: e['endDate'],
    }));
  }
  const days = new Set<string>();
  for (const a of c.attendance) {
    const code = w.code('attendanceCode', a['attendanceEventCategoryDescriptor']);
    const key = `${a['studentReference'].studentUniqueId}|${a['schoolReference'].schoolId}|${a['eventDate']}`;
    // SIF keeps one daily attendance record per student, school and day.
    if (!code || days.has(key)) continue;
    days.add(key);
    push('StudentDailyAttendance', element({
      '@StudentPersonalRefId': studentRef(a['studentReference'].studentUniqueId),
      '@SchoolInfoRefId': schoolRef(a['schoolReference'].schoolId),
      '@Date': a['eventDate'],
      '@SchoolYear': String(a['sessionReference'].schoolYear),
      AttendanceCodeInfoRefId: code,
      TimeIn: a['arrivalTime'],
      TimeOut: a['departureTime'],
      AttendanceNote: a['attendanceEventReason'],
    }));
  }
  for (const [objectName, object] of academicObjects(c, w, sectionRefs, studentRef)) push(objectName, object);
  for (const [objectName, object] of programObjects(c, w, studentRef)) push(objectName, object);
  const order = new Map(SIS_OBJECT_NAMES.map((n, i) => [n, i]));
  const objects = out.map((o, i) => ({ o, i })).sort((a, b) => order.get(a.o.objectName)! - order.get(b.o.objectName)! || a.i - b.i).map(({ o }) => o);
  return { objects, byName: (name) => objects.filter((o) => o.objectName === name) };
}

/** A SIF mark value (xs:decimal, at most two fraction digits). */
function markDecimal(value: unknown): string | undefined {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : undefined;
}

/**
 * Marks and records, kept to a few objects per student so the sandbox
 * starts quickly: each student's latest mark per section
 * (StudentSectionMarks), the gradebook grade of their first marked section
 * (StudentGrade) and their latest academic record (StudentAcademicRecord).
 */
function* academicObjects(c: Collected, w: Writer, sectionRefs: Map<string, string>, studentRef: (id: unknown) => string): Generator<[string, SifJsonObject]> {
  const latest = new Map<string, { grade: Doc; term: string; sectionRef: string }>();
  for (const grade of c.grades) {
    const a = grade['studentSectionAssociationReference'];
    const sectionRef = sectionRefs.get(sectionKey(a));
    const term = w.code('gradingPeriod', grade['gradingPeriodReference'].gradingPeriodDescriptor);
    if (!sectionRef || !term) continue;
    const key = `${a.studentUniqueId}|${sectionRef}`;
    const seen = latest.get(key);
    if (!seen || seen.grade['gradingPeriodReference'].gradingPeriodName < grade['gradingPeriodReference'].gradingPeriodName) latest.set(key, { grade, term, sectionRef });
  }
  const graded = new Set<string>();
  for (const { grade, term, sectionRef } of latest.values()) {
    const a = grade['studentSectionAssociationReference'];
    const mark = element({ '@MarkInfoRefId': rosterRefId('MarkInfo', 'percent-letter'), Percentage: markDecimal(grade['numericGradeEarned']), Letter: grade['letterGradeEarned'], Narrative: grade['diagnosticStatement'] });
    yield ['StudentSectionMarks', {
      '@StudentPersonalRefId': studentRef(a.studentUniqueId),
      '@SectionInfoRefId': sectionRef,
      '@TermInfoRefId': term,
      '@SchoolInfoRefId': rosterRefId('SchoolInfo', String(a.schoolId)),
      IsFinal: 'false',
      MarkList: { Mark: mark },
    }];
    if (graded.has(a.studentUniqueId)) continue;
    graded.add(a.studentUniqueId);
    yield ['StudentGrade', element({
      '@RefId': rosterRefId('StudentGrade', `${a.studentUniqueId}|${sectionRef}`),
      StudentPersonalRefId: studentRef(a.studentUniqueId),
      SectionInfoRefId: sectionRef,
      SchoolInfoRefId: rosterRefId('SchoolInfo', String(a.schoolId)),
      SchoolYear: String(a.schoolYear),
      Grade: element({ Percentage: markDecimal(grade['numericGradeEarned']), Letter: grade['letterGradeEarned'] }),
    })];
  }
  for (const student of c.students) yield ['StudentAcademicRecord', academicRecord(student['studentUniqueId'], c.academicRecords, studentRef)];
}

function academicRecord(studentUniqueId: string, records: Doc[], studentRef: (id: unknown) => string): SifJsonObject {
  const own = records.filter((r) => r['studentReference'].studentUniqueId === studentUniqueId);
  const last = own.reduce<Doc | undefined>((l, r) => (l === undefined || r['schoolYearTypeReference'].schoolYear >= l['schoolYearTypeReference'].schoolYear ? r : l), undefined);
  const gpa = (last?.['gradePointAverages'] as Doc[] | undefined)?.[0];
  const term = last && element({
    TermInfoData: { SchoolYear: String(last['schoolYearTypeReference'].schoolYear) },
    CreditsAttempted: markDecimal(last['sessionAttemptedCredits']),
    CreditsEarned: markDecimal(last['sessionEarnedCredits']),
    GPA: gpa?.['isCumulative'] === false ? markDecimal(gpa['gradePointAverageValue']) : undefined,
  });
  const summary = last && element({
    TotalCreditsAttempted: markDecimal(last['cumulativeAttemptedCredits']),
    TotalCreditsEarned: markDecimal(last['cumulativeEarnedCredits']),
    CumulativeGPA: gpa?.['isCumulative'] === true ? markDecimal(gpa['gradePointAverageValue']) : undefined,
    ProjectedGraduationDate: last['projectedGraduationDate'],
  });
  return element({
    '@RefId': rosterRefId('StudentAcademicRecord', studentUniqueId),
    '@SIF_RefId': studentRef(studentUniqueId),
    '@SIF_RefObject': 'StudentPersonal',
    ReportingDate: AS_OF_DATE,
    AcademicPerformanceHistory: term ? { TermPerformance: term } : undefined,
    AcademicPerformanceSummary: summary && Object.keys(summary).length > 0 ? summary : undefined,
  });
}

const PRIORITIES = ['Primary', 'Secondary', 'Tertiary', 'Additional'];

/** Special education participations (StudentParticipation), one per program association. */
function* programObjects(c: Collected, w: Writer, studentRef: (id: unknown) => string): Generator<[string, SifJsonObject]> {
  for (const p of c.specialEducation) {
    const studentUniqueId = p['studentReference'].studentUniqueId;
    const categories = (p['disabilities'] as Doc[] | undefined ?? []).flatMap((d, i) => {
      const code = w.code('disability', d['disabilityDescriptor']);
      return code ? [{ Code: code, ExceptionalityPriority: PRIORITIES[Math.min(i, 3)]! }] : [];
    });
    yield ['StudentParticipation', element({
      '@RefId': rosterRefId('StudentParticipation', `${studentUniqueId}|${p['beginDate']}`),
      '@StudentPersonalRefId': studentRef(studentUniqueId),
      StudentParticipationAsOfDate: p['beginDate'],
      ProgramType: w.coded('programType', p['programReference'].programTypeDescriptor),
      EvaluationDate: p['lastEvaluationDate'],
      ExceptionalityCategories: list('ExceptionalityCategories', 'ExceptionalityCategory', categories),
      ProgramPlanEffectiveDate: p['iepBeginDate'],
      ProgramPlacementDate: p['beginDate'],
      ProgramReviewDate: p['iepReviewDate'],
      ProgramExitDate: p['endDate'],
    })];
  }
}

function sectionKey(s: Doc): string {
  return `${s['schoolId']}|${s['localCourseCode']}|${s['schoolYear']}|${s['sessionName']}|${s['sectionIdentifier']}`;
}

function timeFrame(entry: string, exit: string | undefined): string {
  if (entry > AS_OF_DATE) return 'Future';
  return exit !== undefined && exit < AS_OF_DATE ? 'Historical' : 'Current';
}

/** The school year (its ending calendar year) of a date: July onwards belongs to the next year. */
function schoolYearOfDate(date: string): number {
  const [year, month] = date.split('-').map(Number) as [number, number];
  return month >= 7 ? year + 1 : year;
}

function schoolInfo(school: Doc, w: Writer, refId: string): SifJsonObject {
  const nces = (school['identificationCodes'] as Doc[] | undefined)?.find((c) => String(c['educationOrganizationIdentificationSystemDescriptor']).endsWith('#NCES'))?.['identificationCode'];
  const levels = (school['gradeLevels'] as Doc[]).flatMap((g) => {
    const code = w.code('gradeLevel', g['gradeLevelDescriptor']);
    return code ? [{ Code: code }] : [];
  });
  return element({
    '@RefId': refId,
    LocalId: String(school['schoolId']),
    NCESId: String(nces ?? school['schoolId']),
    SchoolName: school['nameOfInstitution'],
    SchoolURL: school['webSite'],
    AddressList: w.addresses(school['addresses'], 'schoolAddressType'),
    PhoneNumberList: w.phones(school['institutionTelephones'], 'schoolPhoneType', 'institutionTelephoneNumberTypeDescriptor'),
    GradeLevels: list('GradeLevels', 'GradeLevel', levels),
  });
}

function studentPersonal(student: Doc, association: Doc | undefined, w: Writer, refId: string): SifJsonObject {
  const codes = (association?.['studentIdentificationCodes'] as Doc[] | undefined) ?? [];
  const state = codes.find((c) => String(c['studentIdentificationSystemDescriptor']).endsWith('#State'))?.['identificationCode'];
  const others = codes.flatMap((c) => {
    const type = w.code('studentIdType', c['studentIdentificationSystemDescriptor']);
    return type ? [{ '@Type': type, '#text': String(c['identificationCode']) }] : [];
  });
  const races = ((association?.['races'] as Doc[] | undefined) ?? []).flatMap((r) => {
    const code = w.code('race', r['raceDescriptor']);
    return code ? [{ Code: code }] : [];
  });
  const languages = ((association?.['languages'] as Doc[] | undefined) ?? []).flatMap((l) => {
    const code = String(l['languageDescriptor']).split('#')[1];
    return code && /^[a-z]{3}$/.test(code) ? [{ Code: code }] : [];
  });
  const birthState = typeof student['birthStateAbbreviationDescriptor'] === 'string' ? student['birthStateAbbreviationDescriptor'].split('#')[1] : undefined;
  const birthCountry = typeof student['birthCountryDescriptor'] === 'string' ? student['birthCountryDescriptor'].split('#')[1] : undefined;
  return element({
    '@RefId': refId,
    LocalId: String(student['studentUniqueId']),
    StateProvinceId: state,
    OtherIdList: list('OtherIdList', 'OtherId', others),
    Name: w.name(student),
    Demographics: element({
      RaceList: list('RaceList', 'Race', races),
      HispanicLatino: yesNo(association?.['hispanicLatinoEthnicity']),
      Gender: w.code('sex', association?.['sexDescriptor'] ?? student['birthSexDescriptor']),
      BirthDate: student['birthDate'],
      PlaceOfBirth: student['birthCity'],
      StateOfBirth: birthState,
      CountryOfBirth: birthCountry,
      LanguageList: list('LanguageList', 'Language', languages),
    }),
    AddressList: w.addresses(association?.['addresses'], 'addressType'),
    PhoneNumberList: w.phones(association?.['telephones'], 'phoneType', 'telephoneNumberTypeDescriptor'),
    EmailList: w.emails(association?.['electronicMails']),
  });
}

function contactPersonal(contact: Doc, w: Writer, refId: string): SifJsonObject {
  const gender = w.code('sex', contact['sexDescriptor']);
  return {
    '@RefId': refId,
    PersonInfo: element({
      LocalId: String(contact['contactUniqueId']),
      Name: w.name(contact),
      Demographics: gender ? { Gender: gender } : undefined,
      AddressList: w.addresses(contact['addresses'], 'addressType'),
      PhoneNumberList: w.phones(contact['telephones'], 'phoneType', 'telephoneNumberTypeDescriptor'),
      EmailList: w.emails(contact['electronicMails']),
    }),
  };
}
