import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError } from '../auth-error';
import { ACCESS_METADATA, decideAccess, type AccessRule } from './access';
import { Authenticator } from './authenticator';
import { setPrincipal } from './current-principal';

interface HttpRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface HttpResponseLike {
  header?(name: string, value: string): unknown;
}

/**
 * Global guard (AuthModule registers it as APP_GUARD): every HTTP endpoint must declare who may
 * call it with @Access.*; an endpoint that declares nothing is refused for everyone.
 * Kafka handlers are not HTTP and are left alone: who may produce to a topic is the broker's ACLs.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');
  private readonly warned = new Set<string>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rules = this.reflector.getAllAndOverride<AccessRule[] | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rules || rules.length === 0) {
      const where = `${context.getClass().name}.${context.getHandler().name}`;
      if (!this.warned.has(where)) {
        this.warned.add(where);
        this.logger.error(`${where} declares no @Access rule; every request to it is refused`);
      }
      throw new AuthError('access_undeclared');
    }
    if (rules.some((r) => r.kind === 'public')) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    try {
      const principal = await this.authenticator.authenticate(request.headers);
      const decision = decideAccess(rules, principal);
      if (!decision.allow) throw new AuthError(decision.code);
      setPrincipal(request, principal!);
      return true;
    } catch (e) {
      if (e instanceof AuthError && e.getStatus() === 401) {
        // RFC 6750: tell the client which scheme to use; the realm names no credential.
        http.getResponse<HttpResponseLike>().header?.('www-authenticate', 'Bearer realm="portico"');
      }
      throw e;
    }
  }
}
