// SimulatedWeComRobot: a SIMULATOR of the WeCom (企业微信) group robot webhook for tests, not the real
// service. `POST /cgi-bin/webhook/send?key=…` with `msgtype` text|markdown, checked as documented
// (known key, content present, byte limits), answered with errcode/errmsg in an HTTP 200 body.
import { FailurePlan, startHttpSimulator, type RunningSimulator } from './http-simulator';

export interface SimulatedRobotMessage {
  readonly key: string;
  readonly msgtype: 'text' | 'markdown';
  readonly content: string;
}

export class SimulatedWeComRobot {
  readonly received: SimulatedRobotMessage[] = [];
  readonly failures = new FailurePlan<{ errcode: number; errmsg: string } | { status: number }>();
  private server: RunningSimulator | null = null;

  constructor(private readonly keys: ReadonlySet<string>) {}

  get url(): string {
    return this.server!.url;
  }

  async start(): Promise<this> {
    this.server = await startHttpSimulator((req) => {
      const answer = (errcode: number, errmsg: string) => ({ status: 200, json: { errcode, errmsg } });
      if (req.method !== 'POST' || req.url.pathname !== '/cgi-bin/webhook/send') return { status: 404 };
      const key = req.url.searchParams.get('key') ?? '';
      if (!this.keys.has(key)) return answer(93000, 'invalid webhook url');
      const failure = this.failures.next();
      if (failure)
        return 'status' in failure ? { status: failure.status } : answer(failure.errcode, failure.errmsg);
      let body: { msgtype?: string; text?: { content?: string }; markdown?: { content?: string } };
      try {
        body = JSON.parse(req.body.toString('utf8')) as typeof body;
      } catch {
        return answer(40016, 'invalid button size'); // WeCom's answer to unparsable JSON is famously unhelpful
      }
      if (body.msgtype !== 'text' && body.msgtype !== 'markdown')
        return answer(40008, 'invalid message type');
      const content = body.msgtype === 'text' ? body.text?.content : body.markdown?.content;
      if (!content) return answer(44004, 'empty content');
      const limit = body.msgtype === 'text' ? 2048 : 4096;
      if (Buffer.byteLength(content, 'utf8') > limit) return answer(40058, 'content exceed max length');
      this.received.push({ key, msgtype: body.msgtype, content });
      return answer(0, 'ok');
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
