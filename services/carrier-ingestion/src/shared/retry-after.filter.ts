import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { mapError } from '@portico/service-kit';
import type { FastifyReply } from 'fastify';
import { RETRY_AFTER_SECONDS, TemporarilyUnavailableError } from './database-errors';

/**
 * Answers TemporarilyUnavailableError like the global filter does (same envelope), plus the
 * `Retry-After` header that carriers and HTTP clients use to schedule their retry. Bound to this
 * service's controllers; everything else still goes to service-kit's global ApiExceptionFilter.
 */
@Catch(TemporarilyUnavailableError)
export class RetryAfterFilter implements ExceptionFilter {
  private readonly logger = new Logger('database');

  catch(error: TemporarilyUnavailableError, host: ArgumentsHost): void {
    this.logger.warn(
      `database unavailable (${error.reason}): answered 503, retry in ${RETRY_AFTER_SECONDS}s`,
    );
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    const mapped = mapError(error);
    void reply
      .code(mapped.status)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(mapped.body));
  }
}
