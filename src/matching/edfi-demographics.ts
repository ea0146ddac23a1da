import type { RequestDemographics } from '../transfer/transfer-entity.js';
import { SSN_ASSIGNING_ORGANIZATION } from '../seed/enrollment-records.js';

/** The parts of an Ed-Fi DS 5 `students` document matching reads. */
export interface EdfiStudentNames {
  firstName: string;
  middleName?: string;
  lastSurname: string;
  birthDate: string;
  birthSexDescriptor?: string;
}

/** The parts of an Ed-Fi DS 5 `studentEducationOrganizationAssociations` document matching reads. */
export interface EdfiStudentDistrictAssociation {
  sexDescriptor?: string;
  studentIdentificationCodes?: readonly {
    studentIdentificationSystemDescriptor?: string;
    assigningOrganizationIdentificationCode?: string;
    identificationCode?: string;
  }[];
}

/**
 * The demographics of a student as the Ed-Fi store holds them. In DS 5 the
 * student's sex is on the education organization association
 * (`sexDescriptor`; the student's `birthSexDescriptor` is the fallback) and
 * the SSN is a `studentIdentificationCode` whose assigning organization is
 * the Social Security Administration.
 */
export function demographicsFromEdfi(student: EdfiStudentNames, seoa?: EdfiStudentDistrictAssociation): RequestDemographics {
  const ssn = seoa?.studentIdentificationCodes?.find(
    (code) => code.assigningOrganizationIdentificationCode === SSN_ASSIGNING_ORGANIZATION || code.studentIdentificationSystemDescriptor?.endsWith('#SSN'),
  )?.identificationCode;
  const gender = seoa?.sexDescriptor ?? student.birthSexDescriptor ?? '';
  return {
    firstName: student.firstName,
    ...(student.middleName ? { middleName: student.middleName } : {}),
    lastSurname: student.lastSurname,
    birthDate: student.birthDate,
    gender: codeValueOf(gender),
    ...(ssn ? { ssn } : {}),
  };
}

/** The code value of a descriptor URI (`uri://ed-fi.org/SexDescriptor#Female` → `Female`). */
function codeValueOf(descriptor: string): string {
  const hash = descriptor.lastIndexOf('#');
  return hash >= 0 ? descriptor.slice(hash + 1) : descriptor;
}
