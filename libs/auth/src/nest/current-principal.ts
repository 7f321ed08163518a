import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AuthError } from '../auth-error';
import type { Principal, PrincipalKind } from '../principal';

const principals = new WeakMap<object, Principal>();

/** Kept beside the request rather than on it, so nothing else can overwrite or serialise it. */
export function setPrincipal(request: object, principal: Principal): void {
  principals.set(request, principal);
}

/** The caller the AuthGuard admitted; undefined on public endpoints. */
export function principalOf(request: object): Principal | undefined {
  return principals.get(request);
}

/**
 * The authenticated caller as a handler parameter. With a kind, the parameter is narrowed and any
 * other kind of caller is refused with 403 (for endpoints open to several kinds, take the union).
 *
 *   list(@CurrentPrincipal('person') me: PersonPrincipal) {}
 */
export const CurrentPrincipal = createParamDecorator(
  (kind: PrincipalKind | undefined, ctx: ExecutionContext) => {
    const principal = principalOf(ctx.switchToHttp().getRequest<object>());
    if (kind === undefined) return principal;
    if (!principal) throw new AuthError('credentials_missing');
    if (principal.kind !== kind) throw new AuthError('forbidden');
    return principal;
  },
);
