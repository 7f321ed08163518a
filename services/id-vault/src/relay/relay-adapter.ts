import type { RelayDestination } from './relay-destination';

/** What a carrier is told: where and until when it may fetch the watermarked copy. No personal data. */
export interface RelayNotice {
  readonly grantId: string;
  readonly caseId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly documentId: string;
  readonly documentType: string;
  readonly parts: readonly string[];
  /** Contains the grant's secret: sent only to the destination, over HTTPS, signed. */
  readonly downloadUrl: string;
  readonly expiresAt: Date;
  readonly maxUses: number;
  readonly purpose: string;
}

export class RelayDeliveryError extends Error {
  constructor(
    readonly adapter: string,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'RelayDeliveryError';
  }
}

/**
 * One way of handing a grant to a carrier or broker (a generic signed push; carrier-specific APIs
 * later), all behind this interface so adding one touches one file.
 */
export abstract class RelayAdapter {
  abstract readonly name: string;
  /** Resolves when the destination accepted the notice (2xx); throws RelayDeliveryError otherwise. */
  abstract deliver(destination: RelayDestination, notice: RelayNotice): Promise<void>;
}
