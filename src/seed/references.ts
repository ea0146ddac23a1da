/**
 * Ed-Fi reference objects, built in one place so that every reference
 * carries exactly the identity values of the document it points to
 * (the `…Reference` schemas of the DS 5.0 resources API).
 */
import type { SessionDefinition, GradingPeriodDefinition } from './school-calendar.js';
import { CURRENT_SCHOOL_YEAR } from './school-calendar.js';

/** A studentReference: the identity values of the document it points to. */
export const studentReference = (studentUniqueId: string) => ({ studentUniqueId });
/** A contactReference: the identity values of the document it points to. */
export const contactReference = (contactUniqueId: string) => ({ contactUniqueId });
/** A schoolReference: the identity values of the document it points to. */
export const schoolReference = (schoolId: number) => ({ schoolId });
/** A educationOrganizationReference: the identity values of the document it points to. */
export const educationOrganizationReference = (educationOrganizationId: number) => ({ educationOrganizationId });
/** A localEducationAgencyReference: the identity values of the document it points to. */
export const localEducationAgencyReference = (localEducationAgencyId: number) => ({ localEducationAgencyId });
/** A schoolYearTypeReference: the identity values of the document it points to. */
export const schoolYearTypeReference = (schoolYear: number) => ({ schoolYear });

/** A sessionReference: the identity values of the document it points to. */
export const sessionReference = (schoolId: number, session: SessionDefinition) => ({
  schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
  sessionName: session.sessionName,
});

/** A gradingPeriodReference: the identity values of the document it points to. */
export const gradingPeriodReference = (schoolId: number, period: GradingPeriodDefinition) => ({
  gradingPeriodDescriptor: period.descriptor,
  gradingPeriodName: period.name,
  schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
});

/** A courseReference: the identity values of the document it points to. */
export const courseReference = (educationOrganizationId: number, courseCode: string) => ({
  courseCode,
  educationOrganizationId,
});

/** A courseOfferingReference: the identity values of the document it points to. */
export const courseOfferingReference = (schoolId: number, session: SessionDefinition, localCourseCode: string) => ({
  localCourseCode,
  schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
  sessionName: session.sessionName,
});

/** The identity of a section: its course offering plus the section identifier. */
export interface SectionKey {
  readonly schoolId: number;
  readonly session: SessionDefinition;
  readonly localCourseCode: string;
  readonly sectionIdentifier: string;
}

/** A sectionReference: the identity values of the document it points to. */
export const sectionReference = (key: SectionKey) => ({
  localCourseCode: key.localCourseCode,
  schoolId: key.schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
  sectionIdentifier: key.sectionIdentifier,
  sessionName: key.session.sessionName,
});

/** A studentSectionAssociationReference: the identity values of the document it points to. */
export const studentSectionAssociationReference = (key: SectionKey, studentUniqueId: string, beginDate: string) => ({
  beginDate,
  localCourseCode: key.localCourseCode,
  schoolId: key.schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
  sectionIdentifier: key.sectionIdentifier,
  sessionName: key.session.sessionName,
  studentUniqueId,
});

/** gradeReference: the grade's identity with the grading period's school year role-named. */
export const gradeReference = (
  key: SectionKey,
  studentUniqueId: string,
  beginDate: string,
  period: GradingPeriodDefinition,
  gradeTypeDescriptor: string,
) => ({
  beginDate,
  gradeTypeDescriptor,
  gradingPeriodDescriptor: period.descriptor,
  gradingPeriodName: period.name,
  gradingPeriodSchoolYear: CURRENT_SCHOOL_YEAR,
  localCourseCode: key.localCourseCode,
  schoolId: key.schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
  sectionIdentifier: key.sectionIdentifier,
  sessionName: key.session.sessionName,
  studentUniqueId,
});

/** A studentAcademicRecordReference: the identity values of the document it points to. */
export const studentAcademicRecordReference = (
  educationOrganizationId: number,
  schoolYear: number,
  studentUniqueId: string,
  termDescriptor: string,
) => ({ educationOrganizationId, schoolYear, studentUniqueId, termDescriptor });

/** A assessmentReference: the identity values of the document it points to. */
export const assessmentReference = (assessmentIdentifier: string, namespace: string) => ({
  assessmentIdentifier,
  namespace,
});

/** A programReference: the identity values of the document it points to. */
export const programReference = (educationOrganizationId: number, programName: string, programTypeDescriptor: string) => ({
  educationOrganizationId,
  programName,
  programTypeDescriptor,
});

/** A disciplineIncidentReference: the identity values of the document it points to. */
export const disciplineIncidentReference = (incidentIdentifier: string, schoolId: number) => ({
  incidentIdentifier,
  schoolId,
});

/** A calendarReference: the identity values of the document it points to. */
export const calendarReference = (calendarCode: string, schoolId: number) => ({
  calendarCode,
  schoolId,
  schoolYear: CURRENT_SCHOOL_YEAR,
});

/** A classPeriodReference: the identity values of the document it points to. */
export const classPeriodReference = (classPeriodName: string, schoolId: number) => ({ classPeriodName, schoolId });
/** A locationReference: the identity values of the document it points to. */
export const locationReference = (classroomIdentificationCode: string, schoolId: number) => ({
  classroomIdentificationCode,
  schoolId,
});
