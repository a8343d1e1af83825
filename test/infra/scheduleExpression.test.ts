import { describe, expect, it } from 'vitest';
import { scheduleExpression, scheduleTimezone } from '../../infra/scheduleExpression.ts';

describe('scheduleExpression', () => {
  it.each(['cron(30 3 * * ? *)', 'cron(0 2 ? * MON-FRI *)', 'rate(1 day)', 'rate(12 hours)'])(
    'accepts %s',
    (expression) => expect(scheduleExpression(expression)).toBe(expression),
  );

  it.each([
    'cron(30 3 * * *)',
    'cron(30 3 * * MON *)',
    '0 3 * * ?',
    'rate(0 days)',
    'rate(1 week)',
  ])('refuses %s', (expression) =>
    expect(() => scheduleExpression(expression)).toThrow(`got \`${expression}\``),
  );
});

describe('scheduleTimezone', () => {
  it.each(['UTC', 'Europe/Berlin', 'Asia/Kolkata'])('accepts %s', (zone) =>
    expect(scheduleTimezone(zone)).toBe(zone),
  );
  it.each(['Mars/Olympus', 'GMT+1', ''])('refuses %j', (zone) =>
    expect(() => scheduleTimezone(zone)).toThrow('IANA time zone'),
  );
});
