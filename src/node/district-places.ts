import type { StudentPlaces } from '../directory/localities.js';

/** Reads the stored Ed-Fi documents of one resource, e.g. `schools`. */
export type DocumentReader = (resource: string) => AsyncIterable<Record<string, unknown>>;

interface Address {
  city?: string;
  postalCode?: string;
}

/**
 * The cities and zip codes tied to each currently enrolled student: their
 * home addresses (Ed-Fi DS 5 keeps them on studentEducationOrganizationAssociations)
 * and the addresses of the schools they attend. A student whose every
 * enrollment has an exit date no longer counts. Without any enrollment data,
 * every student counts.
 */
export async function collectStudentPlaces(read: DocumentReader, today = new Date()): Promise<StudentPlaces[]> {
  const schoolPlaces = new Map<string, Address[]>();
  for await (const school of read('schools')) schoolPlaces.set(String(school.schoolId), addressesOf(school));

  const enrolledAt = new Map<string, string[]>();
  let anyEnrollment = false;
  const day = today.toISOString().slice(0, 10);
  for await (const association of read('studentSchoolAssociations')) {
    anyEnrollment = true;
    const exit = association.exitWithdrawDate as string | undefined;
    if (exit && exit <= day) continue;
    const student = reference(association, 'studentReference', 'studentUniqueId');
    const school = reference(association, 'schoolReference', 'schoolId');
    if (student && school) enrolledAt.set(student, [...(enrolledAt.get(student) ?? []), school]);
  }

  const homes = new Map<string, Address[]>();
  for await (const association of read('studentEducationOrganizationAssociations')) {
    const student = reference(association, 'studentReference', 'studentUniqueId');
    if (student) homes.set(student, [...(homes.get(student) ?? []), ...addressesOf(association)]);
  }

  const students: string[] = [];
  if (anyEnrollment) students.push(...enrolledAt.keys());
  else for await (const student of read('students')) students.push(String(student.studentUniqueId));

  return students.map((id) => {
    const places = [...(homes.get(id) ?? []), ...(enrolledAt.get(id) ?? []).flatMap((s) => schoolPlaces.get(s) ?? [])];
    return {
      cities: places.map((p) => p.city).filter((c): c is string => Boolean(c)),
      zips: places.map((p) => p.postalCode).filter((z): z is string => Boolean(z)),
    };
  });
}

function addressesOf(document: Record<string, unknown>): Address[] {
  return Array.isArray(document.addresses) ? (document.addresses as Address[]) : [];
}

function reference(document: Record<string, unknown>, name: string, key: string): string | undefined {
  const ref = document[name] as Record<string, unknown> | undefined;
  return ref?.[key] === undefined ? undefined : String(ref[key]);
}
