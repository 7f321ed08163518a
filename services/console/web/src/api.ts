/** The console's own API (same origin, cookie session). Never logs anything to the console. */
export interface Me {
  accountId: string;
  username: string;
  subject: string;
  roles: string[];
  tenantId: string | null;
  propertyIds: string[];
  csrfToken: string;
}

export interface Task {
  id: string;
  parcelId: string;
  propertyId: string;
  caseId: string | null;
  carrierCode: string;
  trackingNumber: string;
  kind: string;
  state: 'open' | 'acknowledged' | 'closed';
  expedited: boolean;
  escalationLevel: string;
  deadline: string | null;
  createdAt: string;
  residentName: string | null;
  script: { text: string; zh: string; en: string } | null;
  stewardId?: string | null;
  closedAt?: string | null;
}

export interface ApiError {
  status: number;
  code: string;
  message: { en: string; zh: string };
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: { en: string; zh: string } } }).error;
    const error: ApiError = {
      status: res.status,
      code: e?.code ?? 'unknown',
      message: e?.message ?? { en: 'Request failed', zh: '请求失败' },
    };
    throw error;
  }
  return json as T;
}

export const api = {
  me: () => call<Me>('GET', '/api/me'),
  login: (username: string, password: string) => call<Me>('POST', '/api/session', { username, password }),
  logout: () => call<{ endSessionUrl: string | null }>('DELETE', '/api/session'),
  providers: () => call<{ local: boolean; oidc: { name: string; loginUrl: string } | null }>('GET', '/api/auth/providers'),
  tasks: (q: { propertyId?: string; caseId?: string; state?: string } = {}) => {
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][]);
    return call<{ items: Task[] }>('GET', `/api/tasks${params.size ? `?${params}` : ''}`);
  },
  acknowledge: (taskId: string) =>
    call<unknown>('POST', `/api/tasks/${encodeURIComponent(taskId)}/acknowledge`, {}, { 'idempotency-key': crypto.randomUUID() }),
  actions: (taskId: string) => call<{ items: TimelineEntry[] }>('GET', `/api/tasks/${encodeURIComponent(taskId)}/actions`),
  documents: (caseId: string) => call<{ items: VaultDocument[] }>('GET', `/api/cases/${encodeURIComponent(caseId)}/documents`),
  approve: (documentId: string) => call<unknown>('POST', `/api/documents/${encodeURIComponent(documentId)}/approve`, {}),
  reject: (documentId: string, reason: string) =>
    call<unknown>('POST', `/api/documents/${encodeURIComponent(documentId)}/reject`, { reason }),
  contacted: (taskId: string, channel: string) =>
    call<unknown>('POST', `/api/tasks/${encodeURIComponent(taskId)}/contacted`, { channel }, { 'idempotency-key': crypto.randomUUID() }),
  parcel: (parcelId: string) => call<ParcelView>('GET', `/api/parcels/${encodeURIComponent(parcelId)}`),
  claimDecision: (claimId: string, decision: string) =>
    call<unknown>('POST', `/api/claims/${encodeURIComponent(claimId)}/decision`, { decision }),
  // POST: the text is often a resident's name and must stay out of URLs.
  search: (body: { text: string; propertyId?: string; stewardId?: string; carrierCode?: string }) =>
    call<{ items: ParcelHit[]; stewards: { id: string; name: string | null }[] }>('POST', '/api/search', body),
  monthlyReview: (q: { month: string; months: number; propertyId?: string }) => {
    const params = new URLSearchParams({ month: q.month, months: String(q.months), ...(q.propertyId ? { propertyId: q.propertyId } : {}) });
    return call<MonthlyReviewView>('GET', `/api/reviews/monthly?${params}`);
  },
};

export interface CaseSummary {
  id: string;
  state: string;
  open: boolean;
  holdReason: string;
  deadline: string;
  expedited: boolean;
  propertyId: string | null;
}

export interface ClaimSummary {
  id: string;
  state: string;
  reason: string;
  decision: string | null;
  allowedActions: string[];
  openedAt: string;
  closedAt: string | null;
}

export interface ParcelTimelineEntry {
  at: string;
  source: 'tracking' | 'clearance' | 'notification' | 'id-vault' | 'claims';
  kind: string;
  code: string;
  ref: { caseId?: string; taskId?: string; documentId?: string; claimId?: string; messageId?: string };
  actorId?: string | null;
  detail?: string | null;
  place?: string | null;
  late?: boolean;
}

/** A message and its delivery (notification's history; the recipient is a role only). */
export interface MessageSummary {
  id: string;
  taskId: string | null;
  recipientRole: string;
  templateRef: string;
  status: string;
  channel: string;
  failedOverFrom: string[];
  attempts: number;
  queuedAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  lastErrorCode: string | null;
  /** The delivery receipts of its attempts, oldest first (closed provider codes only). */
  receipts?: MessageReceipt[];
}

/** What a delivery receipt said about one attempt the provider had accepted. */
export interface MessageReceipt {
  attempt: number;
  channel: string;
  outcome: 'delivered' | 'failed';
  code: string | null;
  at: string;
}

export interface ParcelView {
  parcelId: string;
  carrierCode: string | null;
  trackingNumber: string | null;
  tasks: Task[];
  cases: CaseSummary[];
  documents: Record<string, VaultDocument[]>;
  claims: ClaimSummary[];
  messages: MessageSummary[];
  timeline: ParcelTimelineEntry[];
  sources: Record<string, 'ok' | 'unavailable' | 'refused'>;
}

export interface ParcelHit {
  parcelId: string;
  carrierCode: string;
  trackingNumber: string;
  propertyId: string | null;
  stewardId: string | null;
  stewardName: string | null;
  residentName: string | null;
  unitLabel: string | null;
  matched: 'tracking_number' | 'unit' | 'resident';
  state: string;
  lastActivityAt: string;
}

export interface ReviewFigures {
  cases: number;
  cleared: number;
  holdToClearanceHours: { median: number | null; p90: number | null };
  stewardMinutesPerCase: number | null;
  secureChannelShare: number | null;
  firstPassAcceptance: number | null;
  escalations: number;
  ackSlaBreaches: number;
  missedDeadlines: number;
}

export interface MonthlyReviewView {
  month: string;
  current: { properties: (ReviewFigures & { propertyId: string | null })[] };
  series: { propertyId: string | null; points: { month: string; figures: ReviewFigures | null }[] }[];
}

export interface TimelineEntry {
  id: string;
  action: string;
  actorId: string | null;
  channel: string | null;
  level: string | null;
  occurredAt: string;
}

export interface VaultDocument {
  id: string;
  documentType: string;
  sides: string[];
  status: string;
  attempt: number;
  checks: Record<string, unknown>;
  submittedAt: string;
  reviewedAt: string | null;
  rejectionReason: string | null;
}
