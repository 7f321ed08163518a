/**
 * Test-only helpers for the provider adapters' specs (AfterShip, EasyPost, 17TRACK, SF Express):
 * fixture loading, the bytes the adapters verify from libs/testing's text signers, rejection
 * assertions, and the check that parsed updates can be published. Imported by *.spec.ts files only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { carrier, parcelId, TrackingStreamEventSchema } from '@portico/contracts';
import { toTrackingEventRecorded, toTrackingStreamEvent } from '../../tracking-event.mapper';
import type { TrackingUpdate } from '../../tracking-update';
import {
  WebhookRejectedError,
  type WebhookAdapter,
  type WebhookHeaders,
  type WebhookRejectionCode,
} from '../webhook-adapter';

// Fixtures are mutated freely to build variants.
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The `fixtures/*.json` files next to a spec (`adapterFixtures(__dirname)`). */
export function adapterFixtures(specDir: string) {
  const folder = join(specDir, 'fixtures');
  const file = (name: string) => join(folder, `${name}.json`);
  return {
    bytes: (name: string): Buffer => readFileSync(file(name)),
    text: (name: string): string => readFileSync(file(name), 'utf8'),
    json: (name: string): Json => JSON.parse(readFileSync(file(name), 'utf8')) as Json,
    /** Every fixture's name, without `.json`, in directory order. */
    names: (): string[] =>
      readdirSync(folder)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, '')),
  };
}

/**
 * `signed(body, secret?)`: the bytes of `body` (a JSON value serialised, bytes as they are) and the
 * headers `sign` gives them.
 */
export function bodySigner(
  sign: (raw: Buffer, secret: string) => Record<string, string>,
  defaultSecret: string,
) {
  return (body: Json | Buffer, secret = defaultSecret) => {
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return { raw, headers: sign(raw, secret) };
  };
}

/**
 * Bytes as the text libs/testing's provider signers take. Throws for bytes that are not UTF-8, which
 * would not survive the round trip: a signature over the text would not be one over these bytes.
 */
export function utf8(raw: Buffer): string {
  const text = raw.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(raw)) throw new Error('not UTF-8: sign these bytes some other way');
  return text;
}

/** The WebhookRejectedError `fn` throws (failing the test if it throws anything else, or nothing). */
export function rejection(fn: () => unknown): WebhookRejectedError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookRejectedError);
    return e as WebhookRejectedError;
  }
  throw new Error('expected a rejection');
}

/** `fn` throws a WebhookRejectedError with this code. */
export function expectRejected(fn: () => unknown, code: WebhookRejectionCode): void {
  expect(rejection(fn).code).toBe(code);
}

/** None of `values` (personal data in the payload) shows in the rejection's detail, issues or message. */
export function expectNothingLeaked(err: WebhookRejectedError, values: readonly string[]): void {
  const everything = JSON.stringify({ detail: err.detail, issues: err.issues, message: err.message });
  for (const value of values) expect(everything).not.toContain(value);
}

/** Signs `body`, verifies and parses it, expects exactly one update and returns it. */
export function parserOfOne(
  adapter: WebhookAdapter,
  signed: (body: Json | Buffer) => { raw: Buffer; headers: WebhookHeaders },
  secrets: readonly string[],
  now: Date,
): (body: Json | Buffer) => TrackingUpdate {
  return (body) => {
    const { raw, headers } = signed(body);
    adapter.verify(raw, headers, secrets, now);
    const parsed = adapter.parse(raw, headers);
    expect(parsed.updates).toHaveLength(1);
    return parsed.updates[0]!;
  };
}

/**
 * The TrackingEventRecorded the intake would publish for `update`. The provider is always
 * 'portico-native': the mapping does not depend on it, and so each adapter is checked the same way.
 */
export function publishableEvent(
  update: TrackingUpdate,
  delivery: { tenantId: string; sourceEventId: string; receivedAt: Date },
): carrier.TrackingEventRecorded {
  return toTrackingEventRecorded(update, {
    ...delivery,
    carrierAccountId: 'ca_0123456789abcdef0123456789abcdef',
    provider: 'portico-native',
    digestKey: { id: 'k1', secret: 'digest-key-0123456789-abcdefghijklmnopq' },
  });
}

/** `update` maps onto an event with its parcel id and a status, which serialises onto the stream. */
export function expectPublishable(update: TrackingUpdate, receivedAt: Date): void {
  const event = publishableEvent(update, { tenantId: 'ten_harbour', sourceEventId: 'evt', receivedAt });
  expect(event.parcel!.parcelId).toBe(parcelId(update.carrierCode, update.trackingNumber));
  expect(event.status).not.toBe(carrier.TrackingStatus.UNSPECIFIED);
  expect(toBinary(TrackingStreamEventSchema, toTrackingStreamEvent(event)).length).toBeGreaterThan(0);
}
