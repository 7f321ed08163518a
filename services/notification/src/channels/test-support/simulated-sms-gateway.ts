// SimulatedSmsGateway: a SIMULATOR of Alibaba Cloud SMS `SendSms` (API 2017-05-25) for tests, not
// the real service. It checks a request the way the documented API does (RPC common parameters,
// HMAC-SHA1 signature v1.0, timestamp window, nonce reuse, PhoneNumbers, SignName, TemplateCode,
// TemplateParam JSON) and answers in the documented shape; it can be told to fail. It also plays the
// platform's SmsReport "HTTP batch push": `pushReports` POSTs delivery reports for messages it
// accepted to a receiving URL, as a JSON array in the documented fields, and checks the answer the
// way the platform does (HTTP 200 and a numeric `code`; anything else would be pushed again).
import { randomUUID } from 'node:crypto';
import { aliyunRpcSignature } from '../aliyun-sms.channel';
import { FailurePlan, startHttpSimulator, type RunningSimulator } from './http-simulator';

export interface SimulatedSms {
  readonly phoneNumbers: string;
  readonly signName: string;
  readonly templateCode: string;
  readonly params: Record<string, string>;
  readonly outId: string;
  readonly bizId: string;
}

/** One delivery report to push: `DELIVERED`, or a carrier code such as `MK:0001` (no such number). */
export interface SimulatedReport {
  readonly sms: SimulatedSms;
  readonly success: boolean;
  readonly errCode?: string;
  /** Overrides for tests of bad or foreign reports. */
  readonly bizId?: string;
  readonly outId?: string;
}

/** Beijing time as the reports carry it: `yyyy-MM-dd HH:mm:ss`. */
function beijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export type SmsFailure = { code: string; message?: string; status?: number } | { hang: number };

export class SimulatedSmsGateway {
  readonly received: SimulatedSms[] = [];
  /** Requests the simulator refused (code per request), for assertions on bad requests. */
  readonly refused: string[] = [];
  readonly failures = new FailurePlan<SmsFailure>();
  private readonly nonces = new Set<string>();
  private server: RunningSimulator | null = null;

  constructor(
    readonly accessKeyId: string,
    private readonly accessKeySecret: string,
    private readonly templateCodes: ReadonlySet<string>,
  ) {}

  get url(): string {
    return this.server!.url;
  }

  async start(): Promise<this> {
    this.server = await startHttpSimulator(async (req) => {
      const refuse = (status: number, code: string, message: string) => {
        this.refused.push(code);
        return { status, json: { Code: code, Message: message, RequestId: randomUUID() } };
      };
      if (req.method !== 'POST' || req.url.pathname !== '/')
        return refuse(404, 'InvalidAction.NotFound', 'Specified api is not found');
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        return refuse(400, 'InvalidParameter', 'form body expected');
      const p = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
      for (const name of [
        'AccessKeyId',
        'Action',
        'Format',
        'SignatureMethod',
        'SignatureNonce',
        'SignatureVersion',
        'Timestamp',
        'Version',
        'Signature',
        'PhoneNumbers',
        'SignName',
        'TemplateCode',
      ])
        if (!p[name]) return refuse(400, 'MissingParameter', `${name} is mandatory for this action`);
      if (p['Action'] !== 'SendSms' || p['Version'] !== '2017-05-25')
        return refuse(404, 'InvalidAction.NotFound', 'Specified api is not found');
      if (p['SignatureMethod'] !== 'HMAC-SHA1' || p['SignatureVersion'] !== '1.0')
        return refuse(400, 'InvalidSignatureMethod', 'Specified signature method is not supported');
      if (p['AccessKeyId'] !== this.accessKeyId)
        return refuse(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found');
      const ts = Date.parse(p['Timestamp']!);
      if (
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(p['Timestamp']!) ||
        Math.abs(Date.now() - ts) > 15 * 60_000
      )
        return refuse(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired');
      if (this.nonces.has(p['SignatureNonce']!))
        return refuse(400, 'SignatureNonceUsed', 'Specified signature nonce was used already');
      if (aliyunRpcSignature('POST', p, this.accessKeySecret) !== p['Signature'])
        return refuse(
          400,
          'SignatureDoesNotMatch',
          'Specified signature is not matched with our calculation',
        );
      this.nonces.add(p['SignatureNonce']!);

      const failure = this.failures.next();
      if (failure && 'hang' in failure) await new Promise((r) => setTimeout(r, failure.hang));
      else if (failure)
        return {
          status: failure.status ?? 200,
          json: { Code: failure.code, Message: failure.message ?? failure.code, RequestId: randomUUID() },
        };

      // Business checks answer HTTP 200 with an isv.* code, as the real API does.
      const business = (code: string, message: string) => {
        this.refused.push(code);
        return { status: 200, json: { Code: code, Message: message, RequestId: randomUUID() } };
      };
      if (!/^(1\d{10}|00\d{6,18})$/.test(p['PhoneNumbers']!))
        return business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
      if (!this.templateCodes.has(p['TemplateCode']!))
        return business('isv.SMS_TEMPLATE_ILLEGAL', '模板不合法');
      let params: Record<string, string>;
      try {
        params = JSON.parse(p['TemplateParam'] ?? '{}') as Record<string, string>;
        if (typeof params !== 'object' || Object.values(params).some((v) => typeof v !== 'string'))
          throw new Error();
      } catch {
        return business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      }
      const bizId = `${Date.now()}^${randomUUID().slice(0, 8)}`;
      this.received.push({
        phoneNumbers: p['PhoneNumbers']!,
        signName: p['SignName']!,
        templateCode: p['TemplateCode']!,
        params,
        outId: p['OutId'] ?? '',
        bizId,
      });
      return { status: 200, json: { Code: 'OK', Message: 'OK', BizId: bizId, RequestId: randomUUID() } };
    });
    return this;
  }

  /**
   * Pushes SmsReport entries to `receivingUrl` in one request, the way the platform's HTTP batch
   * push does; answers whether the platform would count them received (HTTP 200 and a numeric
   * `code`) and the receiver's body.
   */
  async pushReports(
    receivingUrl: string,
    reports: readonly SimulatedReport[],
  ): Promise<{ accepted: boolean; status: number; body: unknown }> {
    const now = new Date();
    const payload = reports.map((r) => ({
      phone_number: r.sms.phoneNumbers,
      send_time: beijing(now),
      report_time: beijing(now),
      success: r.success,
      err_code: r.errCode ?? (r.success ? 'DELIVERED' : 'MK:0001'),
      err_msg: r.success ? '用户接收成功' : '用户接收失败',
      sms_size: '1',
      biz_id: r.bizId ?? r.sms.bizId,
      out_id: r.outId ?? r.sms.outId,
    }));
    const res = await fetch(receivingUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const code = (body as { code?: unknown } | null)?.code;
    return { accepted: res.status === 200 && typeof code === 'number', status: res.status, body };
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
