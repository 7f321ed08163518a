/**
 * Hostile and broken deliveries against the real service (real Postgres, real Kafka): random bytes,
 * bodies over the 1 MB limit, deep nesting, wrong content types, invalid UTF-8, wrong JSON shapes.
 * Each must get a 4xx with a machine-readable code and en+zh messages, leave nothing in the archive,
 * dedupe table or outbox, and leave the service healthy.
 */
import { randomBytes } from 'node:crypto';
import { signedNativeWebhook, type NativeTrackingEvent } from '@portico/testing/platform';
import { Webhook } from 'standardwebhooks';
import { startIntakeApp, type IntakeApp } from '../test-support/intake-app';

const runId = randomBytes(4).toString('hex');

/** Signs any bytes the Standard Webhooks way, so a test reaches the parser and not just the signature check. */
function signRaw(secret: string, body: Buffer, contentType = 'application/json') {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  return {
    body,
    headers: {
      'content-type': contentType,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

function seededRandom(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    // xorshift32: a reproducible sequence, so a failing case can be replayed from its seed
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('carrier-ingestion refuses bad input cleanly (real Postgres and Kafka)', () => {
  let intake: IntakeApp;
  let account: { id: string; secret: string };
  const event = (tracking: string): NativeTrackingEvent => ({
    carrier: 'bad-express',
    trackingNumber: tracking,
    status: 'in_transit',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    carrierStatusCode: 'TRANSIT',
    description: 'In transit',
  });

  beforeAll(async () => {
    intake = await startIntakeApp(runId);
    account = await intake.createAccount({
      tenantId: `ten_bad_${runId}`,
      provider: 'portico-native',
      carrierCode: 'bad-express',
      displayName: 'Bad input test',
    });
  }, 60_000);

  afterAll(async () => {
    await intake?.close();
  }, 30_000);

  async function expectRefused(
    delivery: { body: string | Buffer; headers: Record<string, string> },
    status: number,
    code: string,
  ) {
    const before = await intake.counts();
    const res = await intake.post(account.id, delivery);
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(res.body.error.message).toEqual({ en: expect.any(String), zh: expect.any(String) });
    expect(await intake.counts()).toEqual(before);
    return res;
  }

  it('answers a body over 1 MB with 413 before reading it all', async () => {
    const huge = Buffer.alloc(1_048_576 + 1, 0x20);
    const res = await expectRefused(signRaw(account.secret, huge), 413, 'payload_too_large');
    expect(res.body.error.details).toEqual({ limitBytes: 1_048_576 });
  });

  it('answers a content type other than the provider speaks with 415', async () => {
    const signed = signedNativeWebhook(account.secret, [event('BAD0000001')]);
    for (const contentType of ['text/plain', 'application/xml', 'application/octet-stream']) {
      await expectRefused(
        { body: signed.body, headers: { ...signed.headers, 'content-type': contentType } },
        415,
        'unsupported_media_type',
      );
    }
  });

  it('refuses random bytes, correctly signed or not, with 400 or 401 and never 5xx', async () => {
    const random = seededRandom(0xc0ffee);
    for (let i = 0; i < 40; i++) {
      const length = 1 + Math.floor(random() * 4096);
      const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      const signed = i % 2 === 0;
      const delivery = signed
        ? signRaw(account.secret, bytes)
        : { body: bytes, headers: { 'content-type': 'application/json' } };
      const before = await intake.counts();
      const res = await intake.post(account.id, delivery);
      expect([400, 401]).toContain(res.status);
      expect(res.body.error.code).toMatch(/^[a-z_]+$/);
      expect(await intake.counts()).toEqual(before);
    }
  });

  it('refuses deeply nested JSON with 400 and stays up', async () => {
    const depth = 100_000;
    const nested = Buffer.from('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
    const res = await intake.post(account.id, signRaw(account.secret, nested));
    expect(res.status).toBe(400);
    const nestedArray = Buffer.from('['.repeat(depth) + ']'.repeat(depth));
    expect((await intake.post(account.id, signRaw(account.secret, nestedArray))).status).toBe(400);
  });

  it('refuses a signed body that is not valid UTF-8 with 400 webhook_payload_invalid', async () => {
    // A valid payload but for one description byte: decoding would silently turn it into U+FFFD.
    const body = Buffer.from(
      JSON.stringify({
        type: 'tracking.updated',
        timestamp: new Date().toISOString(),
        data: { events: [event('BAD0000003')] },
      }),
    );
    const at = body.indexOf('In transit');
    const broken = Buffer.concat([body.subarray(0, at), Buffer.from([0xc3, 0x28]), body.subarray(at)]);
    const res = await expectRefused(signRaw(account.secret, broken), 400, 'webhook_payload_invalid');
    expect(res.body.error.details.issues).toEqual([
      { path: '(root)', message: expect.stringMatching(/UTF-8/) },
    ]);
  });

  it('refuses JSON of the wrong shape with 400 and the paths of what is wrong', async () => {
    for (const shape of [[], 'a string', 42, null, { type: 'tracking.updated' }, { data: { events: 'x' } }]) {
      const res = await expectRefused(
        signRaw(account.secret, Buffer.from(JSON.stringify(shape))),
        400,
        'webhook_payload_invalid',
      );
      expect(res.body.error.details.issues.length).toBeGreaterThan(0);
    }
  });

  it('is healthy afterwards and still accepts a good webhook', async () => {
    expect((await fetch(`${intake.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${intake.baseUrl}/health/ready`)).status).toBe(200);
    const res = await intake.post(account.id, signedNativeWebhook(account.secret, [event('BAD0000002')]));
    expect(res.status).toBe(202);
  });
});
