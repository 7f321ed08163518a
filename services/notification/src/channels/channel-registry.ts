import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigError } from '@portico/config';
import type { Logger } from '@portico/observability';
import { ROOT_LOGGER } from '@portico/service-kit';
import { channelSettingProblems, SERVICE_NAME, type NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import { AliyunSmsChannel, parseSmsTemplateCodes } from './aliyun-sms.channel';
import type { Channel, ChannelKind, OutgoingMessage, SendResult } from './channel';
import { DingTalkRobotChannel, parseDingTalkSecrets } from './dingtalk-robot.channel';
import { SmtpChannel } from './smtp.channel';
import { WebPushChannel } from './web-push.channel';
import { WeComAppChannel } from './wecom-app.channel';
import { WeComRobotChannel } from './wecom-robot.channel';

/** The setting that switches each channel on, named in the start-up log when it is absent. */
const ENABLING_SETTING: Record<ChannelKind, string> = {
  email: 'SMTP_HOST',
  sms: 'SMS_GATEWAY_URL',
  wecom: 'WECOM_ROBOT_BASE_URL',
  dingtalk: 'DINGTALK_ROBOT_BASE_URL',
  web_push: 'VAPID_PUBLIC_KEY',
  wecom_app: 'WECOM_APP_BASE_URL',
};

/** The channels this instance can send through (the configured ones), by kind. */
export class Channels {
  constructor(private readonly byKind: ReadonlyMap<ChannelKind, Channel>) {}

  enabled(kind: ChannelKind): boolean {
    return this.byKind.has(kind);
  }

  enabledKinds(): ChannelKind[] {
    return [...this.byKind.keys()];
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const channel = this.byKind.get(message.channel);
    if (!channel) return { ok: false, code: 'CHANNEL_DISABLED', retryable: false };
    return (channel as Channel<typeof message.channel>).send(message as never);
  }

  get(kind: ChannelKind): Channel | undefined {
    return this.byKind.get(kind);
  }
}

/** Builds the adapters from the settings, once, and says which channels are off and why. */
export function channelsFromConfig(config: NotificationConfig, log?: Logger): Channels {
  const problems = channelSettingProblems(config);
  if (problems.length > 0) throw new ConfigError(SERVICE_NAME, problems);
  const timeoutMs = config.channelTimeoutMs;
  const map = new Map<ChannelKind, Channel>();
  if (config.smtpHost) {
    map.set(
      'email',
      new SmtpChannel({
        host: config.smtpHost,
        port: config.smtpPort,
        secure: config.smtpSecure,
        user: config.smtpUser || undefined,
        password: config.smtpPassword || undefined,
        from: config.smtpFrom,
        timeoutMs,
      }),
    );
  }
  if (config.smsGatewayUrl && config.smsAccessKeyId && config.smsAccessKeySecret) {
    map.set(
      'sms',
      new AliyunSmsChannel({
        baseUrl: config.smsGatewayUrl,
        accessKeyId: config.smsAccessKeyId,
        accessKeySecret: config.smsAccessKeySecret,
        signName: config.smsSignName,
        templateCodes: parseSmsTemplateCodes(config.smsTemplateCodes),
        timeoutMs,
      }),
    );
  }
  if (config.wecomRobotBaseUrl)
    map.set('wecom', new WeComRobotChannel({ baseUrl: config.wecomRobotBaseUrl, timeoutMs }));
  if (config.wecomAppBaseUrl && config.wecomAppCorpId && config.wecomAppAgentId && config.wecomAppSecret) {
    map.set(
      'wecom_app',
      new WeComAppChannel({
        baseUrl: config.wecomAppBaseUrl,
        corpId: config.wecomAppCorpId,
        agentId: config.wecomAppAgentId,
        secret: config.wecomAppSecret,
        timeoutMs,
      }),
    );
  }
  if (config.dingtalkRobotBaseUrl) {
    map.set(
      'dingtalk',
      new DingTalkRobotChannel({
        baseUrl: config.dingtalkRobotBaseUrl,
        secrets: parseDingTalkSecrets(config.dingtalkRobotSecrets),
        timeoutMs,
      }),
    );
  }
  if (config.vapidPublicKey && config.vapidPrivateKey) {
    map.set(
      'web_push',
      new WebPushChannel({
        vapidSubject: config.vapidSubject,
        vapidPublicKey: config.vapidPublicKey,
        vapidPrivateKey: config.vapidPrivateKey,
        timeoutMs,
        ttlSeconds: 24 * 3600,
      }),
    );
  }
  for (const kind of Object.keys(ENABLING_SETTING) as ChannelKind[]) {
    if (!map.has(kind)) {
      log?.info(
        { channel: kind, setting: ENABLING_SETTING[kind] },
        'channel disabled: its setting is not set',
      );
    }
  }
  return new Channels(map);
}

/** Nest provider of the configured channels; closes the SMTP pool on shutdown. */
@Injectable()
export class ChannelRegistry extends Channels implements OnApplicationShutdown {
  constructor(@Inject(NOTIFICATION_CONFIG) config: NotificationConfig, @Inject(ROOT_LOGGER) root: Logger) {
    const built = channelsFromConfig(config, root.child({ component: 'channels' }));
    super(new Map(built.enabledKinds().map((k) => [k, built.get(k)!])));
  }

  onApplicationShutdown(): void {
    const smtp = this.get('email');
    if (smtp instanceof SmtpChannel) smtp.close();
  }
}
