import { z } from 'zod';

/**
 * Where approved documents go, per carrier code: the carrier's (or its customs broker's) HTTPS
 * endpoint and the Standard Webhooks secret we sign pushes with. `default` catches carriers without
 * an entry. Configured (VAULT_RELAY_DESTINATIONS), not hard-coded: endpoints and secrets are
 * deployment facts.
 */
export interface RelayDestination {
  readonly carrierCode: string;
  readonly recipientKind: 'carrier' | 'customs_broker';
  readonly recipientId: string;
  readonly url: string;
  /** `whsec_<base64>`. */
  readonly secret: string;
  readonly adapter: string;
}

const destinationSchema = z
  .object({
    url: z.string().url(),
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be a whsec_ secret'),
    recipientKind: z.enum(['carrier', 'customs_broker']).default('carrier'),
    recipientId: z.string().min(1).max(64).optional(),
    adapter: z.enum(['signed-https-push']).default('signed-https-push'),
  })
  .strict();

/** `{"sf-express": {"url": "...", "secret": "whsec_..."}, "default": {...}}`; messages never echo secrets. */
export const relayDestinationsSchema = z
  .string()
  .default('{}')
  .transform((raw, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of carrier code -> destination' });
      return z.NEVER;
    }
    const result = z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), destinationSchema).safeParse(parsed);
    if (!result.success) {
      const first = result.error.issues[0]!;
      ctx.addIssue({
        code: 'custom',
        message: `invalid destination at ${first.path.join('.') || '(root)'}: ${first.message}`,
      });
      return z.NEVER;
    }
    const out: Record<string, RelayDestination> = {};
    for (const [carrierCode, d] of Object.entries(result.data)) {
      out[carrierCode] = {
        carrierCode,
        recipientKind: d.recipientKind,
        recipientId: d.recipientId ?? carrierCode,
        url: d.url,
        secret: d.secret,
        adapter: d.adapter,
      };
    }
    return out as Readonly<Record<string, RelayDestination>>;
  });

export function destinationFor(
  destinations: Readonly<Record<string, RelayDestination>>,
  carrierCode: string,
): RelayDestination | undefined {
  const d = destinations[carrierCode] ?? destinations['default'];
  return d && { ...d, recipientId: destinations[carrierCode] ? d.recipientId : carrierCode };
}
