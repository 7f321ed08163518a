import { DomainError } from '@portico/service-kit';
import { QueryFailedError } from 'typeorm';

export const RETRY_AFTER_SECONDS = 5;

/**
 * The database cannot take the request right now (down, unreachable, overloaded, or our statement
 * timed out). Answered 503 with `Retry-After`, never 2xx: a carrier retries, and nothing was stored.
 * Carries only a short technical reason (an error code), never the failed query's parameters.
 */
export class TemporarilyUnavailableError extends DomainError {
  constructor(readonly reason: string) {
    super({
      code: 'temporarily_unavailable',
      status: 503,
      message: {
        en: 'The service cannot store this right now. Nothing was saved; please retry shortly.',
        zh: '服务暂时无法保存该请求，未保存任何内容，请稍后重试。',
      },
      details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    });
  }
}

/**
 * A query failed for a reason other than availability (a bug or a constraint we did not expect).
 * TypeORM's QueryFailedError carries the query's parameters, which here include raw webhook bodies
 * with recipients' names and phone numbers; this replacement keeps only the SQLSTATE, so the 500
 * that follows is logged without personal data.
 */
export class DatabaseQueryError extends Error {
  constructor(readonly sqlState: string | undefined) {
    super(`database query failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`);
    this.name = 'DatabaseQueryError';
  }
}

// SQLSTATEs after which the same request can succeed later: connection exceptions (class 08), the
// server shutting down or starting (57P01-57P03), resource limits (53xxx), our statement or lock
// timeouts (57014, 55P03), serialisation failures and deadlocks (40001, 40P01), and a database
// that does not exist (3D000: dropped or renamed under us).
const RETRYABLE_SQLSTATE = /^(08...|57P0[1-3]|53...|57014|55P03|40001|40P01|3D000)$/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// node-postgres and pg-pool report lost or impossible connections by message only.
const CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|client has encountered a connection error|client was closed|cannot use a pool after calling end|database system is (starting up|shutting down)|connection is not established/i;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (depth > 4 || error === null || typeof error !== 'object') return;
  const e = error as ErrorLike;
  yield e;
  yield* chain(e.driverError, depth + 1);
  yield* chain(e.cause, depth + 1);
  // net's happy-eyeballs connect failures arrive as an AggregateError of per-address errors.
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** The first error code (SQLSTATE or Node's) anywhere in the error's chain. */
export function errorCodeOf(error: unknown): string | undefined {
  for (const e of chain(error)) if (typeof e.code === 'string') return e.code;
  return undefined;
}

/** Whether `error` means "the database cannot serve this now; the same request may succeed later". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || RETRYABLE_SQLSTATE.test(e.code)))
      return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * Runs database work and translates its failures: unavailability becomes a 503
 * TemporarilyUnavailableError, other query failures a DatabaseQueryError without parameters.
 * DomainErrors thrown by the work itself pass through unchanged.
 */
export async function guardDatabase<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (isDatabaseUnavailable(error))
      throw new TemporarilyUnavailableError(errorCodeOf(error) ?? 'connection');
    if (error instanceof QueryFailedError) throw new DatabaseQueryError(errorCodeOf(error));
    throw error;
  }
}
