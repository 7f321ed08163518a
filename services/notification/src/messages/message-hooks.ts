import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MessageRecord } from './message';

/**
 * Runs in the transaction that records a message's final failure (every channel of its plan
 * failed, or a permanent failure no channel can fix). For a steward's or manager's task notice
 * that is the escalation reason UNREACHABLE ("every channel to the assignee failed"); the
 * escalation code registers here in its module's `onModuleInit` and writes its own state and
 * events through `manager`. Database work only: the transaction is open.
 */
export type UnreachableListener = (
  manager: EntityManager,
  message: MessageRecord,
  errorCode: string,
) => Promise<void>;

@Injectable()
export class MessageHooks {
  private readonly unreachableListeners: UnreachableListener[] = [];

  onUnreachable(listener: UnreachableListener): void {
    this.unreachableListeners.push(listener);
  }

  async unreachable(manager: EntityManager, message: MessageRecord, errorCode: string): Promise<void> {
    for (const listener of this.unreachableListeners) await listener(manager, message, errorCode);
  }
}
