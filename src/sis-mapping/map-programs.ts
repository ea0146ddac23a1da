import {
  attribute,
  defined,
  descriptor,
  keyOf,
  need,
  nonEmpty,
  optionalDescriptor,
  schoolYearOf,
  type MappedDocument,
  type MappingContext,
  type SifObjectMapper,
} from './map-support.js';
import { childText, codeOf, isElement, listItems, textOf, type SifObject } from './sif-object.js';

/**
 * StudentParticipation and StudentSnapshot → programs and the student's
 * program associations.
 *
 * StudentParticipation → programs and the student's program association.
 * SIF 2.x sends one StudentParticipation per student and program (the
 * ProgramType says which; SIF 2.4 "StudentParticipation"), managed by a
 * school (ManagingSchool) or else by the district. SIF 2.4 gives a program
 * no name, so the Ed-Fi program is named by its type and created when
 * missing. Special education programs land in
 * studentSpecialEducationProgramAssociations (with the exceptionality
 * categories as disabilities and the IEP dates), others in
 * studentProgramAssociations.
 */

/** Program types whose participation is special education (Ed-Fi studentSpecialEducationProgramAssociation). */
const SPECIAL_EDUCATION = new Set(['Special Education', 'Preschool Special Education', 'IDEA', 'Early Intervention Services Part C']);

/** SIF ExceptionalityPriority → Ed-Fi orderOfDisability. */
const PRIORITY: Readonly<Record<string, number>> = { Primary: 1, Secondary: 2, Tertiary: 3, Additional: 4 };

function codeValue(uri: string): string {
  return uri.slice(uri.indexOf('#') + 1);
}

function disabilities(object: SifObject, context: MappingContext): Record<string, unknown>[] {
  return listItems(object, 'ExceptionalityCategories', 'ExceptionalityCategory')
    .filter(isElement)
    .map((category, i) => {
      const at = `ExceptionalityCategories/ExceptionalityCategory[${i + 1}]`;
      const priority = childText(category, 'ExceptionalityPriority');
      return defined({
        disabilityDescriptor: descriptor(context, 'disability', need(childText(category, 'Code'), `${at}/Code`), `${at}/Code`),
        orderOfDisability: priority === undefined ? undefined : PRIORITY[priority],
      });
    });
}

/** The education organization managing the participation: the ManagingSchool's school, else the district. */
function managingOrganization(object: SifObject, context: MappingContext): number {
  const school = textOf(object['ManagingSchool']);
  if (school === undefined) return context.localEducationAgencyId;
  return Number(keyOf(context, 'SchoolInfo', school, 'ManagingSchool')['schoolId']);
}

/** What a student's participation in one program says, whichever SIF object it comes from. */
interface Participation {
  studentUniqueId: string;
  /** The organization offering the program (and the association's). */
  educationOrganizationId: number;
  programTypeDescriptor: string;
  beginDate: string;
  endDate?: string;
  reasonExitedDescriptor?: string;
  /** Special education details (disabilities, IEP dates), used when the program is special education. */
  special?: Record<string, unknown>;
}

/**
 * The program (an "ensure" document: created when missing, shared by every
 * participation in it, never changed or deleted through one) and the
 * student's association: a special education one for special education
 * programs, a general studentProgramAssociation otherwise.
 */
function participationDocuments(p: Participation): MappedDocument[] {
  const programName = codeValue(p.programTypeDescriptor);
  const { educationOrganizationId, programTypeDescriptor } = p;
  const association = defined({
    beginDate: p.beginDate,
    educationOrganizationReference: { educationOrganizationId },
    programReference: { educationOrganizationId, programName, programTypeDescriptor },
    studentReference: { studentUniqueId: p.studentUniqueId },
    endDate: p.endDate,
    reasonExitedDescriptor: p.reasonExitedDescriptor,
  });
  const special = SPECIAL_EDUCATION.has(programName);
  return [
    { resource: 'programs', ensure: true, document: { programName, programTypeDescriptor, educationOrganizationReference: { educationOrganizationId } } },
    special
      ? { resource: 'studentSpecialEducationProgramAssociations', document: defined({ ...association, ...p.special }) }
      : { resource: 'studentProgramAssociations', document: association },
  ];
}

