import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@portico/observability';

/** Nest's start-up chatter (one line per module and route): useful when debugging, noise otherwise. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/**
 * Nest's own logs as JSON through the service's pino logger, from the first line on: without it Nest
 * buffers start-up logs and, when start-up fails, prints them in colour to stdout.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private split(params: unknown[]): { context?: string; rest: unknown[] } {
    const last = params[params.length - 1];
    return typeof last === 'string' && params.length > 0
      ? { context: last, rest: params.slice(0, -1) }
      : { rest: params };
  }

  log(message: unknown, ...params: unknown[]) {
    const { context } = this.split(params);
    const level = context && CHATTY_CONTEXTS.has(context) ? 'debug' : 'info';
    this.logger[level]({ context }, String(message));
  }

  error(message: unknown, ...params: unknown[]) {
    const { context, rest } = this.split(params);
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.logger.error({ context, err: message }, message.message);
    else this.logger.error({ context, ...(stack ? { stack } : {}) }, String(message));
  }

  warn(message: unknown, ...params: unknown[]) {
    this.logger.warn({ context: this.split(params).context }, String(message));
  }

  debug(message: unknown, ...params: unknown[]) {
    this.logger.debug({ context: this.split(params).context }, String(message));
  }

  verbose(message: unknown, ...params: unknown[]) {
    this.logger.trace({ context: this.split(params).context }, String(message));
  }

  fatal(message: unknown, ...params: unknown[]) {
    this.logger.fatal({ context: this.split(params).context }, String(message));
  }
}
