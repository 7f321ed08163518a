/**
 * The webhook intake end to end inside carrier-ingestion, against real Postgres (a fresh database)
 * and the real Kafka broker: operator creates an account, a carrier posts signed webhooks, the
 * outbox relay publishes to carrier.tracking.v1 and a plain kafkajs consumer reads them back. The
 * database sits behind a TCP proxy (see test-support/intake-app.ts) so it can be "taken down" for
 * this app alone.
 */
import { randomBytes } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  carrier,
  CARRIER_TRACKING_TOPIC,
  matchesRecipientDigest,
  parcelId,
  TrackingStreamEventSchema,
} from '@portico/contracts';
import { waitFor } from '@portico/testing';
import { signedNativeWebhook, type NativeTrackingEvent } from '@portico/testing/platform';
import { startIntakeApp, type IntakeApp, type Json } from '../test-support/intake-app';

const runId = randomBytes(4).toString('hex');
// Unique per run, so a scan for them can only match what this run emitted.
const NAME = `测试${String.fromCodePoint(0x4e00 + (parseInt(runId.slice(0, 4), 16) % 2000))}名`;
const PHONE = `137${String(parseInt(runId, 16) % 100_000_000).padStart(8, '0')}`;

describe('carrier-ingestion webhook intake (real Postgres and Kafka)', () => {
  let intake: IntakeApp;
  let account: { id: string; secret: string };
  let counter = 0;

  const trackingNumber = () => `PI${runId.toUpperCase()}${String(++counter).padStart(3, '0')}CN`;
  const hold = (tracking: string): NativeTrackingEvent => ({
    carrier: 'int-express',
    trackingNumber: tracking,
    status: 'customs_hold',
    customsHoldReason: 'id_documents_required',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    customsDeadline: new Date(Date.now() + 72 * 3600_000).toISOString(),
    carrierStatusCode: 'CUSTOMS_ID_REQUIRED',
    description: 'Held by customs: recipient identity documents required',
    location: { country: 'CN', city: 'Shanghai', description: 'Pudong International Airport customs' },
    recipient: {
      name: NAME,
      phone: PHONE,
      postalCode: '200120',
      addressLine: '88 Century Avenue, Tower A',
      unit: '12-03',
    },
    shipment: {
      originCountry: 'JP',
      destinationCountry: 'CN',
      declaredValue: { amount: '1280.00', currency: 'CNY' },
      perishable: false,
    },
  });

  const api = (...args: Parameters<IntakeApp['api']>) => intake.api(...args);
  const post = (...args: Parameters<IntakeApp['post']>) => intake.post(...args);
  const counts = () => intake.counts();
  const reader = { keyed: (key: string) => intake.reader.keyed(key) };
  const digestKey = () => intake.digestKey;

  async function publishedTotal(): Promise<number> {
    const { rows } = await intake.pg.query(
      `SELECT count(*)::int AS n FROM webhook_receipts WHERE outcome = 'accepted'`,
    );
    return rows[0].n as number;
  }

  beforeAll(async () => {
    intake = await startIntakeApp(runId);
  }, 60_000);

  afterAll(async () => {
    await intake?.close();
  }, 30_000);

  describe('operator API', () => {
    it('refuses callers who are not operators', async () => {
      const body = {
        tenantId: 'ten_x',
        provider: 'portico-native',
        carrierCode: 'int-express',
        displayName: 'x',
      };
      expect((await api('POST', '/v1/carrier-accounts', { body, roles: null })).status).toBe(401);
      expect((await api('POST', '/v1/carrier-accounts', { body, roles: ['steward'] })).status).toBe(403);
    });

    it('validates the body with a machine-readable code and en+zh messages', async () => {
      const res = await api('POST', '/v1/carrier-accounts', {
        body: { tenantId: 'ten x', provider: 'pigeon-post', carrierCode: 'INT', displayName: '', extra: 1 },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'validation_failed',
        message: { en: expect.any(String), zh: expect.any(String) },
      });
      const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['tenantId', 'provider', 'carrierCode', 'displayName']));
    });

    it('creates an account, shows its secret once, and never again', async () => {
      const res = await api('POST', '/v1/carrier-accounts', {
        body: {
          tenantId: `ten_int_${runId}`,
          provider: 'portico-native',
          carrierCode: 'int-express',
          displayName: 'Int Express',
        },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^ca_[0-9a-f]{32}$/),
        tenantId: `ten_int_${runId}`,
        provider: 'portico-native',
        carrierCode: 'int-express',
        displayName: 'Int Express',
        status: 'active',
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      account = { id: res.body.id, secret: res.body.secret };

      const got = await api('GET', `/v1/carrier-accounts/${account.id}`);
      expect(got.status).toBe(200);
      expect(got.body).not.toHaveProperty('secret');
      expect(got.text).not.toContain(account.secret.slice(6));
      expect(got.body.secretVersions).toEqual([{ version: 1, createdAt: expect.any(String) }]);

      // sealed at rest, and audited with the operator's subject
      const { rows } = await intake.pg.query(
        'SELECT ciphertext FROM carrier_account_secrets WHERE account_id = $1',
        [account.id],
      );
      expect(rows[0].ciphertext.toString('latin1')).not.toContain(account.secret.slice(6));
      const audit = await intake.pg.query(
        'SELECT action, actor_subject FROM carrier_account_audit WHERE account_id = $1',
        [account.id],
      );
      expect(audit.rows).toEqual([{ action: 'created', actor_subject: `operator-${runId}` }]);

      expect(
        (await api('GET', '/v1/carrier-accounts/ca_ffffffffffffffffffffffffffffffff')).body.error.code,
      ).toBe('carrier_account_not_found');
    });
  });

  describe('webhooks', () => {
    let firstTracking: string;
    let firstWebhookId: string;

    it('turns a signed webhook into one TrackingEventRecorded on Kafka, without the name or phone', async () => {
      firstTracking = trackingNumber();
      const parcel = parcelId('int-express', firstTracking);
      const signed = signedNativeWebhook(account.secret, [hold(firstTracking)]);
      firstWebhookId = signed.headers['webhook-id']!;

      const res = await post(account.id, signed);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'accepted', events: 1 });

      const [record, ...more] = await waitFor(() => reader.keyed(parcel).length > 0 && reader.keyed(parcel), {
        timeoutMs: 20_000,
        description: `a record keyed ${parcel} on ${CARRIER_TRACKING_TOPIC.name}`,
      });
      expect(more).toHaveLength(0);
      expect(record!.headers).toMatchObject({
        'event-type': expect.stringMatching(/TrackingEventRecorded$/),
        schema: TrackingStreamEventSchema.typeName,
        'tenant-id': `ten_int_${runId}`,
      });
      const stream = fromBinary(TrackingStreamEventSchema, record!.value);
      expect(stream.event.case).toBe('trackingEventRecorded');
      const event = stream.event.value as carrier.TrackingEventRecorded;
      expect(event).toMatchObject({
        parcel: { parcelId: parcel, carrierCode: 'int-express', trackingNumber: firstTracking },
        tenantId: `ten_int_${runId}`,
        provider: carrier.TrackingProvider.PORTICO_NATIVE,
        carrierAccountId: account.id,
        sourceEventId: firstWebhookId,
        status: carrier.TrackingStatus.CUSTOMS_HOLD,
        customsHoldReason: carrier.CustomsHoldReason.ID_DOCUMENTS_REQUIRED,
        rawStatusCode: 'CUSTOMS_ID_REQUIRED',
        recipient: { postalCode: '200120', addressLine: '88 Century Avenue, Tower A', unit: '12-03' },
        shipment: {
          originCountryCode: 'JP',
          destinationCountryCode: 'CN',
          declaredValue: { amountMinor: 128000n },
        },
      });
      expect(timestampDate(event.customsDeadline!).getTime()).toBeGreaterThan(Date.now());
      expect(matchesRecipientDigest(event.recipient?.nameDigest, 'name', NAME, [digestKey()])).toBe(true);
      expect(matchesRecipientDigest(event.recipient?.phoneDigest, 'phone', PHONE, [digestKey()])).toBe(true);

      const wholeRecord = Buffer.concat([
        Buffer.from(record!.key),
        record!.value,
        Buffer.from(JSON.stringify(record!.headers)),
      ]);
      for (const value of [NAME, PHONE]) expect(wholeRecord.includes(Buffer.from(value, 'utf8'))).toBe(false);

      // The raw archive holds the exact bytes (and is the only place with the name), in today's partition.
      const { rows } = await intake.pg.query(
        `SELECT body, outcome, tableoid::regclass::text AS partition FROM webhook_receipts WHERE provider_event_id = $1`,
        [firstWebhookId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].body.toString('utf8')).toBe(signed.body);
      expect(rows[0].outcome).toBe('accepted');
      expect(rows[0].partition).toBe(
        `webhook_receipts_p${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`,
      );
      await waitFor(async () => (await counts()).outbox === 0, {
        description: 'the outbox drained by the relay',
      });
    });

    it('answers a repeated delivery 200 duplicate and produces nothing more', async () => {
      const parcel = parcelId('int-express', firstTracking);
      const before = await counts();
      const retry = signedNativeWebhook(account.secret, [hold(firstTracking)], { id: firstWebhookId });
      const res = await post(account.id, retry);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'duplicate' });
      const after = await counts();
      expect(after).toEqual({
        receipts: before.receipts + 1,
        dedupe: before.dedupe,
        outbox: 0,
        history: before.history,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(reader.keyed(parcel)).toHaveLength(1);
    });

    it('refuses a bad signature or a stale timestamp with 401 and writes nothing', async () => {
      const before = await counts();
      const forged = signedNativeWebhook(`whsec_${randomBytes(32).toString('base64')}`, [
        hold(trackingNumber()),
      ]);
      const bad = await post(account.id, forged);
      expect(bad.status).toBe(401);
      expect(bad.body.error).toMatchObject({
        code: 'webhook_signature_invalid',
        message: { en: expect.any(String), zh: expect.any(String) },
      });

      const tampered = signedNativeWebhook(account.secret, [hold(trackingNumber())]);
      const res = await post(account.id, { ...tampered, body: tampered.body.replace('Tower A', 'Tower B') });
      expect(res.status).toBe(401);

      const stale = signedNativeWebhook(account.secret, [hold(trackingNumber())], {
        timestamp: new Date(Date.now() - 10 * 60_000),
      });
      const old = await post(account.id, stale);
      expect(old.status).toBe(401);
      expect(old.body.error.code).toBe('webhook_timestamp_out_of_tolerance');
      expect(await counts()).toEqual(before);
    });

    it('answers an unknown and a disabled account with the same 404', async () => {
      const signed = signedNativeWebhook(account.secret, [hold(trackingNumber())]);
      const unknown = await post('ca_ffffffffffffffffffffffffffffffff', signed);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('carrier_account_unknown');
      expect((await post('not-even-an-id', signed)).text).toBe(unknown.text);

      const created = await api('POST', '/v1/carrier-accounts', {
        body: {
          tenantId: `ten_int_${runId}`,
          provider: 'portico-native',
          carrierCode: 'int-express',
          displayName: 'Soon gone',
        },
      });
      const disabled = await api('POST', `/v1/carrier-accounts/${created.body.id}/disable`);
      expect(disabled.status).toBe(200);
      expect(disabled.body.status).toBe('disabled');
      const res = await post(
        created.body.id,
        signedNativeWebhook(created.body.secret, [hold(trackingNumber())]),
      );
      expect(res.status).toBe(404);
      expect(res.text).toBe(unknown.text);
    });

    it('refuses a body that fails validation with 400 and the paths, writes nothing, echoes no value', async () => {
      const before = await counts();
      const bad = {
        ...hold(trackingNumber()),
        status: 'teleported',
        recipient: { name: NAME, phone: PHONE.repeat(4) },
      };
      const res = await post(account.id, signedNativeWebhook(account.secret, [bad as NativeTrackingEvent]));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('webhook_payload_invalid');
      const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['data.events.0.status', 'data.events.0.recipient.phone']),
      );
      expect(res.text).not.toContain(PHONE);
      expect(res.text).not.toContain(NAME);
      expect(await counts()).toEqual(before);
    });

    it('accepts both secrets during a rotation and only the newest two afterwards', async () => {
      const first = account.secret;
      const rotated = await api('POST', `/v1/carrier-accounts/${account.id}/secrets`);
      expect(rotated.status).toBe(201);
      expect(rotated.body.secretVersions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      const second = rotated.body.secret as string;
      expect((await post(account.id, signedNativeWebhook(second, [hold(trackingNumber())]))).status).toBe(
        202,
      );
      expect((await post(account.id, signedNativeWebhook(first, [hold(trackingNumber())]))).status).toBe(202);

      const third = (await api('POST', `/v1/carrier-accounts/${account.id}/secrets`)).body.secret as string;
      expect((await post(account.id, signedNativeWebhook(first, [hold(trackingNumber())]))).status).toBe(401);
      expect((await post(account.id, signedNativeWebhook(second, [hold(trackingNumber())]))).status).toBe(
        202,
      );
      expect((await post(account.id, signedNativeWebhook(third, [hold(trackingNumber())]))).status).toBe(202);
      account = { id: account.id, secret: third };
      const audit = await intake.pg.query(
        'SELECT action FROM carrier_account_audit WHERE account_id = $1 ORDER BY id',
        [account.id],
      );
      expect(audit.rows.map((r) => r.action)).toEqual(['created', 'secret_rotated', 'secret_rotated']);
    });

    it('answers 503 with Retry-After while the database is unreachable, and recovers', async () => {
      const accepted = await publishedTotal();
      intake.proxy.cut();
      try {
        const tracking = trackingNumber();
        const res = await post(account.id, signedNativeWebhook(account.secret, [hold(tracking)]));
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.body.error).toMatchObject({
          code: 'temporarily_unavailable',
          message: { en: expect.any(String), zh: expect.any(String) },
        });
        const admin = await api('GET', `/v1/carrier-accounts/${account.id}`);
        expect(admin.status).toBe(503);
        expect(admin.headers.get('retry-after')).toBe('5');
      } finally {
        intake.proxy.restore();
      }
      // The carrier's retry after the outage goes through and is published.
      const tracking = trackingNumber();
      const signed = signedNativeWebhook(account.secret, [hold(tracking)]);
      const retried = await waitFor(
        async () => {
          const res = await post(account.id, signed);
          return res.status === 202 && res;
        },
        { timeoutMs: 15_000, description: 'intake accepting again after the database came back' },
      );
      expect(retried.body).toEqual({ status: 'accepted', events: 1 });
      expect(await publishedTotal()).toBe(accepted + 1);
      await waitFor(() => reader.keyed(parcelId('int-express', tracking)).length === 1, {
        timeoutMs: 20_000,
        description: 'the post-outage event on Kafka',
      });
    });

    it('counts requests by provider and outcome on /metrics', async () => {
      const text = await (await fetch(`${intake.baseUrl}/metrics`)).text();
      const value = (outcome: string, provider = 'portico-native') =>
        Number(
          new RegExp(
            `portico_webhook_requests_total\\{[^}]*carrier_account_provider="${provider}"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
          ).exec(text)?.[1] ?? 0,
        );
      expect(value('accepted')).toBeGreaterThanOrEqual(6);
      expect(value('duplicate')).toBe(1);
      expect(value('rejected_signature')).toBe(4);
      expect(value('rejected_body')).toBe(1);
      // the account's credentials were still cached (CREDENTIALS_TTL_MS), the write was not
      expect(value('unavailable')).toBeGreaterThanOrEqual(1);
      expect(value('unknown_account', 'unknown')).toBe(3);
      expect(text).toMatch(/portico_webhook_intake_duration_seconds_bucket\{/);
    });

    it('logs one line per webhook with ids and outcome, and the name and phone nowhere', () => {
      const lines = intake.log
        .text()
        .split('\n')
        .filter((l) => l.includes('"msg":"webhook received"'))
        .map((l) => JSON.parse(l) as Json);
      expect(lines.length).toBeGreaterThanOrEqual(15);
      // the bulk (accepted, duplicate) at debug, refusals and failures at info
      for (const l of lines) {
        const bulk = l.outcome === 'accepted' || l.outcome === 'duplicate';
        expect([l.outcome, l.level]).toEqual([l.outcome, bulk ? 'debug' : 'info']);
      }
      expect(lines.some((l) => l.level === 'info')).toBe(true);
      expect(lines.find((l) => l.webhookId === firstWebhookId)).toMatchObject({
        carrierAccountId: account.id,
        provider: 'portico-native',
        outcome: 'accepted',
        parcelIds: [parcelId('int-express', firstTracking)],
      });
      // the intake's own line replaces the generic request line there, not elsewhere
      const completed = intake.log
        .text()
        .split('\n')
        .filter((l) => l.includes('"msg":"request completed"'))
        .map((l) => JSON.parse(l) as Json);
      expect(completed.some((l) => String(l.req?.path).startsWith('/v1/carrier-accounts'))).toBe(true);
      expect(completed.filter((l) => String(l.req?.path).startsWith('/webhooks/'))).toEqual([]);
      expect(intake.log.text()).not.toContain(NAME);
      expect(intake.log.text()).not.toContain(PHONE);
    });
  });
});
