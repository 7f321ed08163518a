import type { RelayAdapterKind, RelayDestination } from './relay-destination';

/** What a carrier is told: where and until when it may fetch the watermarked copy. No personal data. */
export interface RelayNotice {
  readonly grantId: string;
  readonly caseId: string;
  readonly carrierCode: string;
  readonly trackingNumber: string;
  readonly documentId: string;
  readonly documentType: string;
  readonly parts: readonly string[];
  /** Contains the grant's secret: sent only to the destination (HTTPS signed, or SMTP over TLS). */
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
 * One way of handing a grant to a carrier or broker (a signed HTTPS push, an e-mail to a clearance
 * desk; carrier-specific APIs later), all behind this interface so adding one touches one file and
 * its destination shape. What travels is always the notice: a link, never the document.
 */
export abstract class RelayAdapter<D extends RelayDestination = RelayDestination> {
  abstract readonly name: string;
  /**
   * Resolves when the destination accepted the notice (a 2xx answer, an SMTP 250); throws
   * RelayDeliveryError otherwise. Accepted is not read: neither HTTP nor SMTP can say that.
   */
  abstract deliver(destination: D, notice: RelayNotice): Promise<void>;
}

/** A destination names an adapter this process was not given (configuration checked at start). */
export class RelayAdapterMissingError extends Error {
  constructor(readonly kind: RelayAdapterKind) {
    super(`no relay adapter ${kind} in this process`);
    this.name = 'RelayAdapterMissingError';
  }
}

type AdapterFor<K extends RelayAdapterKind> = RelayAdapter<Extract<RelayDestination, { adapter: K }>>;

/** The adapters of this process by the destination kind they serve; RelayService picks per destination. */
export class RelayAdapters {
  constructor(private readonly byKind: { readonly [K in RelayAdapterKind]?: AdapterFor<K> }) {}

  has(kind: RelayAdapterKind): boolean {
    return this.byKind[kind] !== undefined;
  }

  for(destination: RelayDestination): RelayAdapter {
    const adapter = this.byKind[destination.adapter];
    if (!adapter) throw new RelayAdapterMissingError(destination.adapter);
    // The map's type ties each kind to an adapter of that destination shape.
    return adapter as RelayAdapter;
  }
}
