/**
 * The district's own documents, written before any student: school years,
 * the local education agency, schools, calendars, grading periods, sessions,
 * class periods, rooms, the course catalog, course offerings and sections.
 * Shapes follow the DS 5.0 resources API (`edFi_school`, `edFi_session`, …).
 */
import { COURSE_CATALOG, coursesOfLevel, type CourseDefinition } from './course-catalog.js';
import {
  ADDRESS_TYPE,
  ADMINISTRATIVE_FUNDING_CONTROL,
  CALENDAR_TYPE,
  COURSE_IDENTIFICATION_SYSTEM,
  CREDIT_TYPE,
  EDUCATION_ORGANIZATION_CATEGORY,
  EDUCATION_ORGANIZATION_IDENTIFICATION_SYSTEM,
  EDUCATIONAL_ENVIRONMENT,
  INSTITUTION_TELEPHONE_TYPE,
  LOCAL_EDUCATION_AGENCY_CATEGORY,
  LOCALE,
  OPERATIONAL_STATUS,
  SCHOOL_CATEGORY,
  SCHOOL_TYPE,
  SECTION_TYPE,
  gradeLevelUri,
  stateUri,
} from './descriptors.js';
import type { DistrictPlan, SchoolLevel, SchoolPlan } from './district-plan.js';
import {
  classPeriodReference,
  courseOfferingReference,
  courseReference,
  educationOrganizationReference,
  gradingPeriodReference,
  localEducationAgencyReference,
  locationReference,
  schoolReference,
  schoolYearTypeReference,
  sessionReference,
} from './references.js';
import { sectionIdentifier, type SectionRoster } from './section-roster.js';
import { CURRENT_SCHOOL_YEAR, GRADING_PERIODS, SESSIONS, schoolDays, schoolYearLabel, type SessionDefinition } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

/** School years from the oldest enrollment to the youngest student's graduation. */
const FIRST_SCHOOL_YEAR = CURRENT_SCHOOL_YEAR - 13;
const LAST_SCHOOL_YEAR = CURRENT_SCHOOL_YEAR + 13;

/** The calendar code every school uses for this year's calendar. */
export const CALENDAR_CODE = `${schoolYearLabel(CURRENT_SCHOOL_YEAR)} Regular`;

const ROOMS: Readonly<Record<SchoolLevel, number>> = { elementary: 32, middle: 45, high: 70 };
const PERIODS = 7;
const ELEMENTARY_BLOCKS: Readonly<Record<string, number>> = { ELA: 1, MATH: 2, SCI: 3, SS: 4 };

/** All organization documents in dependency order. */
export function* organizationRecords(district: DistrictPlan, roster: SectionRoster): Generator<SyntheticRecord> {
  for (let year = FIRST_SCHOOL_YEAR; year <= LAST_SCHOOL_YEAR; year++) yield schoolYearType(year);
  yield localEducationAgency(district);
  for (const school of district.schools) yield edfi('schools', schoolDocument(district, school));
  for (const school of district.schools) yield calendar(school);
  for (const school of district.schools) yield* gradingPeriods(school);
  for (const school of district.schools) yield* sessions(school);
  for (const school of district.schools) yield* classPeriods(school);
  for (const school of district.schools) yield* locations(school);
  for (const definition of COURSE_CATALOG) yield course(district, definition);
  for (const school of district.schools) yield* courseOfferings(district, school);
  for (const school of district.schools) yield* sections(school, roster);
}

/** The class period a section meets in. */
function classPeriodOf(level: SchoolLevel, definition: CourseDefinition, section: number): string {
  if (level === 'elementary') return `Block ${ELEMENTARY_BLOCKS[definition.courseCode.split('-')[0] ?? ''] ?? 1}`;
  return `Period ${((definition.ordinal + section) % PERIODS) + 1}`;
}

function schoolYearType(schoolYear: number): SyntheticRecord {
  return edfi('schoolYearTypes', {
    schoolYear,
    currentSchoolYear: schoolYear === CURRENT_SCHOOL_YEAR,
    schoolYearDescription: schoolYearLabel(schoolYear),
  });
}

function localEducationAgency(district: DistrictPlan): SyntheticRecord {
  const { name, state, ncesId } = district.options.district;
  const office = district.schools[0];
  return edfi('localEducationAgencies', {
    localEducationAgencyId: district.localEducationAgencyId,
    nameOfInstitution: name.slice(0, 75),
    categories: [{ educationOrganizationCategoryDescriptor: EDUCATION_ORGANIZATION_CATEGORY['Local Education Agency'] }],
    localEducationAgencyCategoryDescriptor: LOCAL_EDUCATION_AGENCY_CATEGORY['Regular public school district'],
    operationalStatusDescriptor: OPERATIONAL_STATUS.Active,
    addresses: office
      ? [
          {
            addressTypeDescriptor: ADDRESS_TYPE.Physical,
            streetNumberName: `${100 + (district.localEducationAgencyId % 9000)} Education Way`,
            city: office.locality.city,
            stateAbbreviationDescriptor: stateUri(state),
            postalCode: office.locality.postalCode,
            nameOfCounty: district.area.county.slice(0, 30),
          },
        ]
      : [],
    identificationCodes: [
      {
        educationOrganizationIdentificationSystemDescriptor: EDUCATION_ORGANIZATION_IDENTIFICATION_SYSTEM.NCES,
        identificationCode: ncesId,
      },
    ],
    institutionTelephones: [
      { institutionTelephoneNumberTypeDescriptor: INSTITUTION_TELEPHONE_TYPE.Main, telephoneNumber: officePhone(district, 0) },
    ],
    webSite: `https://www.${district.emailDomain}`,
  });
}

