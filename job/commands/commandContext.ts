import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { LakeConfig } from '../config.ts';
import { withLake, type LakeSession } from '../lake/lakeSession.ts';
import { formatCsv, formatJson, formatTextTable, type Rows } from '../output/formatRows.ts';
import { withRunFolder } from '../runFolder.ts';

export interface Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** What every command gets from the CLI, the only module that reads argv and the environment. */
export interface CommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly terminal: Terminal;
  /** The package's folder (where the extensions and the local lakehouse are found). */
  readonly packageRoot: string;
  /** Sets the process's exit code. */
  readonly exit: (code: number) => void;
}

/** The options every command has (declared in cli.ts), as yargs types them. */
export type GlobalOptions = { json: boolean } & { 'log-level': string | undefined };

/** One command for yargs: its options (`builder`) type the arguments its handler receives. */
export function defineCommand<U extends GlobalOptions>(
  command: string,
  describe: string,
  builder: (y: Argv<GlobalOptions>) => Argv<U>,
  handler: (args: ArgumentsCamelCase<U>) => Promise<void>,
): CommandModule<GlobalOptions, U> {
  return { command, describe, builder, handler };
}

export type RowFormat = 'table' | 'json' | 'csv';

export const rowFormat = (args: { json: boolean; csv: boolean }): RowFormat =>
  args.json ? 'json' : args.csv ? 'csv' : 'table';

export const printRows = (rows: Rows, format: RowFormat): string =>
  format === 'json' ? formatJson(rows) : format === 'csv' ? formatCsv(rows) : formatTextTable(rows);

/** DuckDB with the catalog attached, spilling into this command's own run folder. */
export const withLakeCommand = <T>(
  lake: LakeConfig,
  fn: (session: LakeSession) => Promise<T>,
  options: { readonly readOnly?: boolean } = {},
): Promise<T> => withRunFolder(lake.runDir, () => withLake(lake.duckdb, lake.target, fn, options));
