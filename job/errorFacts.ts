/**
 * What an error says about itself, read from its structure: the one place that knows the shapes
 * of AWS SDK, Node, undici and DuckDB errors (see kindOf for what they mean).
 */
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

export function errorText(err: unknown): string {
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
