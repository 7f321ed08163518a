import { Injectable, Logger } from '@nestjs/common';
import { parcelId as parcelIdOf } from '@portico/contracts';
import type { Session } from '../sessions/session';
import { UpstreamClient } from '../upstream/upstream-client';
import { maySee } from '../parcels/parcel-scope';
import type { CaseView, ClaimView, TaskSearchSteward } from '../parcels/upstream-shapes';
import { parcelHits, type ParcelHit, type TaskHit } from './search-match';
import type { SearchBody } from './search-requests';

const MAX_HITS = 50;

/**
 * Search by tracking number, unit or resident. notification matches (server-side, within the
 * person's properties: POST /v1/outreach/tasks/search), so nothing is capped by a page of tasks;
 * the text travels in that request's body only, so a resident's name is in no URL, access log or
 * span. With a carrier, a tracking number is also looked up as a parcel id in clearance and claims
 * (parcels with a claim but no task, say).
 */
@Injectable()
export class SearchService {
  private readonly logger = new Logger('search');

  constructor(private readonly upstream: UpstreamClient) {}

  async search(session: Session, body: SearchBody): Promise<{ items: ParcelHit[]; stewards: TaskSearchSteward[] }> {
    const found = await this.upstream.json<{ items: TaskHit[]; stewards: TaskSearchSteward[] }>(session, 'notification', 'POST', '/v1/outreach/tasks/search', {
      text: body.text,
      ...(body.propertyId ? { propertyId: body.propertyId } : {}),
      ...(body.stewardId ? { stewardId: body.stewardId } : {}),
      limit: 200,
    });
    const tasks = found.items.filter((t) => maySee(session.account, t));
    const hits = parcelHits(tasks);
    if (body.carrierCode && !body.stewardId) {
      const extra = await this.byParcelId(session, body.carrierCode, body.text, body.propertyId);
      if (extra && !hits.some((h) => h.parcelId === extra.parcelId)) hits.unshift(extra);
    }
    // counts only: the text is personal data as often as not
    this.logger.log({ accountId: session.account.id, hits: hits.length, tasks: tasks.length }, 'search');
    return { items: hits.slice(0, MAX_HITS), stewards: found.stewards };
  }

  private async byParcelId(session: Session, carrierCode: string, trackingNumber: string, propertyId: string | undefined): Promise<ParcelHit | null> {
    let id: string;
    try {
      id = parcelIdOf(carrierCode, trackingNumber);
    } catch {
      return null; // not a tracking number at all (a name, say)
    }
    const q = encodeURIComponent(id);
    const [cases, claims] = await Promise.all([
      this.upstream.json<{ items: CaseView[] }>(session, 'clearance', 'GET', `/v1/cases?parcelId=${q}`).then((r) => r.items, () => []),
      this.upstream.json<{ items: ClaimView[] }>(session, 'claims', 'GET', `/v1/claims?parcelId=${q}`).then((r) => r.items, () => []),
    ]);
    const found = [...cases, ...claims].filter((r) => maySee(session.account, r) && (!propertyId || r.propertyId === propertyId));
    const first = found[0];
    if (!first) return null;
    return {
      parcelId: id,
      carrierCode: first.carrierCode,
      trackingNumber: first.trackingNumber,
      propertyId: first.propertyId,
      stewardId: null,
      stewardName: null,
      residentName: null,
      unitLabel: null,
      matched: 'tracking_number',
      caseIds: cases.filter((c) => found.includes(c)).map((c) => c.id),
      state: found.some((r) => r.closedAt === null) ? 'open' : 'closed',
      lastActivityAt: found.map((r) => r.openedAt).sort().at(-1)!,
    };
  }
}
