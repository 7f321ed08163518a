import type { ActionView, CaseView, ClaimView, DocumentSummary, MessageView, TaskView, TrackingEventView } from './upstream-shapes';

/** Where a timeline entry comes from; `tracking` = a carrier scan as another service recorded it. */
export type TimelineSource = 'tracking' | 'clearance' | 'notification' | 'id-vault' | 'claims';

/**
 * One line of a parcel's timeline. Codes and ids only (the page translates codes): the timeline is
 * built from states, causes and actor ids, never from names or free text, so it carries no personal
 * data whatever the upstream answers held.
 */
export interface TimelineEntry {
  readonly at: string;
  readonly source: TimelineSource;
  /** e.g. `case_state`, `task_created`, `task_action`, `document_submitted`, `claim_state`. */
  readonly kind: string;
  /** The state, action or cause code the entry is about. */
  readonly code: string;
  readonly ref: { readonly caseId?: string; readonly taskId?: string; readonly documentId?: string; readonly claimId?: string; readonly messageId?: string };
  readonly actorId?: string | null;
  readonly detail?: string | null;
  /** Tracking scans: where (city or facility, as the carrier published it, already scrubbed). */
  readonly place?: string | null;
  /** Tracking scans that arrived after a later one (shown, but they never moved the status). */
  readonly late?: boolean;
}

export interface ParcelFacts {
  readonly tasks: readonly TaskView[];
  readonly actions: ReadonlyMap<string, readonly ActionView[]>;
  readonly cases: readonly CaseView[];
  readonly documents: ReadonlyMap<string, readonly DocumentSummary[]>;
  readonly claims: readonly ClaimView[];
  readonly messages?: readonly MessageView[];
  /**
   * carrier-ingestion's full tracking history; when it has scans they replace those read off the
   * case history and the claim (the same scans, fewer of them). null/absent: the service did not answer.
   */
  readonly tracking?: readonly TrackingEventView[] | null;
}

// Case-history causes that are carrier scans (tracking events): clearance records the scan that
// moved the case. Used only when carrier-ingestion's full history did not answer.
const TRACKING_CAUSES = new Set(['customs_hold', 'customs_released', 'out_for_delivery', 'delivered', 'returned_to_sender']);

// Equal times keep the causal order of the chain: the scan, then the case, the task, documents, claims.
const SOURCE_ORDER: Readonly<Record<TimelineSource, number>> = { tracking: 0, clearance: 1, notification: 2, 'id-vault': 3, claims: 4 };

function caseEntries(c: CaseView, withScans: boolean): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  // One scan can move a case twice (a hold opens it and asks for documents at once): one scan line.
  const scans = new Set<string>();
  for (const step of c.history) {
    const scan = step.causeEventId ?? `${step.cause}@${step.at}`;
    if (withScans && TRACKING_CAUSES.has(step.cause) && !scans.has(scan)) {
      scans.add(scan);
      out.push({ at: step.at, source: 'tracking', kind: 'scan', code: step.cause, ref: { caseId: c.id } });
    }
    out.push({ at: step.at, source: 'clearance', kind: 'case_state', code: step.to, ref: { caseId: c.id }, detail: step.cause });
  }
  return out;
}

function taskEntries(task: TaskView, actions: readonly ActionView[]): TimelineEntry[] {
  const ref = { taskId: task.id, ...(task.caseId ? { caseId: task.caseId } : {}) };
  const out: TimelineEntry[] = [{ at: task.createdAt, source: 'notification', kind: 'task_created', code: task.kind, ref }];
  for (const a of actions)
    out.push({ at: a.occurredAt, source: 'notification', kind: 'task_action', code: a.action, ref, actorId: a.actorId, detail: a.channel ?? a.level });
  if (task.closedAt) out.push({ at: task.closedAt, source: 'notification', kind: 'task_closed', code: task.closeResolution ?? 'closed', ref });
  return out;
}

