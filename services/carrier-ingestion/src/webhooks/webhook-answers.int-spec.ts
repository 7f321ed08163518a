/**
 * The exact answer (status, content type, Retry-After, request id, whole body) of
 * `POST /webhooks/:carrierAccountId` for every path a delivery can take, against the real service
 * (real Postgres, real Kafka). Carriers and their retry logic read these answers: the route's
 * implementation may change for speed (it is the service's hot path), its answers may not.
 * Recorded from the route as it was answered through Nest's pipeline, before the lean route.
 */
import { randomBytes } from 'node:crypto';
import { signedNativeWebhook, type NativeTrackingEvent } from '@portico/testing/platform';
import { Webhook } from 'standardwebhooks';
import { startIntakeApp, type IntakeApp, type Json } from '../test-support/intake-app';

const runId = randomBytes(4).toString('hex');
const JSON_UTF8 = 'application/json; charset=utf-8';

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: Json;
}

function signRaw(secret: string, body: Buffer | string, contentType = 'application/json') {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  return {
    body,
    headers: {
      'content-type': contentType,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, Buffer.from(body).toString('utf8')),
    },
  };
}

const error = (code: string, en: string, zh: string, details?: Record<string, unknown>) => ({
  error: { code, message: { en, zh }, ...(details ? { details } : {}) },
});

const UNKNOWN_ACCOUNT = error(
  'carrier_account_unknown',
  'No active carrier account has this webhook address.',
  '该 Webhook 地址没有对应的有效承运商账户。',
);
const SIGNATURE_INVALID = error(
  'webhook_signature_invalid',
  'The webhook signature is missing or does not match any active secret of this carrier account.',
  'Webhook 签名缺失，或与该承运商账户的有效密钥均不匹配。',
);
const PAYLOAD_INVALID = (issues: unknown) =>
  error(
    'webhook_payload_invalid',
    'The webhook body does not match the format of this carrier account; see details.issues.',
    'Webhook 请求体不符合该承运商账户的格式，详见 details.issues。',
    { issues },
  );
const MEDIA_TYPE_OF_PROVIDER = error(
  'unsupported_media_type',
  'This carrier account accepts application/json bodies only.',
  '该承运商账户只接受 application/json 格式的请求体。',
  { accepted: ['application/json'] },
);
const MEDIA_TYPE_GENERIC = error(
  'unsupported_media_type',
  'This content type is not supported.',
  '不支持该内容类型。',
);

