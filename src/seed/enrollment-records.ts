/**
 * Census and enrollment documents of a family: contacts, students, the
 * district association (demographics, home address, identification codes),
 * year-by-year school associations and student–contact associations.
 */
import {
  ADDRESS_TYPE,
  CITIZENSHIP_STATUS,
  ELECTRONIC_MAIL_TYPE,
  COUNTRY,
  ENTRY_GRADE_LEVEL_REASON,
  ENTRY_TYPE,
  EXIT_WITHDRAW_TYPE,
  LANGUAGE,
  LANGUAGE_USE,
  LEVEL_OF_EDUCATION,
  LIMITED_ENGLISH_PROFICIENCY,
  RACE,
  RELATION,
  RESIDENCY_STATUS,
  SEX,
  STUDENT_CHARACTERISTIC,
  STUDENT_IDENTIFICATION_SYSTEM,
  TELEPHONE_TYPE,
  gradeLevelUri,
  stateUri,
} from './descriptors.js';
import { schoolAt, type DistrictPlan } from './district-plan.js';
import type { Address, ContactPlan, EnrollmentPlan, FamilyPlan, PastAddress, StudentPlan } from './family-plan.js';
import type { Heritage } from './names.js';
import { deriveRandom, type Random } from './random.js';
import {
  calendarReference,
  contactReference,
  educationOrganizationReference,
  schoolReference,
  schoolYearTypeReference,
  studentReference,
} from './references.js';
import { CALENDAR_CODE } from './organization-records.js';
import { CURRENT_SCHOOL_YEAR, addDays } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

/**
 * The code Ed-Fi's StudentIdentificationCode asks for as the assigning
 * organization of an SSN: the Social Security Administration.
 */
export const SSN_ASSIGNING_ORGANIZATION = 'SSA';

/** The family's contacts (parents, guardians, emergency contacts). */
export function* contactRecords(district: DistrictPlan, family: FamilyPlan): Generator<SyntheticRecord> {
  for (const contact of family.contacts) yield edfi('contacts', contactDocument(district, contact));
}

/** The student, the district association and the school associations, oldest first. */
export function* studentEnrollmentRecords(district: DistrictPlan, student: StudentPlan, disabilities: readonly string[]): Generator<SyntheticRecord> {
  yield edfi('students', studentDocument(district, student));
  yield edfi('studentEducationOrganizationAssociations', districtAssociation(district, student, disabilities));
  for (const enrollment of student.enrollments) {
    yield edfi('studentSchoolAssociations', schoolAssociation(district, student, enrollment));
  }
}

/** One association per family contact, in the family's contact priority order. */
export function* studentContactRecords(student: StudentPlan): Generator<SyntheticRecord> {
  for (const contact of student.family.contacts) {
    yield edfi('studentContactAssociations', {
      studentReference: studentReference(student.studentUniqueId),
      contactReference: contactReference(contact.contactUniqueId),
      relationDescriptor: RELATION[contact.relation],
      primaryContactStatus: contact.primaryContact,
      livesWith: contact.livesWithChildren,
      emergencyContactStatus: contact.emergencyContact,
      legalGuardian: contact.legalGuardian,
      contactPriority: contact.priority,
    });
  }
}

function contactDocument(district: DistrictPlan, contact: ContactPlan): Record<string, unknown> {
  return {
    contactUniqueId: contact.contactUniqueId,
    firstName: contact.firstName,
    ...(contact.middleName ? { middleName: contact.middleName } : {}),
    lastSurname: contact.lastSurname,
    sexDescriptor: SEX[contact.sex],
    addresses: [homeAddress(district, contact.address, undefined)],
    telephones: [
      { telephoneNumberTypeDescriptor: TELEPHONE_TYPE.Mobile, telephoneNumber: contact.mobilePhone, orderOfPriority: 1, textMessageCapabilityIndicator: true },
      ...(contact.workPhone
        ? [{ telephoneNumberTypeDescriptor: TELEPHONE_TYPE.Work, telephoneNumber: contact.workPhone, orderOfPriority: 2 }]
        : []),
    ],
    ...(contact.email
      ? { electronicMails: [{ electronicMailTypeDescriptor: ELECTRONIC_MAIL_TYPE['Home/Personal'], electronicMailAddress: contact.email, primaryEmailAddressIndicator: true }] }
      : {}),
    ...(contact.education ? { highestCompletedLevelOfEducationDescriptor: LEVEL_OF_EDUCATION[contact.education] } : {}),
  };
}

