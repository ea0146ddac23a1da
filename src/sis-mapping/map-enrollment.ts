import {
  attribute,
  defined,
  descriptor,
  keyOf,
  need,
  optionalDescriptor,
  schoolYearDocument,
  schoolYearOf,
  yearRoundSession,
  type SifObjectMapper,
} from './map-support.js';
import { childText, codeOf, type SifObject } from './sif-object.js';

/**
 * StudentSchoolEnrollment → studentSchoolAssociations (entry, exit, grade
 * level); StudentSectionEnrollment → studentSectionAssociations;
 * StudentDailyAttendance → studentSchoolAttendanceEvents (its category from
 * the `attendanceCode` code set, keyed by the SIS's AttendanceCodeInfo RefId).
 */

/** StudentSchoolEnrollment: studentSchoolAssociations. */
export const studentSchoolEnrollmentMapper: SifObjectMapper = {
  objectName: 'StudentSchoolEnrollment',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: (object) => [
    ['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? ''],
    ['SchoolInfo', attribute(object, 'SchoolInfoRefId') ?? ''],
  ],
  map(object, _refId, context) {
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'StudentPersonalRefId'), '@StudentPersonalRefId');
    const school = keyOf(context, 'SchoolInfo', attribute(object, 'SchoolInfoRefId'), '@SchoolInfoRefId');
    const schoolYear = schoolYearOf(attribute(object, 'SchoolYear'), '@SchoolYear');
    const entryDate = need(childText(object, 'EntryDate'), 'EntryDate');
    const association = defined({
      studentReference: { studentUniqueId: student['studentUniqueId'] },
      schoolReference: { schoolId: school['schoolId'] },
      entryDate,
      entryGradeLevelDescriptor: descriptor(context, 'gradeLevel', need(codeOf(object, 'GradeLevel'), 'GradeLevel/Code'), 'GradeLevel/Code'),
      entryTypeDescriptor: optionalDescriptor(context, 'entryType', codeOf(object, 'EntryType'), 'EntryType/Code'),
      exitWithdrawDate: childText(object, 'ExitDate'),
      exitWithdrawTypeDescriptor: optionalDescriptor(context, 'exitType', codeOf(object, 'ExitType'), 'ExitType/Code'),
      schoolYearTypeReference: { schoolYear },
      // SIF MembershipType Home is the student's primary school; Concurrent and Summer are not.
      primarySchool: attribute(object, 'MembershipType') === 'Home',
    });
    return {
      key: { studentUniqueId: student['studentUniqueId']!, schoolId: school['schoolId']!, entryDate },
      documents: [schoolYearDocument(schoolYear), { resource: 'studentSchoolAssociations', document: association }],
    };
  },
};

/** StudentSectionEnrollment: studentSectionAssociations. */
export const studentSectionEnrollmentMapper: SifObjectMapper = {
  objectName: 'StudentSectionEnrollment',
  refIdOf: (object) => attribute(object, 'RefId'),
  // Marks and grades carry the student and section, not the enrollment's RefId (see map-academic.ts).
  findBy: ['@StudentPersonalRefId', '@SectionInfoRefId'],
  references: (object) => [
    ['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? ''],
    ['SectionInfo', attribute(object, 'SectionInfoRefId') ?? ''],
  ],
  map(object, _refId, context) {
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'StudentPersonalRefId'), '@StudentPersonalRefId');
    const section = keyOf(context, 'SectionInfo', attribute(object, 'SectionInfoRefId'), '@SectionInfoRefId');
    const beginDate = need(childText(object, 'EntryDate'), 'EntryDate');
    const association = defined({
      studentReference: { studentUniqueId: student['studentUniqueId'] },
      sectionReference: { ...section },
      beginDate,
      endDate: childText(object, 'ExitDate'),
    });
    return {
      key: { ...section, studentUniqueId: student['studentUniqueId']!, beginDate },
      documents: [{ resource: 'studentSectionAssociations', document: association }],
    };
  },
};

/** StudentDailyAttendance has no RefId (SIF 2.4): its key is student, school and date. */
function attendanceRefId(object: SifObject): string | undefined {
  const parts = ['StudentPersonalRefId', 'SchoolInfoRefId', 'Date'].map((name) => attribute(object, name));
  return parts.every((p) => p !== undefined) ? parts.join(':') : undefined;
}

/** A SIF xs:time as Ed-Fi's HH:MM:SS. */
function timeOf(value: string | undefined): string | undefined {
  return value?.match(/^(\d{2}:\d{2}:\d{2})/)?.[1];
}

/** StudentDailyAttendance: studentSchoolAttendanceEvents. */
export const studentDailyAttendanceMapper: SifObjectMapper = {
  objectName: 'StudentDailyAttendance',
  refIdOf: attendanceRefId,
  references: (object) => [
    ['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? ''],
    ['SchoolInfo', attribute(object, 'SchoolInfoRefId') ?? ''],
  ],
  map(object, _refId, context) {
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'StudentPersonalRefId'), '@StudentPersonalRefId');
    const schoolId = Number(keyOf(context, 'SchoolInfo', attribute(object, 'SchoolInfoRefId'), '@SchoolInfoRefId')['schoolId']);
    const schoolYear = schoolYearOf(attribute(object, 'SchoolYear'), '@SchoolYear');
    const session = yearRoundSession(schoolId, schoolYear);
    const code = need(childText(object, 'AttendanceCodeInfoRefId'), 'AttendanceCodeInfoRefId');
    const event = defined({
      attendanceEventCategoryDescriptor: descriptor(context, 'attendanceCode', code, 'AttendanceCodeInfoRefId'),
      eventDate: need(attribute(object, 'Date'), '@Date'),
      schoolReference: { schoolId },
      sessionReference: session.reference,
      studentReference: { studentUniqueId: student['studentUniqueId'] },
      arrivalTime: timeOf(childText(object, 'TimeIn')),
      departureTime: timeOf(childText(object, 'TimeOut')),
      attendanceEventReason: childText(object, 'AttendanceNote'),
    });
    return {
      key: { studentUniqueId: student['studentUniqueId']!, schoolId, eventDate: String(event['eventDate']) },
      documents: [...session.documents, { resource: 'studentSchoolAttendanceEvents', document: event }],
    };
  },
};
