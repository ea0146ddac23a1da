import { readFileSync } from 'node:fs';

/**
 * SIF code sets → Ed-Fi descriptors (issue 5). The default table is
 * `code-sets.json` beside this file; an administrator's overrides (from the
 * node database or a file in the data directory) are laid over it with
 * {@link withOverrides}. Values are descriptor code values in the
 * `uri://ed-fi.org` namespace or full descriptor URIs (for a district's own
 * descriptor namespace).
 */

/** One code set: the Ed-Fi descriptor it maps to and SIF code → descriptor value. */
export interface CodeSet {
  /** Ed-Fi descriptor name, e.g. `GradeLevelDescriptor`. */
  readonly descriptor: string;
  /** Where the SIF codes come from, for people reading `rex node sif codes list`. */
  readonly sif?: string;
  readonly codes: Readonly<Record<string, string>>;
  /** Descriptor value → SIF code, where the inverse of `codes` is ambiguous or missing. */
  readonly reverse?: Readonly<Record<string, string>>;
}

/** The names of the code sets the mappings use. */
export type CodeSetName =
  | 'gradeLevel'
  | 'sex'
  | 'race'
  | 'entryType'
  | 'exitType'
  | 'attendanceCode'
  | 'addressType'
  | 'schoolAddressType'
  | 'phoneType'
  | 'schoolPhoneType'
  | 'emailType'
  | 'relationship'
  | 'studentIdType'
  | 'gradingPeriod'
  | 'courseAttemptResult'
  | 'programType'
  | 'disability'
  | 'programExitReason'
  | 'snapshotProgram';

/** Every code set, by name. */
export type CodeSets = Readonly<Record<CodeSetName, CodeSet>>;

/** One administrator override: in set `set`, SIF `code` maps to `value` (a descriptor code value or URI). */
export interface CodeOverride {
  set: string;
  code: string;
  value: string;
}

const ED_FI_NAMESPACE = 'uri://ed-fi.org';

let defaults: CodeSets | undefined;

/** The default code sets shipped with the node (`code-sets.json`). */
export function defaultCodeSets(): CodeSets {
  defaults ??= (JSON.parse(readFileSync(new URL('./code-sets.json', import.meta.url), 'utf8')) as { sets: CodeSets }).sets;
  return defaults;
}

/** Whether a name is one of the code sets. */
export function isCodeSetName(name: string): name is CodeSetName {
  return Object.hasOwn(defaultCodeSets(), name);
}

/** The code sets with overrides applied (later overrides win). Unknown set names are ignored by the caller's validation. */
export function withOverrides(base: CodeSets, overrides: readonly CodeOverride[]): CodeSets {
  const out: Record<string, CodeSet> = { ...base };
  for (const { set, code, value } of overrides) {
    const current = out[set];
    if (!current) continue;
    out[set] = { ...current, codes: { ...current.codes, [code]: value } };
  }
  return out as CodeSets;
}

/** The descriptor URI a value stands for in a set (code value in the Ed-Fi namespace, or a URI as given). */
export function descriptorUri(set: CodeSet, value: string): string {
  return value.includes('#') ? value : `${ED_FI_NAMESPACE}/${set.descriptor}#${value}`;
}

/** The Ed-Fi descriptor URI for a SIF code, or undefined when the set has no entry for it. */
export function toDescriptor(sets: CodeSets, name: CodeSetName, code: string): string | undefined {
  const set = sets[name];
  const value = set.codes[code];
  return value === undefined ? undefined : descriptorUri(set, value);
}

/**
 * The SIF code for an Ed-Fi descriptor URI (the SIS simulator writes SIF
 * from Ed-Fi records): the set's `reverse` entry, else the first code that
 * maps to it; undefined when none does.
 */
export function toSifCode(sets: CodeSets, name: CodeSetName, uri: string): string | undefined {
  const set = sets[name];
  const value = uri.startsWith(`${ED_FI_NAMESPACE}/${set.descriptor}#`) ? uri.slice(uri.indexOf('#') + 1) : uri;
  const reversed = set.reverse?.[value];
  if (reversed !== undefined) return reversed;
  for (const [code, mapped] of Object.entries(set.codes)) if (mapped === value || mapped === uri) return code;
  return undefined;
}
