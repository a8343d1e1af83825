/**
 * Checks an EventBridge Scheduler expression: `cron(minutes hours day-of-month month day-of-week
 * year)` (six fields, one of day-of-month and day-of-week must be `?`) or `rate(N unit)`; `key`
 * names the stack config key in the error.
 */
export function scheduleExpression(expression: string, key = 'scheduleCron'): string {
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if (fields.length !== 6 || (dayOfMonth !== '?' && dayOfWeek !== '?')) {
      throw new Error(
        `config: Expected \`${key}\` to be a six-field cron like cron(30 3 * * ? *) with ? in day-of-month or day-of-week, got \`${expression}\``,
      );
    }
    return expression;
  }
  if (/^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/.test(expression))
    return expression;
  throw new Error(
    `config: Expected \`${key}\` to be cron(…) or rate(…), e.g. cron(30 3 * * ? *), got \`${expression}\``,
  );
}

/** Checks an IANA time zone name (EventBridge Scheduler's `scheduleExpressionTimezone`). */
export function scheduleTimezone(timezone: string): string {
  if (
    timezone === 'UTC' ||
    (/^[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(timezone) && knownZone(timezone))
  ) {
    return timezone;
  }
  throw new Error(
    `config: Expected \`scheduleTimezone\` to be an IANA time zone like UTC or Europe/Berlin, got \`${timezone}\``,
  );
}

/** Whether the ICU database knows the zone (its canonical name or an alias). */
function knownZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
