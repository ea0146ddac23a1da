import type { SifJsonObject } from '../sif/json-mapping.js';
import { studentAcademicRecordMapper, studentGradeMapper, studentSectionMarksMapper } from './map-academic.js';
import { studentDailyAttendanceMapper, studentSchoolEnrollmentMapper, studentSectionEnrollmentMapper } from './map-enrollment.js';
import { studentContactPersonalMapper, studentContactRelationshipMapper, studentPersonalMapper } from './map-people.js';
import { studentParticipationMapper, studentSnapshotMapper } from './map-programs.js';
import { schoolCourseInfoMapper, schoolInfoMapper, sectionInfoMapper } from './map-school.js';
import { MappingFailure, type MappingContext, type MappingResult, type SifObjectMapper } from './map-support.js';

export type { MappedDocument, MappingContext, MappingResult, ObjectKey, RelatedObject, SifObjectMapper } from './map-support.js';

/**
 * SIF 2.x objects of a district's SIS zone → Ed-Fi DS 5 documents (issue 5).
 * Pure functions: no HTTP, no database. Mappers are listed in dependency
 * order (an object only refers to objects listed before it), which is also
 * the order the SIS simulator publishes and an initial sync loads.
 */
export const SIS_MAPPERS: readonly SifObjectMapper[] = [
  schoolInfoMapper,
  schoolCourseInfoMapper,
  sectionInfoMapper,
  studentPersonalMapper,
  studentContactPersonalMapper,
  studentContactRelationshipMapper,
  studentSchoolEnrollmentMapper,
  studentSectionEnrollmentMapper,
  studentDailyAttendanceMapper,
  studentSectionMarksMapper,
  studentGradeMapper,
  studentAcademicRecordMapper,
  studentParticipationMapper,
  studentSnapshotMapper,
];

const BY_NAME = new Map(SIS_MAPPERS.map((m) => [m.objectName, m]));

/** The SIF object names the node maps, in dependency order. */
export const SIS_OBJECT_NAMES: readonly string[] = SIS_MAPPERS.map((m) => m.objectName);

/** The mapper of a SIF object name, or undefined when the node does not map it. */
export function sisMapper(objectName: string): SifObjectMapper | undefined {
  return BY_NAME.get(objectName);
}

/** Maps one SIF object (its element content, e.g. `{ '@RefId': …, Name: … }`) to Ed-Fi documents. */
export function mapSifObject(objectName: string, object: SifJsonObject, context: MappingContext): MappingResult & { refId?: string } {
  const mapper = BY_NAME.get(objectName);
  if (!mapper) return { kind: 'failed', reason: `${objectName} is not mapped to Ed-Fi by this node` };
  const refId = mapper.refIdOf(object);
  if (!refId) return { kind: 'failed', reason: `${objectName} has no RefId (or key attributes)` };
  try {
    const mapped = mapper.map(object, refId, context);
    return { kind: 'mapped', refId, ...mapped };
  } catch (error) {
    if (error instanceof MappingFailure) return { kind: 'failed', refId, reason: error.message };
    throw error;
  }
}
