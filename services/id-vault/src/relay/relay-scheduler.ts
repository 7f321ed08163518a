import { Injectable } from '@nestjs/common';
import { TimerScheduler } from '@portico/timers';
import type { EntityManager } from 'typeorm';

export const RELAY_TIMER_KIND = 'document_relay';

export interface RelayTimerPayload {
  readonly documentId: string;
}

/**
 * An approval queues its relay as a durable timer due at once, in the approval's transaction: the
 * relay (watermark, grant, push) happens after commit, is retried with back-off while the carrier
 * is down, and survives any restart.
 */
@Injectable()
export class RelayScheduler {
  private readonly timers = new TimerScheduler();

  async schedule(m: EntityManager, documentId: string, at: Date): Promise<void> {
    await this.timers.schedule<RelayTimerPayload>(
      m,
      { key: `relay:${documentId}`, kind: RELAY_TIMER_KIND, dueAt: at, payload: { documentId } },
      { onExisting: 'keep' },
    );
  }
}

export const RELAY_PUSH_TIMER_KIND = 'document_relay_push';

export interface RelayPushTimerPayload {
  readonly documentId: string;
  readonly grantId: string;
}

/** The push of a committed grant to its destination, queued by the relay step (see RelayService). */
@Injectable()
export class RelayPushScheduler {
  private readonly timers = new TimerScheduler();

  async schedule(m: EntityManager, p: RelayPushTimerPayload, at: Date): Promise<void> {
    await this.timers.schedule<RelayPushTimerPayload>(
      m,
      { key: `relay-push:${p.grantId}`, kind: RELAY_PUSH_TIMER_KIND, dueAt: at, payload: p },
      { onExisting: 'keep' },
    );
  }
}
