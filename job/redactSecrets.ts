/** What replaces a secret in text that is logged, printed or stored. */
export const REDACTED = '***';

/** `scheme://user:password@` or `scheme://token@`: the userinfo of a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"`]+@/gi;
/** `password=…`, `secret=…`, `token=…`, `X-Amz-Signature=…` in a query string or key=value text. */
const SECRET_PARAMETER =
  /\b([\w-]*(?:password|passwd|pwd|secret|token|signature|credential|api[_-]?key|access[_-]?key)[\w-]*=)[^\s&'"`,;]+/gi;

/**
 * Text with the credentials it may carry replaced by `***`: the userinfo of URLs
 * (`http://alice:pw@host` → `http://***@host`) and the values of secret-looking parameters. Every
 * description of a target, error message and run record goes through here before it is logged,
 * printed or written to the runs table.
 */
export function redactSecrets(text: string): string {
  return text.replace(URL_USERINFO, `$1${REDACTED}@`).replace(SECRET_PARAMETER, `$1${REDACTED}`);
}
