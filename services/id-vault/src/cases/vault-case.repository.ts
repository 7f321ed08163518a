import { Injectable } from '@nestjs/common';
import { returnedRows } from '@portico/messaging';
import type { EntityManager } from 'typeorm';
import type { DocumentTypeName } from '../shared/document-types';
import type { CaseClosure, VaultCase } from './vault-case';

export interface CaseRow {
  case_id: string;
  tenant_id: string;
  property_id: string | null;
  parcel_id: string;
  carrier_code: string;
  tracking_number: string;
  required_documents: DocumentTypeName[];
  deadline: Date | null;
  recipient_name_digest: string | null;
  state: 'open' | 'closed';
  closed_at: Date | null;
}

export function toCase(r: CaseRow): VaultCase {
  return {
    caseId: r.case_id,
    tenantId: r.tenant_id,
    propertyId: r.property_id,
    parcelId: r.parcel_id,
    carrierCode: r.carrier_code,
    trackingNumber: r.tracking_number,
    requiredDocuments: r.required_documents,
    deadline: r.deadline,
    recipientNameDigest: r.recipient_name_digest,
    state: r.state,
    closedAt: r.closed_at,
  };
}

export type OpenedCase = Omit<VaultCase, 'state' | 'closedAt'>;

@Injectable()
export class VaultCaseRepository {
  /**
   * First sight of a case; a redelivered CaseOpened refreshes it, a closed case stays closed. A
   * property already resolved for the parcel (RecipientResolved came first) fills an empty one.
   */
  async upsertOpened(m: EntityManager, c: OpenedCase): Promise<void> {
    await m.query(
      `INSERT INTO vault_cases (case_id, tenant_id, property_id, parcel_id, carrier_code, tracking_number,
                                required_documents, deadline, recipient_name_digest)
       VALUES ($1, $2, COALESCE($3, (SELECT property_id FROM vault_parcel_properties
                                     WHERE tenant_id = $2 AND parcel_id = $4)),
               $4, $5, $6, $7, $8, $9)
       ON CONFLICT (case_id) DO UPDATE SET
         property_id = COALESCE(EXCLUDED.property_id, vault_cases.property_id),
         required_documents = EXCLUDED.required_documents,
         deadline = EXCLUDED.deadline,
         recipient_name_digest = COALESCE(EXCLUDED.recipient_name_digest, vault_cases.recipient_name_digest),
         updated_at = now()`,
      [
        c.caseId,
        c.tenantId,
        c.propertyId,
        c.parcelId,
        c.carrierCode,
        c.trackingNumber,
        c.requiredDocuments,
        c.deadline,
        c.recipientNameDigest,
      ],
    );
  }

  /** Later case events refine what the vault knows (property resolved, documents asked again). */
  async refine(
    m: EntityManager,
    caseId: string,
    change: {
      propertyId?: string | null;
      requiredDocuments?: readonly DocumentTypeName[];
      deadline?: Date | null;
    },
  ): Promise<void> {
    await m.query(
      `UPDATE vault_cases SET
         property_id = COALESCE($2, property_id),
         required_documents = COALESCE($3, required_documents),
         deadline = COALESCE($4, deadline),
         updated_at = now()
       WHERE case_id = $1`,
      [caseId, change.propertyId ?? null, change.requiredDocuments ?? null, change.deadline ?? null],
    );
  }

  /** @returns the case when this call closed it, undefined when unknown or already closed. */
  async close(
    m: EntityManager,
    caseId: string,
    because: CaseClosure,
    at: Date,
  ): Promise<VaultCase | undefined> {
    const rows = returnedRows<CaseRow>(
      await m.query(
        `UPDATE vault_cases SET state = 'closed', closed_at = $3, closed_because = $2, updated_at = now()
         WHERE case_id = $1 AND state = 'open' RETURNING *`,
        [caseId, because, at],
      ),
    );
    return rows[0] && toCase(rows[0]);
  }

  /**
   * notification matched the parcel to a property: remembered for the parcel, and set on its open
   * cases that had none. @returns how many cases it completed.
   */
  async resolveProperty(
    m: EntityManager,
    r: { tenantId: string; parcelId: string; propertyId: string; at: Date },
  ): Promise<number> {
    await m.query(
      `INSERT INTO vault_parcel_properties (tenant_id, parcel_id, property_id, resolved_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, parcel_id) DO UPDATE
         SET property_id = EXCLUDED.property_id, resolved_at = EXCLUDED.resolved_at
         WHERE vault_parcel_properties.resolved_at <= EXCLUDED.resolved_at`,
      [r.tenantId, r.parcelId, r.propertyId, r.at],
    );
    const rows = returnedRows<{ case_id: string }>(
      await m.query(
        `UPDATE vault_cases SET property_id = $3, updated_at = now()
         WHERE tenant_id = $1 AND parcel_id = $2 AND state = 'open' AND property_id IS NULL
         RETURNING case_id`,
        [r.tenantId, r.parcelId, r.propertyId],
      ),
    );
    return rows.length;
  }

  async find(
    m: EntityManager,
    caseId: string,
    opts: { lock?: boolean } = {},
  ): Promise<VaultCase | undefined> {
    const rows = (await m.query(
      `SELECT * FROM vault_cases WHERE case_id = $1${opts.lock ? ' FOR UPDATE' : ''}`,
      [caseId],
    )) as CaseRow[];
    return rows[0] && toCase(rows[0]);
  }
}
