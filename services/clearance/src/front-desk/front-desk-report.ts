import { normaliseCarrierCode, normaliseTrackingNumber, parcelRef } from '@portico/contracts';
import { BadRequestError } from '@portico/service-kit';
import { z } from 'zod';
import { HOLD_REASONS } from '../cases/case';
import type { HoldNotice } from '../cases/case-lifecycle.service';

const COUNTRY = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
  .transform((v) => v.toUpperCase());

/**
 * `POST /v1/front-desk-reports`: the notice a courier hands the front desk ("customs needs the
 * recipient's ID"), typed in by the steward when the carrier's own event has not reached Portico.
 * Only facts about the parcel, never about the person.
 */
export const frontDeskReportBody = z
  .object({
    carrierCode: z.string().min(1).max(64),
    trackingNumber: z.string().min(4).max(64),
    holdReason: z.enum(HOLD_REASONS),
    /** The deadline on the notice, when it has one (ISO 8601 with offset). */
    customsDeadline: z.iso.datetime({ offset: true }).optional(),
    /** When the courier reported it; defaults to now, never in the future. */
    noticedAt: z.iso.datetime({ offset: true }).optional(),
    destinationCountryCode: COUNTRY.default('CN'),
    originCountryCode: COUNTRY.optional(),
    declaredValue: z
      .object({
        currencyCode: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
        amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      })
      .strict()
      .optional(),
    perishable: z.boolean().default(false),
    /** Operators report for a tenant; everyone else reports for their own. */
    tenantId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type FrontDeskReportBody = z.infer<typeof frontDeskReportBody>;

export class ReportInFutureError extends BadRequestError {
  constructor() {
    super('report_in_future', {
      en: 'The time the notice was received cannot be in the future.',
      zh: '通知接收时间不能晚于当前时间。',
    });
  }
}

export class InvalidParcelError extends BadRequestError {
  constructor() {
    super('invalid_parcel_reference', {
      en: 'The carrier code or tracking number cannot identify a parcel.',
      zh: '承运商代码或运单号无法识别包裹。',
    });
  }
}

/**
 * The report as a hold notice for the lifecycle (pure). `reportId` becomes the case's trigger and
 * the cause in its history, so the case says where it came from.
 */
export function holdNoticeOf(
  body: FrontDeskReportBody,
  tenantId: string,
  reportId: string,
  now: Date,
): HoldNotice {
  let parcel;
  try {
    parcel = parcelRef(normaliseCarrierCode(body.carrierCode), normaliseTrackingNumber(body.trackingNumber));
  } catch {
    throw new InvalidParcelError();
  }
  const noticedAt = body.noticedAt ? new Date(body.noticedAt) : now;
  // a minute of clock skew between the steward's device and the server is not an error
  if (noticedAt.getTime() > now.getTime() + 60_000) throw new ReportInFutureError();
  return {
    causeId: reportId,
    origin: 'front_desk_report',
    tenantId,
    parcel: {
      parcelId: parcel.parcelId,
      carrierCode: parcel.carrierCode,
      trackingNumber: parcel.trackingNumber,
    },
    reason: body.holdReason,
    ...(body.customsDeadline ? { carrierDeadline: new Date(body.customsDeadline) } : {}),
    occurredAt: noticedAt,
    late: false,
    shipment: {
      carrierCode: parcel.carrierCode,
      destinationCountryCode: body.destinationCountryCode,
      ...(body.originCountryCode ? { originCountryCode: body.originCountryCode } : {}),
      ...(body.declaredValue
        ? {
            declaredValue: {
              currencyCode: body.declaredValue.currencyCode,
              amountMinor: BigInt(body.declaredValue.amountMinor),
            },
          }
        : {}),
      perishable: body.perishable,
    },
    // the waybill name is not on a courier's notice, and a steward must not type it in here
    recipientNameDigest: null,
  };
}
