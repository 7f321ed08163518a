// Each adapter against its test double: the real SMTP sink (smtp-server), and the simulators of
// Alibaba Cloud SMS, the WeCom and DingTalk robots and a Web Push service, which check requests
// as the real APIs document them.
import { createECDH, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import webpush from 'web-push';
import { AliyunSmsChannel, aliyunRpcSignature, percentEncode } from './aliyun-sms.channel';
import { DingTalkRobotChannel } from './dingtalk-robot.channel';
import { classifySmtpError, SmtpChannel } from './smtp.channel';
import { SimulatedDingTalkRobot } from './test-support/simulated-dingtalk-robot';
import { SimulatedPushService } from './test-support/simulated-push-service';
import { SimulatedSmsGateway } from './test-support/simulated-sms-gateway';
import { SimulatedWeComRobot } from './test-support/simulated-wecom-robot';
import { SmtpSink } from '@portico/testing/smtp';
import { WebPushChannel } from './web-push.channel';
import { robotKey, WeComRobotChannel } from './wecom-robot.channel';

const content = { title: '新任务', markdown: '### 新任务\n> 包裹 SF1' };

describe('SMTP channel (real SMTP sink)', () => {
  const sink = new SmtpSink();
  let channel: SmtpChannel;
  beforeAll(async () => {
    await sink.start();
    channel = new SmtpChannel({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      from: 'Portico <no-reply@portico.test>',
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    channel.close();
    await sink.stop();
  });

  it('hands over subject, text and HTML with our message id, and reports sent (not delivered)', async () => {
    const result = await channel.send({
      channel: 'email',
      messageId: 'msg_1',
      to: 'resident@example.test',
      content: { subject: '清关证件', text: '请上传 https://vault.test/u/x', html: '<p>请上传</p>' },
    });
    expect(result).toMatchObject({ ok: true, delivered: false });
    const [mail] = sink.received;
    expect(mail).toMatchObject({
      to: ['resident@example.test'],
      subject: '清关证件',
      messageId: '<msg_1@portico.notification>',
    });
    expect(mail!.text.trim()).toBe('请上传 https://vault.test/u/x');
    expect(mail!.html).toContain('<p>请上传</p>');
  });

  it('treats 5xx replies as permanent (fail over) and 4xx as temporary (retry)', async () => {
    sink.failures.push({ code: 550, message: 'mailbox unavailable' });
    const permanent = await channel.send({
      channel: 'email',
      messageId: 'msg_2',
      to: 'gone@example.test',
      content: { subject: 's', text: 't', html: 'h' },
    });
    expect(permanent).toEqual({ ok: false, code: 'SMTP_550', retryable: false });
    sink.failures.push({ code: 451, message: 'try later' });
    const temporary = await channel.send({
      channel: 'email',
      messageId: 'msg_3',
      to: 'busy@example.test',
      content: { subject: 's', text: 't', html: 'h' },
    });
    expect(temporary).toEqual({ ok: false, code: 'SMTP_451', retryable: true });
    expect(JSON.stringify([permanent, temporary])).not.toContain('example.test');
  });

  it('classifies a relay that does not answer as retryable', () => {
    expect(classifySmtpError({ code: 'ECONNECTION' })).toEqual({
      ok: false,
      code: 'SMTP_ECONNECTION',
      retryable: true,
    });
    expect(classifySmtpError({ code: 'EAUTH' })).toEqual({ ok: false, code: 'SMTP_EAUTH', retryable: false });
  });
});

describe('Alibaba Cloud SMS channel (SimulatedSmsGateway)', () => {
  const gateway = new SimulatedSmsGateway('LTAI-test-key', 'test-secret-0123456789', new Set(['SMS_1001']));
  const codes = new Map([['resident-documents-requested@1/zh', 'SMS_1001']]);
  let channel: AliyunSmsChannel;
  const sms = (to: string, templateRef = 'resident-documents-requested@1') => ({
    channel: 'sms' as const,
    messageId: 'msg_sms',
    to,
    content: {
      templateRef,
      language: 'zh' as const,
      params: { waybill: 'SF1', link: 'https://vault.test/u/abc' },
      preview: '',
    },
  });
  beforeAll(async () => {
    await gateway.start();
    channel = new AliyunSmsChannel({
      baseUrl: gateway.url,
      accessKeyId: 'LTAI-test-key',
      accessKeySecret: 'test-secret-0123456789',
      signName: '港湾物业',
      templateCodes: codes,
      timeoutMs: 5000,
    });
  });
  afterAll(() => gateway.stop());

  it('sends a signed SendSms request the gateway accepts, with the template code and params', async () => {
    const result = await channel.send(sms('13912345678'));
    expect(result).toMatchObject({ ok: true, delivered: false });
    expect(gateway.received.at(-1)).toMatchObject({
      phoneNumbers: '13912345678',
      signName: '港湾物业',
      templateCode: 'SMS_1001',
      params: { waybill: 'SF1', link: 'https://vault.test/u/abc' },
      outId: 'msg_sms',
    });
    expect(gateway.refused).toEqual([]);
  });

  it('is refused with a wrong secret: the simulator checks the signature', async () => {
    const wrong = new AliyunSmsChannel({
      baseUrl: gateway.url,
      accessKeyId: 'LTAI-test-key',
      accessKeySecret: 'not-the-secret',
      signName: 'x',
      templateCodes: codes,
      timeoutMs: 5000,
    });
    expect(await wrong.send(sms('13912345678'))).toEqual({
      ok: false,
      code: 'SMS_SignatureDoesNotMatch',
      retryable: false,
    });
  });

  it('maps business errors: an illegal number is permanent, the provider throttle is retryable', async () => {
    expect(await channel.send(sms('12345'))).toEqual({
      ok: false,
      code: 'SMS_isv.MOBILE_NUMBER_ILLEGAL',
      retryable: false,
    });
    gateway.failures.push({ code: 'isv.BUSINESS_LIMIT_CONTROL' });
    expect(await channel.send(sms('13912345678'))).toEqual({
      ok: false,
      code: 'SMS_isv.BUSINESS_LIMIT_CONTROL',
      retryable: true,
    });
    gateway.failures.push({ code: 'ServiceUnavailable', status: 503 });
    expect(await channel.send(sms('13912345678'))).toMatchObject({ ok: false, retryable: true });
  });

  it('fails without calling the gateway when no template code is configured', async () => {
    const before = gateway.received.length;
    expect(await channel.send(sms('13912345678', 'steward-new-task@1'))).toEqual({
      ok: false,
      code: 'SMS_TEMPLATE_NOT_CONFIGURED',
      retryable: false,
    });
    expect(gateway.received).toHaveLength(before);
  });

  it('signs over the sorted, RFC 3986-encoded parameters, keyed by the secret', () => {
    expect(percentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    // Same parameters in another order give the same signature: the canonical query is sorted.
    const a = aliyunRpcSignature('POST', { B: '2', A: '1' }, 's');
    const b = aliyunRpcSignature('POST', { A: '1', B: '2' }, 's');
    expect(a).toBe(b);
    expect(aliyunRpcSignature('POST', { A: '1', B: '2' }, 't')).not.toBe(a);
  });
});

describe('WeCom group robot channel (SimulatedWeComRobot)', () => {
  const key = '693a91f6-7a0c-4bc4-97a0-0ec2f1a5aaa1';
  const robot = new SimulatedWeComRobot(new Set([key]));
  let channel: WeComRobotChannel;
  beforeAll(async () => {
    await robot.start();
    channel = new WeComRobotChannel({ baseUrl: robot.url, timeoutMs: 5000 });
  });
  afterAll(() => robot.stop());

  it('posts markdown to the robot named by the key (bare or as the webhook URL) and reports delivered', async () => {
    expect(await channel.send({ channel: 'wecom', messageId: 'msg_w', to: key, content })).toEqual({
      ok: true,
      providerMessageId: 'msg_w',
      delivered: true,
    });
    const url = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`;
    expect(await channel.send({ channel: 'wecom', messageId: 'msg_w2', to: url, content })).toMatchObject({
      ok: true,
    });
    expect(robot.received).toEqual([
      { key, msgtype: 'markdown', content: content.markdown },
      { key, msgtype: 'markdown', content: content.markdown },
    ]);
  });

  it('reads errcode from the body: an unknown robot is permanent, the frequency limit retryable', async () => {
    expect(
      await channel.send({
        channel: 'wecom',
        messageId: 'm',
        to: '00000000-0000-0000-0000-000000000000',
        content,
      }),
    ).toEqual({ ok: false, code: 'WECOM_93000', retryable: false });
    robot.failures.push({ errcode: 45009, errmsg: 'api freq out of limit' });
    expect(await channel.send({ channel: 'wecom', messageId: 'm', to: key, content })).toEqual({
      ok: false,
      code: 'WECOM_45009',
      retryable: true,
    });
    robot.failures.push({ status: 502 });
    expect(await channel.send({ channel: 'wecom', messageId: 'm', to: key, content })).toEqual({
      ok: false,
      code: 'WECOM_HTTP_502',
      retryable: true,
    });
    expect(robotKey('not a key!')).toBeNull();
  });
});

describe('DingTalk robot channel (SimulatedDingTalkRobot)', () => {
  const token = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
  const secret = 'SEC0123456789abcdef0123456789abcdef';
  const robot = new SimulatedDingTalkRobot(new Map([[token, secret]]));
  beforeAll(() => robot.start());
  afterAll(() => robot.stop());

  it('signs timestamp + secret with HMAC-SHA256 as DingTalk documents, and reports delivered', async () => {
    const channel = new DingTalkRobotChannel({
      baseUrl: robot.url,
      secrets: new Map([[token, secret]]),
      timeoutMs: 5000,
    });
    expect(await channel.send({ channel: 'dingtalk', messageId: 'msg_d', to: token, content })).toEqual({
      ok: true,
      providerMessageId: 'msg_d',
      delivered: true,
    });
    expect(robot.received).toEqual([{ accessToken: token, title: content.title, text: content.markdown }]);
  });

  it('is refused with a wrong secret (310000, permanent) and retries when sending too fast', async () => {
    const wrong = new DingTalkRobotChannel({
      baseUrl: robot.url,
      secrets: new Map([[token, 'SECwrong']]),
      timeoutMs: 5000,
    });
    expect(await wrong.send({ channel: 'dingtalk', messageId: 'm', to: token, content })).toEqual({
      ok: false,
      code: 'DINGTALK_310000',
      retryable: false,
    });
    const channel = new DingTalkRobotChannel({
      baseUrl: robot.url,
      secrets: new Map([[token, secret]]),
      timeoutMs: 5000,
    });
    robot.failures.push({ errcode: 130101, errmsg: 'send too fast' });
    expect(await channel.send({ channel: 'dingtalk', messageId: 'm', to: token, content })).toEqual({
      ok: false,
      code: 'DINGTALK_130101',
      retryable: true,
    });
  });
});

describe('web push channel (SimulatedPushService)', () => {
  const vapid = webpush.generateVAPIDKeys();
  const push = new SimulatedPushService(vapid.publicKey);
  const browser = () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  };
  let channel: WebPushChannel;
  beforeAll(async () => {
    await push.start();
    channel = new WebPushChannel({
      vapidSubject: 'mailto:ops@portico.test',
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      timeoutMs: 5000,
      ttlSeconds: 3600,
      agent: new Agent({ ca: push.ca }),
    });
  });
  afterAll(() => push.stop());
  const notice = { title: '新任务', body: '包裹 SF1', path: '/tasks/ot_1', tag: 'task:ot_1' };

  it('pushes an encrypted notification with a VAPID JWT the push service verifies', async () => {
    const result = await channel.send({
      channel: 'web_push',
      messageId: 'msg_p',
      to: [{ endpoint: push.endpoint('sub-1'), ...browser() }],
      content: notice,
    });
    expect(result).toMatchObject({ ok: true, delivered: false, goneEndpoints: [] });
    expect(push.refused).toEqual([]);
    expect(push.received).toEqual([
      expect.objectContaining({ subscriptionId: 'sub-1', ttl: 3600, urgency: 'high' }),
    ]);
    expect(push.received[0]!.bytes).toBeGreaterThan(100);
  });

  it('hands back subscriptions the push service says are gone, and fails when none is left', async () => {
    push.markGone('sub-gone');
    const gone = push.endpoint('sub-gone');
    const mixed = await channel.send({
      channel: 'web_push',
      messageId: 'm',
      to: [
        { endpoint: gone, ...browser() },
        { endpoint: push.endpoint('sub-2'), ...browser() },
      ],
      content: notice,
    });
    expect(mixed).toMatchObject({ ok: true, goneEndpoints: [gone] });
    const none = await channel.send({
      channel: 'web_push',
      messageId: 'm',
      to: [{ endpoint: gone, ...browser() }],
      content: notice,
    });
    expect(none).toMatchObject({ ok: false, code: 'WEB_PUSH_GONE', retryable: false, goneEndpoints: [gone] });
    expect(
      await channel.send({ channel: 'web_push', messageId: 'm', to: [], content: notice }),
    ).toMatchObject({ ok: false, code: 'WEB_PUSH_NO_SUBSCRIPTION' });
  });

  it('is refused by the push service when signed with another application key', async () => {
    const other = webpush.generateVAPIDKeys();
    const wrong = new WebPushChannel({
      vapidSubject: 'mailto:ops@portico.test',
      vapidPublicKey: other.publicKey,
      vapidPrivateKey: other.privateKey,
      timeoutMs: 5000,
      ttlSeconds: 60,
      agent: new Agent({ ca: push.ca }),
    });
    expect(
      await wrong.send({
        channel: 'web_push',
        messageId: 'm',
        to: [{ endpoint: push.endpoint('sub-3'), ...browser() }],
        content: notice,
      }),
    ).toMatchObject({ ok: false, code: 'WEB_PUSH_HTTP_403', retryable: false });
  });
});
