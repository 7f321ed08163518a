import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { RelayDeliveryError, type RelayNotice } from './relay-adapter';
import type { PushDestination } from './relay-destination';
import { SignedHttpsPushAdapter } from './signed-https-push.adapter';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
/** A secret some receivers put in their webhook path: must never show up in our errors. */
const URL_TOKEN = randomBytes(16).toString('hex');

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A carrier's receiver on 127.0.0.1: answers with `respond`, records what came in. */
async function startReceiver(
  respond: (res: import('node:http').ServerResponse) => void = (res) => res.writeHead(204).end(),
) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      respond(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: `http://127.0.0.1:${port}/hooks/${URL_TOKEN}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const destination = (url: string): PushDestination => ({
  carrierCode: 'sf-express',
  recipientKind: 'carrier',
  recipientId: 'sf-express',
  url,
  secret: SECRET,
  adapter: 'signed-https-push',
});

const notice: RelayNotice = {
  grantId: 'grt_0123456789abcdef0123456789abcdef',
  caseId: 'cc_1',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  documentId: 'doc_1',
  documentType: 'resident_id_card',
  parts: ['front', 'back'],
  downloadUrl: `https://vault.example.test/v1/relay-grants/${'g'.repeat(43)}`,
  expiresAt: new Date('2026-12-03T02:00:00Z'),
  maxUses: 3,
  purpose: 'customs_clearance',
};

function headersOf(r: Received): Record<string, string> {
  return Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
}

describe('SignedHttpsPushAdapter', () => {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });
  async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(respond);
    open.push(r.close);
    return r;
  }

  it('POSTs the notice as JSON, signed so that the official standardwebhooks package verifies it', async () => {
    const r = await receiver();
    await new SignedHttpsPushAdapter().deliver(destination(r.url), notice);

    expect(r.received).toHaveLength(1);
    const [push] = r.received;
    expect(push!.method).toBe('POST');
    expect(push!.path).toBe(`/hooks/${URL_TOKEN}`);
    expect(push!.headers['content-type']).toBe('application/json');
    expect(push!.headers['webhook-id']).toBe(notice.grantId);
    const payload = new Webhook(SECRET).verify(push!.body, headersOf(push!));
    expect(payload).toEqual({
      type: 'document.relayed',
      data: {
        grantId: notice.grantId,
        caseId: 'cc_1',
        carrierCode: 'sf-express',
        trackingNumber: 'SF1234567890',
        documentId: 'doc_1',
        documentType: 'resident_id_card',
        parts: ['front', 'back'],
        downloadUrl: notice.downloadUrl,
        expiresAt: '2026-12-03T02:00:00.000Z',
        maxUses: 3,
        purpose: 'customs_clearance',
      },
    });
  });

  it('signs with the injected clock’s time, and a tampered body fails verification', async () => {
    const r = await receiver();
    const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    await new SignedHttpsPushAdapter(5_000, () => sentAt).deliver(destination(r.url), notice);
    const [push] = r.received;
    expect(push!.headers['webhook-timestamp']).toBe(String(sentAt.getTime() / 1000));
    const tampered = push!.body.replace('"maxUses":3', '"maxUses":300');
    expect(() => new Webhook(SECRET).verify(tampered, headersOf(push!))).toThrow();
    const otherSecret = `whsec_${randomBytes(24).toString('base64')}`;
    expect(() => new Webhook(otherSecret).verify(push!.body, headersOf(push!))).toThrow();
  });

  it('throws RelayDeliveryError with the status on a non-2xx answer', async () => {
    const r = await receiver((res) =>
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy, try later'),
    );
    const err = await new SignedHttpsPushAdapter()
      .deliver(destination(r.url), notice)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayDeliveryError);
    expect(err).toMatchObject({
      adapter: 'signed-https-push',
      status: 503,
      message: 'relay push answered 503',
    });
    expect((err as Error).message).not.toContain('busy');
  });

  it('does not follow a redirect (the signed notice goes only where configured)', async () => {
    const elsewhere = await receiver();
    const r = await receiver((res) => res.writeHead(307, { location: elsewhere.url }).end());
    const err = await new SignedHttpsPushAdapter()
      .deliver(destination(r.url), notice)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayDeliveryError);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('throws RelayDeliveryError without a status, and without the URL or its token, when the connection is refused', async () => {
    const r = await startReceiver();
    await r.close(); // nothing listens on that port any more
    const err = await new SignedHttpsPushAdapter()
      .deliver(destination(r.url), notice)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayDeliveryError);
    expect(err).toMatchObject({ adapter: 'signed-https-push', status: null });
    const shown = `${String(err)} ${(err as Error).stack} ${JSON.stringify(err)}`;
    expect(shown).not.toContain(URL_TOKEN);
    expect(shown).not.toContain('127.0.0.1');
    expect(shown).not.toContain(SECRET);
  });

  it('gives up after its timeout with RelayDeliveryError', async () => {
    const r = await receiver(() => undefined); // never answers
    const started = Date.now();
    const err = await new SignedHttpsPushAdapter(100)
      .deliver(destination(r.url), notice)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayDeliveryError);
    expect(err).toMatchObject({ status: null });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
