import type { EntityManager } from 'typeorm';
import type { ConsumerRepository, ConsumerUnitOfWork } from '../consumer/consumer.repository';
import type { ParkingState } from '../consumer/parking-decision';
import type { OutgoingRecord, RecordGateway } from '../consumer/record-gateway';

/** ConsumerRepository fake with transaction semantics: a failed unit of work leaves no trace. */
export class InMemoryConsumerRepository implements ConsumerRepository {
  parking = new Map<string, ParkingState>();
  inbox = new Set<string>();
  /** Side effects handlers record through the fake manager, committed with the transaction. */
  effects: string[] = [];
  transactions = 0;
  /** lockAndClaimChunk calls (one per chunk, whatever its size). */
  inboxStatements = 0;

  async inTransaction<T>(work: (uow: ConsumerUnitOfWork) => Promise<T>): Promise<T> {
    const parking = new Map(this.parking);
    const inbox = new Set(this.inbox);
    const effects = [...this.effects];
    const manager = { effects } as unknown as EntityManager;
    const uow: ConsumerUnitOfWork = {
      manager,
      lockParking: async (topic, key) => parking.get(`${topic}|${key}`) ?? null,
      lockAndClaimChunk: async (topic, keys, eventIds) => {
        const parked = new Map(keys.map((key) => [key, parking.get(`${topic}|${key}`) ?? null]));
        const claimed = new Set<string>();
        for (const id of eventIds.map((e) => e.toLowerCase())) {
          if (inbox.has(id)) continue;
          inbox.add(id);
          claimed.add(id);
        }
        this.inboxStatements += 1;
        return { parked, claimed };
      },
      saveParking: async (topic, key, state) => {
        if (state) parking.set(`${topic}|${key}`, state);
        else parking.delete(`${topic}|${key}`);
      },
      claimInbox: async (eventId) => {
        const id = eventId.toLowerCase();
        if (inbox.has(id)) return false;
        inbox.add(id);
        return true;
      },
    };
    const result = await work(uow);
    this.parking = parking;
    this.inbox = inbox;
    this.effects = effects;
    this.transactions += 1;
    return result;
  }

  async peekParking(topic: string, key: string): Promise<ParkingState | null> {
    return this.parking.get(`${topic}|${key}`) ?? null;
  }
}

/** Handlers in unit tests write through this instead of SQL. */
export function recordEffect(manager: EntityManager, effect: string): void {
  (manager as unknown as { effects: string[] }).effects.push(effect);
}

export class RecordingGateway implements RecordGateway {
  readonly sent: Array<{ topic: string; record: OutgoingRecord }> = [];
  failNext = false;

  async send(topic: string, record: OutgoingRecord): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker unavailable');
    }
    this.sent.push({ topic, record });
  }

  takeAll(): Array<{ topic: string; record: OutgoingRecord }> {
    return this.sent.splice(0, this.sent.length);
  }
}
