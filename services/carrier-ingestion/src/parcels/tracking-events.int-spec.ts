/**
 * The tracking-history API against real Postgres and Kafka: every accepted update of a parcel is
 * kept with the projection's late verdict, answered oldest first (or newest first) in pages, only
 * to the console's service token, and without anything of the recipient the carrier sent.
 */
import { randomBytes } from 'node:crypto';
import { parcelId } from '@portico/contracts';
import { signedNativeWebhook, type NativeTrackingEvent } from '@portico/testing/platform';
import { startIntakeApp, type IntakeApp } from '../test-support/intake-app';

const runId = randomBytes(4).toString('hex');
// unique to the run, so finding them anywhere can only mean this test's data leaked
const recipientName = `Hist${runId}Name`;
const recipientPhone = `+86 139 ${runId.slice(0, 4).replace(/[a-f]/g, '7')} 5678`;

describe('tracking history API (real Postgres and Kafka)', () => {
  let intake: IntakeApp;
  let account: { id: string; secret: string };
  const trackingNumber = `TH${runId.toUpperCase()}1`;
  const parcel = parcelId('hist-express', trackingNumber);
  const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h)).toISOString();
  const update = (status: string, occurredAt: string, code: string): NativeTrackingEvent => ({
    carrier: 'hist-express',
    trackingNumber,
    status,
    occurredAt,
    carrierStatusCode: code,
    description: `${status} at hub, signed by ${recipientName}`,
    location: { country: 'CN', region: 'Guangdong', city: 'Shenzhen', description: 'Shenzhen Airport Hub' },
    recipient: {
      name: recipientName,
      phone: recipientPhone,
      postalCode: '200120',
      addressLine: '88 Century Avenue',
      unit: `U${runId}`,
    },
    ...(status === 'customs_hold' ? { customsHoldReason: 'id_documents_required' } : {}),
  });
  // internal callers name themselves in x-portico-service (libs/auth) and prove it with their token
  const as = (service: 'console' | 'clearance') => ({
    'x-portico-service': service,
    authorization: `Bearer ${intake.serviceTokens[service]}`,
  });
  const get = async (query: string, caller: 'console' | 'clearance' | null = 'console', id = parcel) => {
    const res = await fetch(`${intake.baseUrl}/internal/v1/parcels/${id}/tracking-events${query}`, {
      headers: caller ? as(caller) : {},
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) };
  };

  beforeAll(async () => {
    intake = await startIntakeApp(runId);
    account = await intake.createAccount({
      tenantId: `ten_${runId}`,
      provider: 'portico-native',
      carrierCode: 'hist-express',
      displayName: 'History test',
    });
    // in transit, then the hold, then an older scan arriving last (late)
    for (const u of [
      update('in_transit', at(2), 'IT'),
      update('customs_hold', at(5), 'CH'),
      update('info_received', at(1), 'IR'),
    ])
      expect((await intake.post(account.id, signedNativeWebhook(account.secret, [u]))).status).toBe(202);
  }, 60_000);

  afterAll(async () => {
    await intake?.close();
  }, 30_000);

  it('answers every accepted update oldest first, with the late flag the event was published with', async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    expect(res.body.order).toBe('asc');
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i: { status: string; late: boolean }) => [i.status, i.late])).toEqual([
      ['info_received', true],
      ['in_transit', false],
      ['customs_hold', false],
    ]);
    expect(res.body.items[2]).toMatchObject({
      holdReason: 'id_documents_required',
      occurredAt: at(5),
      carrierCode: 'hist-express',
      carrierStatus: { code: 'CH' },
      location: { countryCode: 'CN', city: 'Shenzhen', description: 'Shenzhen Airport Hub' },
    });
  });

  it('pages newest first with a cursor until the last page', async () => {
    const first = await get('?order=desc&limit=2');
    expect(first.body.items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual([at(5), at(2)]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`?order=desc&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual([at(1)]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('contains nothing of the recipient: no name, phone, address or unit in any answer or log line', async () => {
    const res = await get('');
    for (const text of [res.text, intake.log.text()]) {
      expect(text).not.toContain(recipientName);
      expect(text).not.toContain(recipientPhone);
      expect(text).not.toContain('Century Avenue');
      expect(text).not.toContain(`U${runId}`);
    }
    expect(res.text).toContain('[redacted'); // the carrier's description kept, the signer's name scrubbed
  });

  it('answers the console only: no token 401, a person or another service 403', async () => {
    expect((await get('', null)).status).toBe(401);
    expect((await get('', 'clearance')).status).toBe(403);
    const person = await intake.api('GET', `/internal/v1/parcels/${parcel}/tracking-events`);
    expect(person.status).toBe(403);
  });

  it('refuses a bad parcel id, order, limit or cursor with 400 validation_failed in zh and en', async () => {
    for (const query of ['?order=newest', '?limit=0', '?cursor=bm9wZQ']) {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'validation_failed',
        message: { en: expect.any(String), zh: expect.any(String) },
      });
    }
    expect((await get('', 'console', 'not-a-parcel')).status).toBe(400);
  });

  it('answers an empty history for a parcel it never heard of (the console checked visibility already)', async () => {
    const other = parcelId('hist-express', `TH${runId.toUpperCase()}9`);
    const res = await get('', 'console', other);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });
});
