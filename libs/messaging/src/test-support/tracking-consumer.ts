// A consumer controller as a service would write one, used by the integration tests: it records a
// side effect through ctx.manager (the transport's transaction) and can be told to fail.
import { Inject, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { carrier } from '@portico/contracts';
import { EventBatchPattern, EventConsumer } from '../consumer/event-consumer.decorator';
import { EventBatchContext, EventContext } from '../consumer/event-context';

export const TRACKING_EVENT_RECORDED = 'portico.carrier.v1.TrackingEventRecorded';

/** What the handler should do, per label (the event's source_event_id). */
@Injectable()
export class HandlerBehaviour {
  /** label -> failures left (Infinity = always) */
  readonly failures = new Map<string, number>();
  /** label -> fail while the delivery has fewer previous failures than this (a dependency down for n retries) */
  readonly failUntil = new Map<string, number>();
  /** Labels seen by the handler, including failed attempts. */
  readonly attempts: string[] = [];
  /** Simulated work per event, so a crash test can kill the process mid-batch. */
  delayMs = 0;

  failTimes(label: string, times: number): void {
    this.failures.set(label, times);
  }

  /**
   * Fails every attempt until the record has been retried `retries` times, however many extra
   * attempts the transport makes in between (a batch that fell back to one by one).
   */
  failUntilRetried(label: string, retries: number): void {
    this.failUntil.set(label, retries);
  }

  fix(label: string): void {
    this.failures.delete(label);
    this.failUntil.delete(label);
  }
}

/** The handler's work for one event: the side effect in the transport's transaction, then the told failure. */
async function handleTracking(
  behaviour: HandlerBehaviour,
  event: carrier.TrackingEventRecorded,
  ctx: EventContext,
): Promise<void> {
  const label = event.sourceEventId;
  behaviour.attempts.push(label);
  await ctx.manager.query(
    `INSERT INTO side_effects (event_id, label, parcel_id, trace_id, previous_failures) VALUES ($1, $2, $3, $4, $5)`,
    [
      ctx.eventId,
      label,
      ctx.parcelId,
      trace.getActiveSpan()?.spanContext().traceId ?? null,
      ctx.previousFailures,
    ],
  );
  if (behaviour.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
  const left = behaviour.failures.get(label) ?? 0;
  if (ctx.previousFailures < (behaviour.failUntil.get(label) ?? 0)) {
    throw new Error(`carrier lookup failed for ${label}`);
  }
  if (left > 0) {
    behaviour.failures.set(label, left - 1);
    // after the insert: proves the transport's transaction rolls the handler's writes back
    throw new Error(`carrier lookup failed for ${label}`);
  }
}

@EventConsumer()
export class TrackingConsumer {
  constructor(@Inject(HandlerBehaviour) private readonly behaviour: HandlerBehaviour) {}

  @EventPattern(TRACKING_EVENT_RECORDED)
  onTrackingEventRecorded(
    @Payload() event: carrier.TrackingEventRecorded,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    return handleTracking(this.behaviour, event, ctx);
  }
}

/** The same handler as a batch handler: each event's work inside its own record's trace. */
@EventConsumer()
export class BatchTrackingConsumer {
  /** Sizes of the batches the handler received. */
  static readonly batchSizes: number[] = [];

  constructor(@Inject(HandlerBehaviour) private readonly behaviour: HandlerBehaviour) {}

  @EventBatchPattern(TRACKING_EVENT_RECORDED)
  async onTrackingEventsRecorded(
    @Payload() events: carrier.TrackingEventRecorded[],
    @Ctx() batch: EventBatchContext,
  ): Promise<void> {
    BatchTrackingConsumer.batchSizes.push(events.length);
    for (const [i, event] of events.entries()) {
      const ctx = batch.contexts[i]!;
      await ctx.inTrace(() => handleTracking(this.behaviour, event, ctx));
    }
  }
}
