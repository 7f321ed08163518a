/**
 * How long a session lives: it ends after `idleMinutes` without use, and at the latest
 * `absoluteMinutes` after sign-in however busy it is (a stolen cookie cannot be kept alive forever
 * by using it). Pure: the service applies it, the repository stores both instants.
 */
export interface SessionLifetime {
  readonly idleMinutes: number;
  readonly absoluteMinutes: number;
}

export const SESSION_LIFETIME = 'console:session-lifetime';

/**
 * Renewal writes a row, so a burst of requests renews once: only when the session would gain
 * more than this. An idle timeout is therefore exact to within a minute.
 */
export const RENEW_MIN_GAIN_MS = 60_000;

const minutes = (n: number) => n * 60_000;

/** The two ends of a new session. */
export function initialExpiry(now: Date, lifetime: SessionLifetime): { expiresAt: Date; maxExpiresAt: Date } {
  const maxExpiresAt = new Date(now.getTime() + minutes(lifetime.absoluteMinutes));
  const idle = new Date(now.getTime() + minutes(lifetime.idleMinutes));
  return { expiresAt: idle < maxExpiresAt ? idle : maxExpiresAt, maxExpiresAt };
}

/**
 * The renewed end of a live session used at `now`, or null when renewing is not worth a write
 * (less than a minute gained, or the absolute end reached). `maxExpiresAt` null: a session from
 * before sliding renewal, which keeps its fixed end.
 */
export function renewedExpiry(
  session: { expiresAt: Date; maxExpiresAt: Date | null },
  now: Date,
  lifetime: SessionLifetime,
): Date | null {
  if (!session.maxExpiresAt) return null;
  const idle = now.getTime() + minutes(lifetime.idleMinutes);
  const next = Math.min(idle, session.maxExpiresAt.getTime());
  return next - session.expiresAt.getTime() > RENEW_MIN_GAIN_MS ? new Date(next) : null;
}
