import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PersonTokenVerifier } from '@portico/auth';

/** A task as notification's GET /v1/outreach/tasks answers it (the fields the console uses). */
export interface SimulatedTask {
  id: string;
  tenantId: string;
  propertyId: string;
  caseId: string;
  carrierCode: string;
  trackingNumber: string;
  kind: string;
  state: 'open' | 'acknowledged' | 'closed';
  expedited: boolean;
  escalationLevel: string;
  deadline: string | null;
  createdAt: string;
  residentName: string;
  script: { text: string; zh: string; en: string; language: string; templateRef: string };
}

/**
 * SIMULATED notification API for the console's browser test — not the real service. It answers
 * the outreach task list, acknowledge and actions endpoints the way services/notification/README.md
 * documents them, and checks the console's bearer token (signature, issuer, audience) and property
 * scope as notification would, so a console that forgot the token or leaked another property fails.
 */
export class SimulatedNotification {
  readonly tasks = new Map<string, SimulatedTask>();
  readonly acknowledgements: { taskId: string; subject: string; idempotencyKey: string | undefined }[] = [];
  private server?: Server;
  url = '';

  private readonly verifier: PersonTokenVerifier;

  constructor(options: { devKey: string; issuer: string; audience: string }) {
    this.verifier = new PersonTokenVerifier({ issuer: options.issuer, audience: options.audience, keys: { devKey: options.devKey } });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async caller(req: IncomingMessage) {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return null;
    try {
      // The verifier notification itself uses (libs/auth).
      return await this.verifier.verify(auth.slice(7));
    } catch {
      return null;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const caller = await this.caller(req);
    if (!caller) return send(401, { error: { code: 'credentials_missing', message: { en: 'no', zh: '无' } } });
    const url = new URL(req.url ?? '/', 'http://x');
    const visible = (t: SimulatedTask) => t.tenantId === caller.tenantId && caller.propertyIds.includes(t.propertyId);
    if (req.method === 'GET' && url.pathname === '/v1/outreach/tasks') {
      const q = url.searchParams;
      const items = [...this.tasks.values()].filter(
        (t) =>
          visible(t) &&
          (!q.get('state') || t.state === q.get('state')) &&
          (!q.get('propertyId') || t.propertyId === q.get('propertyId')) &&
          (!q.get('caseId') || t.caseId === q.get('caseId')),
      );
      return send(200, { items });
    }
    const m = /^\/v1\/outreach\/tasks\/([^/]+)\/(acknowledge|actions)$/.exec(url.pathname);
    const task = m ? this.tasks.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !task || !visible(task))
      return send(404, { error: { code: 'task_not_found', message: { en: 'Task not found.', zh: '任务不存在。' } } });
    if (m[2] === 'actions') {
      const items = this.acknowledgements
        .filter((a) => a.taskId === task.id)
        .map((a, i) => ({ id: `act_${i}`, action: 'acknowledged', actorId: a.subject, channel: null, level: 'steward', occurredAt: new Date().toISOString() }));
      return send(200, { items });
    }
    const key = req.headers['idempotency-key'];
    this.acknowledgements.push({ taskId: task.id, subject: caller.subject, idempotencyKey: typeof key === 'string' ? key : undefined });
    task.state = 'acknowledged';
    return send(200, { task: { id: task.id, state: task.state }, action: { id: 'act', action: 'acknowledged' } });
  }
}
