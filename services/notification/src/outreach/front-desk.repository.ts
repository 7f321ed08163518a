import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type FrontDeskReason =
  | 'tenant_without_directory'
  /** No tracking event ever told notification about the parcel (e.g. a case from a front-desk report). */
  | 'parcel_unknown'
  | 'no_address'
  | 'no_property'
  | 'ambiguous_property'
  | 'no_resident'
  | 'ambiguous_resident';

export interface FrontDeskEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly propertyId: string | null;
  readonly parcelId: string;
  readonly caseId: string | null;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  /** The unit as the carrier wrote it (address data, not a person's). */
  readonly hintUnit: string;
  readonly reason: FrontDeskReason;
  /** The documents request waiting for the link (front-desk/ resumes it after a person links the parcel). */
  readonly request?: {
    readonly round: number;
    readonly deadline: Date | null;
    readonly expedited: boolean;
    readonly documents: readonly number[];
  };
}

/** The queue of parcels nobody could be matched to, for the front desk to link by hand. */
@Injectable()
export class FrontDeskRepository {
  /**
   * Queues the parcel unless it is already waiting, or the front desk dismissed it for this very
   * request (same case and round: a redelivery must not undo the dismissal; a new round is a new
   * question and is queued again). True when queued now.
   */
  async enqueue(m: EntityManager, e: FrontDeskEntry): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO front_desk_queue (id, tenant_id, property_id, parcel_id, case_id, carrier_code,
                                     tracking_number, hint_unit, reason, request_round, request_deadline,
                                     request_expedited, request_documents)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::integer, $11::timestamptz, $12::boolean, $13::integer[]
        WHERE NOT EXISTS (
          SELECT 1 FROM front_desk_queue d
           WHERE d.tenant_id = $2 AND d.parcel_id = $4 AND d.state = 'dismissed'
             AND d.case_id IS NOT DISTINCT FROM $5::text AND d.request_round IS NOT DISTINCT FROM $10::integer)
       ON CONFLICT (tenant_id, parcel_id) WHERE state = 'open' DO NOTHING
       RETURNING id`,
      [
        e.id,
        e.tenantId,
        e.propertyId,
        e.parcelId,
        e.caseId,
        e.carrierCode,
        e.trackingNumber,
        e.hintUnit,
        e.reason,
        e.request?.round ?? null,
        e.request?.deadline ?? null,
        e.request?.expedited ?? false,
        [...(e.request?.documents ?? [])],
      ],
    );
    return rows.length > 0;
  }
}
