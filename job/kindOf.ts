import type { ErrorFacts } from './errorFacts.ts';
import type { ErrorKind } from './lakehouseError.ts';

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
