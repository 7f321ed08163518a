import {
  applyDecorators,
  Catch,
  Controller,
  UseFilters,
  type ArgumentsHost,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
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

/** Nest pattern under which batch handlers of an event type are registered. */
export function batchPatternOf(eventType: string): string {
  return `batch:${eventType}`;
}

/**
 * Like `@EventPattern(eventType)`, but the method receives every new event of a run at once:
 * `(@Payload() events: T[], @Ctx() batch: EventBatchContext)`. A run is the consecutive records of
 * that type in a chunk of one partition (up to streamBatchSize), all in one transaction; a record
 * handled on its own (retries, fallbacks) comes as a batch of one. Duplicates are already dropped
 * (inbox). Throwing fails the whole run: its records are then retried one by one, so a poison record
 * costs the others one more attempt, never a second effect. Per-record work that writes outbox
 * rows or calls out should run inside `batch.contexts[i].inTrace(...)` to stay in that record's trace.
 */
export function EventBatchPattern(eventType: string): MethodDecorator {
  return EventPattern(batchPatternOf(eventType));
}