function schoolDocument(district: DistrictPlan, school: SchoolPlan): Record<string, unknown> {
  return {
    schoolId: school.schoolId,
    nameOfInstitution: school.name,
    educationOrganizationCategories: [{ educationOrganizationCategoryDescriptor: EDUCATION_ORGANIZATION_CATEGORY.School }],
    gradeLevels: gradesOf(school).map((grade) => ({ gradeLevelDescriptor: gradeLevelUri(grade) })),
    localEducationAgencyReference: localEducationAgencyReference(district.localEducationAgencyId),
    schoolCategories: [{ schoolCategoryDescriptor: SCHOOL_CATEGORY[categoryOf(school.level)] }],
    schoolTypeDescriptor: SCHOOL_TYPE.Regular,
    administrativeFundingControlDescriptor: ADMINISTRATIVE_FUNDING_CONTROL['Public School'],
    operationalStatusDescriptor: OPERATIONAL_STATUS.Active,
    addresses: [
      {
        addressTypeDescriptor: ADDRESS_TYPE.Physical,
        streetNumberName: school.street,
        city: school.locality.city,
        stateAbbreviationDescriptor: stateUri(district.options.district.state),
        postalCode: school.locality.postalCode,
        nameOfCounty: district.area.county.slice(0, 30),
        localeDescriptor: school.index % 3 === 0 ? LOCALE['City-Midsize'] : LOCALE['Suburban-Large'],
      },
    ],
    identificationCodes: [
      {
        educationOrganizationIdentificationSystemDescriptor: EDUCATION_ORGANIZATION_IDENTIFICATION_SYSTEM.NCES,
        identificationCode: String(school.schoolId).padStart(12, '0'),
      },
    ],
    institutionTelephones: [
      { institutionTelephoneNumberTypeDescriptor: INSTITUTION_TELEPHONE_TYPE.Main, telephoneNumber: officePhone(district, school.index + 1) },
      { institutionTelephoneNumberTypeDescriptor: INSTITUTION_TELEPHONE_TYPE.Attendance, telephoneNumber: officePhone(district, school.index + 2) },
    ],
  };
}

function calendar(school: SchoolPlan): SyntheticRecord {
  return edfi('calendars', {
    calendarCode: CALENDAR_CODE,
    schoolReference: schoolReference(school.schoolId),
    schoolYearTypeReference: schoolYearTypeReference(CURRENT_SCHOOL_YEAR),
    calendarTypeDescriptor: CALENDAR_TYPE.School,
    gradeLevels: gradesOf(school).map((grade) => ({ gradeLevelDescriptor: gradeLevelUri(grade) })),
  });
}

function* gradingPeriods(school: SchoolPlan): Generator<SyntheticRecord> {
  for (const period of GRADING_PERIODS) {
    yield edfi('gradingPeriods', {
      gradingPeriodDescriptor: period.descriptor,
      gradingPeriodName: period.name,
      schoolReference: schoolReference(school.schoolId),
      schoolYearTypeReference: schoolYearTypeReference(CURRENT_SCHOOL_YEAR),
      beginDate: period.beginDate,
      endDate: period.endDate,
      periodSequence: period.sequence,
      totalInstructionalDays: schoolDays(period.beginDate, period.endDate).length,
    });
  }
}

function* sessions(school: SchoolPlan): Generator<SyntheticRecord> {
  for (const session of SESSIONS) {
    yield edfi('sessions', {
      sessionName: session.sessionName,
      schoolReference: schoolReference(school.schoolId),
      schoolYearTypeReference: schoolYearTypeReference(CURRENT_SCHOOL_YEAR),
      beginDate: session.beginDate,
      endDate: session.endDate,
      termDescriptor: session.termDescriptor,
      totalInstructionalDays: schoolDays(session.beginDate, session.endDate).length,
      gradingPeriods: GRADING_PERIODS.filter((period) => period.session === session.key).map((period) => ({
        gradingPeriodReference: gradingPeriodReference(school.schoolId, period),
      })),
    });
  }
}

