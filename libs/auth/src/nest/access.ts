import type { PersonRole, Principal } from '../principal';
import type { AuthErrorCode } from '../auth-error';

/** One way an endpoint may be reached. An endpoint admits a caller when any of its rules does. */
export type AccessRule =
  | { readonly kind: 'public' }
  /** Any of the roles; an empty list admits every signed-in person. */
  | { readonly kind: 'person'; readonly roles: readonly PersonRole[] }
  /** All of the scopes; an empty list admits every valid key of any tenant. */
  | { readonly kind: 'property-system'; readonly scopes: readonly string[] }
  /** Any of the named services. */
  | { readonly kind: 'service'; readonly names: readonly string[] };

export const ACCESS_METADATA = 'portico:access-rules';

type AccessDecorator = ClassDecorator & MethodDecorator;

function declare(rule: AccessRule): AccessDecorator {
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    // Stacked decorators add up (logical OR), so they append instead of overwriting.
    const where = descriptor ? (descriptor.value as object) : target;
    const existing = (Reflect.getMetadata(ACCESS_METADATA, where) as AccessRule[] | undefined) ?? [];
    Reflect.defineMetadata(ACCESS_METADATA, [...existing, rule], where);
  }) as AccessDecorator;
}

/**
 * Who may call an endpoint. Put one or more on a handler (or on the controller as its default; a
 * handler's own declarations replace the controller's). Endpoints with none are refused.
 *
 *   @Access.people('steward', 'manager')
 *   @Access.service('notification')
 *   @Post('upload-links') create(...) {}
 */
export const Access = {
  /** No credentials needed (health checks, the resident upload page guarded by its own token). */
  public: (): AccessDecorator => declare({ kind: 'public' }),
  people: (...roles: PersonRole[]): AccessDecorator => declare({ kind: 'person', roles }),
  propertySystem: (...scopes: string[]): AccessDecorator => declare({ kind: 'property-system', scopes }),
  service: (...names: [string, ...string[]]): AccessDecorator => declare({ kind: 'service', names }),
};

export type AccessDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly status: 401 | 403; readonly code: AuthErrorCode };

/** The authorisation rule in one pure function: rules declared on the endpoint vs. the caller. */
export function decideAccess(
  rules: readonly AccessRule[] | undefined,
  principal: Principal | null,
): AccessDecision {
  if (!rules || rules.length === 0) return { allow: false, status: 403, code: 'access_undeclared' };
  if (rules.some((r) => r.kind === 'public')) return { allow: true };
  if (!principal) return { allow: false, status: 401, code: 'credentials_missing' };

  let code: AuthErrorCode = 'forbidden';
  for (const rule of rules) {
    if (rule.kind !== principal.kind) continue;
    switch (rule.kind) {
      case 'person': {
        const p = principal as Extract<Principal, { kind: 'person' }>;
        if (rule.roles.length === 0 || rule.roles.some((r) => p.roles.includes(r))) return { allow: true };
        break;
      }
      case 'property-system': {
        const p = principal as Extract<Principal, { kind: 'property-system' }>;
        if (rule.scopes.every((s) => p.scopes.includes(s))) return { allow: true };
        code = 'scope_missing';
        break;
      }
      case 'service': {
        const p = principal as Extract<Principal, { kind: 'service' }>;
        if (rule.names.includes(p.name)) return { allow: true };
        break;
      }
    }
  }
  return { allow: false, status: 403, code };
}
