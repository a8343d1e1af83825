import type { BackfillOptions } from '../../job/config.ts';

/**
 * The job's command line for a set of options: `backfill --from … --to …` plus one `--kebab-case`
 * flag per option, exactly as a user would type it, and `--json` for a parsable summary.
 */
export function jobArgs(options: BackfillOptions, logLevel = 'warn'): string[] {
  const args = ['backfill', '--json', '--log-level', logLevel];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (typeof value === 'boolean') args.push(value ? flag : `--no-${flag.slice(2)}`);
    else args.push(flag, String(value));
  }
  return args;
}
