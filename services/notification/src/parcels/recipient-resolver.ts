import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { common, matchesRecipientDigest } from '@portico/contracts';
import type { EntityManager } from 'typeorm';
import type { NotificationConfig } from '../config';
import { normaliseAddressLine } from '../directory/address';
import { DirectoryRepository } from '../directory/directory.repository';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import type { ParcelProjection } from './parcel-projection';
import { resolveRecipient, type DigestMatcher, type Resolution } from './recipient-resolution';

/** Gathers what resolution needs from the directory and runs the pure rules on it. */
@Injectable()
export class RecipientResolver {
  private readonly matches: DigestMatcher;

  constructor(
    private readonly directory: DirectoryRepository,
    @Inject(NOTIFICATION_CONFIG) config: Pick<NotificationConfig, 'recipientDigestKeys'>,
  ) {
    const keys = config.recipientDigestKeys;
    this.matches = (digest, field, value) =>
      matchesRecipientDigest(create(common.KeyedDigestSchema, digest), field, value, keys);
  }

  async resolve(m: EntityManager, parcel: ParcelProjection): Promise<Resolution> {
    const [resolution] = await this.resolveMany(m, [parcel]);
    return resolution!;
  }

  /**
   * The parcels' resolutions: the directory is read with one statement per tenant for all of them
   * (pre-registrations, properties at their addresses, those properties' residents:
   * DirectoryRepository.resolutionInputs); the rules run per parcel on what concerns it.
   * @returns the resolution of each parcel, in order.
   */
  async resolveMany(m: EntityManager, parcels: readonly ParcelProjection[]): Promise<Resolution[]> {
    const results: Array<Resolution | undefined> = parcels.map((p) =>
      p.resolution ? { kind: 'resolved', ...p.resolution, addressRule: null } : undefined,
    );
    const byTenant = new Map<string, number[]>();
    parcels.forEach((p, i) => {
      if (results[i]) return;
      byTenant.set(p.tenantId, [...(byTenant.get(p.tenantId) ?? []), i]);
    });
    for (const [tenantId, indexes] of byTenant) {
      const group = indexes.map((i) => parcels[i]!);
      const addressOf = (p: ParcelProjection) =>
        p.hint?.addressLine ? normaliseAddressLine(p.hint.addressLine) : '';
      const { preRegistered, properties, residents } = await this.directory.resolutionInputs(
        m,
        tenantId,
        group.map((p) => p.parcelId),
        group.map(addressOf).filter((a) => a !== ''),
      );
      for (const [k, parcel] of group.entries()) {
        const addressLine = addressOf(parcel);
        const propertiesAtAddress = addressLine
          ? properties.filter((p) => p.addressLineNorm === addressLine)
          : [];
        const ids = new Set(propertiesAtAddress.map((p) => p.id));
        results[indexes[k]!] = resolveRecipient(
          {
            hint: parcel.hint,
            preRegistered: preRegistered.get(parcel.parcelId) ?? [],
            propertiesAtAddress,
            residents: residents.filter((r) => ids.has(r.propertyId)),
          },
          this.matches,
        );
      }
    }
    return results.map((r) => r!);
  }
}
