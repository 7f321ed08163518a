// A SIMULATED DHL Express MyDHL API, for id-vault's tests only: not DHL, not a sandbox. It answers
// the one call the DHL relay adapter makes, `PATCH /mydhlapi/shipments/{awb}/upload-image`, over
// real HTTP and checks it the way DHL documents it (HTTP Basic, Message-Reference 28-36
// characters, Message-Reference-Date, the JSON body's required fields and code lists, base64
// content within the account's size limit, the image format matching the bytes, a known shipment),
// answering DHL-shaped errors. Tests script failures (503, 429, 422, ...) and read what arrived.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatedDhlUpload {
  readonly shipmentTrackingNumber: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    originalPlannedShippingDate: string;
    accounts: Array<{ typeCode: string; number: string }>;
    documentImages: Array<{ typeCode: string; imageFormat: string; content: string }>;
  };
  /** The images decoded from base64. */
  readonly images: Buffer[];
  /** The status the simulator answered. */
  readonly status: number;
}

const TYPE_CODES = new Set(['INV', 'PNV', 'COO', 'NAF', 'CIN', 'DCL', 'AWB']);
const IMAGE_FORMATS = new Set(['PDF', 'PNG', 'TIFF', 'GIF', 'JPEG']);
const ACCOUNT_TYPES = new Set(['shipper', 'payer', 'duties-taxes']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PATH = /^\/mydhlapi\/shipments\/([^/]+)\/upload-image$/;

export class SimulatedDhlExpressApi {
  /** Every request the simulator answered, in order (refused ones too). */
  readonly uploads: SimulatedDhlUpload[] = [];
  /** Every raw request body, for scans (the adapter must send no personal data beyond the images). */
  readonly rawBodies: string[] = [];
  private readonly shipments = new Set<string>();
  private readonly scripted: number[] = [];
  private server: Server | undefined;

  constructor(
    private readonly credentials: { username: string; password: string; accountNumber: string },
    /** DHL's limit on one image's base64 content for the account (1 MB by default). */
    readonly maxImageBase64Bytes = 1024 * 1024,
  ) {}

  /** A shipment created earlier (with Paperless Trade) that images may be uploaded to. */
  addShipment(awb: string): void {
    this.shipments.add(awb);
  }

  /** The next requests are answered with these statuses (a DHL error body) whatever they hold. */
  failNext(...statuses: number[]): void {
    this.scripted.push(...statuses);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mydhlapi`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    this.rawBodies.push(raw);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const answer = this.verdict(req, headers, raw);
    const match = PATH.exec(req.url ?? '');
    let body: SimulatedDhlUpload['body'] = {
      originalPlannedShippingDate: '',
      accounts: [],
      documentImages: [],
    };
    try {
      body = JSON.parse(raw) as SimulatedDhlUpload['body'];
    } catch {
      // recorded as empty; the verdict already refused it
    }
    this.uploads.push({
      shipmentTrackingNumber: decodeURIComponent(match?.[1] ?? ''),
      headers,
      body,
      images: (body.documentImages ?? []).map((i) => Buffer.from(String(i.content ?? ''), 'base64')),
      status: answer.status,
    });
    res.writeHead(answer.status, {
      'content-type': answer.status === 200 ? 'application/json' : 'application/problem+json',
      'x-simulated': 'SimulatedDhlExpressApi',
    });
    // Like DHL, an error's detail quotes the request back (here the AWB and the reference): the
    // adapter must not log or rethrow it.
    res.end(
      answer.status === 200
        ? ''
        : JSON.stringify({
            instance: req.url,
            detail: `${answer.detail} [awb ${match?.[1] ?? '?'}, ref ${headers['message-reference'] ?? '?'}]`,
            title: answer.title,
            message: answer.title,
            status: String(answer.status),
          }),
    );
  }

  private verdict(
    req: IncomingMessage,
    headers: Record<string, string>,
    raw: string,
  ): { status: number; title: string; detail: string } {
    const refuse = (status: number, title: string, detail: string) => ({ status, title, detail });
    const scripted = this.scripted.shift();
    if (scripted) return refuse(scripted, 'Scripted failure', 'SIMULATED failure scripted by the test');
    const match = PATH.exec(req.url ?? '');
    if (!match) return refuse(404, 'Not Found', 'no such resource');
    if (req.method !== 'PATCH') return refuse(405, 'Method Not Allowed', 'upload-image is PATCH');
    const expected = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    if (headers['authorization'] !== expected) return refuse(401, 'Unauthorized', 'invalid credentials');
    if (!(headers['content-type'] ?? '').startsWith('application/json'))
      return refuse(400, 'Bad Request', 'content-type must be application/json');
    const ref = headers['message-reference'] ?? '';
    if (ref.length < 28 || ref.length > 36)
      return refuse(400, 'Bad Request', 'Message-Reference must be 28-36 characters');
    if (Number.isNaN(Date.parse(headers['message-reference-date'] ?? '')))
      return refuse(400, 'Bad Request', 'Message-Reference-Date must be an HTTP date');
    let body: SimulatedDhlUpload['body'];
    try {
      body = JSON.parse(raw) as SimulatedDhlUpload['body'];
    } catch {
      return refuse(400, 'Bad Request', 'body is not JSON');
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(body.originalPlannedShippingDate ?? ''))
      return refuse(400, 'Bad Request', 'originalPlannedShippingDate must be YYYY-MM-DD');
    if (
      !Array.isArray(body.accounts) ||
      body.accounts.length === 0 ||
      body.accounts.some((a) => !ACCOUNT_TYPES.has(a.typeCode) || typeof a.number !== 'string')
    )
      return refuse(400, 'Bad Request', 'accounts[] is required');
    if (!body.accounts.some((a) => a.typeCode === 'shipper' && a.number === this.credentials.accountNumber))
      return refuse(403, 'Forbidden', 'account not allowed for these credentials');
    if (!Array.isArray(body.documentImages) || body.documentImages.length === 0)
      return refuse(400, 'Bad Request', 'documentImages[] is required');
    for (const image of body.documentImages) {
      if (!TYPE_CODES.has(image.typeCode) || !IMAGE_FORMATS.has(image.imageFormat))
        return refuse(400, 'Bad Request', 'documentImages[].typeCode or imageFormat invalid');
      if (typeof image.content !== 'string' || !BASE64.test(image.content))
        return refuse(400, 'Bad Request', 'documentImages[].content is not valid base64');
      if (image.content.length > this.maxImageBase64Bytes)
        return refuse(422, 'Unprocessable Entity', 'documentImages[].content exceeds the maximum size');
      const bytes = Buffer.from(image.content, 'base64');
      if (image.imageFormat === 'JPEG' && !(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff))
        return refuse(422, 'Unprocessable Entity', 'image is not a JPEG');
    }
    if (!this.shipments.has(decodeURIComponent(match[1]!)))
      return refuse(404, 'Not Found', 'shipment not found');
    return { status: 200, title: 'OK', detail: '' };
  }
}
