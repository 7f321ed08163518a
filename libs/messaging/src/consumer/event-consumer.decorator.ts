import {
  applyDecorators,
  Catch,
  Controller,
  UseFilters,
  type ArgumentsHost,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands the handler's own error to the transport. Nest's default RPC filter replaces any
 * non-RpcException with `{ status: 'error', message: 'Internal server error' }`, which would make
 * every retry and DLQ record say the same thing.
 */
@Catch()
export class PassHandlerErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a class as a Kafka event consumer: a Nest controller whose `@EventPattern(eventType)`
 * methods receive `(event, ctx: EventContext)`, with handler errors passed through unchanged.
 */
export function EventConsumer(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(new PassHandlerErrorFilter()));
}
