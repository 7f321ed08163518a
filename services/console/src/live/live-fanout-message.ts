import { z } from 'zod';
import type { LiveUpdate } from './live-scope';

/** The Postgres channel every console instance listens on. */
export const LIVE_CHANNEL = 'portico_console_live';

const id = z.string().max(200);
const message = z
  .object({
    topic: id,
    type: id,
    tenantId: id,
    propertyId: id,
    caseId: id,
    taskId: id,
    // default '': an instance of the previous version may still send without them during a rollout
    parcelId: id.default(''),
    messageId: id.default(''),
    /** W3C trace context of the consumer that sent it, so the receiving span joins the event's trace. */
    trace: z.record(z.string(), z.string().max(512)).default({}),
  })
  .strict();

/** A notification's payload: the update's ids (never personal data; NOTIFY payloads stay far below 8000 bytes). */
export function encodeLiveMessage(update: LiveUpdate, trace: Record<string, string>): string {
  const { topic, type, tenantId, propertyId, caseId, taskId, parcelId, messageId } = update;
  return JSON.stringify({ topic, type, tenantId, propertyId, caseId, taskId, parcelId, messageId, trace });
}

/** The update in a notification, or null for anything that is not one (another writer on the channel). */
export function decodeLiveMessage(
  payload: string | undefined,
): { update: LiveUpdate; trace: Record<string, string> } | null {
  if (!payload) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = message.safeParse(raw);
  if (!parsed.success) return null;
  const { trace, ...update } = parsed.data;
  return { update, trace };
}

/**
 * The channel on which the account-status command announces that an account's sessions ended:
 * every instance closes that account's open live-update streams. Payload: the account id only.
 */
export const SESSIONS_CHANNEL = 'portico_console_sessions';

const sessionsEnded = z.object({ accountId: z.string().min(1).max(200) }).strict();

export function encodeSessionsEnded(accountId: string): string {
  return JSON.stringify({ accountId });
}

export function decodeSessionsEnded(payload: string | undefined): string | null {
  try {
    const parsed = sessionsEnded.safeParse(JSON.parse(payload ?? ''));
    return parsed.success ? parsed.data.accountId : null;
  } catch {
    return null;
  }
}