/** StudentParticipation: programs (created when missing) and the student's program association. */
export const studentParticipationMapper: SifObjectMapper = {
  objectName: 'StudentParticipation',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: (object) => [
    ['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? ''],
    ['SchoolInfo', textOf(object['ManagingSchool']) ?? ''],
  ],
  map(object, _refId, context) {
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'StudentPersonalRefId'), '@StudentPersonalRefId');
    const programTypeDescriptor = descriptor(context, 'programType', need(codeOf(object, 'ProgramType'), 'ProgramType/Code'), 'ProgramType/Code');
    const educationOrganizationId = managingOrganization(object, context);
    const beginDate = need(
      childText(object, 'ProgramPlacementDate') ?? childText(object, 'ProgramEligibilityDate') ?? childText(object, 'StudentParticipationAsOfDate'),
      'ProgramPlacementDate (or ProgramEligibilityDate, StudentParticipationAsOfDate)',
    );
    const studentUniqueId = String(student['studentUniqueId']);
    const documents = participationDocuments({
      studentUniqueId,
      educationOrganizationId,
      programTypeDescriptor,
      beginDate,
      endDate: childText(object, 'ProgramExitDate'),
      reasonExitedDescriptor: optionalDescriptor(context, 'programExitReason', codeOf(object, 'ProgramExitReason'), 'ProgramExitReason/Code'),
      special: {
        disabilities: nonEmpty(disabilities(object, context)),
        iepBeginDate: childText(object, 'ProgramPlanEffectiveDate') ?? childText(object, 'ProgramPlanDate'),
        iepReviewDate: childText(object, 'ProgramReviewDate'),
        lastEvaluationDate: childText(object, 'EvaluationDate') ?? childText(object, 'ReevaluationDate'),
      },
    });
    return { key: { studentUniqueId, programName: codeValue(programTypeDescriptor), educationOrganizationId, beginDate }, documents };
  },
};

/**
 * The program flags of a SIF 2.4 US StudentSnapshot (StudentSnapshotType,
 * in XSD order): each says Yes, No or Unknown about the student's
 * participation in a kind of program in the snapshot's school year.
 */
const SNAPSHOT_FLAGS = ['IDEA', 'Migrant', 'Title1', 'GiftedTalented', 'EconomicDisadvantage', 'ELL', 'Homeless', 'Section504', 'VocationalConcentrator', 'Immigrant', 'NeglectedDelinquent'] as const;

/** StudentSnapshot has no RefId (SIF 2.4): its key is the student and the snapshot date (the XSD's StudentSnapshotKey1). */
function snapshotRefId(object: SifObject): string | undefined {
  const student = attribute(object, 'StudentPersonalRefId');
  const date = attribute(object, 'SnapDate');
  return student && date ? `${student}:${date}` : undefined;
}

/** The programs a snapshot says the student takes part in: flags set to Yes, and free or reduced-price meals. */
function snapshotPrograms(object: SifObject): string[] {
  const flags: string[] = SNAPSHOT_FLAGS.filter((flag) => childText(object, flag) === 'Yes');
  const meals = childText(object, 'FreeAndReducedStatus');
  if (meals === 'Free' || meals === 'Reduced') flags.push('FreeAndReducedStatus');
  return flags;
}

/**
 * StudentSnapshot → the district's programs and one program association
 * per program the snapshot says the student takes part in (the
 * `snapshotProgram` code set names the Ed-Fi program type of each flag).
 * The other snapshot content (name, address, graduation) duplicates
 * StudentPersonal and is not mapped. A snapshot states participation for
 * its SchoolYear, not since when: the association begins with the school
 * year (July 1), so every snapshot of a year maps to the same association
 * and a program stays as long as one snapshot of the year still says Yes.
 * No or Unknown maps to no association (a Change from Yes removes it).
 */
export const studentSnapshotMapper: SifObjectMapper = {
  objectName: 'StudentSnapshot',
  refIdOf: snapshotRefId,
  references: (object) => [['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? '']],
  map(object, _refId, context) {
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'StudentPersonalRefId'), '@StudentPersonalRefId');
    const snapDate = need(attribute(object, 'SnapDate'), '@SnapDate');
    const schoolYear = schoolYearOf(attribute(object, 'SchoolYear'), '@SchoolYear');
    const studentUniqueId = String(student['studentUniqueId']);
    const documents = snapshotPrograms(object).flatMap((flag) =>
      participationDocuments({
        studentUniqueId,
        educationOrganizationId: context.localEducationAgencyId,
        programTypeDescriptor: descriptor(context, 'snapshotProgram', flag, flag),
        beginDate: `${schoolYear - 1}-07-01`,
      }),
    );
    return { key: { studentUniqueId, snapDate, schoolYear }, documents };
  },
};
