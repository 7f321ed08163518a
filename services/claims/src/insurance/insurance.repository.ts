import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { InsuranceCoverage, StoredInsurance } from './insurance';

interface InsuranceRow {
  property_id: string | null;
  insured_source: StoredInsurance['source'];
  insurer: string | null;
  insurance_policy_ref: string | null;
  insured_currency: string | null;
  insured_minor: string | null;
  insurance_coverage: StoredInsurance['coverageType'];
  insurance_updated_at: Date | null;
  insurance_updated_by: string | null;
}

export interface ParcelInsuranceRow {
  /** The parcel's property (who may see it), from the projection. */
  readonly propertyId: string | null;
  readonly insurance: StoredInsurance;
}

/** The insurance columns of claims_parcels; every method takes the transaction it is given. */
@Injectable()
export class InsuranceRepository {
  /** The parcel's coverage, or undefined when the tenant has no such parcel. */
  async find(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    opts: { lock?: boolean } = {},
  ): Promise<ParcelInsuranceRow | undefined> {
    const rows = (await m.query(
      `SELECT property_id, insured_source, insurer, insurance_policy_ref, insured_currency, insured_minor, insurance_coverage,
              insurance_updated_at, insurance_updated_by
         FROM claims_parcels WHERE tenant_id = $1 AND parcel_id = $2 ${opts.lock ? 'FOR UPDATE' : ''}`,
      [tenantId, parcelId],
    )) as InsuranceRow[];
    const r = rows[0];
    if (!r) return undefined;
    return {
      propertyId: r.property_id,
      insurance: {
        source: r.insured_source,
        insurer: r.insurer,
        policyReference: r.insurance_policy_ref,
        insuredAmount:
          r.insured_currency && r.insured_minor !== null
            ? { currencyCode: r.insured_currency, amountMinor: BigInt(r.insured_minor) }
            : null,
        coverageType: r.insurance_coverage,
        updatedAt: r.insurance_updated_at,
        updatedBy: r.insurance_updated_by,
      },
    };
  }

  /** Records API coverage (source `api`: the tracking stream never overwrites it afterwards). */
  async record(
    m: EntityManager,
    tenantId: string,
    parcelId: string,
    c: InsuranceCoverage,
    by: string,
    at: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE claims_parcels
          SET insured_source = 'api', insurer = $3, insurance_policy_ref = $4, insured_currency = $5,
              insured_minor = $6, insurance_coverage = $7, insurance_updated_at = $8, insurance_updated_by = $9,
              updated_at = $8
        WHERE tenant_id = $1 AND parcel_id = $2`,
      [
        tenantId,
        parcelId,
        c.insurer,
        c.policyReference,
        c.insuredAmount.currencyCode,
        c.insuredAmount.amountMinor.toString(),
        c.coverageType,
        at,
        by,
      ],
    );
  }
}
