/** One document of the synthetic district, ready to POST. */
export interface SyntheticRecord {
  /** The Ed-Fi API path segment, e.g. `students` or `studentHealthConditions`. */
  resource: string;
  /** `ed-fi` for core resources (`/data/v3/ed-fi/…`), `rex` for our extension (`/data/v3/rex/…`). */
  project: 'ed-fi' | 'rex';
  /** The POST body an Ed-Fi client would send (no `id`). */
  document: Record<string, unknown>;
}

/** A core Ed-Fi record. */
export function edfi(resource: string, document: Record<string, unknown>): SyntheticRecord {
  return { resource, project: 'ed-fi', document };
}

/** A record of our `rex` extension namespace. */
export function rex(resource: string, document: Record<string, unknown>): SyntheticRecord {
  return { resource, project: 'rex', document };
}
