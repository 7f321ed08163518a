import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { isDomainError, NotFoundError } from '@portico/service-kit';
import type { Session } from '../sessions/session';
import { UpstreamUnavailableError } from '../shared/console-errors';
import type { UpstreamService } from '../upstream/upstream-client';
import { UpstreamClient } from '../upstream/upstream-client';
import { maySee } from './parcel-scope';
import { withReceipts, type ParcelMessageView } from './message-receipts';
import { mergeParcelTimeline, type TimelineEntry } from './parcel-timeline';
import type { ActionView, CaseView, ClaimView, DocumentSummary, MessageView, TaskView, TrackingEventsPage, TrackingEventView } from './upstream-shapes';

/** How each source answered: a page with one service down still shows the others, and says so. */
export type SourceStatus = 'ok' | 'unavailable' | 'refused';

export interface ParcelView {
  readonly parcelId: string;
  readonly carrierCode: string | null;
  readonly trackingNumber: string | null;
  readonly tasks: readonly TaskView[];
  readonly cases: readonly CaseView[];
  readonly documents: Readonly<Record<string, readonly DocumentSummary[]>>;
  readonly claims: readonly ClaimView[];
  /** notification's messages of the parcel with their delivery status and receipts (recipient role only). */
  readonly messages: readonly ParcelMessageView[];
  /** carrier-ingestion's tracking history, oldest first; null when it did not answer. */
  readonly tracking: readonly TrackingEventView[] | null;
  readonly timeline: readonly TimelineEntry[];
  readonly sources: Readonly<Record<UpstreamService, SourceStatus>>;
}

export class ParcelNotFoundError extends NotFoundError {
  constructor() {
    // Also the answer for another property's parcel: its existence is not revealed.
    super('parcel_not_found', { en: 'No parcel with this id in your properties.', zh: '您负责的物业中没有此包裹。' });
  }
}

/**
 * One parcel as every service knows it: notification's tasks and their actions, clearance's cases
 * with their steps (and the carrier scans that moved them), id-vault's documents with their check
 * results, claims with history. Calls run in parallel; each source's failure is reported beside
 * the data of the others rather than failing the page.
 */
@Injectable()
export class ParcelService {
  private readonly logger = new Logger('parcels');

  constructor(private readonly upstream: UpstreamClient) {}

  async view(session: Session, parcelId: string): Promise<ParcelView> {
    trace.getActiveSpan()?.setAttribute('portico.parcel_id', parcelId);
    const sources: Record<UpstreamService, SourceStatus> = { notification: 'ok', clearance: 'ok', 'id-vault': 'ok', claims: 'ok', 'carrier-ingestion': 'ok' };
    const attempt = async <T>(service: UpstreamService, call: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await call();
      } catch (error) {
        const refused = isDomainError(error) && error.status < 500;
        // a refusal of one item (say, a document of a case still without property) is not a down service
        if (sources[service] === 'ok' || !refused) sources[service] = refused ? 'refused' : 'unavailable';
        return fallback;
      }
    };
    const q = encodeURIComponent(parcelId);
    const visible = <T extends { tenantId: string; propertyId: string | null }>(rows: readonly T[]) => rows.filter((r) => maySee(session.account, r));

    const [tasks, cases, claimList] = await Promise.all([
      attempt('notification', async () => (await this.upstream.json<{ items: TaskView[] }>(session, 'notification', 'GET', `/v1/outreach/tasks?parcelId=${q}&limit=200`)).items, []),
      attempt('clearance', async () => (await this.upstream.json<{ items: CaseView[] }>(session, 'clearance', 'GET', `/v1/cases?parcelId=${q}`)).items, []),
      attempt('claims', async () => (await this.upstream.json<{ items: ClaimView[] }>(session, 'claims', 'GET', `/v1/claims?parcelId=${q}`)).items, []),
    ]).then(([t, c, k]) => [visible(t), visible(c), visible(k)] as const);

    if (tasks.length + cases.length + claimList.length === 0) {
      // Nobody answered: that is an outage, not a parcel that does not exist.
      if (sources.notification === 'unavailable' && sources.clearance === 'unavailable' && sources.claims === 'unavailable')
        throw new UpstreamUnavailableError('all');
      this.logger.log({ parcelId, accountId: session.account.id, sources }, 'parcel not visible');
      throw new ParcelNotFoundError();
    }

    // Only now, with a task, case or claim of the parcel the person may see: carrier-ingestion knows
    // no properties and answers any parcel to the console's service token.
    const [actions, documents, claims, messages, tracking] = await Promise.all([
      Promise.all(
        tasks.map(async (t) => [t.id, await attempt('notification', async () => (await this.upstream.json<{ items: ActionView[] }>(session, 'notification', 'GET', `/v1/outreach/tasks/${encodeURIComponent(t.id)}/actions`)).items, [] as ActionView[])] as const),
      ),
      Promise.all(
        cases.map(async (c) => [c.id, await attempt('id-vault', async () => (await this.upstream.json<{ items: DocumentSummary[] }>(session, 'id-vault', 'GET', `/v1/cases/${encodeURIComponent(c.id)}/documents`)).items, [] as DocumentSummary[])] as const),
      ),
      Promise.all(claimList.map((c) => attempt('claims', () => this.upstream.json<ClaimView>(session, 'claims', 'GET', `/v1/claims/${encodeURIComponent(c.id)}`), c))),
      attempt('notification', async () => visible((await this.upstream.json<{ items: MessageView[] }>(session, 'notification', 'GET', `/v1/outreach/messages?parcelId=${q}&limit=200`)).items), [] as MessageView[]),
      attempt('carrier-ingestion', () => this.trackingHistory(parcelId), null),
    ]);

    const documentsByCase = new Map(documents);
    const first = tasks[0] ?? cases[0] ?? claims[0];
    const timeline = mergeParcelTimeline({ tasks, actions: new Map(actions), cases, documents: documentsByCase, claims, messages, tracking });
    this.logger.log({ parcelId, accountId: session.account.id, entries: timeline.length, sources }, 'parcel viewed');
    return {
      parcelId,
      carrierCode: first?.carrierCode ?? null,
      trackingNumber: first?.trackingNumber ?? null,
      tasks,
      cases,
      documents: Object.fromEntries(documentsByCase),
      claims,
      messages: messages.map(withReceipts),
      tracking,
      timeline,
      sources,
    };
  }

  /** The whole history, oldest first, page by page (a parcel has tens of scans; the cap is a guard). */
  private async trackingHistory(parcelId: string): Promise<TrackingEventView[]> {
    const items: TrackingEventView[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_TRACKING_PAGES; page++) {
      const query: string = `order=asc&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer: TrackingEventsPage = await this.upstream.asConsole<TrackingEventsPage>('carrier-ingestion', `/internal/v1/parcels/${encodeURIComponent(parcelId)}/tracking-events?${query}`);
      items.push(...answer.items);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return items;
  }
}

const MAX_TRACKING_PAGES = 5;
