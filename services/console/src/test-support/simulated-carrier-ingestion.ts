import type { TrackingEventView } from '@portico/contracts';
import { refusal, SimulatedUpstream, UNAUTHENTICATED, type SimulatedAnswer, type SimulatedRequest, type SimulatedUpstreamKeys } from './simulated-upstream';

/**
 * SIMULATED carrier-ingestion internal API for the console's browser test — not the real service.
 * It answers `GET /internal/v1/parcels/:parcelId/tracking-events` as services/carrier-ingestion's
 * README documents it (oldest first, pages with `nextCursor`), only to the `console` service token
 * (`x-portico-service: console` + bearer, as libs/auth checks it); a person token is refused with
 * 403. Like the real one it knows no properties: the console must ask only for parcels its user may
 * see, which the test checks on `requests`.
 */
export class SimulatedCarrierIngestion extends SimulatedUpstream {
  /** Scans by parcel id, in any order (answered by carrier time). */
  readonly events = new Map<string, TrackingEventView[]>();

  constructor(
    keys: SimulatedUpstreamKeys,
    private readonly consoleToken: string,
    private readonly pageSize = 2,
  ) {
    super(keys);
  }

  protected route({ method, url, headers }: SimulatedRequest): SimulatedAnswer {
    const m = /^\/internal\/v1\/parcels\/([^/]+)\/tracking-events$/.exec(url.pathname);
    if (method !== 'GET' || !m) return refusal(404, 'not_found', 'No such route.', '没有这个接口。');
    if (!headers.authorization) return UNAUTHENTICATED;
    if (headers['x-portico-service'] !== 'console' || headers.authorization !== `Bearer ${this.consoleToken}`)
      return refusal(403, 'forbidden', 'Only the console may read tracking histories.', '只有控制台可以读取物流轨迹。');
    const all = [...(this.events.get(decodeURIComponent(m[1]!)) ?? [])].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const start = Number(url.searchParams.get('cursor') ?? '0');
    const items = all.slice(start, start + this.pageSize);
    const next = start + this.pageSize < all.length ? String(start + this.pageSize) : null;
    return { status: 200, body: { parcelId: decodeURIComponent(m[1]!), order: 'asc', items, nextCursor: next } };
  }
}
