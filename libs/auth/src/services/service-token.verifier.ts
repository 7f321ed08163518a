import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../auth-error';
import type { ServicePrincipal } from '../principal';

/** Header naming the calling service; the token must be the one configured for that name. */
export const SERVICE_NAME_HEADER = 'x-portico-service';
export const SERVICE_TOKEN_MIN_LENGTH = 24;
const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Which callers this service accepts and with which tokens. Each caller has its own token, so a
 * leaked notification token cannot impersonate clearance. Up to two tokens per caller are active:
 * during rotation the callee accepts old and new, the caller switches, then the old one is removed.
 */
export type ServiceTokenTable = Readonly<Record<string, readonly string[]>>;

function digest(value: string): Buffer {
  // Hashing first gives equal-length inputs to timingSafeEqual, so the token length does not leak either.
  return createHash('sha256').update(value, 'utf8').digest();
}

export class ServiceTokenVerifier {
  private readonly table: ReadonlyMap<string, readonly Buffer[]>;
  private readonly decoy = digest('decoy-service-token');

  constructor(callers: ServiceTokenTable) {
    const table = new Map<string, Buffer[]>();
    for (const [name, tokens] of Object.entries(callers)) {
      if (!SERVICE_NAME_PATTERN.test(name)) throw new Error(`"${name}" is not a valid service name`);
      if (tokens.length === 0 || tokens.length > 2)
        throw new Error(`service "${name}" needs one or two tokens (two only while rotating)`);
      for (const t of tokens) {
        if (t.length < SERVICE_TOKEN_MIN_LENGTH) {
          throw new Error(
            `a token for service "${name}" is shorter than ${SERVICE_TOKEN_MIN_LENGTH} characters`,
          );
        }
      }
      table.set(name, tokens.map(digest));
    }
    this.table = table;
  }

  get callers(): string[] {
    return [...this.table.keys()];
  }

  verify(serviceName: string, token: string): ServicePrincipal {
    const expected = this.table.get(serviceName) ?? [this.decoy];
    const actual = digest(token);
    // Compare against every active token without stopping early.
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(candidate, actual) || ok;
    if (!ok || !this.table.has(serviceName)) throw new AuthError('service_token_invalid');
    return { kind: 'service', name: serviceName };
  }
}

/** Headers for an outgoing internal call, e.g. notification -> id-vault. */
export function serviceAuthHeaders(
  selfName: string,
  token: string,
): { authorization: string; 'x-portico-service': string } {
  return { authorization: `Bearer ${token}`, [SERVICE_NAME_HEADER]: selfName } as {
    authorization: string;
    'x-portico-service': string;
  };
}
