import { SIF_CATEGORY_TEXT, SIF_ERROR_TEXT, type SifCategory } from './sif-codes.js';

/**
 * The content of a SIF_Error element (SIF 2.x: SIF_Category, SIF_Code,
 * SIF_Desc, SIF_ExtendedDesc). This is the SIF protocol's one error type:
 * parsing, validation and zone processing return it, and it travels back to
 * the sender inside a SIF_Ack (or a SIF_Response).
 */
export interface SifError {
  readonly category: SifCategory;
  readonly code: number;
  /** Short text, at most 1024 characters (SIF_Desc). */
  readonly desc: string;
  /** What exactly went wrong, for a person reading logs (SIF_ExtendedDesc). */
  readonly extendedDesc?: string;
}

/**
 * Builds a SifError with the standard description of its category and code,
 * and an optional extended description. Throws for a code the specification
 * does not define in that category (a bug in our code, not in the input);
 * category 11 (System) accepts any code.
 */
export function sifError(category: SifCategory, code: number, extendedDesc?: string): SifError {
  const text = SIF_ERROR_TEXT[category][code];
  if (text === undefined && category !== 11) throw new Error(`SIF error code ${code} is not defined in category ${category}`);
  const desc = text ?? SIF_CATEGORY_TEXT[category];
  return extendedDesc === undefined ? { category, code, desc } : { category, code, desc, extendedDesc: extendedDesc.slice(0, 4000) };
}

/** A typed outcome of SIF processing: a value, or a SifError. */
export type SifResult<T> = { kind: 'ok'; value: T } | { kind: 'error'; error: SifError };

/** Wraps a value as a successful SifResult. */
export function sifOk<T>(value: T): SifResult<T> {
  return { kind: 'ok', value };
}

/** Wraps a SifError as a failed SifResult. */
export function sifFail<T = never>(error: SifError): SifResult<T> {
  return { kind: 'error', error };
}

/**
 * Thrown inside the SIF readers to stop at the first problem; caught at the
 * module boundary and turned into a SifResult, so callers never see it.
 */
export class SifErrorSignal extends Error {
  override readonly name = 'SifErrorSignal';
  constructor(readonly error: SifError) {
    super(`SIF error ${error.category}/${error.code}: ${error.desc}${error.extendedDesc ? ` — ${error.extendedDesc}` : ''}`);
  }
}
