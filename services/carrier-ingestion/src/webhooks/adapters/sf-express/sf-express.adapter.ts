import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { ParsedWebhook, TrackingUpdate } from '../../tracking-update';
import {
  headerValue,
  WebhookRejectedError,
  type PayloadIssue,
  type WebhookAdapter,
  type WebhookHeaders,
} from '../webhook-adapter';
import { sfMsgDigest } from './sf-express-digest';
import { mapSfRoute } from './sf-express-status-map';
import { chinaTimeOf, sfRoutePush, type SfRoutePush } from './sf-express.schema';

export const SF_EXPRESS_CARRIER_CODE = 'sf-express';
/** The `timestamp` of a delivery may be this far from our clock, either way. */
export const SF_TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

const FORM = 'application/x-www-form-urlencoded';
const MILLIS = /^\d{1,16}$/;

/** What the digest covers: the business payload as posted, its timestamp, and the digest itself. */
interface SignedEnvelope {
  readonly msgData: string;
  readonly timestamp: string;
  readonly msgDigest: string;
}

/**
 * SF Express route push (路由推送 / RoutePushService, SF open platform 丰桥), in the platform's
 * standard envelope:
 *
 *   POST application/x-www-form-urlencoded
 *   partnerID=…&requestID=…&serviceCode=…&timestamp=<ms>&msgDigest=<digest>&msgData=<payload JSON>
 *
 * with msgDigest = Base64(MD5(URLEncoder.encode(msgData + timestamp + checkWord, "UTF-8")))
 * (sf-express-digest.ts) and the account's secret being SF's checkWord (校验码). SF's route push
 * documentation shows the payload but no digest for pushes; verifying the platform's standard
 * msgDigest over the posted msgData and timestamp is Portico's documented decision (an unsigned
 * push endpoint would accept anyone's tracking updates), see docs/webhooks/sf-express.md.
 *
 * Also accepted, for senders that post the payload itself as JSON (`Content-Type: application/json`,
 * body `{ "Body": { "WaybillRoute": [ … ] } }`): the same digest in a `msgDigest` header with its
 * `timestamp` header, msgData then being the raw body.
 *
 * `timestamp` must be within 5 minutes of our clock (replays). The dedupe id is the route `id`
 * (ids joined when a push carries several routes); without ids the intake hashes the body.
 */
const SF_ACKNOWLEDGEMENT = Object.freeze({ return_code: '0000', return_msg: '成功' });

export class SfExpressAdapter implements WebhookAdapter {
  readonly provider = 'sf-express';
  readonly contentTypes = ['application/x-www-form-urlencoded', 'application/json'];
  // the JSON variant carries the digest in headers; the form variant in the (archived) body
  readonly signatureHeaders = ['msgdigest', 'timestamp'];
  readonly carriers = 'single';

  /** SF's open platform reads this reply (a duplicate is a success too: it must stop resending). */
  acknowledgement(): Readonly<Record<string, unknown>> {
    return SF_ACKNOWLEDGEMENT;
  }

  verify(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], now: Date): void {
    const envelope = signedEnvelopeOf(rawBody, headers);
    if (!envelope) {
      throw new WebhookRejectedError(
        'WEBHOOK_SIGNATURE_INVALID',
        'msgData, timestamp and msgDigest are required, each exactly once',
      );
    }
    if (!MILLIS.test(envelope.timestamp)) {
      throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'timestamp must be epoch milliseconds');
    }
    // Base64 has no spaces: a `+` the sender left unencoded in the form arrives as one.
    const given = Buffer.from(envelope.msgDigest.trim().replace(/ /g, '+'), 'utf8');
    let matched = false;
    for (const checkWord of secrets) {
      const expected = Buffer.from(digestOrEmpty(envelope.msgData, envelope.timestamp, checkWord), 'utf8');
      if (expected.length > 0 && expected.length === given.length && timingSafeEqual(expected, given)) {
        matched = true;
      }
    }
    if (!matched) {
      throw new WebhookRejectedError('WEBHOOK_SIGNATURE_INVALID', 'no active checkWord matches msgDigest');
    }
    // Authentic, so the timestamp is SF's: refuse it when stale (a replay) or from the future.
    if (Math.abs(now.getTime() - Number(envelope.timestamp)) > SF_TIMESTAMP_TOLERANCE_MS) {
      throw new WebhookRejectedError(
        'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
        'timestamp is outside the 5 minute tolerance',
      );
    }
  }

  parse(rawBody: Buffer, headers: WebhookHeaders): ParsedWebhook {
    // In the form envelope the payload is the msgData field, and issue paths say so.
    const form = isForm(headers);
    const where = form ? 'msgData' : '(root)';
    let payload: string | undefined;
    if (form) {
      const fields = formFieldsOf(rawBody);
      if (!fields) throw invalid([{ path: '(root)', message: 'form body is not valid UTF-8' }]);
      const values = fields.getAll('msgData');
      if (values.length !== 1)
        throw invalid([{ path: 'msgData', message: 'exactly one msgData field is required' }]);
      payload = values[0];
    } else {
      payload = utf8Of(rawBody);
    }
    const json = payload === undefined ? undefined : jsonOf(payload);
    if (json === undefined) throw invalid([{ path: where, message: 'not valid UTF-8 JSON' }]);
    const parsed = sfRoutePush.safeParse(json);
    if (!parsed.success) throw invalid(issuesOf(parsed.error, form ? 'msgData' : undefined));
    return updatesOf(parsed.data, form ? 'msgData.' : '');
  }
}

