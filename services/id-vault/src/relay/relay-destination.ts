import { z } from 'zod';

/**
 * Where approved documents go, per carrier code, and how they get there. `default` catches carriers
 * without an entry. Configured (VAULT_RELAY_DESTINATIONS), not hard-coded: endpoints, mailboxes and
 * secrets are deployment facts. Each adapter has its own shape, so a destination carries exactly
 * what its adapter needs (a push has no mailbox, an e-mail desk no webhook secret).
 */
export type RelayDestination = PushDestination | EmailDestination;
export type RelayAdapterKind = RelayDestination['adapter'];

interface DestinationBase {
  readonly carrierCode: string;
  readonly recipientKind: 'carrier' | 'customs_broker';
  readonly recipientId: string;
}

/** The carrier's (or its broker's) HTTPS endpoint and the Standard Webhooks secret pushes are signed with. */
export interface PushDestination extends DestinationBase {
  readonly adapter: 'signed-https-push';
  readonly url: string;
  /** `whsec_<base64>`. */
  readonly secret: string;
}

/** A clearance desk's mailbox (a broker or carrier without an API): told by e-mail where to fetch. */
export interface EmailDestination extends DestinationBase {
  readonly adapter: 'email';
  /** A desk's shared address (clearance@broker.example), not a person's; never logged all the same. */
  readonly mailbox: string;
}

const common = {
  recipientKind: z.enum(['carrier', 'customs_broker']).default('carrier'),
  recipientId: z.string().min(1).max(64).optional(),
};

const destinationSchema = z.discriminatedUnion('adapter', [
  z
    .object({
      adapter: z.literal('signed-https-push'),
      url: z.string().url(),
      secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be a whsec_ secret'),
      ...common,
    })
    .strict(),
  z
    .object({
      adapter: z.literal('email'),
      mailbox: z.email('must be an e-mail address').max(254),
      ...common,
    })
    .strict(),
]);

/** The push was the only adapter once: destinations written then name none. */
const withDefaultAdapter = (d: unknown) =>
  d && typeof d === 'object' && !Array.isArray(d) && !('adapter' in d)
    ? { ...d, adapter: 'signed-https-push' }
    : d;

/**
 * `{"sf-express": {"url": "...", "secret": "whsec_..."}, "ems": {"adapter": "email", "mailbox": "..."},
 * "default": {...}}`; messages never echo secrets or mailboxes.
 */
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
    const result = z
      .record(z.string().regex(/^[a-z0-9-]{1,40}$/), z.preprocess(withDefaultAdapter, destinationSchema))
      .safeParse(parsed);
    if (!result.success) {
      const first = result.error.issues[0]!;
      ctx.addIssue({
        code: 'custom',
        message: `invalid destination at ${first.path.join('.') || '(root)'}: ${safeMessage(first)}`,
      });
      return z.NEVER;
    }
    const out: Record<string, RelayDestination> = {};
    for (const [carrierCode, d] of Object.entries(result.data)) {
      const base = { carrierCode, recipientKind: d.recipientKind, recipientId: d.recipientId ?? carrierCode };
      out[carrierCode] =
        d.adapter === 'email'
          ? { ...base, adapter: 'email', mailbox: d.mailbox }
          : { ...base, adapter: 'signed-https-push', url: d.url, secret: d.secret };
    }
    return out as Readonly<Record<string, RelayDestination>>;
  });

/** An unknown adapter fails the union as a whole; say which values exist (never the one given). */
function safeMessage(issue: { code: string; message: string }): string {
  return issue.code === 'invalid_union' ? 'adapter must be signed-https-push or email' : issue.message;
}

export function destinationFor(
  destinations: Readonly<Record<string, RelayDestination>>,
  carrierCode: string,
): RelayDestination | undefined {
  const d = destinations[carrierCode] ?? destinations['default'];
  return d && { ...d, recipientId: destinations[carrierCode] ? d.recipientId : carrierCode };
}

/** The adapters the configured destinations need, so a missing one fails at start, not at a relay. */
export function adapterKindsIn(
  destinations: Readonly<Record<string, RelayDestination>>,
): Set<RelayAdapterKind> {
  return new Set(Object.values(destinations).map((d) => d.adapter));
}
