import type { Arguments } from 'yargs';
import { ConfigError } from '../config.ts';

/** `table-bucket-arn` is also read from `OPENAQ_TABLE_BUCKET_ARN`. */
export const envVariableOf = (option: string): string =>
  `OPENAQ_${option.toUpperCase().replaceAll('-', '_')}`;

const camelCase = (option: string): string =>
  option.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** What yargs (18) passes a middleware as its second argument; @types/yargs does not declare it. */
interface ParserView {
  getOptions(): { key: Record<string, unknown>; boolean: string[]; number: string[] };
  parsed?: { defaulted?: Record<string, boolean> } | false;
}

/** Options that are never read from the environment. */
const NOT_FROM_ENV = new Set(['help', 'version', 'sql']);

/**
 * A yargs middleware (run before validation) that fills each option of the command being run that
 * the command line left unset from its `OPENAQ_*` variable. Only the command's own options are read:
 * other `OPENAQ_*` variables (`OPENAQ_API_KEY` of OpenAQ's API client, the local lakehouse's
 * `OPENAQ_LAKEHOUSE_*`) are not the job's and are ignored.
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>) {
  return (argv: Arguments, y?: unknown): void => {
    const parser = y as ParserView;
    const options = parser.getOptions();
    const defaulted = (parser.parsed || undefined)?.defaulted ?? {};
    for (const option of Object.keys(options.key)) {
      if (NOT_FROM_ENV.has(option)) continue;
      const name = envVariableOf(option);
      const raw = env[name];
      if (raw === undefined || (argv[option] !== undefined && !defaulted[option])) continue;
      const value = options.boolean.includes(option)
        ? booleanFrom(name, raw)
        : options.number.includes(option)
          ? numberFrom(name, raw)
          : raw;
      argv[option] = value;
      argv[camelCase(option)] = value;
    }
  };
}

function booleanFrom(name: string, raw: string): boolean {
  if (/^(true|1)$/i.test(raw)) return true;
  if (/^(false|0)?$/i.test(raw)) return false;
  throw new ConfigError(`Expected \`${name}\` to be true or false, got \`${raw}\``);
}

function numberFrom(name: string, raw: string): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (Number.isNaN(value))
    throw new ConfigError(`Expected \`${name}\` to be a number, got \`${raw}\``);
  return value;
}
