// In-memory stand-ins for the message specs (not loaded by the application): the directory as
// ContactBook reads it, and an upload-link issuer that is configured but never asked.
import type { EntityManager } from 'typeorm';
import {
  ContactBook,
  type PropertyOutreachPolicy,
  type ResidentContact,
  type StaffContact,
} from '../contact-book';
import { UploadLinkIssuer, type UploadLinkResult } from '../upload-links';

export class FakeContactBook extends ContactBook {
  readonly residents = new Map<string, ResidentContact>();
  readonly staffMembers = new Map<string, StaffContact>();
  readonly properties = new Map<string, PropertyOutreachPolicy>();
  async resident(_m: EntityManager, id: string) {
    return this.residents.get(id) ?? null;
  }
  async staff(_m: EntityManager, id: string) {
    return this.staffMembers.get(id) ?? null;
  }
  async property(_m: EntityManager, id: string) {
    return this.properties.get(id) ?? null;
  }
  async pushSubscriptions() {
    return [];
  }
}

/** id-vault is configured (resident messages are planned), but the spec never sends. */
export class UnusedUploadLinks extends UploadLinkIssuer {
  async issue(): Promise<UploadLinkResult> {
    return { ok: false, code: 'UNUSED', retryable: false, scope: 'message' };
  }
}