function studentDocument(district: DistrictPlan, student: StudentPlan): Record<string, unknown> {
  const random = deriveRandom(district.options.seed, 'birthplace', student.index);
  return {
    studentUniqueId: student.studentUniqueId,
    firstName: student.firstName,
    ...(student.middleName ? { middleName: student.middleName } : {}),
    lastSurname: student.lastSurname,
    ...(student.generationCodeSuffix ? { generationCodeSuffix: student.generationCodeSuffix } : {}),
    birthDate: student.birthDate,
    birthSexDescriptor: SEX[student.birthSex],
    ...(student.twin ? { multipleBirthStatus: true } : {}),
    ...birthPlace(random, district, student),
  };
}

/** Students of immigrant families older than 8 were usually born abroad. */
function birthPlace(random: Random, district: DistrictPlan, student: StudentPlan): Record<string, unknown> {
  const first = student.enrollments[0];
  if (student.family.bornAbroad && student.grade >= 3 && first) {
    return {
      birthCountryDescriptor: COUNTRY[countryOf(random, student.family.heritage)],
      citizenshipStatusDescriptor: CITIZENSHIP_STATUS['Permanent resident'],
      dateEnteredUS: addDays(first.entryDate, -random.int(20, 200)),
    };
  }
  const state = random.chance(0.75) ? district.options.district.state : random.pick(['CA', 'TX', 'FL', 'NY', 'IL', 'OH']);
  const city = state === district.options.district.state ? random.pick(district.area.schoolCities) : undefined;
  return {
    ...(city ? { birthCity: city.slice(0, 30) } : {}),
    birthStateAbbreviationDescriptor: stateUri(state),
    birthCountryDescriptor: COUNTRY.US,
    citizenshipStatusDescriptor: CITIZENSHIP_STATUS['US Citizen'],
  };
}

function countryOf(random: Random, heritage: Heritage): keyof typeof COUNTRY {
  switch (heritage) {
    case 'hispanic':
      return random.pick(['MX', 'MX', 'GT', 'SV'] as const);
    case 'asian':
      return random.pick(['VN', 'CN', 'IN', 'PH'] as const);
    case 'african':
      return 'SO';
    default:
      return 'MX';
  }
}

function districtAssociation(district: DistrictPlan, student: StudentPlan, disabilities: readonly string[]): Record<string, unknown> {
  const random = deriveRandom(district.options.seed, 'demographics', student.index);
  const { family } = student;
  const hispanic = family.heritage === 'hispanic' || (family.heritage === 'general' && random.chance(0.03));
  return {
    educationOrganizationReference: educationOrganizationReference(district.localEducationAgencyId),
    studentReference: studentReference(student.studentUniqueId),
    sexDescriptor: SEX[student.sex],
    hispanicLatinoEthnicity: hispanic,
    races: racesOf(random, family.heritage).map((race) => ({ raceDescriptor: RACE[race] })),
    addresses: [homeAddress(district, family.address, family.addressSince), ...priorAddresses(district, family.priorAddress)],
    telephones: familyPhones(family),
    ...(student.grade >= 6 ? { electronicMails: [studentEmail(district, student)] } : {}),
    languages: [
      {
        languageDescriptor: LANGUAGE[family.homeLanguage as keyof typeof LANGUAGE],
        uses: [{ languageUseDescriptor: LANGUAGE_USE['Home language'] }],
      },
    ],
    limitedEnglishProficiencyDescriptor: englishProficiency(random, family.homeLanguage),
    ...characteristics(family, student),
    studentIdentificationCodes: identificationCodes(district, student),
    ...(disabilities.length > 0
      ? { disabilities: disabilities.map((disabilityDescriptor, order) => ({ disabilityDescriptor, orderOfDisability: order + 1 })) }
      : {}),
  };
}

function homeAddress(district: DistrictPlan, address: Address, since: string | undefined): Record<string, unknown> {
  return {
    addressTypeDescriptor: ADDRESS_TYPE.Home,
    streetNumberName: address.streetNumberName,
    ...(address.apartmentRoomSuiteNumber ? { apartmentRoomSuiteNumber: address.apartmentRoomSuiteNumber } : {}),
    city: address.city,
    stateAbbreviationDescriptor: stateUri(district.options.district.state),
    postalCode: address.postalCode,
    nameOfCounty: district.area.county.slice(0, 30),
    ...(since ? { periods: [{ beginDate: since }] } : {}),
  };
}

/** A family that moved inside the district keeps its earlier home address, closed by an end date. */
function priorAddresses(district: DistrictPlan, prior: PastAddress | undefined): Record<string, unknown>[] {
  if (prior === undefined) return [];
  const address = homeAddress(district, prior.address, undefined);
  return [{ ...address, periods: [{ beginDate: prior.beginDate, endDate: prior.endDate }] }];
}

function familyPhones(family: FamilyPlan): Record<string, unknown>[] {
  const primary = family.contacts[0];
  return primary ? [{ telephoneNumberTypeDescriptor: TELEPHONE_TYPE.Home, telephoneNumber: primary.mobilePhone, orderOfPriority: 1 }] : [];
}

