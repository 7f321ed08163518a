// SimulatedDingTalkRobot: a SIMULATOR of DingTalk's custom group robot for tests, not the real
// service. `POST /robot/send?access_token=…&timestamp=…&sign=…`: the token must exist, the
// timestamp be within an hour, the sign equal base64(HMAC-SHA256(secret, timestamp + "\n" + secret))
// (errcode 310000 otherwise); markdown needs title and text.
import { dingTalkSign } from '../dingtalk-robot.channel';
import { FailurePlan, startHttpSimulator, type RunningSimulator } from './http-simulator';

export interface SimulatedDingTalkMessage {
  readonly accessToken: string;
  readonly title: string;
  readonly text: string;
}

export class SimulatedDingTalkRobot {
  readonly received: SimulatedDingTalkMessage[] = [];
  readonly failures = new FailurePlan<{ errcode: number; errmsg: string }>();
  private server: RunningSimulator | null = null;

  /** @param robots access token → signing secret */
  constructor(private readonly robots: ReadonlyMap<string, string>) {}

  get url(): string {
    return this.server!.url;
  }

  async start(): Promise<this> {
    this.server = await startHttpSimulator((req) => {
      const answer = (errcode: number, errmsg: string) => ({ status: 200, json: { errcode, errmsg } });
      if (req.method !== 'POST' || req.url.pathname !== '/robot/send') return { status: 404 };
      const token = req.url.searchParams.get('access_token') ?? '';
      const secret = this.robots.get(token);
      if (secret === undefined) return answer(300001, 'token is not exist');
      const timestamp = Number(req.url.searchParams.get('timestamp'));
      const sign = req.url.searchParams.get('sign') ?? '';
      if (!Number.isFinite(timestamp) || Math.abs(Date.now() - timestamp) > 3600_000)
        return answer(310000, 'invalid timestamp');
      if (sign !== dingTalkSign(timestamp, secret)) return answer(310000, 'sign not match');
      const failure = this.failures.next();
      if (failure) return answer(failure.errcode, failure.errmsg);
      const body = JSON.parse(req.body.toString('utf8')) as {
        msgtype?: string;
        markdown?: { title?: string; text?: string };
      };
      if (body.msgtype !== 'markdown' || !body.markdown?.title || !body.markdown.text)
        return answer(40035, 'missing parameter');
      this.received.push({ accessToken: token, title: body.markdown.title, text: body.markdown.text });
      return answer(0, 'ok');
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