describe('POST /webhooks/:carrierAccountId answers exactly as specified, on every path', () => {
  let intake: IntakeApp;
  let account: { id: string; secret: string };
  let disabled: { id: string; secret: string };
  const event = (tracking: string, carrier = 'ans-express'): NativeTrackingEvent => ({
    carrier,
    trackingNumber: tracking,
    status: 'in_transit',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    carrierStatusCode: 'TRANSIT',
    description: 'In transit',
  });
  let n = 0;
  const tracking = () => `ANS${runId.toUpperCase()}${String(++n).padStart(4, '0')}`;

  async function send(
    accountId: string,
    delivery: { body?: string | Buffer; headers: Record<string, string> },
    method = 'POST',
  ): Promise<Answer & { requestId: string | null }> {
    const res = await fetch(`${intake.baseUrl}/webhooks/${accountId}`, {
      method,
      headers: delivery.headers,
      body: delivery.body,
    });
    const text = await res.text();
    let body: Json = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      retryAfter: res.headers.get('retry-after'),
      requestId: res.headers.get('x-request-id'),
      body,
    };
  }

  async function expectAnswer(
    accountId: string,
    delivery: { body?: string | Buffer; headers: Record<string, string> },
    expected: Partial<Answer> & { status: number; body: Json },
  ) {
    const before = await intake.counts();
    const { requestId: _id, ...answer } = await send(accountId, delivery);
    expect(answer).toEqual({ contentType: JSON_UTF8, retryAfter: null, ...expected });
    if (expected.status < 400) return;
    // nothing written; the outbox may only shrink (the relay publishes earlier events meanwhile)
    const after = await intake.counts();
    expect({ receipts: after.receipts, dedupe: after.dedupe }).toEqual({
      receipts: before.receipts,
      dedupe: before.dedupe,
    });
    expect(after.outbox).toBeLessThanOrEqual(before.outbox);
  }

  beforeAll(async () => {
    intake = await startIntakeApp(runId);
    account = await intake.createAccount({
      tenantId: `ten_ans_${runId}`,
      provider: 'portico-native',
      carrierCode: 'ans-express',
      displayName: 'Answers test',
    });
    disabled = await intake.createAccount({
      tenantId: `ten_ans_${runId}`,
      provider: 'portico-native',
      carrierCode: 'ans-express',
      displayName: 'Answers test, disabled',
    });
    expect((await intake.api('POST', `/v1/carrier-accounts/${disabled.id}/disable`)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await intake?.close();
  }, 30_000);

  it('202 for a first delivery, 200 duplicate for its repetition', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking()), event(tracking())]);
    await expectAnswer(account.id, signed, { status: 202, body: { status: 'accepted', events: 2 } });
    await expectAnswer(account.id, signed, { status: 200, body: { status: 'duplicate' } });
  });

  it('accepts a media type with parameters', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking())]);
    await expectAnswer(
      account.id,
      { ...signed, headers: { ...signed.headers, 'content-type': 'application/json; charset=utf-8' } },
      { status: 202, body: { status: 'accepted', events: 1 } },
    );
  });

  it('404 for an unknown, a disabled and a malformed account id alike', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking())]);
    await expectAnswer(`ca_${randomBytes(8).toString('hex')}`, signed, {
      status: 404,
      body: UNKNOWN_ACCOUNT,
    });
    await expectAnswer(disabled.id, signedNativeWebhook(disabled.secret, [event(tracking())]), {
      status: 404,
      body: UNKNOWN_ACCOUNT,
    });
    await expectAnswer('x'.repeat(100), signed, { status: 404, body: UNKNOWN_ACCOUNT });
  });

  it('404 not_found for a path without an account, 404 for other methods', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking())]);
    const notFound = error('not_found', 'Not found.', '未找到。');
    const res = await fetch(`${intake.baseUrl}/webhooks/`, { method: 'POST', ...signed });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 404, body: notFound });
    const get = await send(account.id, { headers: {} }, 'GET');
    expect({ status: get.status, body: get.body }).toEqual({ status: 404, body: notFound });
  });

  it('401 for a missing, a wrong and a stale signature', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking())]);
    await expectAnswer(
      account.id,
      { body: signed.body, headers: { 'content-type': 'application/json' } },
      { status: 401, body: SIGNATURE_INVALID },
    );
    const wrong = signedNativeWebhook(`whsec_${randomBytes(32).toString('base64')}`, [event(tracking())]);
    await expectAnswer(account.id, wrong, { status: 401, body: SIGNATURE_INVALID });
    const stale = signedNativeWebhook(account.secret, [event(tracking())], {
      timestamp: new Date(Date.now() - 10 * 60_000),
    });
    await expectAnswer(account.id, stale, {
      status: 401,
      body: error(
        'webhook_timestamp_out_of_tolerance',
        'The webhook-timestamp is more than 5 minutes away from our clock; sign the delivery again when retrying.',
        'webhook-timestamp 与服务器时间相差超过 5 分钟，重试时请重新签名。',
      ),
    });
  });

  it('415 for media types the service or the provider does not take', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking())]);
    const as = (contentType: string) => ({
      ...signed,
      headers: { ...signed.headers, 'content-type': contentType },
    });
    // parsed by the HTTP layer, refused by the provider's adapter
    await expectAnswer(account.id, as('text/plain'), { status: 415, body: MEDIA_TYPE_OF_PROVIDER });
    await expectAnswer(account.id, as('application/x-www-form-urlencoded'), {
      status: 415,
      body: MEDIA_TYPE_OF_PROVIDER,
    });
    // refused by the HTTP layer before anything else
    await expectAnswer(account.id, as('application/xml'), { status: 415, body: MEDIA_TYPE_GENERIC });
    await expectAnswer(account.id, as('application/octet-stream'), { status: 415, body: MEDIA_TYPE_GENERIC });
  });

  it('413 for a body over 1 MB', async () => {
    await expectAnswer(account.id, signRaw(account.secret, Buffer.alloc(1_048_577, 0x20)), {
      status: 413,
      body: error('payload_too_large', 'The request body is too large.', '请求体过大。', {
        limitBytes: 1_048_576,
      }),
    });
  });

  it('400 for a JSON body that is empty or not JSON, signed or not', async () => {
    const invalidJson = error(
      'invalid_json',
      'The request body is not valid JSON.',
      '请求体不是有效的 JSON。',
    );
    await expectAnswer(account.id, signRaw(account.secret, '{"type":'), { status: 400, body: invalidJson });
    await expectAnswer(
      account.id,
      { body: 'not json', headers: { 'content-type': 'application/json' } },
      { status: 400, body: invalidJson },
    );
    // prototype poisoning is refused by the JSON parser like any invalid JSON
    await expectAnswer(account.id, signRaw(account.secret, '{"__proto__":{"x":1}}'), {
      status: 400,
      body: invalidJson,
    });
    await expectAnswer(account.id, signRaw(account.secret, ''), {
      status: 400,
      body: error(
        'empty_json_body',
        'The request body is empty although its content type is JSON.',
        '请求体为空，但内容类型声明为 JSON。',
      ),
    });
  });

  it('400 with the issue paths for invalid UTF-8, a wrong shape and a foreign carrier code', async () => {
    const valid = Buffer.from(
      JSON.stringify({
        type: 'tracking.updated',
        timestamp: new Date().toISOString(),
        data: { events: [event(tracking())] },
      }),
    );
    const at = valid.indexOf('In transit');
    const broken = Buffer.concat([valid.subarray(0, at), Buffer.from([0xc3, 0x28]), valid.subarray(at)]);
    await expectAnswer(account.id, signRaw(account.secret, broken), {
      status: 400,
      body: PAYLOAD_INVALID([{ path: '(root)', message: 'body is not valid UTF-8' }]),
    });
    const shape = await send(account.id, signRaw(account.secret, JSON.stringify({ data: { events: 'x' } })));
    expect(shape).toMatchObject({
      status: 400,
      contentType: JSON_UTF8,
      body: PAYLOAD_INVALID(expect.any(Array)),
    });
    expect(shape.body.error.details.issues.length).toBeGreaterThan(0);
    await expectAnswer(
      account.id,
      signedNativeWebhook(account.secret, [event(tracking(), 'other-express')]),
      {
        status: 400,
        body: PAYLOAD_INVALID([
          { path: 'data.events.0', message: 'carrier must be this account\'s carrier code "ans-express"' },
        ]),
      },
    );
  });

  it('echoes a well-formed x-request-id and makes one up otherwise', async () => {
    const signed = signedNativeWebhook(account.secret, [event(tracking())]);
    const given = await send(account.id, {
      ...signed,
      headers: { ...signed.headers, 'x-request-id': 'carrier-req.42' },
    });
    expect(given.requestId).toBe('carrier-req.42');
    // the intake's own log line carries it, so a carrier's report leads to the line
    const line = intake.log
      .text()
      .split('\n')
      .find((l) => l.includes('"msg":"webhook received"') && l.includes('"reqId":"carrier-req.42"'));
    expect(line && JSON.parse(line)).toMatchObject({ carrierAccountId: account.id, outcome: 'accepted' });
    const odd = await send(account.id, {
      ...signed,
      headers: { ...signed.headers, 'x-request-id': 'has spaces' },
    });
    expect(odd.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const errorAnswer = await send('unknown', {
      ...signed,
      headers: { ...signed.headers, 'x-request-id': 'r-404' },
    });
    expect(errorAnswer.requestId).toBe('r-404');
  });

  it('records the route, not the account id, in the HTTP metrics', async () => {
    const text = await (await fetch(`${intake.baseUrl}/metrics`)).text();
    const routes = [...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]);
    expect(routes).toContain('/webhooks/:carrierAccountId');
    expect(routes.some((r) => r?.includes(account.id))).toBe(false);
  });

  it('503 with Retry-After while the database is unreachable', async () => {
    intake.proxy.cut();
    try {
      await expectAnswer(account.id, signedNativeWebhook(account.secret, [event(tracking())]), {
        status: 503,
        retryAfter: '5',
        body: error(
          'temporarily_unavailable',
          'The service cannot store this right now. Nothing was saved; please retry shortly.',
          '服务暂时无法保存该请求，未保存任何内容，请稍后重试。',
          { retryAfterSeconds: 5 },
        ),
      });
    } finally {
      intake.proxy.restore();
    }
  });
});
