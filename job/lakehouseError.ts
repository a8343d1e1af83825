import { errorFacts, errorText } from './errorFacts.ts';
import { hintFor } from './errorHints.ts';
import { kindOf } from './kindOf.ts';
import { redactSecrets } from './redactSecrets.ts';
/**
 * The one error type of the job. Its `kind` says what went wrong in terms a user can act on, and
 * whether trying again can help; `classify` is the only place that knows the shapes of AWS,
 * DuckDB and Iceberg errors.
 */
export type ErrorKind =
  /** Another writer committed first (Iceberg 409): re-plan and retry. */
  | 'commit-conflict'
  /** A commit's outcome is unknown (timeout, 5xx after sending): check the rows' lineage before retrying. */
  | 'commit-state-unknown'
  /** Throttling, 5xx, resets, timeouts: retry with backoff. */
  | 'transient'
  /** Nothing answers at the catalog's or store's address. */
  | 'unreachable'
  /** Temporary credentials ran out: fetch them again (the job does before each commit) and retry. */
  | 'credentials-expired'
  /** Credentials were refused (unknown key, bad signature). */
  | 'credentials'
  /** Credentials were accepted but lack a permission. */
  | 'access-denied'
  | 'not-found'
  /** The machine or configuration is not ready (missing extension, bad option). */
  | 'setup'
  /** The engine refused the statement itself (unsupported feature, invalid SQL): a bug, not bad luck. */
  | 'unsupported'
  | 'unknown';

const RETRYABLE: ReadonlySet<ErrorKind> = new Set([
  'commit-conflict',
  'commit-state-unknown',
  'transient',
  'credentials-expired',
  'unknown',
]);

export class LakehouseError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LakehouseError';
    this.kind = kind;
  }
  /** Unknown errors count as retryable, but callers bound their retries. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
  get isConflict(): boolean {
    return this.kind === 'commit-conflict';
  }
  get isCommitStateUnknown(): boolean {
    return this.kind === 'commit-state-unknown';
  }
}

/** Turns any error into a LakehouseError whose message says what was being done and what to do. */
export function classify(err: unknown, action: string): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const facts = errorFacts(err);
  const kind = kindOf(facts);
  const hint = hintFor(kind, facts);
  return new LakehouseError(
    kind,
    `lake: cannot ${action}: ${firstLines(facts.text)}${hint ? `; ${hint}` : ''}`,
    { cause: err },
  );
}

/**
 * One line naming an error: name, code, message and, for AWS SDK errors, the HTTP status (a
 * bodiless 503 from a proxy parses as `Unknown: UnknownError`; the status is what says transient).
 */
export function errorSummary(err: unknown): string {
  return firstLines(errorText(err));
}

// Redacted: a message may quote a URL with credentials (e.g. a catalog URI with a password).
const firstLines = (text: string): string =>
  redactSecrets(text.split('\n').slice(0, 3).join(' ')).slice(0, 600);
