import { carrier } from '@portico/contracts';
import { AfterShipAdapter } from './aftership/aftership.adapter';
import { EasyPostAdapter } from './easypost/easypost.adapter';
import { PorticoNativeAdapter } from './portico-native/portico-native.adapter';
import { SeventeenTrackAdapter } from './seventeen-track/seventeen-track.adapter';
import { SfExpressAdapter } from './sf-express/sf-express.adapter';
import type { WebhookAdapter } from './webhook-adapter';

/**
 * The providers carrier accounts can be created for: exactly those with an adapter. Adding one
 * means one adapter folder, one entry here, one in PROVIDER_ENUM and one in the default registry;
 * the tables and the intake pipeline stay as they are.
 */
export const WEBHOOK_PROVIDERS = [
  'portico-native',
  'aftership',
  'easypost',
  '17track',
  'sf-express',
] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/** The published TrackingProvider of each provider (what consumers see as `provider`). */
export const PROVIDER_ENUM: Readonly<Record<WebhookProvider, carrier.TrackingProvider>> = {
  'portico-native': carrier.TrackingProvider.PORTICO_NATIVE,
  aftership: carrier.TrackingProvider.AFTERSHIP,
  easypost: carrier.TrackingProvider.EASYPOST,
  '17track': carrier.TrackingProvider.SEVENTEENTRACK,
  'sf-express': carrier.TrackingProvider.SF_EXPRESS,
};

export function isWebhookProvider(value: string): value is WebhookProvider {
  return (WEBHOOK_PROVIDERS as readonly string[]).includes(value);
}

/** Looks adapters up by an account's provider. Adapters are stateless, so one instance each suffices. */
export class WebhookAdapterRegistry {
  private readonly adapters: ReadonlyMap<string, WebhookAdapter>;

  constructor(
    adapters: readonly WebhookAdapter[] = [
      new PorticoNativeAdapter(),
      new AfterShipAdapter(),
      new EasyPostAdapter(),
      new SeventeenTrackAdapter(),
      new SfExpressAdapter(),
    ],
  ) {
    this.adapters = new Map(adapters.map((a) => [a.provider, a]));
  }

  /** The adapter of a provider, or undefined when this build has none (an account from a newer version). */
  find(provider: string): WebhookAdapter | undefined {
    return this.adapters.get(provider);
  }
}
