/**
 * Behavior: discipline incidents of the current year and the student's part
 * in each (studentDisciplineIncidentBehaviorAssociations). Incidents are
 * rare in elementary school and more common in middle school.
 */
import { BEHAVIOR, DISCIPLINE_PARTICIPATION, INCIDENT_LOCATION, REPORTER_DESCRIPTION } from './descriptors.js';
import { levelOfGrade, schoolAt, type DistrictPlan, type SchoolLevel } from './district-plan.js';
import type { StudentPlan } from './family-plan.js';
import { deriveRandom, type Random } from './random.js';
import { disciplineIncidentReference, schoolReference, studentReference } from './references.js';
import { AS_OF_DATE, CURRENT_SCHOOL_YEAR, schoolDays } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

const INCIDENT_RATE: Readonly<Record<SchoolLevel, number>> = { elementary: 0.03, middle: 0.11, high: 0.08 };

interface IncidentKind {
  readonly behavior: keyof typeof BEHAVIOR;
  readonly description: string;
  readonly locations: readonly (keyof typeof INCIDENT_LOCATION)[];
}

const KINDS: readonly IncidentKind[] = [
  { behavior: 'School Code of Conduct', description: 'Repeated disruption of class after warnings', locations: ['Classroom'] },
  { behavior: 'School Code of Conduct', description: 'Defiance of staff instructions', locations: ['Classroom', 'Hallway or stairs', 'Cafeteria area'] },
  { behavior: 'School Code of Conduct', description: 'Use of a phone during an assessment', locations: ['Classroom'] },
  { behavior: 'School Violation', description: 'Physical altercation with another student', locations: ['Athletic field or playground', 'Hallway or stairs', 'Cafeteria area', 'School bus'] },
  { behavior: 'School Violation', description: 'Bullying of another student', locations: ['Hallway or stairs', 'Online', 'School bus', 'Restroom'] },
  { behavior: 'School Violation', description: 'Vandalism of school property', locations: ['Restroom', 'Hallway or stairs'] },
  { behavior: 'State Offense', description: 'Possession of a vaping device', locations: ['Restroom', 'Parking lot'] },
];
const KIND_WEIGHTS = [30, 22, 8, 16, 12, 6, 6];

/** Discipline incidents and the student's behavior associations, incident first. */
export function* disciplineRecords(district: DistrictPlan, student: StudentPlan): Generator<SyntheticRecord> {
  const random = deriveRandom(district.options.seed, 'discipline', student.index);
  const current = student.enrollments.filter((enrollment) => enrollment.schoolYear === CURRENT_SCHOOL_YEAR);
  const last = current[current.length - 1];
  if (last === undefined || !random.chance(INCIDENT_RATE[levelOfGrade(student.grade)])) return;
  const count = random.chance(0.2) ? 2 : 1;
  const days = schoolDays(last.entryDate, last.exitDate && last.exitDate < AS_OF_DATE ? last.exitDate : AS_OF_DATE);
  const schoolId = schoolAt(district, last.schoolIndex).schoolId;
  for (let n = 1; n <= count && days.length > 0; n++) {
    const kind = random.weighted(KINDS, KIND_WEIGHTS);
    const incidentIdentifier = `${student.studentUniqueId}-${CURRENT_SCHOOL_YEAR}-${n}`;
    yield edfi('disciplineIncidents', incidentDocument(random, incidentIdentifier, schoolId, kind, random.pick(days)));
    yield edfi('studentDisciplineIncidentBehaviorAssociations', {
      behaviorDescriptor: BEHAVIOR[kind.behavior],
      disciplineIncidentReference: disciplineIncidentReference(incidentIdentifier, schoolId),
      studentReference: studentReference(student.studentUniqueId),
      behaviorDetailedDescription: kind.description,
      disciplineIncidentParticipationCodes: [
        { disciplineIncidentParticipationCodeDescriptor: DISCIPLINE_PARTICIPATION.Perpetrator },
      ],
    });
  }
}

function incidentDocument(random: Random, incidentIdentifier: string, schoolId: number, kind: IncidentKind, date: string): Record<string, unknown> {
  return {
    incidentIdentifier,
    schoolReference: schoolReference(schoolId),
    incidentDate: date,
    incidentTime: `${random.int(8, 14)}:${String(random.int(0, 59)).padStart(2, '0')}:00`,
    incidentDescription: kind.description,
    incidentLocationDescriptor: INCIDENT_LOCATION[random.pick(kind.locations)],
    reporterDescriptionDescriptor: REPORTER_DESCRIPTION[random.weighted(['Staff', 'Student', 'Parent/guardian'] as const, [80, 15, 5])],
    reportedToLawEnforcement: kind.behavior === 'State Offense' && random.chance(0.3),
    behaviors: [{ behaviorDescriptor: BEHAVIOR[kind.behavior], behaviorDetailedDescription: kind.description }],
  };
}
