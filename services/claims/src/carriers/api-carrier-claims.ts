import type { InquiryOutcome } from '../claims/claim';
import type { Money } from '../parcels/parcel';
import {
  CarrierRejectedError,
  type CarrierCase,
  type CarrierClaimsGateway,
  type CarrierClaimStatus,
  type ClaimStatusAnswer,
  type FilingRequest,
} from './carrier-claims-gateway';

/**
 * A carrier claims API, shaped after EasyPost's Claims API: `POST /v2/claims` with the tracking
 * code, claim type and amount returns a claim object whose `status` moves through submitted,
 * in_review, approved, partially_approved, rejected or cancelled, with `approved_amount` and a
 * history; `GET /v2/claims/:id` reads it; HTTP Basic auth with the API key as user name. Field
 * names follow that API where it has them; the message thread (`messages`) and the inquiry
 * resource (`/v2/inquiries`, a trace request before a claim) are Portico's own shape, because
 * carriers differ most there. Not a claim of wire compatibility with any carrier: a real carrier
 * gets its own adapter behind CarrierClaimsGateway. Status is polled (CARRIER_STATUS_POLL_MS).
 */
export class ApiCarrierClaims implements CarrierClaimsGateway {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async sendInquiry(c: CarrierCase): Promise<{ reference: string | null }> {
    const body = (await this.call('POST', '/v2/inquiries', {
      tracking_code: c.trackingNumber,
      carrier: c.carrierCode,
      reference: c.claimId,
      type: c.kind,
    })) as { id: string };
    return { reference: body.id };
  }

  async inquiryStatus(reference: string): Promise<InquiryOutcome | null> {
    const body = (await this.call('GET', `/v2/inquiries/${encodeURIComponent(reference)}`)) as {
      status: 'open' | 'answered';
      outcome?: InquiryOutcome;
    };
    return body.status === 'answered' && body.outcome ? body.outcome : null;
  }

  async fileClaim(f: FilingRequest): Promise<{ reference: string | null }> {
    const body = (await this.call('POST', '/v2/claims', {
      tracking_code: f.trackingNumber,
      carrier: f.carrierCode,
      type: f.kind,
      amount: decimal(f.claimed),
      currency: f.claimed.currencyCode,
      reference: f.claimId,
      evidence: {
        bundle_id: f.evidenceBundleId,
        manifest_sha256: f.manifestSha256,
        manifest: JSON.parse(f.manifestJson),
      },
    })) as { id: string };
    return { reference: body.id };
  }

  async claimStatus(reference: string): Promise<ClaimStatusAnswer | null> {
    const body = (await this.call('GET', `/v2/claims/${encodeURIComponent(reference)}`)) as {
      status: CarrierClaimStatus;
      currency?: string;
      approved_amount?: string | null;
      messages?: Array<{ id: string; author: string; body: string; created_at: string }>;
    };
    return {
      status: body.status,
      approved: body.approved_amount && body.currency ? minor(body.approved_amount, body.currency) : null,
      messages: (body.messages ?? []).map((msg) => ({
        id: msg.id,
        author: msg.author,
        body: msg.body,
        at: new Date(msg.created_at),
      })),
    };
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status >= 400 && res.status < 500 && res.status !== 429)
      throw new CarrierRejectedError(res.status);
    if (!res.ok) throw new Error(`carrier API answered HTTP ${res.status}`);
    return res.json();
  }
}

/** Minor units as the API's decimal string (2 decimals; JPY/KRW have none). */
function decimal(m: Money): string {
  const digits = ['JPY', 'KRW'].includes(m.currencyCode) ? 0 : 2;
  if (digits === 0) return m.amountMinor.toString();
  const s = m.amountMinor.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

function minor(amount: string, currencyCode: string): Money {
  const digits = ['JPY', 'KRW'].includes(currencyCode) ? 0 : 2;
  const [whole, frac = ''] = amount.split('.');
  return { currencyCode, amountMinor: BigInt(`${whole}${frac.padEnd(digits, '0').slice(0, digits)}`) };
}
