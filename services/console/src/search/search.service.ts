import { Injectable, Logger } from '@nestjs/common';
import { parcelId as parcelIdOf } from '@portico/contracts';
import type { Session } from '../sessions/session';
import { UpstreamClient } from '../upstream/upstream-client';
import { maySee } from '../parcels/parcel-scope';
import type { CaseView, ClaimView, TaskView } from '../parcels/upstream-shapes';
import { searchTasks, stewardsOf, type ParcelHit } from './search-match';
import type { SearchBody } from './search-requests';

const STATES = ['open', 'acknowledged', 'closed'] as const;
const MAX_HITS = 50;

/**
 * Search by tracking number or resident. The text never leaves the console: notification is asked
 * for the person's tasks by state and property (ids), and the matching happens here, so a resident's
 * name is in no upstream URL, access log or span. With a carrier, a tracking number is also looked up
 * as a parcel id in clearance and claims (parcels with a claim but no task, say).
 */
@Injectable()
export class SearchService {
  private readonly logger = new Logger('search');

  constructor(private readonly upstream: UpstreamClient) {}

  async search(session: Session, body: SearchBody): Promise<{ items: ParcelHit[]; stewards: Array<{ id: string; name: string | null }> }> {
    const pages = await Promise.all(
      STATES.map((state) => {
        const params = new URLSearchParams({ state, limit: '200' });
        if (body.propertyId) params.set('propertyId', body.propertyId);
        return this.upstream.json<{ items: TaskView[] }>(session, 'notification', 'GET', `/v1/outreach/tasks?${params}`);
      }),
    );
    const tasks = pages.flatMap((p) => p.items).filter((t) => maySee(session.account, t));
    const hits = searchTasks(tasks, body);
    if (body.carrierCode && !body.stewardId) {
      const extra = await this.byParcelId(session, body.carrierCode, body.text, body.propertyId);
      if (extra && !hits.some((h) => h.parcelId === extra.parcelId)) hits.unshift(extra);
    }
    // counts only: the text is personal data as often as not
    this.logger.log({ accountId: session.account.id, hits: hits.length, scanned: tasks.length }, 'search');
    return { items: hits.slice(0, MAX_HITS), stewards: stewardsOf(tasks) };
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
      matched: 'tracking_number',
      caseIds: cases.filter((c) => found.includes(c)).map((c) => c.id),
      state: found.some((r) => r.closedAt === null) ? 'open' : 'closed',
      lastActivityAt: found.map((r) => r.openedAt).sort().at(-1)!,
    };
  }
}
