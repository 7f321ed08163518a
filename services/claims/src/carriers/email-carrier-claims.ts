import type { Transporter } from 'nodemailer';
import type { InquiryOutcome } from '../claims/claim';
import type {
  CarrierCase,
  CarrierClaimsGateway,
  ClaimStatusAnswer,
  FilingRequest,
} from './carrier-claims-gateway';

/**
 * The e-mail fallback for carriers without a claims API: an inquiry or a claim as a plain-text
 * message (zh + en) to the carrier's claims desk, the evidence manifest attached as JSON. No
 * reference and no status come back: the carrier answers by e-mail, and staff record its answer
 * through the claim actions (inquiry-answer, carrier-status).
 */
export class EmailCarrierClaims implements CarrierClaimsGateway {
  constructor(
    private readonly transport: Transporter,
    private readonly from: string,
    private readonly to: string,
  ) {}

  async sendInquiry(c: CarrierCase): Promise<{ reference: string | null }> {
    await this.transport.sendMail({
      from: this.from,
      to: this.to,
      subject: `[Portico ${c.claimId}] Parcel inquiry / 包裹查询 ${c.carrierCode} ${c.trackingNumber}`,
      text: [
        `Please locate parcel ${c.trackingNumber} (${c.carrierCode}); we have no scan or delivery confirmation we can rely on (${c.kind}).`,
        `请协助查询运单 ${c.trackingNumber}（${c.carrierCode}）的包裹下落（${c.kind === 'loss' ? '疑似丢失' : '疑似损坏'}）。`,
        `Reference / 参考号: ${c.claimId}`,
      ].join('\n\n'),
      headers: { 'X-Portico-Claim': c.claimId },
    });
    return { reference: null };
  }

  inquiryStatus(): Promise<InquiryOutcome | null> {
    return Promise.resolve(null);
  }

  async fileClaim(f: FilingRequest): Promise<{ reference: string | null }> {
    await this.transport.sendMail({
      from: this.from,
      to: this.to,
      subject: `[Portico ${f.claimId}] Claim / 理赔申请 ${f.carrierCode} ${f.trackingNumber}`,
      text: [
        `We file a ${f.kind} claim for parcel ${f.trackingNumber} (${f.carrierCode}): ${f.claimed.currencyCode} ${f.claimed.amountMinor} (minor units).`,
        `现就运单 ${f.trackingNumber}（${f.carrierCode}）提出${f.kind === 'loss' ? '丢失' : '损坏'}理赔：${f.claimed.currencyCode} ${f.claimed.amountMinor}（最小货币单位）。`,
        `Evidence manifest SHA-256 / 证据清单哈希: ${f.manifestSha256}`,
        `Reference / 参考号: ${f.claimId} / ${f.filingId}`,
      ].join('\n\n'),
      headers: { 'X-Portico-Claim': f.claimId },
      attachments: [
        {
          filename: `evidence-${f.evidenceBundleId}.json`,
          content: f.manifestJson,
          contentType: 'application/json',
        },
      ],
    });
    return { reference: null };
  }

  claimStatus(): Promise<ClaimStatusAnswer | null> {
    return Promise.resolve(null);
  }
}
