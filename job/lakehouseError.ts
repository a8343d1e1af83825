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

/**
 * What an error says about itself, read from its structure: the AWS SDK's `$metadata` and error
 * name, Node's system error code, DuckDB's error type (the `Binder Error:` prefix: DuckDB's
 * Node API exposes nothing more structured) and the places DuckDB puts an HTTP status and a
 * service's error code in its messages. A number anywhere else in a message is never read.
 */
export interface ErrorFacts {
  /** DuckDB's error type, e.g. `Binder`, `HTTP`, `IO`, `Invalid Configuration`. */
  readonly duckdbType?: string;
  /** The HTTP status of the failed request, where the error carries one. */
  readonly status?: number;
  /** AWS / Iceberg REST error codes the error carries (SDK name and Code, S3 XML code, `__type`, Iceberg `type`). */
  readonly codes: readonly string[];
  /** Node's system error code (ECONNREFUSED, ETIMEDOUT, …). */
  readonly systemCode?: string;
  /** The error's whole text, for the message and the few libcurl phrases DuckDB passes on. */
  readonly text: string;
}

export function errorFacts(err: unknown): ErrorFacts {
  if (!(err instanceof Error)) return { codes: [], text: String(err) };
  const shaped = err as Error & {
    code?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const text = errorText(err);
  const message = err.message;
  const duckdbType = /^([A-Z][A-Za-z]*(?: [A-Za-z]+)*?) Error: /.exec(message)?.[1];
  const sdkStatus = shaped.$metadata?.httpStatusCode;
  const codes = new Set<string>();
  if (
    (typeof shaped.$metadata === 'object' || err.name === 'TimeoutError') &&
    err.name !== 'Error'
  ) {
    codes.add(err.name);
  }
  if (typeof shaped.Code === 'string') codes.add(shaped.Code);
  const systemCode =
    typeof shaped.code === 'string' && /^E[A-Z_]+$/.test(shaped.code) ? shaped.code : undefined;
  if (typeof shaped.code === 'string' && !systemCode) codes.add(shaped.code);
  if (duckdbType) for (const code of duckdbServiceCodes(message)) codes.add(code);
  return {
    ...(duckdbType ? { duckdbType } : {}),
    ...(typeof sdkStatus === 'number'
      ? { status: sdkStatus }
      : duckdbType
        ? withStatus(duckdbStatus(message))
        : {}),
    codes: [...codes],
    ...(systemCode ? { systemCode } : {}),
    text,
  };
}

const withStatus = (status: number | undefined) => (status === undefined ? {} : { status });

/**
 * The HTTP status in DuckDB's own phrasings: `response code Forbidden_403`, `non-200 status code
 * (Conflict_409)`, `(HTTP code 403)`, `(HTTP 400 Bad Request)`, `Request returned HTTP 503 for HTTP
 * POST to …`.
 */
function duckdbStatus(message: string): number | undefined {
  const match =
    /(?:response code|status code \()\s*[A-Za-z]*_(\d{3})\b/.exec(message) ??
    /\(HTTP code (\d{3})\)/.exec(message) ??
    /\(HTTP (\d{3}) [A-Za-z ]+\)/.exec(message) ??
    /Request returned HTTP (\d{3}) for HTTP [A-Z]+ to /.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Service error codes DuckDB passes on from a response body: S3's XML code, which DuckDB prints
 * at the start of the paragraph after the status line (`…(HTTP code 403)\n\nAccessDenied: …`),
 * AWS JSON `__type`,
 * Iceberg REST's `"type": "CommitFailedException"` / `type: CommitFailedException`.
 */
function duckdbServiceCodes(message: string): string[] {
  const codes: string[] = [];
  const s3 = /\n\n([A-Z][A-Za-z]+): /.exec(message);
  if (s3?.[1]) codes.push(s3[1]);
  for (const match of message.matchAll(/"__type":\s*"(?:[\w.#]*#)?([A-Za-z]+)"/g))
    codes.push(match[1]!);
  for (const match of message.matchAll(/"type":\s*"([A-Za-z]+)"|\btype: ([A-Z][A-Za-z]+)\b/g)) {
    codes.push((match[1] ?? match[2])!);
  }
  return codes;
}

const CODES = {
  conflict: ['CommitFailedException', 'AlreadyExistsException', 'ConflictException'],
  commitStateUnknown: ['CommitStateUnknownException'],
  expired: ['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'RequestExpired'],
  credentials: [
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'InvalidToken',
    'InvalidClientTokenId',
    'UnrecognizedClientException',
    'NotAuthorizedException',
    'invalid_client',
  ],
  denied: ['AccessDenied', 'AccessDeniedException', 'Forbidden', 'forbidden'],
  transient: [
    'SlowDown',
    'Throttling',
    'ThrottlingException',
    'TooManyRequests',
    'TooManyRequestsException',
    'RequestTimeout',
    'RequestTimeTooSkewed',
    'InternalError',
    'InternalServerError',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'TimeoutError',
  ],
  missingBucket: ['NoSuchBucket'],
  notFound: [
    'NoSuchKey',
    'NotFound',
    'NotFoundException',
    'NoSuchTableException',
    'NoSuchNamespaceException',
  ],
} as const;

/** DuckDB error types that are the engine refusing the statement: never the network's fault. */
const ENGINE_REFUSALS = new Set([
  'Binder',
  'Parser',
  'Syntax',
  'Conversion',
  'Constraint',
  'Not implemented',
  'Dependency',
  'Type',
  'Mismatch Type',
  'Sequence',
]);

const UNREACHABLE_SYSTEM = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const TRANSIENT_SYSTEM = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
/** undici's codes for a connection that timed out, broke or closed mid-request. */
const TRANSIENT_UNDICI = [
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
];
/** libcurl's and httplib's words for "nothing answered", which DuckDB passes on. */
const UNREACHABLE_PHRASE =
  /Could not connect to server|Could not establish connection|Connection refused|Couldn't connect|Failed to connect|Could not resolve host/i;
const TIMEOUT_PHRASE = /Timeout was reached|timed out|Connection reset|socket hang up/i;

/** The kind of an error, from its facts; the first matching rule wins. */
export function kindOf(facts: ErrorFacts): ErrorKind {
  const { duckdbType, status, codes, systemCode, text } = facts;
  const has = (list: readonly string[]) => codes.some((code) => list.includes(code));
  if (duckdbType === 'Out of Memory') return 'setup';
  // DuckDB's iceberg extension removes the files of a commit it believes failed (e.g. its resend
  // met the 409 of its own first try); the job's identity cannot delete, so the commit may have
  // landed with its files kept.
  if (duckdbType === 'TransactionContext' && /Could not remove file/.test(text))
    return 'commit-state-unknown';
  // @duckdb/node-api's own binding error (no DuckDB type): a statement built wrong.
  if (/^Failed to retrieve bind parameter/.test(text.replace(/^Error: /, ''))) return 'unsupported';
  if (duckdbType && ENGINE_REFUSALS.has(duckdbType)) return 'unsupported';
  if (duckdbType === 'Catalog') return 'not-found';
  if (duckdbType === 'Invalid Input' || duckdbType === 'Extension') return 'setup';
  if (/Problem with the SSL CA cert|SSL certificate problem/i.test(text)) return 'setup';
  if (has(CODES.commitStateUnknown)) return 'commit-state-unknown';
  if (has(CODES.conflict) || status === 409) return 'commit-conflict';
  if (has(CODES.expired)) return 'credentials-expired';
  if (has(CODES.credentials) || status === 401) return 'credentials';
  if (has(CODES.denied) || status === 403) return 'access-denied';
  const timedOut =
    (systemCode !== undefined && TRANSIENT_SYSTEM.has(systemCode)) ||
    codes.includes('TimeoutError') ||
    has(TRANSIENT_UNDICI) ||
    status === 408 ||
    (duckdbType !== undefined && TIMEOUT_PHRASE.test(text));
  const serverError = status !== undefined && status >= 500;
  if ((serverError || timedOut) && isCommitRequest(facts)) return 'commit-state-unknown';
  if (systemCode && UNREACHABLE_SYSTEM.has(systemCode)) return 'unreachable';
  if (duckdbType && UNREACHABLE_PHRASE.test(text)) return 'unreachable';
  if (has(CODES.transient) || serverError || status === 429 || timedOut) return 'transient';
  if (has(CODES.missingBucket)) return 'setup';
  if (has(CODES.notFound) || status === 404) return 'not-found';
  return 'unknown';
}

/**
 * Whether the failed request was the catalog commit itself (the Iceberg REST table or
 * transaction commit), after which the outcome is unknown on a 5xx or a timeout. DuckDB reports
 * a failed commit as `TransactionContext Error: Failed to commit…`.
 */
function isCommitRequest(facts: ErrorFacts): boolean {
  return (
    facts.duckdbType === 'TransactionContext' ||
    /\/transactions\/commit\b/.test(facts.text) ||
    /Failed to commit/.test(facts.text)
  );
}

const HINTS: Record<ErrorKind, string> = {
  'commit-conflict':
    'another writer committed to the same table first; the job re-plans and retries',
  'commit-state-unknown':
    'the commit may or may not have been applied; the job reads the lineage of the rows (their source key and ETag) before retrying',
  transient: 'a temporary failure; it is retried with backoff',
  unreachable:
    'nothing answers there: start the local lakehouse with `npm run lakehouse -- up`, or check the endpoint',
  'credentials-expired':
    'the temporary credentials expired; the job fetches them again from the AWS credential chain before each commit and retries',
  credentials:
    'the credentials were refused: check the access key and secret (locally OPENAQ_LAKEHOUSE_ACCESS_KEY / OPENAQ_LAKEHOUSE_SECRET_KEY; on AWS, the credential chain)',
  'access-denied':
    'the credentials lack a permission: check the IAM policy for the bucket or table named above',
  'not-found': 'the object, bucket or table does not exist',
  setup: 'a setup problem: see the message',
  unsupported:
    'the engine refused the statement; retrying will not help: please report it with this message',
  unknown: '',
};

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

function hintFor(kind: ErrorKind, facts: ErrorFacts): string {
  if (kind === 'setup' && facts.duckdbType === 'Out of Memory') {
    return 'DuckDB ran out of memory: raise --memory-limit (OPENAQ_MEMORY_LIMIT) or commit less at a time with --commit-files / --commit-days';
  }
  if (kind === 'setup' && /SSL CA cert|SSL certificate problem/i.test(facts.text)) {
    return 'no trusted CA bundle: DuckDB reads /etc/ssl/certs/ca-certificates.crt (install the ca-certificates package)';
  }
  if (kind === 'setup' && facts.codes.includes('NoSuchBucket')) {
    return 'the bucket does not exist: check the bucket name, region and endpoint';
  }
  if (kind === 'access-denied') {
    const needed = missingPermission(facts.text);
    if (needed) return `the credentials lack a permission: ${needed}`;
  }
  if (kind === 'not-found' && facts.duckdbType === 'Catalog') {
    return 'the table does not exist, or the identity may not list it: on S3 Tables check s3tables:ListNamespaces and s3tables:ListTables (DuckDB reads a refused listing as empty)';
  }
  return HINTS[kind];
}

/**
 * The permission a refused request needed, named from the request: the action the service
 * names, else the S3 Tables Iceberg REST operation (config, load table, commit) or the data-file
 * request DuckDB reports.
 */
export function missingPermission(text: string): string | undefined {
  const named = /not authorized to perform: ([\w-]+:\w+)/.exec(text)?.[1];
  if (named === 's3tables:CreateNamespace') {
    return 'the namespace is made by Pulumi, not the job: DuckDB tried to create it because a HEAD on it was refused, which it reads as "does not exist": grant s3tables:GetNamespace on the table bucket';
  }
  if (named === 's3tables:CreateTable') {
    return 'the tables are made by Pulumi, not the job: DuckDB tried to create one because it could not see it: grant s3tables:GetTable, s3tables:GetTableMetadataLocation and s3tables:GetTableData on the tables';
  }
  if (named === 's3:PutObject') {
    return 'writing table data needs s3tables:PutTableData on the table (on S3-compatible storage, s3:PutObject)';
  }
  if (named === 's3:GetObject') {
    return 'reading table data needs s3tables:GetTableData on the table (on S3-compatible storage, s3:GetObject)';
  }
  if (named) return `add ${named} to the role's policy for the resource named above`;
  if (/GetTableInformation endpoint|LoadTable/.test(text)) {
    return 'loading a table needs s3tables:GetTableMetadataLocation and s3tables:GetTableData on the table';
  }
  if (/\/v1\/config\b/.test(text)) {
    return 'attaching needs s3tables:GetTableBucket on the table bucket';
  }
  if (/Failed to commit|\/transactions\/commit\b/.test(text)) {
    return 'committing needs s3tables:UpdateTableMetadataLocation and s3tables:PutTableData on the table';
  }
  if (/HTTP (?:GET|HEAD) error reading/.test(text)) {
    return 'reading table data needs s3tables:GetTableData on the table (on S3-compatible storage, s3:GetObject)';
  }
  if (/Unable to connect to URL s3:\/\/|HTTP (?:PUT|POST) error/.test(text)) {
    return 'writing table data needs s3tables:PutTableData on the table (on S3-compatible storage, s3:PutObject)';
  }
  return undefined;
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

// Redacted: a message may quote a URL with credentials (e.g. a catalog URI with a password).
const firstLines = (text: string): string =>
  redactSecrets(text.split('\n').slice(0, 3).join(' ')).slice(0, 600);
