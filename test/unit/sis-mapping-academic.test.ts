import { describe, expect, it } from 'vitest';
import { prepareDocument } from '../../src/edfi/document-identity.js';
import { isEdfiFailure } from '../../src/edfi/edfi-problem.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import type { SifJsonObject } from '../../src/sif/json-mapping.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import { defaultCodeSets } from '../../src/sis-mapping/code-sets.js';
import { mergeSifChange } from '../../src/sis-mapping/merge-sif.js';
import { mapSifObject, type MappingContext, type ObjectKey } from '../../src/sis-mapping/sis-mapping.js';
import {
  ACADEMIC_EVENT_SAMPLES,
  ACADEMIC_RECORD_XML,
  ACADEMIC_REF,
  FINAL_MARKS_XML,
  GRADE_XML,
  MARKS_XML,
  PARTICIPATION_504_XML,
  PARTICIPATION_XML,
  SNAPSHOT_XML,
} from '../support/sis-academic-samples.js';
import { eventXml, msgId, SIS_REF, SIS_SAMPLES } from '../support/sis-samples.js';
import { validateAgainstSifXsd } from '../support/xsd-validate.js';

const LEA = 499901;
const SCHOOL_ID = 49990100001;

/** A SIF_Response packet carrying one object (StudentAcademicRecord has no SIF_Events in SIF 2.4). */
function responseXml(objectXml: string): string {
  return `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Response><SIF_Header><SIF_MsgId>${msgId()}</SIF_MsgId><SIF_Timestamp>2026-01-15T10:00:00Z</SIF_Timestamp><SIF_SourceId>SIS-AGENT</SIF_SourceId><SIF_DestinationId>REX-NODE</SIF_DestinationId></SIF_Header><SIF_RequestMsgId>${'A'.repeat(32)}</SIF_RequestMsgId><SIF_PacketNumber>1</SIF_PacketNumber><SIF_MorePackets>No</SIF_MorePackets><SIF_ObjectData>${objectXml}</SIF_ObjectData></SIF_Response></SIF_Message>`;
}

/** The object of a SIF_Event (or, for StudentAcademicRecord and StudentSnapshot, a SIF_Response) in XML, read through the SIF core. */
function objectOf(objectName: string, objectXml: string): SifJsonObject {
  if (objectName === 'StudentAcademicRecord' || objectName === 'StudentSnapshot') {
    const decoded = decodeSif(responseXml(objectXml), 'xml');
    if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Response') throw new Error(`not a response: ${JSON.stringify(decoded)}`);
    const data = decoded.message.objectData?.[objectName];
    return (Array.isArray(data) ? data[0] : data) as SifJsonObject;
  }
  const decoded = decodeSif(eventXml(objectName, 'Add', objectXml), 'xml');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Event') throw new Error(`not an event: ${JSON.stringify(decoded)}`);
  return decoded.message.object[objectName] as SifJsonObject;
}

/** A context holding the keys of every base sample, as the ref map gives them (marks find the section enrollment by its RefIds). */
function baseContext(): MappingContext {
  const keys = new Map<string, ObjectKey>();
  const related = new Map<string, ObjectKey>();
  const context: MappingContext = {
    codes: defaultCodeSets(),
    localEducationAgencyId: LEA,
    keyOf: (name, refId) => keys.get(`${name} ${refId}`),
    relatedKeyOf: (name, attributes) => related.get(`${name} ${JSON.stringify(attributes)}`),
  };
  for (const [name, xml] of SIS_SAMPLES) {
    const object = objectOf(name, xml);
    const result = mapSifObject(name, object, context);
    if (result.kind !== 'mapped') throw new Error(`${name}: ${result.reason}`);
    keys.set(`${name} ${result.refId}`, result.key);
    if (name === 'StudentSectionEnrollment') {
      related.set(`${name} ${JSON.stringify({ '@StudentPersonalRefId': object['@StudentPersonalRefId'], '@SectionInfoRefId': object['@SectionInfoRefId'] })}`, result.key);
    }
  }
  return context;
}

function documents(result: ReturnType<typeof mapSifObject>): Record<string, unknown> {
  if (result.kind !== 'mapped') throw new Error(result.reason);
  return Object.fromEntries(result.documents.filter((d) => !d.ensure).map((d) => [d.resource, d.document]));
}

function ensured(result: ReturnType<typeof mapSifObject>): Record<string, unknown> {
  if (result.kind !== 'mapped') throw new Error(result.reason);
  return Object.fromEntries(result.documents.filter((d) => d.ensure).map((d) => [d.resource, d.document]));
}

