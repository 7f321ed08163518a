import type { z } from 'zod';
import { WebhookRejectedError, type PayloadIssue } from '../webhook-adapter';

/** Parsing and validation shared by the JSON adapters: errors name paths and reasons, never values. */

export function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw invalid([{ path: '(root)', message: 'body is not valid JSON' }]);
  }
}

/** The schema's output, or a rejection naming paths and reasons, never the offending values. */
export function validated<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw invalid(
    parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  );
}

export function invalid(issues: PayloadIssue[]): WebhookRejectedError {
  const where = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new WebhookRejectedError('WEBHOOK_PAYLOAD_INVALID', where, issues);
}

/** An ISO date-time (validated by the schema) as a Date; without an offset it is read as UTC. */
export function dateOf(value: string, path: string): Date {
  const date = new Date(/(?:Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw invalid([{ path, message: 'not a calendar date-time' }]);
  return date;
}

/** The YYYY-MM-DD a date or date-time starts with, when it is a real calendar date. */
export function calendarDateOf(value: string | null | undefined): string | undefined {
  const m = value ? /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value.trim()) : null;
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  const real = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  return real ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

export function present(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The object without its undefined fields, or undefined when nothing is left. */
export function nonEmpty<T extends object>(value: T): T | undefined {
  const out = withoutUndefined(value);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
