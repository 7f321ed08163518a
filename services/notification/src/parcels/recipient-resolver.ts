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
    if (parcel.resolution) return { kind: 'resolved', ...parcel.resolution };
    const preRegistered = await this.directory.residentsWithPreRegistration(
      m,
      parcel.tenantId,
      parcel.parcelId,
    );
    const addressLine = parcel.hint?.addressLine ? normaliseAddressLine(parcel.hint.addressLine) : '';
    const propertiesAtAddress = addressLine
      ? await this.directory.propertiesAtAddress(m, parcel.tenantId, addressLine)
      : [];
    const residents = await this.directory.residentsOfProperties(
      m,
      propertiesAtAddress.map((p) => p.id),
    );
    return resolveRecipient(
      { hint: parcel.hint, preRegistered, propertiesAtAddress, residents },
      this.matches,
    );
  }
}
