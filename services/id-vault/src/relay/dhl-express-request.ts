import type { RelayCopy, RelayNotice } from './relay-adapter';
import type { DhlExpressDestination } from './relay-destination';

/**
 * The MyDHL API "upload-image" call (Paperless Trade images of an existing shipment), as DHL
 * documents it: `PATCH {base}/shipments/{shipmentTrackingNumber}/upload-image`, HTTP Basic with the
 * API key and secret, JSON body
 * `{originalPlannedShippingDate, accounts: [{typeCode: "shipper", number}], documentImages:
 * [{typeCode, imageFormat, content (base64)}]}`, `Message-Reference` (28-36 characters) and
 * `Message-Reference-Date` (RFC 7231 date) headers; 200 with an empty body when accepted, an error
 * object `{instance, detail, title, message, status}` otherwise.
 * https://developer.dhl.com/api-reference/dhl-express-mydhl-api
 */
export interface DhlUploadRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function dhlUploadRequest(
  destination: DhlExpressDestination,
  notice: RelayNotice,
  images: readonly RelayCopy[],
  sentAt: Date,
): DhlUploadRequest {
  const body = JSON.stringify({
    // Portico's case projection has no planned shipping date (the carrier's webhooks do not carry it
    // to the vault): the relay day in UTC stands in for it. See the README, "Not done yet".
    originalPlannedShippingDate: sentAt.toISOString().slice(0, 10),
    accounts: [{ typeCode: 'shipper', number: destination.accountNumber }],
    documentImages: images.map((i) => ({
      typeCode: destination.documentTypeCode,
      imageFormat: 'JPEG',
      content: i.bytes.toString('base64'),
    })),
  });
  const credentials = Buffer.from(`${destination.username}:${destination.password}`, 'utf8').toString(
    'base64',
  );
  return {
    url: `${destination.baseUrl}/shipments/${encodeURIComponent(notice.trackingNumber)}/upload-image`,
    headers: {
      authorization: `Basic ${credentials}`,
      'content-type': 'application/json',
      accept: 'application/json',
      // The grant id (`grt_` + 32 hex, 36 characters): a retried upload carries the same reference,
      // so DHL's support and logs see one upload attempted again, not several uploads.
      'message-reference': messageReference(notice.grantId),
      'message-reference-date': sentAt.toUTCString(),
    },
    body,
  };
}

export function messageReference(grantId: string): string {
  if (grantId.length < 28 || grantId.length > 36)
    throw new Error('a grant id is 28-36 characters (grt_ + 32 hex): it is the Message-Reference');
  return grantId;
}

export type DhlFailureReason =
  | 'network'
  | 'timeout'
  | 'unauthorized'
  | 'throttled'
  | 'server_error'
  | 'invalid_request'
  | 'shipment_not_found'
  | 'unprocessable'
  | 'too_large'
  | 'rejected';

/**
 * Retryable or final, from the status alone (the body is DHL's text about our request, never logged):
 * - 408, 429, 5xx and network errors are passing: retried with back-off.
 * - 401/403 are credentials or account permissions: fixed by an operator's configuration, not by a
 *   new approval, so they are retried too (the grant's expiry bounds how long).
 * - 400 (schema), 404 (no such shipment), 413, 422 (business rules: a shipment without Paperless
 *   Trade, an upload too soon after the shipment was created is 422 in DHL's answers) and any other
 *   4xx say the request itself is wrong: repeating it would be refused the same way, so it is final.
 */
export function classifyDhlStatus(status: number): { reason: DhlFailureReason; retryable: boolean } {
  if (status === 401 || status === 403) return { reason: 'unauthorized', retryable: true };
  if (status === 408) return { reason: 'timeout', retryable: true };
  if (status === 429) return { reason: 'throttled', retryable: true };
  if (status >= 500) return { reason: 'server_error', retryable: true };
  if (status === 400) return { reason: 'invalid_request', retryable: false };
  if (status === 404) return { reason: 'shipment_not_found', retryable: false };
  if (status === 413) return { reason: 'too_large', retryable: false };
  if (status === 422) return { reason: 'unprocessable', retryable: false };
  return { reason: 'rejected', retryable: false };
}