function studentEmail(district: DistrictPlan, student: StudentPlan): Record<string, unknown> {
  return {
    electronicMailTypeDescriptor: ELECTRONIC_MAIL_TYPE.Organization,
    electronicMailAddress: `${student.studentUniqueId}@students.${district.emailDomain}`,
    primaryEmailAddressIndicator: true,
  };
}

function racesOf(random: Random, heritage: Heritage): (keyof typeof RACE)[] {
  switch (heritage) {
    case 'general':
      return random.chance(0.07) ? ['White', random.pick(['Black or African American', 'Asian', 'American Indian or Alaska Native'] as const)] : ['White'];
    case 'hispanic':
      return [random.weighted(['White', 'Other', 'American Indian or Alaska Native'] as const, [70, 22, 8])];
    case 'black':
    case 'african':
      return random.chance(0.06) ? ['Black or African American', 'White'] : ['Black or African American'];
    case 'asian':
      return [random.chance(0.05) ? 'Native Hawaiian or Pacific Islander' : 'Asian'];
    case 'native':
      return ['American Indian or Alaska Native'];
  }
}

function englishProficiency(random: Random, homeLanguage: string): string {
  if (homeLanguage === 'eng') return LIMITED_ENGLISH_PROFICIENCY.NotLimited;
  return random.weighted(
    [LIMITED_ENGLISH_PROFICIENCY.Limited, LIMITED_ENGLISH_PROFICIENCY['Limited Monitored 1'], LIMITED_ENGLISH_PROFICIENCY.NotLimited],
    [35, 15, 50],
  );
}

function characteristics(family: FamilyPlan, student: StudentPlan): Record<string, unknown> {
  const since = student.enrollments[0]?.entryDate ?? family.addressSince;
  const list: Record<string, unknown>[] = [];
  if (family.economicallyDisadvantaged) {
    list.push({ studentCharacteristicDescriptor: STUDENT_CHARACTERISTIC['Economic Disadvantaged'], periods: [{ beginDate: since }] });
  }
  if (family.bornAbroad && student.grade >= 3) {
    list.push({ studentCharacteristicDescriptor: STUDENT_CHARACTERISTIC.Immigrant, periods: [{ beginDate: since }] });
  }
  return list.length > 0 ? { studentCharacteristics: list } : {};
}

function identificationCodes(district: DistrictPlan, student: StudentPlan): Record<string, unknown>[] {
  const codes: Record<string, unknown>[] = [
    {
      studentIdentificationSystemDescriptor: STUDENT_IDENTIFICATION_SYSTEM.District,
      assigningOrganizationIdentificationCode: String(district.localEducationAgencyId),
      identificationCode: student.studentUniqueId,
    },
  ];
  if (student.ssn) {
    codes.push({
      studentIdentificationSystemDescriptor: STUDENT_IDENTIFICATION_SYSTEM.SSN,
      assigningOrganizationIdentificationCode: SSN_ASSIGNING_ORGANIZATION,
      identificationCode: student.ssn,
    });
  }
  return codes;
}

function schoolAssociation(district: DistrictPlan, student: StudentPlan, enrollment: EnrollmentPlan): Record<string, unknown> {
  const school = schoolAt(district, enrollment.schoolIndex);
  const current = enrollment.schoolYear === CURRENT_SCHOOL_YEAR;
  return {
    studentReference: studentReference(student.studentUniqueId),
    schoolReference: schoolReference(school.schoolId),
    entryDate: enrollment.entryDate,
    entryGradeLevelDescriptor: gradeLevelUri(enrollment.grade),
    entryTypeDescriptor: ENTRY_TYPE[enrollment.entryType],
    ...(enrollment.entryType === 'Next year school'
      ? { entryGradeLevelReasonDescriptor: ENTRY_GRADE_LEVEL_REASON['Promotion - Regular promotion'] }
      : {}),
    ...(enrollment.exitDate ? { exitWithdrawDate: enrollment.exitDate } : {}),
    ...(enrollment.exitType ? { exitWithdrawTypeDescriptor: EXIT_WITHDRAW_TYPE[enrollment.exitType] } : {}),
    schoolYearTypeReference: schoolYearTypeReference(enrollment.schoolYear),
    ...(current ? { calendarReference: calendarReference(CALENDAR_CODE, school.schoolId) } : {}),
    ...(student.grade >= 9 ? { classOfSchoolYearTypeReference: schoolYearTypeReference(CURRENT_SCHOOL_YEAR + 12 - student.grade) } : {}),
    primarySchool: true,
    residencyStatusDescriptor: RESIDENCY_STATUS['Resident of admin unit and school area'],
  };
}
