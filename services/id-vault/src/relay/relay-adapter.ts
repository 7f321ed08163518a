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
  /**
   * Contains the grant's secret: sent only to the destination (HTTPS signed, or SMTP over TLS).
   * Absent for an adapter that `carriesCopy`: it hands over the copy and has no use for a link.
   */
  readonly downloadUrl?: string;
  readonly expiresAt: Date;
  readonly maxUses: number;
  readonly purpose: string;
  /**
   * The watermarked copies themselves, only for an adapter that `carriesCopy` (a carrier API that
   * takes the images, not a link). Never logged, never in a span or an error.
   */
  readonly copies?: readonly RelayCopy[];
}

/** One watermarked side (`front`, `back`, `page-1`), JPEG. */
export interface RelayCopy {
  readonly part: string;
  readonly bytes: Buffer;
}

/**
 * The destination did not accept the notice. `retryable` (the default: network, timeouts, 5xx,
 * throttling) lets the push timer try again with back-off; a final refusal (the destination says
 * the request itself is wrong) ends the relay instead of repeating it for days. The message holds
 * the adapter, a status and a closed-set reason only: never the destination's reply text.
 */
export class RelayDeliveryError extends Error {
  constructor(
    readonly adapter: string,
    readonly status: number | null,
    message: string,
    readonly retryable = true,
    /** A closed-set reason (`server_error`, `unprocessable`, ...) for the audit entry and the log. */
    readonly reason?: string,
    /**
     * The destination's own minimum wait before the same request may come again (DHL: 10 minutes
     * between uploads to a shipment); the push is then rescheduled that far out instead of
     * following the timer's generic back-off, which starts at a second.
     */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RelayDeliveryError';
  }
}

/**
 * One way of handing a grant to a carrier or broker (a signed HTTPS push, an e-mail to a clearance
 * desk, a carrier's own API), all behind this interface so adding one touches one file and
 * its destination shape. What travels is the notice: a link, except for a carrier API that only
 * takes the images (`carriesCopy`), which gets the watermarked copy and no link.
 */
export abstract class RelayAdapter<D extends RelayDestination = RelayDestination> {
  abstract readonly name: string;
  /**
   * True when the adapter hands over the watermarked copy itself (RelayService then opens the relay
   * copies, passes them in `notice.copies` and counts the push as the grant's one use), false when
   * it tells the destination where to fetch it through the grant link.
   */
  readonly carriesCopy: boolean = false;
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