function* classPeriods(school: SchoolPlan): Generator<SyntheticRecord> {
  const names =
    school.level === 'elementary'
      ? [1, 2, 3, 4].map((block) => `Block ${block}`)
      : Array.from({ length: PERIODS }, (_, period) => `Period ${period + 1}`);
  for (const [position, classPeriodName] of names.entries()) {
    const start = 8 * 60 + position * (school.level === 'elementary' ? 80 : 55);
    const end = start + (school.level === 'elementary' ? 75 : 50);
    yield edfi('classPeriods', {
      classPeriodName,
      schoolReference: schoolReference(school.schoolId),
      meetingTimes: [{ startTime: clock(start), endTime: clock(end) }],
      officialAttendancePeriod: position === 0,
    });
  }
}

function* locations(school: SchoolPlan): Generator<SyntheticRecord> {
  for (let room = 0; room < ROOMS[school.level]; room++) {
    yield edfi('locations', {
      classroomIdentificationCode: roomCode(room),
      schoolReference: schoolReference(school.schoolId),
      maximumNumberOfSeats: 32,
      optimalNumberOfSeats: 26,
    });
  }
}

function course(district: DistrictPlan, definition: CourseDefinition): SyntheticRecord {
  return edfi('courses', {
    courseCode: definition.courseCode,
    identificationCodes: [
      {
        courseIdentificationSystemDescriptor: COURSE_IDENTIFICATION_SYSTEM['LEA course code'],
        identificationCode: definition.courseCode,
        assigningOrganizationIdentificationCode: String(district.localEducationAgencyId),
      },
    ],
    educationOrganizationReference: educationOrganizationReference(district.localEducationAgencyId),
    courseTitle: definition.title,
    numberOfParts: definition.level === 'elementary' ? 1 : 2,
    academicSubjects: [{ academicSubjectDescriptor: definition.subject }],
    offeredGradeLevels: definition.grades.map((grade) => ({ gradeLevelDescriptor: gradeLevelUri(grade) })),
    levelCharacteristics: [{ courseLevelCharacteristicDescriptor: definition.characteristic }],
    ...(definition.credits > 0
      ? { maximumAvailableCredits: definition.credits, maximumAvailableCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'] }
      : {}),
  });
}

function* courseOfferings(district: DistrictPlan, school: SchoolPlan): Generator<SyntheticRecord> {
  for (const session of SESSIONS) {
    for (const definition of coursesOfLevel(school.level)) {
      yield edfi('courseOfferings', {
        localCourseCode: definition.courseCode,
        courseReference: courseReference(district.localEducationAgencyId, definition.courseCode),
        schoolReference: schoolReference(school.schoolId),
        sessionReference: sessionReference(school.schoolId, session),
        localCourseTitle: definition.title,
        offeredGradeLevels: definition.grades.map((grade) => ({ gradeLevelDescriptor: gradeLevelUri(grade) })),
      });
    }
  }
}

function* sections(school: SchoolPlan, roster: SectionRoster): Generator<SyntheticRecord> {
  for (const session of SESSIONS) {
    for (const definition of coursesOfLevel(school.level)) {
      const count = roster.sectionCount(school.index, session.key, definition.courseCode);
      for (let section = 1; section <= count; section++) yield sectionDocument(school, session, definition, section);
    }
  }
}

function sectionDocument(school: SchoolPlan, session: SessionDefinition, definition: CourseDefinition, section: number): SyntheticRecord {
  const room = school.level === 'elementary' ? section - 1 : definition.ordinal * 3 + section;
  return edfi('sections', {
    sectionIdentifier: sectionIdentifier(school.schoolId, definition.courseCode, session.key, section),
    courseOfferingReference: courseOfferingReference(school.schoolId, session, definition.courseCode),
    locationReference: locationReference(roomCode(room % ROOMS[school.level]), school.schoolId),
    classPeriods: [{ classPeriodReference: classPeriodReference(classPeriodOf(school.level, definition, section), school.schoolId) }],
    sectionName: `${definition.title} ${section}`.slice(0, 100),
    sectionTypeDescriptor: SECTION_TYPE['Attendance and Credit'],
    educationalEnvironmentDescriptor: EDUCATIONAL_ENVIRONMENT.Classroom,
    offeredGradeLevels: definition.grades.map((grade) => ({ gradeLevelDescriptor: gradeLevelUri(grade) })),
    ...(definition.credits > 0
      ? { availableCredits: definition.credits / 2, availableCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'] }
      : {}),
  });
}

function gradesOf(school: SchoolPlan): number[] {
  return Array.from({ length: school.highestGrade - school.lowestGrade + 1 }, (_, i) => school.lowestGrade + i);
}

function categoryOf(level: SchoolLevel): keyof typeof SCHOOL_CATEGORY {
  if (level === 'elementary') return 'Elementary School';
  return level === 'middle' ? 'Middle School' : 'High School';
}

function roomCode(room: number): string {
  return String(101 + room);
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
}

/** District office numbers in the fictional 555-01xx range. */
function officePhone(district: DistrictPlan, n: number): string {
  return `${district.area.areaCodes[0] ?? '555'}-555-01${String(n % 100).padStart(2, '0')}`;
}
