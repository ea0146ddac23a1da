/**
 * Every Ed-Fi descriptor value the synthetic district can use, declared once
 * here. Each value is a descriptor URI in the Ed-Fi form
 * `uri://ed-fi.org/<DescriptorName>#<CodeValue>` (Ed-Fi API guidelines:
 * descriptors are referenced by namespace + "#" + code value), and every code
 * value exists in the DS 5.2 descriptor catalog (the unit test checks it).
 *
 * Because all values are declared at module load, {@link syntheticDescriptorUris}
 * lists them without generating a district, so a store can seed its
 * descriptors before loading the data.
 */

const ED_FI_NAMESPACE = 'uri://ed-fi.org/';
const registry = new Set<string>();

/** A descriptor URI, e.g. `uri://ed-fi.org/SexDescriptor#Female`. */
export type DescriptorUri = string;

/** Declares the code values of one descriptor and returns their URIs by code value. */
function define<const C extends string>(descriptor: string, codes: readonly C[]): Readonly<Record<C, DescriptorUri>> {
  const uris = {} as Record<C, DescriptorUri>;
  for (const code of codes) {
    const uri = `${ED_FI_NAMESPACE}${descriptor}#${code}`;
    registry.add(uri);
    uris[code] = uri;
  }
  return uris;
}

/** URIs of the SexDescriptor values the generator uses, by code value. */
export const SEX = define('SexDescriptor', ['Female', 'Male', 'Non-binary']);

/** GradeLevelDescriptor code values by grade number (0 = Kindergarten). */
const GRADE_LEVEL_NAMES = [
  'Kindergarten',
  'First grade',
  'Second grade',
  'Third grade',
  'Fourth grade',
  'Fifth grade',
  'Sixth grade',
  'Seventh grade',
  'Eighth grade',
  'Ninth grade',
  'Tenth grade',
  'Eleventh grade',
  'Twelfth grade',
] as const;
const GRADE_LEVEL = define('GradeLevelDescriptor', GRADE_LEVEL_NAMES);

/** The grade level descriptor for a grade number (0 = Kindergarten … 12). */
export function gradeLevelUri(grade: number): DescriptorUri {
  const name = GRADE_LEVEL_NAMES[grade];
  if (name === undefined) throw new Error(`no grade level ${grade}`);
  return GRADE_LEVEL[name];
}

/** URIs of the StateAbbreviationDescriptor values the generator uses, by code value. */
const STATE_ABBREVIATION = define('StateAbbreviationDescriptor', [
  'AK', 'AL', 'AR', 'AZ', 'CA', 'CO', 'CT', 'DC', 'DE', 'FL', 'GA', 'HI', 'IA', 'ID', 'IL', 'IN', 'KS', 'KY',
  'LA', 'MA', 'MD', 'ME', 'MI', 'MN', 'MO', 'MS', 'MT', 'NC', 'ND', 'NE', 'NH', 'NJ', 'NM', 'NV', 'NY', 'OH',
  'OK', 'OR', 'PA', 'PR', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VA', 'VT', 'WA', 'WI', 'WV', 'WY',
]);

/** Whether a code is a state abbreviation the generator knows. */
export function isStateAbbreviation(state: string): boolean {
  return Object.hasOwn(STATE_ABBREVIATION, state);
}

/** The state abbreviation descriptor for a two-letter state code. */
export function stateUri(state: string): DescriptorUri {
  const uri = (STATE_ABBREVIATION as Record<string, DescriptorUri | undefined>)[state];
  if (uri === undefined) throw new Error(`unknown state abbreviation ${state}`);
  return uri;
}

