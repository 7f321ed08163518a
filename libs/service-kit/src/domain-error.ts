/** A message shown to API clients, in both languages the product speaks. */
export interface LocalizedMessage {
  en: string;
  zh: string;
}

export interface DomainErrorInit {
  /** Stable, machine-readable, snake_case (`case_not_found`, `upload_link_expired`). Clients branch on it. */
  code: string;
  /** HTTP status the global filter answers with (4xx for domain errors). */
  status: number;
  message: LocalizedMessage;
  /** Safe, structured facts for the client (ids, limits, allowed values). Never personal data. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Base class of every error the domain throws on purpose. The global exception filter turns it into
 * `{ error: { code, message: { en, zh }, details } }` with its status; anything that is not a
 * DomainError (or a validation error) is answered as a generic 500.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly localized: LocalizedMessage;
  readonly details?: Record<string, unknown>;

  constructor(init: DomainErrorInit) {
    super(init.message.en, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.localized = init.message;
    this.details = init.details;
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: LocalizedMessage, details?: Record<string, unknown>) {
    super({ code, status: 404, message, details });
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: LocalizedMessage, details?: Record<string, unknown>) {
    super({ code, status: 409, message, details });
  }
}

export class BadRequestError extends DomainError {
  constructor(code: string, message: LocalizedMessage, details?: Record<string, unknown>) {
    super({ code, status: 400, message, details });
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
