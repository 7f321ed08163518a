// SimulatedWeComApp: a SIMULATOR of WeCom's (企业微信) self-built app API for tests, not the real
// service. `GET /cgi-bin/gettoken?corpid=&corpsecret=` issues access tokens (expiry settable) and
// `POST /cgi-bin/message/send?access_token=` takes `text` messages for members of the app's
// visible range, checked as documented (token valid, agentid, touser, content, 2,048 bytes), with
// errcode/errmsg in an HTTP 200 body, `invaliduser` for members outside the range and 81013 when
// nobody is left. It can be told to fail and to expire every token.
import { randomBytes } from 'node:crypto';
import { FailurePlan, startHttpSimulator, type RunningSimulator } from './http-simulator';

export interface SimulatedAppMessage {
  readonly touser: string;
  readonly agentid: number;
  readonly content: string;
}

export class SimulatedWeComApp {
  readonly received: SimulatedAppMessage[] = [];
  readonly failures = new FailurePlan<{ errcode: number; errmsg: string } | { status: number }>();
  tokensIssued = 0;
  private readonly tokens = new Set<string>();
  private server: RunningSimulator | null = null;

  constructor(
    readonly corpId: string,
    private readonly secret: string,
    readonly agentId: number,
    /** Members in the app's visible range (WeCom user ids). */
    private readonly members: ReadonlySet<string>,
  ) {}

  get url(): string {
    return this.server!.url;
  }

  /** Every token issued so far stops working (as after WeCom rotated them). */
  expireTokens(): void {
    this.tokens.clear();
  }

  async start(): Promise<this> {
    this.server = await startHttpSimulator((req) => {
      const answer = (errcode: number, errmsg: string, extra: Record<string, unknown> = {}) => ({
        status: 200,
        json: { errcode, errmsg, ...extra },
      });
      if (req.method === 'GET' && req.url.pathname === '/cgi-bin/gettoken') {
        if (req.url.searchParams.get('corpid') !== this.corpId) return answer(40013, 'invalid corpid');
        if (req.url.searchParams.get('corpsecret') !== this.secret)
          return answer(40001, 'invalid credential');
        const token = randomBytes(24).toString('base64url');
        this.tokens.add(token);
        this.tokensIssued += 1;
        return answer(0, 'ok', { access_token: token, expires_in: 7200 });
      }
      if (req.method !== 'POST' || req.url.pathname !== '/cgi-bin/message/send') return { status: 404 };
      if (!this.tokens.has(req.url.searchParams.get('access_token') ?? ''))
        return answer(40014, 'invalid access_token');
      const failure = this.failures.next();
      if (failure)
        return 'status' in failure ? { status: failure.status } : answer(failure.errcode, failure.errmsg);
      let body: { touser?: string; msgtype?: string; agentid?: number; text?: { content?: string } };
      try {
        body = JSON.parse(req.body.toString('utf8')) as typeof body;
      } catch {
        return answer(40016, 'invalid button size');
      }
      if (body.agentid !== this.agentId) return answer(40056, 'invalid agentid');
      if (body.msgtype !== 'text') return answer(40008, 'invalid message type');
      const content = body.text?.content;
      if (!content) return answer(44004, 'empty content');
      if (Buffer.byteLength(content, 'utf8') > 2048) return answer(40058, 'content exceed max length');
      const users = (body.touser ?? '').split('|').filter(Boolean);
      const valid = users.filter((u) => this.members.has(u));
      const invalid = users.filter((u) => !this.members.has(u)).map((u) => u.toLowerCase());
      if (valid.length === 0) return answer(81013, 'user & party & tag all invalid');
      for (const touser of valid) this.received.push({ touser, agentid: body.agentid, content });
      return answer(0, 'ok', { invaliduser: invalid.join('|'), msgid: randomBytes(8).toString('hex') });
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
