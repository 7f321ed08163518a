import { z } from 'zod';

/** How Portico reaches one carrier's claims desk. */
export const carrierChannelSchema = z.discriminatedUnion('channel', [
  z
    .object({
      channel: z.literal('api'),
      baseUrl: z.string().url(),
      apiKey: z.string().min(8),
    })
    .strict(),
  z
    .object({
      channel: z.literal('email'),
      to: z.string().email(),
    })
    .strict(),
]);
export type CarrierChannelConfig = z.infer<typeof carrierChannelSchema>;

/** Carrier code (lowercase slug) or `default` -> channel. */
export const carrierChannelsSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  carrierChannelSchema,
);
export type CarrierChannels = z.infer<typeof carrierChannelsSchema>;

/** The channel of a carrier: its own entry, else `default`, else none. */
export function channelFor(channels: CarrierChannels, carrierCode: string): CarrierChannelConfig | undefined {
  return channels[carrierCode] ?? channels['default'];
}
