// The DHL Express relay adapter against the SIMULATED MyDHL API (test-support), over real HTTP:
// the request DHL documents, the size limit, retryable vs final failures, and a retried upload
// carrying the same Message-Reference.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { SimulatedDhlExpressApi } from '../test-support/simulated-dhl-express-api';
import { DhlExpressRelayAdapter } from './dhl-express-relay.adapter';
import { RelayDeliveryError, type RelayNotice } from './relay-adapter';
import type { DhlExpressDestination } from './relay-destination';

const AWB = '1234567890';
const credentials = {
  username: 'portico-test',
  password: `pw-${randomBytes(8).toString('hex')}`,
  accountNumber: '123456789',
};
const SENT_AT = new Date('2026-12-03T10:00:00Z');

/** A photo-like JPEG (noise compresses badly, like a real photo): `width` px wide. */
async function photo(width: number, height = Math.round(width * 0.63)): Promise<Buffer> {
  const noise = randomBytes(width * height * 3);
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function notice(
  copies: RelayNotice['copies'],
  grantId = `grt_${randomBytes(16).toString('hex')}`,
): RelayNotice {
  return {
    grantId,
    caseId: 'cc_1',
    carrierCode: 'dhl',
    trackingNumber: AWB,
    documentId: 'doc_1',
    documentType: 'cn_resident_id',
    parts: ['front', 'back'],
    expiresAt: new Date('2026-12-04T10:00:00Z'),
    maxUses: 1,
    purpose: 'customs_clearance',
    ...(copies ? { copies } : {}),
  };
}

describe('DhlExpressRelayAdapter against the SimulatedDhlExpressApi (real HTTP)', () => {
  const sim = new SimulatedDhlExpressApi(credentials);
  let destination: DhlExpressDestination;
  const adapter = new DhlExpressRelayAdapter(5_000, () => SENT_AT);
  let front: Buffer;
  let back: Buffer;

  beforeAll(async () => {
    const baseUrl = await sim.start();
    sim.addShipment(AWB);
    destination = {
      adapter: 'dhl-express-mydhl',
      carrierCode: 'dhl',
      recipientKind: 'carrier',
      recipientId: 'dhl',
      baseUrl,
      ...credentials,
      documentTypeCode: 'DCL',
      maxImageBase64Bytes: sim.maxImageBase64Bytes,
    };
    [front, back] = await Promise.all([photo(600), photo(600)]);
  });
  afterAll(() => sim.stop());

  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the delivery to fail');
      },
      (e: unknown) => e as RelayDeliveryError,
    );

  it('uploads both watermarked sides as DHL documents the call: PATCH, Basic auth, references, body', async () => {
    const n = notice([
      { part: 'front', bytes: front },
      { part: 'back', bytes: back },
    ]);
    await adapter.deliver(destination, n);
    const got = sim.uploads.at(-1)!;
    expect(got.status).toBe(200);
    expect(got.shipmentTrackingNumber).toBe(AWB);
    expect(got.headers['message-reference']).toBe(n.grantId);
    expect(new Date(got.headers['message-reference-date']!).toISOString()).toBe(SENT_AT.toISOString());
    expect(got.body.originalPlannedShippingDate).toBe('2026-12-03');
    expect(got.body.accounts).toEqual([{ typeCode: 'shipper', number: credentials.accountNumber }]);
    expect(got.body.documentImages.map((i) => [i.typeCode, i.imageFormat])).toEqual([
      ['DCL', 'JPEG'],
      ['DCL', 'JPEG'],
    ]);
    // Small enough already: sent byte for byte.
    expect(got.images[0]!.equals(front)).toBe(true);
    expect(got.images[1]!.equals(back)).toBe(true);
    // No link travels: DHL gets the copy, the grant's secret stays in the vault.
    expect(sim.rawBodies.at(-1)).not.toContain('relay-grants');
  });

  it('downscales a copy over the account’s limit until its base64 fits, and refuses one that cannot', async () => {
    const big = await photo(3000);
    expect(big.toString('base64').length).toBeGreaterThan(sim.maxImageBase64Bytes);
    await adapter.deliver(destination, notice([{ part: 'front', bytes: big }]));
    const got = sim.uploads.at(-1)!;
    expect(got.status).toBe(200);
    expect(got.body.documentImages[0]!.content.length).toBeLessThanOrEqual(sim.maxImageBase64Bytes);
    const meta = await sharp(got.images[0]!).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeLessThan(3000);
    expect(meta.width).toBeGreaterThanOrEqual(1024);

    const before = sim.uploads.length;
    const tiny = { ...destination, maxImageBase64Bytes: 64 * 1024 };
    const e = await failureOf(adapter.deliver(tiny, notice([{ part: 'front', bytes: big }])));
    expect(e).toBeInstanceOf(RelayDeliveryError);
    expect(e).toMatchObject({ retryable: false, reason: 'too_large', status: null });
    expect(sim.uploads.length).toBe(before); // nothing sent
  });

  it('a passing failure is retryable, and the retry is the same upload (same Message-Reference)', async () => {
    const n = notice([{ part: 'front', bytes: front }]);
    sim.failNext(503);
    const e = await failureOf(adapter.deliver(destination, n));
    expect(e).toMatchObject({
      adapter: 'dhl-express-mydhl',
      status: 503,
      retryable: true,
      reason: 'server_error',
      retryAfterMs: 10 * 60_000, // DHL's minimum interval between uploads to a shipment
    });
    await adapter.deliver(destination, n);
    const [first, second] = sim.uploads.slice(-2);
    expect(first!.status).toBe(503);
    expect(second!.status).toBe(200);
    expect(second!.headers['message-reference']).toBe(first!.headers['message-reference']);
    expect(second!.body).toEqual(first!.body);
  });

  it.each([
    [429, 'throttled', true],
    [500, 'server_error', true],
    [502, 'server_error', true],
    [408, 'timeout', true],
    [400, 'invalid_request', false],
    [422, 'unprocessable', false],
    [409, 'rejected', false],
  ] as const)('maps %i to %s (retryable: %s)', async (status, reason, retryable) => {
    sim.failNext(status);
    const e = await failureOf(adapter.deliver(destination, notice([{ part: 'front', bytes: front }])));
    expect(e).toMatchObject({ status, reason, retryable });
    expect(e.retryAfterMs).toBe(retryable ? 10 * 60_000 : undefined);
    // DHL's error detail quotes the request back; the error carries none of it.
    expect(e.message).not.toMatch(/SIMULATED|awb|ref /i);
    expect(e.message).not.toContain(AWB);
  });

  it('checks real answers too: wrong credentials 401 (retryable), an unknown shipment 404 (final)', async () => {
    const wrong = { ...destination, password: 'not-the-password' };
    const e401 = await failureOf(adapter.deliver(wrong, notice([{ part: 'front', bytes: front }])));
    expect(e401).toMatchObject({ status: 401, reason: 'unauthorized', retryable: true });
    expect(e401.message).not.toContain('not-the-password');

    const unknown = { ...notice([{ part: 'front', bytes: front }]), trackingNumber: '9999999999' };
    const e404 = await failureOf(adapter.deliver(destination, unknown));
    expect(e404).toMatchObject({ status: 404, reason: 'shipment_not_found', retryable: false });
  });

  it('refuses a notice without copies (a link is no use to DHL) and a dead endpoint is retryable', async () => {
    const none = await failureOf(adapter.deliver(destination, notice(undefined)));
    expect(none).toMatchObject({ retryable: false, reason: 'no_copies' });

    const dead = new SimulatedDhlExpressApi(credentials);
    const url = await dead.start();
    await dead.stop();
    const e = await failureOf(
      adapter.deliver({ ...destination, baseUrl: url }, notice([{ part: 'front', bytes: front }])),
    );
    expect(e).toMatchObject({ status: null, reason: 'network', retryable: true });
  });
});
