import type { Producer } from 'kafkajs';
import type { StringHeaders } from '../headers/record-headers';
import { ACKS_ALL, resetAfterFailure } from '../kafka/kafka-client';

export interface OutgoingRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: StringHeaders;
}

/** Where the consumer sends records it cannot finish now: its retry and dead-letter topics. */
export interface RecordGateway {
  send(topic: string, record: OutgoingRecord): Promise<void>;
}

export class KafkaRecordGateway implements RecordGateway {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, record: OutgoingRecord): Promise<void> {
    try {
      await this.producer.send({
        topic,
        acks: ACKS_ALL,
        messages: [{ key: record.key, value: record.value, headers: { ...record.headers } }],
      });
    } catch (error) {
      // the caller retries the same record; give it a producer with clean sequence numbers
      await resetAfterFailure(this.producer).catch(() => undefined);
      throw error;
    }
  }
}
