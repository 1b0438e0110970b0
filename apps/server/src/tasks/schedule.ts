import type { TaskSchedule } from '@wharf/registry-core';

/** The next time `schedule` runs after `from` (UTC); null for manual tasks. */
export function nextRun(schedule: TaskSchedule, from: Date): Date | null {
  const t = from.getTime();
  switch (schedule.type) {
    case 'manual':
      return null;
    case 'interval':
      return new Date(t + schedule.minutes * 60_000);
    case 'hourly': {
      const next = new Date(from);
      next.setUTCMinutes(schedule.minute, 0, 0);
      if (next.getTime() <= t) next.setUTCHours(next.getUTCHours() + 1);
      return next;
    }
    case 'daily': {
      const [hours, minutes] = schedule.time.split(':').map(Number) as [number, number];
      const next = new Date(from);
      next.setUTCHours(hours, minutes, 0, 0);
      if (next.getTime() <= t) next.setUTCDate(next.getUTCDate() + 1);
      return next;
    }
  }
}

/** Checks a schedule from a request; returns the problem, or null. */
export function scheduleProblem(value: unknown): string | null {
  const s = value as Partial<Record<string, unknown>> | null;
  if (!s || typeof s !== 'object') return 'schedule must be an object with a type';
  switch (s.type) {
    case 'manual':
      return null;
    case 'interval':
      return Number.isSafeInteger(s.minutes) && (s.minutes as number) >= 1 && (s.minutes as number) <= 7 * 24 * 60
        ? null
        : 'schedule.minutes must be a whole number from 1 to 10080';
    case 'hourly':
      return Number.isSafeInteger(s.minute) && (s.minute as number) >= 0 && (s.minute as number) <= 59 ? null : 'schedule.minute must be a whole number from 0 to 59';
    case 'daily':
      return typeof s.time === 'string' && /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(s.time) ? null : 'schedule.time must be HH:MM (24-hour, UTC)';
    default:
      return 'schedule.type must be manual, hourly, daily or interval';
  }
}

/** Only the fields of its type (a request body may carry others). */
export function cleanSchedule(value: TaskSchedule): TaskSchedule {
  switch (value.type) {
    case 'manual':
      return { type: 'manual' };
    case 'interval':
      return { type: 'interval', minutes: value.minutes };
    case 'hourly':
      return { type: 'hourly', minute: value.minute };
    case 'daily':
      return { type: 'daily', time: value.time };
  }
}