function updatesOf(push: SfRoutePush, prefix: string): ParsedWebhook {
  const routes = push.Body.WaybillRoute;
  const updates = routes.map((route, i): TrackingUpdate => {
    const remark = route.remark?.trim() ?? '';
    const mapped = mapSfRoute(route.opCode, [remark, route.reasonName].filter(Boolean).join(' '));
    const address = route.acceptAddress?.trim();
    return {
      carrierCode: SF_EXPRESS_CARRIER_CODE,
      trackingNumber: route.mailno,
      ...mapped,
      location: address ? { description: address } : undefined,
      occurredAt: chinaTimeOf(route.acceptTime)!, // validated by the schema
      rawCode: route.opCode,
      rawDescription: remark,
      sourcePath: `${prefix}Body.WaybillRoute.${i}`,
    };
  });
  // Every route node has its own id, the same on every retry: together they identify the push.
  const ids = routes.map((r) => r.id ?? undefined);
  const providerEventId = ids.every((id) => id !== undefined) ? ids.join(',') : undefined;
  return { providerEventId, updates };
}

function isForm(headers: WebhookHeaders): boolean {
  return (headerValue(headers, 'content-type') ?? '').trim().toLowerCase().startsWith(FORM);
}

function signedEnvelopeOf(rawBody: Buffer, headers: WebhookHeaders): SignedEnvelope | undefined {
  if (isForm(headers)) {
    const fields = formFieldsOf(rawBody);
    if (!fields) return undefined;
    const [msgData, timestamp, msgDigest] = (['msgData', 'timestamp', 'msgDigest'] as const).map((name) => {
      const values = fields.getAll(name);
      return values.length === 1 && values[0] ? values[0] : undefined;
    });
    return msgData && timestamp && msgDigest ? { msgData, timestamp, msgDigest } : undefined;
  }
  const msgData = utf8Of(rawBody);
  const timestamp = headerValue(headers, 'timestamp')?.trim();
  const msgDigest = headerValue(headers, 'msgdigest')?.trim();
  return msgData && timestamp && msgDigest ? { msgData, timestamp, msgDigest } : undefined;
}

/** The form fields, decoded as UTF-8 (`+` is a space, as in any form body); undefined if not UTF-8. */
function formFieldsOf(rawBody: Buffer): URLSearchParams | undefined {
  const body = utf8Of(rawBody);
  return body === undefined ? undefined : new URLSearchParams(body);
}

/** The parsed JSON, or undefined when it is not JSON (JSON itself has no `undefined`). */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function utf8Of(rawBody: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  } catch {
    return undefined;
  }
}

/** The digest, or '' for input Java's URLEncoder and encodeURIComponent disagree on (lone surrogates). */
function digestOrEmpty(msgData: string, timestamp: string, checkWord: string): string {
  try {
    return sfMsgDigest(msgData, timestamp, checkWord);
  } catch {
    return '';
  }
}

/** Paths and messages only: never the offending values, which may be personal data. */
function issuesOf(error: z.ZodError, under: string | undefined): PayloadIssue[] {
  return error.issues.map((i) => ({
    path: [...(under ? [under] : []), ...i.path.map(String)].join('.') || '(root)',
    message: i.message,
  }));
}

function invalid(issues: PayloadIssue[]): WebhookRejectedError {
  return new WebhookRejectedError(
    'WEBHOOK_PAYLOAD_INVALID',
    issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  );
}