function documentEntries(caseId: string, d: DocumentSummary): TimelineEntry[] {
  const ref = { caseId, documentId: d.id };
  const out: TimelineEntry[] = [
    { at: d.submittedAt, source: 'id-vault', kind: 'document_submitted', code: d.documentType, ref, detail: `attempt:${d.attempt}` },
  ];
  if (d.reviewedAt) out.push({ at: d.reviewedAt, source: 'id-vault', kind: 'document_reviewed', code: d.status, ref, detail: d.rejectionReason });
  return out;
}

function claimEntries(c: ClaimView, withScans: boolean): TimelineEntry[] {
  const ref = { claimId: c.id };
  const out: TimelineEntry[] = [];
  if (withScans && c.lastScanAt) out.push({ at: c.lastScanAt, source: 'tracking', kind: 'last_scan', code: 'last_scan', ref });
  const history = c.history ?? [];
  if (history.length === 0) out.push({ at: c.openedAt, source: 'claims', kind: 'claim_state', code: 'opened', ref, detail: c.reason });
  for (const step of history) out.push({ at: step.at, source: 'claims', kind: 'claim_state', code: step.to, ref, actorId: step.actorId, detail: step.cause });
  for (const entry of c.log ?? []) out.push({ at: entry.at, source: 'claims', kind: 'claim_log', code: entry.kind, ref, actorId: entry.actorId });
  return out;
}

function trackingEntry(e: TrackingEventView): TimelineEntry {
  const place = e.location ? e.location.description || e.location.city || e.location.countryCode || null : null;
  return { at: e.occurredAt, source: 'tracking', kind: 'scan', code: e.status, ref: {}, detail: e.holdReason ?? e.exceptionReason, place, late: e.late };
}

/** A message's life: queued, each failed attempt (the failover shows), sent, delivered or failed. */
function messageEntries(msg: MessageView): TimelineEntry[] {
  const ref = { messageId: msg.id, ...(msg.taskId ? { taskId: msg.taskId } : {}), ...(msg.caseId ? { caseId: msg.caseId } : {}) };
  const template = msg.templateRef;
  const out: TimelineEntry[] = [{ at: msg.queuedAt, source: 'notification', kind: 'message_queued', code: template, ref, detail: msg.recipientRole }];
  for (const a of msg.attemptLog)
    if (a.outcome === 'failed' && a.finishedAt)
      out.push({ at: a.finishedAt, source: 'notification', kind: 'message_attempt_failed', code: template, ref, detail: `${a.channel}:${a.errorCode ?? 'error'}` });
  if (msg.sentAt) out.push({ at: msg.sentAt, source: 'notification', kind: 'message_sent', code: template, ref, detail: msg.channel });
  if (msg.deliveredAt) out.push({ at: msg.deliveredAt, source: 'notification', kind: 'message_delivered', code: template, ref, detail: msg.channel });
  if (msg.failedAt) out.push({ at: msg.failedAt, source: 'notification', kind: 'message_failed', code: template, ref, detail: msg.lastErrorCode });
  return out;
}

/** Every source's records of one parcel as one timeline, oldest first. Pure. */
export function mergeParcelTimeline(facts: ParcelFacts): TimelineEntry[] {
  // An empty history (the service answered but never saw the parcel, e.g. before this history was
  // kept) must not hide the scans the case and the claim did record.
  const history = facts.tracking ?? [];
  const derivedScans = history.length === 0;
  const entries = [
    ...history.map(trackingEntry),
    ...facts.cases.flatMap((c) => caseEntries(c, derivedScans)),
    ...facts.tasks.flatMap((t) => taskEntries(t, facts.actions.get(t.id) ?? [])),
    ...facts.cases.flatMap((c) => (facts.documents.get(c.id) ?? []).flatMap((d) => documentEntries(c.id, d))),
    ...facts.claims.flatMap((c) => claimEntries(c, derivedScans)),
    ...(facts.messages ?? []).flatMap(messageEntries),
  ];
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || SOURCE_ORDER[a.e.source] - SOURCE_ORDER[b.e.source] || a.i - b.i)
    .map(({ e }) => e);
}
