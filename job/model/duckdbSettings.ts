/** How the job's DuckDB runs: config resolves it, the lake session applies it. */
export interface DuckDBSettings {
  /** Folder holding `v<version>/<platform>/<name>.duckdb_extension`; nothing is downloaded at run time. */
  readonly extensionDirectory: string;
  /** DuckDB memory_limit, e.g. '2GB'. */
  readonly memoryLimit: string;
  /** Folder DuckDB spills to when staging exceeds memory. */
  readonly tempDirectory: string;
  readonly threads: number;
  /**
   * DuckDB's http_timeout, for the catalog and data files. Longer than any commit: a commit the
   * client gives up on may still land, and the extension's resend of it is what goes wrong.
   */
  readonly httpTimeoutSeconds: number;
}
