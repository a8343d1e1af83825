/**
 * The one error type of the job. Its `kind` says what went wrong in terms a user can act on, and
 * whether trying again can help; `classify` is the only place that knows the shapes of AWS,
 * DuckDB and Iceberg errors.
 */
export type ErrorKind =
  /** Another writer committed first (Iceberg 409): re-plan and retry. */
  | 'commit-conflict'
  /** A commit's outcome is unknown (timeout, 5xx after sending): check lineage before retrying. */
  | 'commit-state-unknown'
  /** Throttling, 5xx, resets, timeouts: retry with backoff. */
  | 'transient'
  /** Nothing answers at the catalog's or store's address. */
  | 'unreachable'
  /** Credentials were refused (unknown key, bad signature, expired token). */
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

interface Rule {
  readonly kind: ErrorKind;
  readonly pattern: RegExp;
  readonly hint: string;
}

// Ordered: the first matching rule wins.
const RULES: readonly Rule[] = [
  {
    kind: 'setup',
    pattern: /Out of Memory Error|failed to pin block|could not allocate/i,
    hint: 'DuckDB ran out of memory: raise --memory-limit (OPENAQ_MEMORY_LIMIT) or commit less at a time with --commit-files / --commit-days',
  },
  {
    kind: 'commit-conflict',
    pattern:
      /Conflict_409|CommitFailedException|AlreadyExistsException|branch main has changed|Requirement failed/i,
    hint: 'another writer committed to the same table first; the job re-plans and retries',
  },
  {
    kind: 'credentials',
    pattern:
      /InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|UnrecognizedClient|Unauthorized_401|\b401\b|invalid_client/i,
    hint: 'the credentials were refused: check the access key and secret (locally OPENAQ_LAKEHOUSE_ACCESS_KEY / OPENAQ_LAKEHOUSE_SECRET_KEY; on AWS, the credential chain)',
  },
  {
    kind: 'access-denied',
    pattern: /AccessDenied|Forbidden_403|\b403\b|not authorized/i,
    hint: 'the credentials lack a permission: check the IAM policy for the bucket or table named above',
  },
  {
    kind: 'unreachable',
    pattern:
      /Could not connect to server|Could not establish connection|Connection refused|ECONNREFUSED|Couldn't connect|Failed to connect|Could not resolve host|ENOTFOUND/i,
    hint: 'nothing answers there: start the local lakehouse with `npm run lakehouse -- up`, or check the endpoint',
  },
  {
    // DuckDB's iceberg extension removes the files of a commit it believes failed; when the store
    // refuses (the job's identity cannot delete), the commit may well have landed.
    kind: 'commit-state-unknown',
    pattern: /Failed to commit: Could not remove file/i,
    hint: 'the commit may have landed (its data files were kept); the job checks the table before retrying',
  },
  {
    kind: 'commit-state-unknown',
    pattern: /CommitStateUnknown|transactions\/commit.*(5\d\d|timed? ?out)/i,
    hint: 'the commit may or may not have been applied; the job checks the table lineage before retrying',
  },
  {
    kind: 'transient',
    pattern:
      /SlowDown|Throttl|TooManyRequests|\b429\b|\b50[0-4]\b|ServiceUnavailable|InternalError|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|timed? ?out/i,
    hint: 'a temporary failure; it is retried with backoff',
  },
  {
    // Before not-found: a missing bucket is a configuration mistake, not a missing object.
    kind: 'setup',
    pattern: /NoSuchBucket/,
    hint: 'the bucket does not exist: check the bucket name, region and endpoint',
  },
  {
    kind: 'not-found',
    pattern: /NoSuchKey|NoSuchBucket|NotFound|\b404\b|does not exist/i,
    hint: 'the object, bucket or table does not exist',
  },
  {
    kind: 'unsupported',
    pattern:
      /Not implemented|Binder Error|Parser Error|Conversion Error|Constraint Error|Failed to retrieve bind parameter/i,
    hint: 'the engine refused the statement; retrying will not help: please report it with this message',
  },
  {
    kind: 'setup',
    pattern:
      /Extension .* not found|Failed to download extension|Unhandled options|Invalid Input Error/i,
    hint: 'a setup problem: see the message',
  },
];

/** Turns any error into a LakehouseError whose message says what was being done and what to do. */
export function classify(err: unknown, action: string): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const text = errorText(err);
  const rule = RULES.find((candidate) => candidate.pattern.test(text));
  const kind = rule?.kind ?? 'unknown';
  const hint = rule ? `; ${rule.hint}` : '';
  return new LakehouseError(kind, `lake: cannot ${action}: ${firstLines(text)}${hint}`, {
    cause: err,
  });
}

/**
 * One line naming an error: name, code, message and, for AWS SDK errors, the HTTP status (a
 * bodiless 503 from a proxy parses as `Unknown: UnknownError`; the status is what says transient).
 */
export function errorSummary(err: unknown): string {
  return firstLines(errorText(err));
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const { code, $metadata } = err as { code?: unknown; $metadata?: { httpStatusCode?: unknown } };
    const status = $metadata?.httpStatusCode;
    return [
      err.name,
      typeof code === 'string' ? code : '',
      err.message,
      typeof status === 'number' ? `HTTP ${status}` : '',
    ]
      .filter(Boolean)
      .join(': ');
  }
  return String(err);
}

const firstLines = (text: string): string => text.split('\n').slice(0, 3).join(' ').slice(0, 600);
