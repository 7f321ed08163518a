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
  logout: () => call<void>('DELETE', '/api/session'),
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
};

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
}
