import { Injectable } from '@nestjs/common';
import { VAULT_DOCUMENT_TOPIC, VaultDocumentEventSchema, type VaultDocumentEvent } from '@portico/contracts';
import { OutboxWriter } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { EventSubject } from './vault-events';

/** The one way vault events are written: through the outbox, in the caller's transaction, keyed by parcel. */
@Injectable()
export class VaultEventWriter {
  constructor(private readonly outbox: OutboxWriter) {}

  async append(m: EntityManager, subject: EventSubject, message: VaultDocumentEvent): Promise<void> {
    await this.outbox.append(m, {
      topic: VAULT_DOCUMENT_TOPIC.name,
      key: subject.parcelId,
      tenantId: subject.tenantId,
      schema: VaultDocumentEventSchema,
      message,
    });
  }
}
