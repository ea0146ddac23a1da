/**
 * Tool rights of district console users (DESIGN §5; seeds/001 "User
 * Security Tool Rights", seeds/003). The API checks them on every call; the
 * console only hides what a user cannot do.
 */
export const TOOL_RIGHTS = {
  'records-transfer': "Student Information > General > Records Transfer: request a student's records from another district",
  'allow-unfiltered-search': 'Student Information > Allow Unfiltered Search: search every student without filters',
  'student-records-transfer': 'Student Records Transfer: every transfer request sent and received by the district (history)',
  'notify-process-inbox': 'Student Records Transfer > Notify Process Inbox: Process Alerts, release or reject requests',
  'national-records-exchange': 'National Records Exchange: the registration page and exchange status',
  'zone-administration': 'Zone administration: zone definitions, agents and data access rights',
  'import-transcripts': 'Student Records Transfer sub-right: the transcripts import wizard',
  'import-enrollment-history': 'Student Records Transfer sub-right: the enrollment history import wizard',
  'import-assessments': 'Student Records Transfer sub-right: the assessments import wizard',
  'import-immunizations': 'Student Records Transfer sub-right: the immunizations import wizard',
  'import-health-conditions': 'Student Records Transfer sub-right: the health conditions import wizard',
  'import-health-screenings': 'Student Records Transfer sub-right: the health screenings import wizard',
} as const;

/** One tool right, e.g. `notify-process-inbox`. */
export type ToolRight = keyof typeof TOOL_RIGHTS;

/** Every tool right, in the order the console lists them. */
export const ALL_TOOL_RIGHTS = Object.keys(TOOL_RIGHTS) as ToolRight[];

/** Whether a string names a tool right. */
export function isToolRight(value: string): value is ToolRight {
  return Object.hasOwn(TOOL_RIGHTS, value);
}

/** Tool rights parsed from words, or the words that are not rights. */
export type ParsedRights = { kind: 'ok'; rights: ToolRight[] } | { kind: 'unknown'; unknown: string[] };

/** Parses right names (as typed on the command line), keeping each right once. */
export function parseToolRights(words: readonly string[]): ParsedRights {
  const unknown = words.filter((word) => !isToolRight(word));
  if (unknown.length > 0) return { kind: 'unknown', unknown };
  return { kind: 'ok', rights: [...new Set(words as ToolRight[])] };
}
