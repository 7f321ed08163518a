import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DocumentTypeName } from '../cases/case';
import { PolicyRepository } from '../cases/policy.repository';
import {
  FALLBACK_POLICY,
  selectPolicy,
  type RequirementPolicy,
  type ShipmentFacts,
} from '../cases/requirement-policy';
import { CLOCK, type Clock } from '../shared/tokens';
import type { CnyReferenceRates } from './hold-features';

/** The CNY reference rates a policy converts declared values with; none when its threshold is not in CNY. */
export function cnyRatesOf(policy: RequirementPolicy): CnyReferenceRates {
  const highValue = policy.expedite.highValue;
  return highValue?.minimum.currencyCode === 'CNY' ? highValue.referenceRates : {};
}

/** What a document hold of the parcel would require under its policy (HoldPredicted.likely_documents). */
export function likelyDocumentsOf(policy: RequirementPolicy): readonly DocumentTypeName[] {
  return [...new Set(policy.requirements.id_documents_required ?? [])];
}

const TTL_MS = 60_000;
const MAX_TENANTS = 10_000;

/**
 * The requirement policy of a parcel, as cases would select it, for its value band's reference rates
 * and the documents a hold would need. Needed on every parcel's first sight, which under load is
 * nearly every hold: a tenant's active policies are cached for a minute instead of read each time.
 * Policies change by hand and rarely; a band computed with a rate a minute old is still the band.
 */
@Injectable()
export class PredictionPolicies {
  private readonly cache = new Map<
    string,
    { readonly loadedAt: number; readonly policies: RequirementPolicy[] }
  >();

  constructor(
    private readonly policies: PolicyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async policyFor(m: EntityManager, tenantId: string, shipment: ShipmentFacts): Promise<RequirementPolicy> {
    const now = this.clock().getTime();
    let entry = this.cache.get(tenantId);
    if (!entry || now - entry.loadedAt > TTL_MS) {
      entry = { loadedAt: now, policies: await this.policies.activePolicies(m, tenantId) };
      this.cache.delete(tenantId);
      // Map keeps insertion order: the first key is the least recently loaded tenant.
      if (this.cache.size >= MAX_TENANTS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(tenantId, entry);
    }
    return selectPolicy(entry.policies, { tenantId, ...shipment }) ?? FALLBACK_POLICY;
  }
}