/** URIs of the AddressTypeDescriptor values the generator uses, by code value. */
export const ADDRESS_TYPE = define('AddressTypeDescriptor', ['Home', 'Physical', 'Mailing']);
/** URIs of the EducationOrganizationCategoryDescriptor values the generator uses, by code value. */
export const EDUCATION_ORGANIZATION_CATEGORY = define('EducationOrganizationCategoryDescriptor', [
  'Local Education Agency',
  'School',
]);
/** URIs of the LocalEducationAgencyCategoryDescriptor values the generator uses, by code value. */
export const LOCAL_EDUCATION_AGENCY_CATEGORY = define('LocalEducationAgencyCategoryDescriptor', [
  'Regular public school district',
]);
/** URIs of the SchoolCategoryDescriptor values the generator uses, by code value. */
export const SCHOOL_CATEGORY = define('SchoolCategoryDescriptor', [
  'Elementary School',
  'Middle School',
  'High School',
]);
/** URIs of the SchoolTypeDescriptor values the generator uses, by code value. */
export const SCHOOL_TYPE = define('SchoolTypeDescriptor', ['Regular']);
/** URIs of the AdministrativeFundingControlDescriptor values the generator uses, by code value. */
export const ADMINISTRATIVE_FUNDING_CONTROL = define('AdministrativeFundingControlDescriptor', ['Public School']);
/** URIs of the OperationalStatusDescriptor values the generator uses, by code value. */
export const OPERATIONAL_STATUS = define('OperationalStatusDescriptor', ['Active']);
/** URIs of the InstitutionTelephoneNumberTypeDescriptor values the generator uses, by code value. */
export const INSTITUTION_TELEPHONE_TYPE = define('InstitutionTelephoneNumberTypeDescriptor', ['Main', 'Attendance']);
/** URIs of the EducationOrganizationIdentificationSystemDescriptor values the generator uses, by code value. */
export const EDUCATION_ORGANIZATION_IDENTIFICATION_SYSTEM = define('EducationOrganizationIdentificationSystemDescriptor', [
  'NCES',
]);
/** URIs of the LocaleDescriptor values the generator uses, by code value. */
export const LOCALE = define('LocaleDescriptor', ['City-Large', 'City-Midsize', 'Suburban-Large', 'Town-Fringe']);
/** URIs of the ProgramSponsorDescriptor values the generator uses, by code value. */
export const PROGRAM_SPONSOR = define('ProgramSponsorDescriptor', ['Local Education Agency', 'State Education Agency']);
/** URIs of the CalendarTypeDescriptor values the generator uses, by code value. */
export const CALENDAR_TYPE = define('CalendarTypeDescriptor', ['School']);
/** URIs of the TermDescriptor values the generator uses, by code value. */
export const TERM = define('TermDescriptor', ['Fall Semester', 'Spring Semester', 'Year Round']);
/** URIs of the GradingPeriodDescriptor values the generator uses, by code value. */
export const GRADING_PERIOD = define('GradingPeriodDescriptor', [
  'First Nine Weeks',
  'Second Nine Weeks',
  'Third Nine Weeks',
  'Fourth Nine Weeks',
]);
/** URIs of the GradeTypeDescriptor values the generator uses, by code value. */
export const GRADE_TYPE = define('GradeTypeDescriptor', ['Grading Period']);
/** URIs of the EntryTypeDescriptor values the generator uses, by code value. */
export const ENTRY_TYPE = define('EntryTypeDescriptor', ['New to education system', 'Next year school', 'Transfer']);
/** URIs of the ExitWithdrawTypeDescriptor values the generator uses, by code value. */
export const EXIT_WITHDRAW_TYPE = define('ExitWithdrawTypeDescriptor', ['End of school year', 'Transferred']);
/** URIs of the EntryGradeLevelReasonDescriptor values the generator uses, by code value. */
export const ENTRY_GRADE_LEVEL_REASON = define('EntryGradeLevelReasonDescriptor', ['Promotion - Regular promotion']);
/** URIs of the ResidencyStatusDescriptor values the generator uses, by code value. */
export const RESIDENCY_STATUS = define('ResidencyStatusDescriptor', ['Resident of admin unit and school area']);
/** URIs of the StudentIdentificationSystemDescriptor values the generator uses, by code value. */
export const STUDENT_IDENTIFICATION_SYSTEM = define('StudentIdentificationSystemDescriptor', ['District', 'SSN']);
/** URIs of the RaceDescriptor values the generator uses, by code value. */
export const RACE = define('RaceDescriptor', [
  'American Indian or Alaska Native',
  'Asian',
  'Black or African American',
  'Native Hawaiian or Pacific Islander',
  'White',
  'Other',
]);
/** URIs of the LanguageDescriptor values the generator uses, by code value. */
export const LANGUAGE = define('LanguageDescriptor', [
  'eng', 'spa', 'vie', 'som', 'hmn', 'ara', 'chi', 'kor', 'rus', 'hin', 'tgl', 'nav', 'amh', 'por', 'fre',
]);
/** URIs of the LanguageUseDescriptor values the generator uses, by code value. */
export const LANGUAGE_USE = define('LanguageUseDescriptor', ['Home language', 'Native language']);
/** URIs of the LimitedEnglishProficiencyDescriptor values the generator uses, by code value. */
export const LIMITED_ENGLISH_PROFICIENCY = define('LimitedEnglishProficiencyDescriptor', [
  'Limited',
  'Limited Monitored 1',
  'NotLimited',
]);
/** URIs of the StudentCharacteristicDescriptor values the generator uses, by code value. */
export const STUDENT_CHARACTERISTIC = define('StudentCharacteristicDescriptor', [
  'Economic Disadvantaged',
  'Homeless',
  'Immigrant',
  'Parent in Military',
]);
/** URIs of the CitizenshipStatusDescriptor values the generator uses, by code value. */
export const CITIZENSHIP_STATUS = define('CitizenshipStatusDescriptor', ['US Citizen', 'Permanent resident']);
/** URIs of the CountryDescriptor values the generator uses, by code value. */
export const COUNTRY = define('CountryDescriptor', ['US', 'MX', 'VN', 'SO', 'GT', 'IN', 'PH', 'CN', 'SV']);
/** URIs of the TelephoneNumberTypeDescriptor values the generator uses, by code value. */
export const TELEPHONE_TYPE = define('TelephoneNumberTypeDescriptor', ['Home', 'Mobile', 'Work']);
/** URIs of the ElectronicMailTypeDescriptor values the generator uses, by code value. */
export const ELECTRONIC_MAIL_TYPE = define('ElectronicMailTypeDescriptor', ['Home/Personal', 'Organization', 'Work']);
/** URIs of the RelationDescriptor values the generator uses, by code value. */
export const RELATION = define('RelationDescriptor', [
  'Mother',
  'Father',
  'Grandmother',
  'Grandfather',
  'Aunt',
  'Uncle',
  'Guardian',
  'Foster parent',
  'Mother, step',
  'Father, step',
  'Neighbor',
]);
/** URIs of the LevelOfEducationDescriptor values the generator uses, by code value. */
export const LEVEL_OF_EDUCATION = define('LevelOfEducationDescriptor', [
  'Did Not Graduate High School',
  'High School Diploma',
  'Some College No Degree',
  "Associate's Degree (two years or more)",
  "Bachelor's",
  "Master's",
  'Doctorate',
]);
/** URIs of the AcademicSubjectDescriptor values the generator uses, by code value. */
export const ACADEMIC_SUBJECT = define('AcademicSubjectDescriptor', [
  'English Language Arts',
  'Mathematics',
  'Science',
  'Social Studies',
  'Physical, Health, and Safety Education',
  'Fine and Performing Arts',
  'Foreign Language and Literature',
  'Career and Technical Education',
  'Reading',
]);
/** URIs of the CourseIdentificationSystemDescriptor values the generator uses, by code value. */
export const COURSE_IDENTIFICATION_SYSTEM = define('CourseIdentificationSystemDescriptor', ['LEA course code']);
/** URIs of the CourseLevelCharacteristicDescriptor values the generator uses, by code value. */
export const COURSE_LEVEL_CHARACTERISTIC = define('CourseLevelCharacteristicDescriptor', [
  'Core Subject',
  'Honors',
  'Advanced Placement',
  'General',
]);
/** URIs of the CourseAttemptResultDescriptor values the generator uses, by code value. */
export const COURSE_ATTEMPT_RESULT = define('CourseAttemptResultDescriptor', ['Pass', 'Fail']);
/** URIs of the CreditTypeDescriptor values the generator uses, by code value. */
export const CREDIT_TYPE = define('CreditTypeDescriptor', ['Carnegie unit']);
/** URIs of the MethodCreditEarnedDescriptor values the generator uses, by code value. */
export const METHOD_CREDIT_EARNED = define('MethodCreditEarnedDescriptor', ['Classroom credit']);
/** URIs of the GradePointAverageTypeDescriptor values the generator uses, by code value. */
export const GRADE_POINT_AVERAGE_TYPE = define('GradePointAverageTypeDescriptor', ['Unweighted']);
/** URIs of the SectionTypeDescriptor values the generator uses, by code value. */
export const SECTION_TYPE = define('SectionTypeDescriptor', ['Attendance and Credit']);
/** URIs of the EducationalEnvironmentDescriptor values the generator uses, by code value. */
export const EDUCATIONAL_ENVIRONMENT = define('EducationalEnvironmentDescriptor', ['Classroom']);
/** URIs of the AttemptStatusDescriptor values the generator uses, by code value. */
export const ATTEMPT_STATUS = define('AttemptStatusDescriptor', ['Pass', 'Fail']);
/** URIs of the AttendanceEventCategoryDescriptor values the generator uses, by code value. */
export const ATTENDANCE_EVENT_CATEGORY = define('AttendanceEventCategoryDescriptor', [
  'Excused Absence',
  'Unexcused Absence',
  'Tardy',
  'Early departure',
]);
/** URIs of the AssessmentCategoryDescriptor values the generator uses, by code value. */
export const ASSESSMENT_CATEGORY = define('AssessmentCategoryDescriptor', [
  'State summative assessment 3-8 general',
  'State high school subject assessment',
  'Benchmark test',
]);
/** URIs of the AssessmentReportingMethodDescriptor values the generator uses, by code value. */
export const ASSESSMENT_REPORTING_METHOD = define('AssessmentReportingMethodDescriptor', [
  'Scale score',
  'Achievement/proficiency level',
  'Percentile',
]);
/** URIs of the ResultDatatypeTypeDescriptor values the generator uses, by code value. */
export const RESULT_DATATYPE = define('ResultDatatypeTypeDescriptor', ['Integer', 'Level']);
/** URIs of the PerformanceLevelDescriptor values the generator uses, by code value. */
export const PERFORMANCE_LEVEL = define('PerformanceLevelDescriptor', [
  'Below Basic',
  'Basic',
  'Proficient',
  'Advanced',
  'Well Below Basic',
  'Above Benchmark',
]);
/** URIs of the AssessmentPeriodDescriptor values the generator uses, by code value. */
export const ASSESSMENT_PERIOD = define('AssessmentPeriodDescriptor', ['Fall', 'Spring', 'Beginning of Year']);
/** URIs of the PlatformTypeDescriptor values the generator uses, by code value. */
export const PLATFORM_TYPE = define('PlatformTypeDescriptor', ['Computer-based', 'Paper-based']);
/** URIs of the AdministrationEnvironmentDescriptor values the generator uses, by code value. */
export const ADMINISTRATION_ENVIRONMENT = define('AdministrationEnvironmentDescriptor', ['School', 'Classroom']);
/** URIs of the ImmunizationTypeDescriptor values the generator uses, by code value. */
export const IMMUNIZATION_TYPE = define('ImmunizationTypeDescriptor', [
  'HepB',
  'DTaP',
  'Hib',
  'PCV',
  'IPV',
  'MMR',
  'VAR',
  'HepA',
  'MenACWY',
  'HPV',
]);
/** URIs of the NonMedicalImmunizationExemptionDescriptor values the generator uses, by code value. */
export const NON_MEDICAL_IMMUNIZATION_EXEMPTION = define('NonMedicalImmunizationExemptionDescriptor', [
  'Religious',
  'Philosophical',
]);
/** URIs of the BehaviorDescriptor values the generator uses, by code value. */
export const BEHAVIOR = define('BehaviorDescriptor', ['School Code of Conduct', 'School Violation', 'State Offense']);
/** URIs of the IncidentLocationDescriptor values the generator uses, by code value. */
export const INCIDENT_LOCATION = define('IncidentLocationDescriptor', [
  'Classroom',
  'Hallway or stairs',
  'Cafeteria area',
  'Athletic field or playground',
  'School bus',
  'Restroom',
  'Parking lot',
  'Online',
]);
/** URIs of the ReporterDescriptionDescriptor values the generator uses, by code value. */
export const REPORTER_DESCRIPTION = define('ReporterDescriptionDescriptor', ['Staff', 'Student', 'Parent/guardian']);
/** URIs of the DisciplineIncidentParticipationCodeDescriptor values the generator uses, by code value. */
export const DISCIPLINE_PARTICIPATION = define('DisciplineIncidentParticipationCodeDescriptor', ['Perpetrator']);
/** URIs of the ProgramTypeDescriptor values the generator uses, by code value. */
export const PROGRAM_TYPE = define('ProgramTypeDescriptor', [
  'Special Education',
  'Section 504 Placement',
  'Gifted and Talented',
]);
/** URIs of the DisabilityDescriptor values the generator uses, by code value. */
export const DISABILITY = define('DisabilityDescriptor', [
  'Specific Learning Disability',
  'Speech or Language Impairment',
  'Other Health Impairment',
  'Autism Spectrum Disorders',
  'Intellectual Disability',
  'Serious Emotional Disability',
  'Multiple Disabilities',
  'Hearing Impairment, including Deafness',
  'Orthopedic Impairment',
  'Visual Impairment, including Blindness',
  'Traumatic Brain Injury',
]);
/** URIs of the DisabilityDeterminationSourceTypeDescriptor values the generator uses, by code value. */
export const DISABILITY_DETERMINATION_SOURCE = define('DisabilityDeterminationSourceTypeDescriptor', [
  'By school psychologist or other psychologist',
  'By physician',
  'By health care provider',
]);
/** URIs of the SpecialEducationSettingDescriptor values the generator uses, by code value. */
export const SPECIAL_EDUCATION_SETTING = define('SpecialEducationSettingDescriptor', [
  'Inside regular class 80% or more of the day',
  'Inside regular class between 40-79% of the day',
  'Inside regular class less than 40% of the day',
  'Separate class',
]);
/** URIs of the SpecialEducationProgramServiceDescriptor values the generator uses, by code value. */
export const SPECIAL_EDUCATION_SERVICE = define('SpecialEducationProgramServiceDescriptor', [
  'Speech-Language And Audiology Services',
  'Occupational And Physical Therapy',
  'Psychological Services',
  'Counseling Services',
  'Social Work Services',
]);

/**
 * Every descriptor URI the generator can put into a document, sorted. It is a
 * superset of what one district uses; a store seeds these before loading.
 */
export function syntheticDescriptorUris(): string[] {
  return [...registry].sort();
}