const context = baseContext();
const map = (name: string, xml: string, ctx: MappingContext = context) => mapSifObject(name, objectOf(name, xml), ctx);

const SECTION_ASSOCIATION = {
  sectionIdentifier: 'SPAN1-01',
  localCourseCode: 'SPAN1',
  schoolId: SCHOOL_ID,
  schoolYear: 2026,
  sessionName: '2025-2026 Year Round',
  studentUniqueId: '708000001',
  beginDate: '2025-08-13',
};

describe('SIF → Ed-Fi mapping of marks, records and programs', () => {
  it('maps StudentSectionMarks to a grading-period grade of the student section association', () => {
    const result = map('StudentSectionMarks', MARKS_XML);
    expect(documents(result)).toEqual({
      grades: {
        studentSectionAssociationReference: SECTION_ASSOCIATION,
        gradingPeriodReference: {
          gradingPeriodDescriptor: 'uri://ed-fi.org/GradingPeriodDescriptor#Second Nine Weeks',
          gradingPeriodName: '2025-2026 Second Nine Weeks',
          schoolId: SCHOOL_ID,
          schoolYear: 2026,
        },
        gradeTypeDescriptor: 'uri://ed-fi.org/GradeTypeDescriptor#Grading Period',
        letterGradeEarned: 'B+',
        numericGradeEarned: 88.5,
        diagnosticStatement: 'Strong oral work.',
      },
    });
    expect(ensured(result)['gradingPeriods']).toEqual({
      gradingPeriodDescriptor: 'uri://ed-fi.org/GradingPeriodDescriptor#Second Nine Weeks',
      gradingPeriodName: '2025-2026 Second Nine Weeks',
      schoolReference: { schoolId: SCHOOL_ID },
      schoolYearTypeReference: { schoolYear: 2026 },
      beginDate: '2025-07-01',
      endDate: '2026-06-30',
      totalInstructionalDays: 180,
    });
  });

  it('maps a final mark to a Final grade and a course transcript entry on the school record for the term', () => {
    const result = map('StudentSectionMarks', FINAL_MARKS_XML);
    const docs = documents(result);
    expect(docs['grades']).toMatchObject({ gradeTypeDescriptor: 'uri://ed-fi.org/GradeTypeDescriptor#Final', letterGradeEarned: 'A-', numericGradeEarned: 91 });
    expect(docs['courseTranscripts']).toEqual({
      courseAttemptResultDescriptor: 'uri://ed-fi.org/CourseAttemptResultDescriptor#Pass',
      courseReference: { courseCode: 'SPAN1', educationOrganizationId: SCHOOL_ID },
      studentAcademicRecordReference: { educationOrganizationId: SCHOOL_ID, schoolYear: 2026, studentUniqueId: '708000001', termDescriptor: 'uri://ed-fi.org/TermDescriptor#Fall Semester' },
      finalLetterGradeEarned: 'A-',
      finalNumericGradeEarned: 91,
    });
    expect(ensured(result)['studentAcademicRecords']).toEqual({
      educationOrganizationReference: { educationOrganizationId: SCHOOL_ID },
      schoolYearTypeReference: { schoolYear: 2026 },
      studentReference: { studentUniqueId: '708000001' },
      termDescriptor: 'uri://ed-fi.org/TermDescriptor#Fall Semester',
    });
  });

  it('maps StudentGrade to the current Progress Report grade of the school year', () => {
    expect(documents(map('StudentGrade', GRADE_XML))).toEqual({
      grades: {
        studentSectionAssociationReference: SECTION_ASSOCIATION,
        gradingPeriodReference: { gradingPeriodDescriptor: 'uri://ed-fi.org/GradingPeriodDescriptor#End of Year', gradingPeriodName: '2025-2026 End of Year', schoolId: SCHOOL_ID, schoolYear: 2026 },
        gradeTypeDescriptor: 'uri://ed-fi.org/GradeTypeDescriptor#Progress Report',
        letterGradeEarned: 'B',
        numericGradeEarned: 84,
        currentGradeIndicator: true,
      },
    });
  });

  it('maps StudentAcademicRecord to the district record of its latest school year', () => {
    expect(documents(map('StudentAcademicRecord', ACADEMIC_RECORD_XML))).toEqual({
      studentAcademicRecords: {
        educationOrganizationReference: { educationOrganizationId: LEA },
        schoolYearTypeReference: { schoolYear: 2026 },
        studentReference: { studentUniqueId: '708000001' },
        termDescriptor: 'uri://ed-fi.org/TermDescriptor#Year Round',
        cumulativeAttemptedCredits: 9.5,
        cumulativeEarnedCredits: 9,
        sessionAttemptedCredits: 3.5,
        sessionEarnedCredits: 3,
        gradePointAverages: [{ gradePointAverageTypeDescriptor: 'uri://ed-fi.org/GradePointAverageTypeDescriptor#Unweighted', gradePointAverageValue: 3.42, isCumulative: true }],
        classRanking: { classRank: 41, totalNumberInClass: 402 },
        projectedGraduationDate: '2029-05-30',
      },
    });
  });

  it('maps a special education StudentParticipation to the program and a special education program association', () => {
    const result = map('StudentParticipation', PARTICIPATION_XML);
    const programReference = { educationOrganizationId: SCHOOL_ID, programName: 'Special Education', programTypeDescriptor: 'uri://ed-fi.org/ProgramTypeDescriptor#Special Education' };
    expect(ensured(result)).toEqual({
      programs: { programName: 'Special Education', programTypeDescriptor: programReference.programTypeDescriptor, educationOrganizationReference: { educationOrganizationId: SCHOOL_ID } },
    });
    expect(documents(result)).toEqual({
      studentSpecialEducationProgramAssociations: {
        beginDate: '2025-09-02',
        educationOrganizationReference: { educationOrganizationId: SCHOOL_ID },
        programReference,
        studentReference: { studentUniqueId: '708000001' },
        disabilities: [
          { disabilityDescriptor: 'uri://ed-fi.org/DisabilityDescriptor#Specific Learning Disability', orderOfDisability: 1 },
          { disabilityDescriptor: 'uri://ed-fi.org/DisabilityDescriptor#Speech or Language Impairment', orderOfDisability: 2 },
        ],
        iepBeginDate: '2025-09-02',
        iepReviewDate: '2026-09-01',
        lastEvaluationDate: '2025-08-20',
      },
    });
  });

  it('maps any other StudentParticipation to a general student program association of the district', () => {
    expect(documents(map('StudentParticipation', PARTICIPATION_504_XML))).toEqual({
      studentProgramAssociations: {
        beginDate: '2025-10-01',
        educationOrganizationReference: { educationOrganizationId: LEA },
        programReference: { educationOrganizationId: LEA, programName: 'Section 504 Placement', programTypeDescriptor: 'uri://ed-fi.org/ProgramTypeDescriptor#Section 504 Placement' },
        studentReference: { studentUniqueId: '708000001' },
        endDate: '2026-01-30',
        reasonExitedDescriptor: 'uri://ed-fi.org/ReasonExitedDescriptor#Other',
      },
    });
  });

  it('maps a StudentSnapshot to one district program association per program it says Yes to, from the start of the school year', () => {
    const result = map('StudentSnapshot', SNAPSHOT_XML);
    if (result.kind !== 'mapped') throw new Error(result.reason);
    expect(result.refId).toBe(`${SIS_REF.student}:2025-10-01`);
    expect(result.key).toEqual({ studentUniqueId: '708000001', snapDate: '2025-10-01', schoolYear: 2026 });
    const program = (name: string) => ({ educationOrganizationId: LEA, programName: name, programTypeDescriptor: `uri://ed-fi.org/ProgramTypeDescriptor#${name}` });
    const association = (name: string) => ({
      beginDate: '2025-07-01',
      educationOrganizationReference: { educationOrganizationId: LEA },
      programReference: program(name),
      studentReference: { studentUniqueId: '708000001' },
    });
    const names = ['Title I Part A', 'English as a Second Language (ESL)', 'Student School Food Service'];
    expect(result.documents).toEqual(
      names.flatMap((name) => [
        { resource: 'programs', ensure: true, document: { programName: name, programTypeDescriptor: program(name).programTypeDescriptor, educationOrganizationReference: { educationOrganizationId: LEA } } },
        { resource: 'studentProgramAssociations', document: association(name) },
      ]),
    );
  });

  it('maps IDEA in a snapshot to a special education association, and a snapshot without programs to no document', () => {
    const idea = map('StudentSnapshot', SNAPSHOT_XML.replace('<IDEA>No</IDEA>', '<IDEA>Yes</IDEA>'));
    if (idea.kind !== 'mapped') throw new Error(idea.reason);
    expect(idea.documents.filter((d) => !d.ensure).map((d) => d.resource)).toEqual(['studentSpecialEducationProgramAssociations', 'studentProgramAssociations', 'studentProgramAssociations', 'studentProgramAssociations']);
    const none = map('StudentSnapshot', SNAPSHOT_XML.replace(/<Title1>Yes<\/Title1>.*<\/FreeAndReducedStatus>/, ''));
    expect(none).toMatchObject({ kind: 'mapped', documents: [] });
    expect(map('StudentSnapshot', SNAPSHOT_XML.replace(' SchoolYear="2026"', ''))).toMatchObject({ kind: 'failed', reason: expect.stringContaining('@SchoolYear') });
  });

  it('produces documents the Ed-Fi model accepts', () => {
    const spec = edfiSpec();
    const samples: Array<[string, string]> = [...ACADEMIC_EVENT_SAMPLES, ['StudentAcademicRecord', ACADEMIC_RECORD_XML], ['StudentSnapshot', SNAPSHOT_XML]];
    for (const [name, xml] of samples) {
      const result = map(name, xml);
      if (result.kind !== 'mapped') throw new Error(result.reason);
      for (const doc of result.documents) {
        const prepared = prepareDocument(spec, spec.resource('ed-fi', doc.resource)!, structuredClone(doc.document));
        expect(isEdfiFailure(prepared) ? `${name} → ${doc.resource}: ${JSON.stringify(prepared)}` : 'ok').toBe('ok');
      }
    }
  });

  it('maps a partial Change merged onto the stored object', () => {
    const stored = objectOf('StudentSectionMarks', MARKS_XML);
    const change = objectOf('StudentSectionMarks', MARKS_XML.replace('<IsFinal>false</IsFinal>', '').replace(/<MarkList>.*<\/MarkList>/, `<MarkList><Mark MarkInfoRefId="${ACADEMIC_REF.markInfo}"><Percentage>79</Percentage><Letter>C+</Letter></Mark></MarkList>`));
    const result = mapSifObject('StudentSectionMarks', mergeSifChange(stored, change), context);
    expect(documents(result)['grades']).toMatchObject({ letterGradeEarned: 'C+', numericGradeEarned: 79, gradeTypeDescriptor: 'uri://ed-fi.org/GradeTypeDescriptor#Grading Period' });
  });

  it('fails with a reason for marks of a term, a program or a student it cannot map', () => {
    const unknownTerm = map('StudentSectionMarks', MARKS_XML.replace(ACADEMIC_REF.secondNineWeeks, 'FF000000000000000000000000000099'));
    expect(unknownTerm).toMatchObject({ kind: 'failed', reason: expect.stringContaining('code set gradingPeriod') });
    const finalWithoutLetter = map('StudentSectionMarks', FINAL_MARKS_XML.replace('<Letter>A-</Letter>', ''));
    expect(finalWithoutLetter).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Letter') });
    const unenrolled = map('StudentGrade', GRADE_XML.replace(`<SectionInfoRefId>${SIS_REF.section}`, `<SectionInfoRefId>${SIS_REF.course}`));
    expect(unenrolled).toMatchObject({ kind: 'failed' });
    const noEnrollment = { ...context, relatedKeyOf: () => undefined };
    expect(map('StudentSectionMarks', MARKS_XML, noEnrollment)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('StudentSectionEnrollment') });
    expect(map('StudentParticipation', PARTICIPATION_504_XML.replace('<Code>3200</Code>', '<Code>S001</Code>'))).toMatchObject({ kind: 'failed', reason: expect.stringContaining('code set programType') });
    expect(map('StudentAcademicRecord', ACADEMIC_RECORD_XML.replace('SIF_RefObject="StudentPersonal"', 'SIF_RefObject="StudentRecordExchange"'))).toMatchObject({ kind: 'failed', reason: expect.stringContaining('SIF_RefObject') });
    const stranger = map('StudentParticipation', PARTICIPATION_XML.replace(`StudentPersonalRefId="${SIS_REF.student}"`, `StudentPersonalRefId="${'B'.repeat(32)}"`));
    expect(stranger).toMatchObject({ kind: 'failed', reason: expect.stringContaining('has not received') });
  });

  it('uses samples that validate against the SIF US 2.4 XSD', () => {
    const documents = Object.fromEntries(ACADEMIC_EVENT_SAMPLES.map(([name, xml], i) => [`${i}-${name}`, eventXml(name, 'Add', xml)]));
    documents['StudentAcademicRecord'] = responseXml(ACADEMIC_RECORD_XML);
    documents['StudentSnapshot'] = responseXml(SNAPSHOT_XML);
    expect(validateAgainstSifXsd(documents)).toEqual({});
  });
});
