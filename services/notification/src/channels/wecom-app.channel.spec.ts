import { SimulatedWeComApp } from './test-support/simulated-wecom-app';
import { WeComAppChannel } from './wecom-app.channel';

describe('WeCom app messages to residents (SimulatedWeComApp)', () => {
  const app = new SimulatedWeComApp(
    'ww-corp-1',
    'app-secret-0123456789',
    1000002,
    new Set(['LiWei', 'wang.fang']),
  );
  let channel: WeComAppChannel;
  const message = (
    to: string,
    text = '李伟您好！这里是物业服务中心。请上传证件：https://vault.test/u/abc',
  ) => ({
    channel: 'wecom_app' as const,
    messageId: 'msg_1',
    to,
    content: { text },
  });

  beforeAll(() => app.start());
  afterAll(() => app.stop());
  beforeEach(() => {
    channel = new WeComAppChannel({
      baseUrl: app.url,
      corpId: 'ww-corp-1',
      agentId: 1000002,
      secret: 'app-secret-0123456789',
      timeoutMs: 2_000,
    });
  });

  it('sends a text message to the member with one access token for many sends: delivered', async () => {
    const before = app.tokensIssued;
    expect(await channel.send(message('LiWei'))).toMatchObject({ ok: true, delivered: true });
    expect(await channel.send(message('wang.fang'))).toMatchObject({ ok: true, delivered: true });
    expect(app.tokensIssued - before).toBe(1);
    expect(app.received.slice(-2).map((r) => [r.touser, r.agentid])).toEqual([
      ['LiWei', 1000002],
      ['wang.fang', 1000002],
    ]);
    expect(app.received.at(-2)!.content).toContain('https://vault.test/u/abc');
  });

  it('fetches a new token once when WeCom says the old one expired, and sends', async () => {
    await channel.send(message('LiWei'));
    const before = app.tokensIssued;
    app.expireTokens();
    expect(await channel.send(message('LiWei'))).toMatchObject({ ok: true });
    expect(app.tokensIssued - before).toBe(1);
  });

  it('fails permanently for a user outside the app’s visible range, and retries on frequency limits', async () => {
    expect(await channel.send(message('stranger'))).toEqual({
      ok: false,
      code: 'WECOM_APP_81013',
      retryable: false,
    });
    app.failures.push({ errcode: 45009, errmsg: 'api freq out of limit' });
    expect(await channel.send(message('LiWei'))).toEqual({
      ok: false,
      code: 'WECOM_APP_45009',
      retryable: true,
    });
    app.failures.push({ status: 502 });
    expect(await channel.send(message('LiWei'))).toEqual({
      ok: false,
      code: 'WECOM_APP_HTTP_502',
      retryable: true,
    });
  });

  it('answers a wrong secret as a permanent token failure, without the secret in the code', async () => {
    const wrong = new WeComAppChannel({
      baseUrl: app.url,
      corpId: 'ww-corp-1',
      agentId: 1000002,
      secret: 'not-the-secret',
      timeoutMs: 2_000,
    });
    const result = await wrong.send(message('LiWei'));
    expect(result).toEqual({ ok: false, code: 'WECOM_APP_TOKEN_40001', retryable: false });
    expect(JSON.stringify(result)).not.toContain('not-the-secret');
  });

  it('refuses content over WeCom’s 2,048-byte text limit as the API does', async () => {
    expect(await channel.send(message('LiWei', '证'.repeat(700)))).toEqual({
      ok: false,
      code: 'WECOM_APP_40058',
      retryable: false,
    });
  });
});
