import { z } from 'zod';

/**
 * Where approved documents go, per carrier code, and how they get there. `default` catches carriers
 * without an entry. Configured (VAULT_RELAY_DESTINATIONS), not hard-coded: endpoints, mailboxes and
 * secrets are deployment facts. Each adapter has its own shape, so a destination carries exactly
 * what its adapter needs (a push has no mailbox, an e-mail desk no webhook secret).
 */
export type RelayDestination = PushDestination | EmailDestination | DhlExpressDestination;
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

/**
 * DHL Express's MyDHL API (`PATCH /shipments/{awb}/upload-image`, Paperless Trade images): the
 * adapter uploads the watermarked copy itself, so the destination carries the API credentials and
 * the DHL account the upload is made under. See dhl-express-relay.adapter.ts.
 */
export interface DhlExpressDestination extends DestinationBase {
  readonly adapter: 'dhl-express-mydhl';
  /** `https://express.api.dhl.com/mydhlapi` (production), `.../mydhlapi/test` (DHL's sandbox). */
  readonly baseUrl: string;
  /** MyDHL API key and secret (HTTP Basic). */
  readonly username: string;
  readonly password: string;
  /** The DHL Express account the images are uploaded under (accounts[].typeCode "shipper"). */
  readonly accountNumber: string;
  /** documentImages[].typeCode: DCL (customs declaration) unless the account manager says otherwise. */
  readonly documentTypeCode: 'DCL' | 'INV' | 'PNV' | 'COO' | 'NAF' | 'CIN' | 'AWB';
  /** Largest base64 `content` of one image DHL takes for this account (1 MB unless agreed otherwise). */
  readonly maxImageBase64Bytes: number;
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
  z
    .object({
      adapter: z.literal('dhl-express-mydhl'),
      baseUrl: z.string().url(),
      username: z.string().min(1).max(200),
      password: z.string().min(1).max(200),
      accountNumber: z.string().regex(/^[0-9]{9,12}$/, 'must be a DHL Express account number'),
      documentTypeCode: z.enum(['DCL', 'INV', 'PNV', 'COO', 'NAF', 'CIN', 'AWB']).default('DCL'),
      maxImageBase64Bytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(20 * 1024 * 1024)
        .default(1024 * 1024),
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
          : d.adapter === 'dhl-express-mydhl'
            ? {
                ...base,
                adapter: 'dhl-express-mydhl',
                baseUrl: d.baseUrl.replace(/\/+$/, ''),
                username: d.username,
                password: d.password,
                accountNumber: d.accountNumber,
                documentTypeCode: d.documentTypeCode,
                maxImageBase64Bytes: d.maxImageBase64Bytes,
              }
            : { ...base, adapter: 'signed-https-push', url: d.url, secret: d.secret };
    }
    return out as Readonly<Record<string, RelayDestination>>;
  });

/** An unknown adapter fails the union as a whole; say which values exist (never the one given). */
function safeMessage(issue: { code: string; message: string }): string {
  return issue.code === 'invalid_union'
    ? 'adapter must be signed-https-push, email or dhl-express-mydhl'
    : issue.message;
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
