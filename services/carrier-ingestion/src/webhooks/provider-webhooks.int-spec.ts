/**
 * Every provider adapter end to end through HTTP, real Postgres and the real Kafka broker: an
 * operator creates the account (with the secret the provider issued, where the provider issues it),
 * the provider's customs-hold fixture is posted signed the provider's way, and one canonical
 * TrackingEventRecorded lands on carrier.tracking.v1; the retry is a duplicate; a wrong key is 401.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { carrier, parcelId, TrackingStreamEventSchema } from '@portico/contracts';
import { waitFor } from '@portico/testing';
import {
  signed17TrackWebhook,
  signedAfterShipWebhook,
  signedEasyPostWebhook,
  signedSfRoutePush,
  type SignedWebhook,
} from '@portico/testing/platform';
import { startIntakeApp, type IntakeApp } from '../test-support/intake-app';

const runId = randomBytes(4).toString('hex');
const fixture = (folder: string, name: string) =>
  readFileSync(join(__dirname, 'adapters', folder, 'fixtures', `${name}.json`), 'utf8');

interface ProviderCase {
  provider: string;
  enumValue: carrier.TrackingProvider;
  carrierCode: string;
  /** The provider issues the secret (operator pastes it in) or accepts Portico's. */
  issuedSecret?: string;
  body: string;
  sign: (secret: string, body: string) => SignedWebhook;
  signatureHeader: string;
  parcel: { carrier: string; tracking: string };
  /** The reply the provider reads, when it has a format of its own (always on a 200). */
  acknowledgement?: Record<string, unknown>;
}

const cases: ProviderCase[] = [
  {
    provider: 'aftership',
    enumValue: carrier.TrackingProvider.AFTERSHIP,
    carrierCode: 'aftership',
    issuedSecret: `as-${randomBytes(16).toString('hex')}`,
    body: fixture('aftership', 'customs-hold-id'),
    sign: signedAfterShipWebhook,
    signatureHeader: 'aftership-hmac-sha256',
    parcel: afterShipParcel(),
  },
  {
    provider: 'easypost',
    enumValue: carrier.TrackingProvider.EASYPOST,
    carrierCode: 'easypost',
    body: fixture('easypost', 'customs-hold-id'),
    sign: signedEasyPostWebhook,
    signatureHeader: 'x-hmac-signature',
    parcel: easyPostParcel(),
  },
  {
    provider: '17track',
    enumValue: carrier.TrackingProvider.SEVENTEENTRACK,
    carrierCode: '17track',
    issuedSecret: randomBytes(16).toString('hex').toUpperCase(),
    body: fixture('seventeen-track', 'customs-hold-id'),
    sign: signed17TrackWebhook,
    signatureHeader: 'sign',
    parcel: {
      carrier: 'china-ems',
      tracking: JSON.parse(fixture('seventeen-track', 'customs-hold-id')).data.number,
    },
  },
  {
    provider: 'sf-express',
    enumValue: carrier.TrackingProvider.SF_EXPRESS,
    carrierCode: 'sf-express',
    issuedSecret: `cw${randomBytes(12).toString('hex')}`,
    body: fixture('sf-express', 'customs-hold-id'),
    sign: (secret, body) => signedSfRoutePush(secret, body),
    signatureHeader: 'content-type', // the digest travels in the form body, which is archived whole
    acknowledgement: { return_code: '0000', return_msg: '成功' },
    parcel: {
      carrier: 'sf-express',
      tracking: JSON.parse(fixture('sf-express', 'customs-hold-id')).Body.WaybillRoute[0].mailno,
    },
  },
];

function afterShipParcel() {
  const msg = JSON.parse(fixture('aftership', 'customs-hold-id')).msg;
  return { carrier: msg.slug as string, tracking: msg.tracking_number as string };
}

function easyPostParcel() {
  const result = JSON.parse(fixture('easypost', 'customs-hold-id')).result;
  return { carrier: 'sf-express', tracking: result.tracking_code as string };
}

describe('provider webhooks through HTTP (real Postgres and Kafka)', () => {
  let intake: IntakeApp;

  beforeAll(async () => {
    intake = await startIntakeApp(runId);
  }, 60_000);

  afterAll(async () => {
    await intake?.close();
  }, 30_000);

  describe.each(cases.map((c) => [c.provider, c] as const))('%s', (_name, c) => {
    let account: { id: string; secret: string };

    it('creates the account, keeping a provider-issued secret without echoing it', async () => {
      const created = await intake.createAccount({
        tenantId: `ten_${runId}`,
        provider: c.provider,
        carrierCode: c.carrierCode,
        displayName: `${c.provider} test`,
        ...(c.issuedSecret ? { secret: c.issuedSecret } : {}),
      });
      if (c.issuedSecret) expect(created.view).not.toHaveProperty('secret');
      account = { id: created.id, secret: c.issuedSecret ?? created.secret };
      expect(account.secret).toBeTruthy();
    });

    it('turns the signed customs-hold delivery into one canonical event on Kafka', async () => {
      const res = await intake.post(account.id, c.sign(account.secret, c.body));
      expect({ status: res.status, body: res.body }).toEqual(
        c.acknowledgement
          ? { status: 200, body: c.acknowledgement }
          : { status: 202, body: { status: 'accepted', events: 1 } },
      );
      const key = parcelId(c.parcel.carrier, c.parcel.tracking);
      const [record] = await waitFor(() => intake.reader.keyed(key).length > 0 && intake.reader.keyed(key), {
        timeoutMs: 20_000,
        description: `the ${c.provider} event keyed ${key}`,
      });
      const event = fromBinary(TrackingStreamEventSchema, record!.value).event
        .value as carrier.TrackingEventRecorded;
      expect(event).toMatchObject({
        provider: c.enumValue,
        carrierAccountId: account.id,
        status: carrier.TrackingStatus.CUSTOMS_HOLD,
        customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
      });
      const { rows } = await intake.pg.query(
        `SELECT headers FROM webhook_receipts WHERE carrier_account_id = $1 AND outcome = 'accepted'`,
        [account.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].headers).toHaveProperty(c.signatureHeader);
    });

    it('answers the provider retrying the same delivery with 200 duplicate', async () => {
      const before = await intake.counts();
      const res = await intake.post(account.id, c.sign(account.secret, c.body));
      expect({ status: res.status, body: res.body }).toEqual({
        status: 200,
        body: c.acknowledgement ?? { status: 'duplicate' },
      });
      expect((await intake.counts()).outbox).toBe(before.outbox);
      const { rows } = await intake.pg.query(
        `SELECT outcome FROM webhook_receipts WHERE carrier_account_id = $1 ORDER BY received_at`,
        [account.id],
      );
      expect(rows.map((r) => r.outcome)).toEqual(['accepted', 'duplicate']);
    });

    it('refuses a delivery signed with another key, and stores nothing', async () => {
      const before = await intake.counts();
      const res = await intake.post(account.id, c.sign(`wrong-${randomBytes(12).toString('hex')}`, c.body));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('webhook_signature_invalid');
      expect(await intake.counts()).toEqual(before);
    });
  });
});
