import { apiKeySettings, authSettings, secretsKeyring } from '@portico/auth';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE_MS } from './webhooks/retry-schedule';
import { parseNetworkList } from './webhooks/webhook-target';
import {
  commonSettings,
  consumerSettings,
  ConfigError,
  loadConfig,
  processEnvironment,
  recipientDigestSettings,
  schemas,
  setting,
  type ConfigOf,
  type Environment,
} from '@portico/config';

export const SERVICE_NAME = 'notification';

/** Every setting of notification: the common ones plus its own. Validated at start, all problems at once. */
export const settings = {
  ...commonSettings(SERVICE_NAME, { port: 3004, database: 'portico_notification' }),
  // People (stewards, managers, operators) and property systems (directory import) call this service.
  ...authSettings(),
  ...apiKeySettings(),
  // notification owns the directory: it digests residents' names/phones to match carrier hints.
  ...recipientDigestSettings(),
  // 6: clearance.case.v1 carries a HoldPredicted for many scans; two partitions at a time fell behind.
  ...consumerSettings({ partitionsConcurrently: 6 }),
  timerPollIntervalMs: setting(
    'TIMER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(50).default(1_000),
    'how often due escalation, reminder and retry timers are claimed from the database',
  ),
  timerConcurrency: setting(
    'TIMER_CONCURRENCY',
    z.coerce.number().int().min(1).max(16).default(1),
    'claim loops firing due timers side by side in each instance (SKIP LOCKED keeps them apart)',
  ),
  outboundWebhookTimeoutMs: setting(
    'OUTBOUND_WEBHOOK_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(60_000).default(5_000),
    'how long a subscriber has to answer one webhook delivery',
  ),
  ...webhookSettings(),
  outreachAckSlaMs: setting(
    'OUTREACH_ACK_SLA_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(7_200_000),
    'how long a steward has to acknowledge an outreach task before it escalates',
  ),
  outreachExpeditedAckSlaMs: setting(
    'OUTREACH_EXPEDITED_ACK_SLA_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(1_800_000),
    'acknowledgement time for tasks of expedited cases (high value, perishable, short deadline)',
  ),
  outreachEscalationStepMs: setting(
    'OUTREACH_ESCALATION_STEP_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(3_600_000),
    'how long each rung above the steward (manager, then operations) has to acknowledge an escalated task',
  ),
  outreachExpeditedEscalationStepMs: setting(
    'OUTREACH_EXPEDITED_ESCALATION_STEP_MS',
    schemas.milliseconds.min(1_000).max(86_400_000).default(900_000),
    'the same for tasks of expedited cases',
  ),
  outreachDeadlineRiskMs: setting(
    'OUTREACH_DEADLINE_RISK_MS',
    schemas.milliseconds.min(1_000).max(604_800_000).default(21_600_000),
    'how long before the case deadline a task that is still not done escalates (deadline at risk)',
  ),
  directoryCsvMaxBytes: setting(
    'DIRECTORY_CSV_MAX_BYTES',
    z.coerce
      .number()
      .int()
      .min(1_024)
      .max(50 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    'largest CSV body POST /v1/directory/import accepts (413 csv_too_large above it)',
  ),
  directoryCsvMaxRows: setting(
    'DIRECTORY_CSV_MAX_ROWS',
    z.coerce.number().int().min(1).max(200_000).default(20_000),
    'most data rows one CSV import may have (400 csv_too_many_rows above it)',
  ),
  directoryPurgeAfterDays: setting(
    'DIRECTORY_PURGE_AFTER_DAYS',
    z.coerce.number().int().min(0).max(3_650).default(30),
    "days after a resident's removal (moved out) until their name, phone, e-mail and WeCom id are blanked",
  ),

  // --- Outreach channels (src/channels). A channel whose settings are absent is disabled: message
  // plans skip it, and the start-up log names the missing setting once.
  smtpHost: setting('SMTP_HOST', z.string().optional(), 'SMTP relay host for e-mail; empty disables e-mail'),
  smtpPort: setting(
    'SMTP_PORT',
    schemas.port.default(587),
    'SMTP relay port (587 submission, 465 implicit TLS)',
  ),
  smtpSecure: setting(
    'SMTP_SECURE',
    z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    'true for implicit TLS (port 465); false upgrades with STARTTLS when the relay offers it',
  ),
  smtpUser: setting('SMTP_USER', z.string().optional(), 'SMTP user name, when the relay wants one'),
  smtpPassword: setting('SMTP_PASSWORD', z.string().optional(), 'SMTP password', { secret: true }),
  smtpFrom: setting(
    'SMTP_FROM',
    z.string().min(3).default('Portico <no-reply@portico.invalid>'),
    'From address of outreach e-mail',
  ),
  smsGatewayUrl: setting(
    'SMS_GATEWAY_URL',
    schemas.optionalUrl,
    'Alibaba Cloud SMS endpoint (https://dysmsapi.aliyuncs.com); empty disables SMS',
  ),
  smsAccessKeyId: setting(
    'SMS_ACCESS_KEY_ID',
    z.string().optional(),
    'Alibaba Cloud AccessKey id for SendSms',
  ),
  smsAccessKeySecret: setting(
    'SMS_ACCESS_KEY_SECRET',
    z.string().optional(),
    'Alibaba Cloud AccessKey secret',
    {
      secret: true,
    },
  ),
  smsSignName: setting('SMS_SIGN_NAME', z.string().default('Portico'), 'approved SMS signature (签名)'),
  smsTemplateCodes: setting(
    'SMS_TEMPLATE_CODES',
    z
      .string()
      .default('')
      .refine(
        (v) =>
          v
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean)
            .every((e) => /^[a-z0-9-]+@\d+\/(zh|en)=\S+$/.test(e)),
        'must be <template>@<version>/<zh|en>=<provider template code> pairs, comma-separated',
      ),
    'approved provider template codes for the repository SMS templates',
  ),
  wecomRobotBaseUrl: setting(
    'WECOM_ROBOT_BASE_URL',
    schemas.optionalUrl,
    'WeCom group robot API (https://qyapi.weixin.qq.com); empty disables WeCom',
  ),
  wecomAppBaseUrl: setting(
    'WECOM_APP_BASE_URL',
    schemas.optionalUrl,
    "WeCom self-built app API for residents' messages (https://qyapi.weixin.qq.com); empty: residents get no WeCom",
  ),
  wecomAppCorpId: setting('WECOM_APP_CORP_ID', z.string().optional(), 'WeCom corp id (企业ID) of the app'),
  wecomAppAgentId: setting(
    'WECOM_APP_AGENT_ID',
    z.coerce.number().int().positive().optional(),
    'AgentId of the self-built app',
  ),
  wecomAppSecret: setting('WECOM_APP_SECRET', z.string().optional(), "the app's Secret", { secret: true }),
  dingtalkRobotBaseUrl: setting(
    'DINGTALK_ROBOT_BASE_URL',
    schemas.optionalUrl,
    'DingTalk robot API (https://oapi.dingtalk.com); empty disables DingTalk',
  ),
  dingtalkRobotSecrets: setting(
    'DINGTALK_ROBOT_SECRETS',
    z
      .string()
      .default('')
      .refine(
        (v) =>
          v
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean)
            .every((e) => /^[A-Za-z0-9]+=SEC[A-Za-z0-9]+$/.test(e)),
        'must be <robot access token>=<SEC… signing secret> pairs, comma-separated',
      ),
    "signing secrets (加签) of the staff's DingTalk robots, by access token",
    { secret: true },
  ),
  vapidPublicKey: setting(
    'VAPID_PUBLIC_KEY',
    z.string().optional(),
    'VAPID public key (web push); empty disables web push',
  ),
  vapidPrivateKey: setting('VAPID_PRIVATE_KEY', z.string().optional(), 'VAPID private key (web push)', {
    secret: true,
  }),
  vapidSubject: setting(
    'VAPID_SUBJECT',
    z
      .string()
      .regex(/^(mailto:|https:)/, 'must be a mailto: or https: URL')
      .default('mailto:ops@portico.invalid'),
    'contact the push services may reach about our traffic',
  ),
  channelTimeoutMs: setting(
    'CHANNEL_TIMEOUT_MS',
    schemas.milliseconds.min(100).max(60_000).default(10_000),
    'how long one channel call (SMTP, SMS, WeCom, DingTalk, push) may take',
  ),
  // --- The message queue (src/messages).
  messageRetryDelaysMs: setting(
    'MESSAGE_RETRY_DELAYS_MS',
    z
      .string()
      .default('30000,120000,600000')
      .transform((v) => v.split(',').map((d) => Number(d.trim())))
      .pipe(z.array(z.number().int().min(0).max(86_400_000)).min(0).max(10)),
    'waits before each retry on the same channel (attempts per channel = count + 1); then the next channel',
  ),
  messageRateLimitPerHour: setting(
    'MESSAGE_RATE_LIMIT_PER_HOUR',
    z.coerce.number().int().min(1).default(6),
    'messages one recipient receives at most per rolling hour (more wait, none are dropped)',
  ),
  messageRateLimitPerDay: setting(
    'MESSAGE_RATE_LIMIT_PER_DAY',
    z.coerce.number().int().min(1).default(20),
    'messages one recipient receives at most per rolling 24 hours',
  ),
  messageWorkerPollIntervalMs: setting(
    'MESSAGE_WORKER_POLL_INTERVAL_MS',
    schemas.milliseconds.min(20).default(1_000),
    'how often the message worker looks for due messages',
  ),
  messageWorkerBatchSize: setting(
    'MESSAGE_WORKER_BATCH_SIZE',
    z.coerce.number().int().min(1).max(500).default(20),
    'messages one worker claims (and sends side by side) per poll',
  ),
  messageSendLeaseMs: setting(
    'MESSAGE_SEND_LEASE_MS',
    schemas.milliseconds.min(1_000).default(120_000),
    'how long a claimed message is held before another worker may take it over (a crashed sender)',
  ),
  messageRedriveNoteKeepMs: setting(
    'MESSAGE_REDRIVE_NOTE_KEEP_MS',
    // At most 14 days: a case's deadline is days away, and the sweep drops the note sooner anyway
    // once the task closes or its deadline passes.
    schemas.milliseconds
      .min(0)
      .max(14 * 86_400_000)
      .default(72 * 3_600_000),
    "how long a failed re-upload request keeps the steward's note for an operator's re-drive (never past its task's close or deadline); after it the re-drive sends without the note",
  ),
  vaultInternalUrl: setting(
    'VAULT_INTERNAL_URL',
    schemas.optionalUrl,
    "id-vault's internal API for residents' one-time upload links; empty: no direct resident messages with links",
  ),
  vaultServiceToken: setting(
    'VAULT_SERVICE_TOKEN',
    z.string().optional(),
    'service token notification presents to id-vault',
    { secret: true },
  ),
  // --- Delivery receipts. The pushes are unsigned, so each receiving URL carries its own secret,
  // in the one shape request logs and spans redact (32 random bytes as base64url, 43 characters).
  smsReportToken: setting(
    'SMS_REPORT_TOKEN',
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 random bytes as base64url (43 characters)')
      .optional(),
    'secret in the SmsReport receiving URL (…/v1/receipts/sms/<token>); empty: SMS reports refused',
    { secret: true },
  ),
  emailDsnToken: setting(
    'EMAIL_DSN_TOKEN',
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 random bytes as base64url (43 characters)')
      .optional(),
    'secret in the bounce receiving URL (…/v1/receipts/email/<token>); empty: bounces refused',
    { secret: true },
  ),
  // --- Follow-up messages (resend, escalation notices, reminders).
  operationsContact: setting(
    'OPERATIONS_CONTACT',
    z
      .string()
      .default('')
      .transform((raw, ctx) => {
        const value = raw.trim();
        if (!value) return null;
        const match = /^(email|wecom|dingtalk|sms):(.+)$/.exec(value);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: 'must be <email|wecom|dingtalk|sms>:<address>' });
          return z.NEVER;
        }
        return { channel: match[1] as 'email' | 'wecom' | 'dingtalk' | 'sms', address: match[2]!.trim() };
      }),
    "operations' shared inbox for escalated tasks, <channel>:<address> (e.g. email:ops@example.com or wecom:<robot key>); empty: the operations rung gets no message",
    { secret: true },
  ),
  operationsLanguage: setting(
    'OPERATIONS_LANGUAGE',
    z.enum(['zh', 'en']).default('zh'),
    'language of the notices to operations',
  ),
};

/** `true`/`false` (also 1/0, yes/no); anything else is refused rather than read as false. */
function flag() {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
}

/** Outbound webhooks to property systems (src/webhooks, README "Outbound webhooks"). */
function webhookSettings() {
  return {
    webhookSecretsKeys: setting(
      'WEBHOOK_SECRETS_KEY',
      secretsKeyring.optional(),
      "AES-256-GCM key(s) sealing subscribers' signing secrets at rest: one base64 32-byte key, or id=base64key pairs newest first; without it the webhook API answers 503 and nothing is delivered",
      { secret: true },
    ),
    webhookRetryScheduleMs: setting(
      'WEBHOOK_RETRY_SCHEDULE_MS',
      z
        .string()
        .default(DEFAULT_RETRY_SCHEDULE_MS.join(','))
        .transform((raw) => raw.split(',').map((v) => Number(v.trim())))
        .pipe(
          z
            .array(
              z
                .number()
                .int()
                .min(10)
                .max(7 * 86_400_000),
            )
            .min(1)
            .max(20),
        ),
      'delays before the 2nd, 3rd, … attempt of a failed delivery, comma-separated ms (default ~5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h)',
    ),
    webhookSecretOverlapMs: setting(
      'WEBHOOK_SECRET_OVERLAP_MS',
      schemas.milliseconds.max(30 * 86_400_000).default(86_400_000),
      'how long the previous secret still signs (second signature) after a rotation',
    ),
    webhookAllowHttp: setting(
      'WEBHOOK_ALLOW_HTTP',
      flag().default(false),
      'accept http:// subscriber URLs (local and test set-ups only; keep false in production)',
    ),
    webhookAllowedPrivateNetworks: setting(
      'WEBHOOK_ALLOWED_PRIVATE_NETWORKS',
      z
        .string()
        .default('')
        .transform((raw, ctx) => {
          try {
            return parseNetworkList(raw);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: (e as Error).message });
            return z.NEVER;
          }
        }),
      'private/loopback networks webhooks may reach anyway, CIDRs comma-separated (e.g. 127.0.0.1/32 in tests); empty in production (SSRF)',
    ),
    webhookWorkerConcurrency: setting(
      'WEBHOOK_WORKER_CONCURRENCY',
      z.coerce.number().int().min(1).max(1_000).default(64),
      'deliveries one claim takes and sends side by side',
    ),
    webhookWorkerLoops: setting(
      'WEBHOOK_WORKER_LOOPS',
      z.coerce.number().int().min(0).max(16).default(2),
      'claim-send-record loops per instance (0: this instance delivers nothing, e.g. an API-only one)',
    ),
    webhookPollIntervalMs: setting(
      'WEBHOOK_POLL_INTERVAL_MS',
      schemas.milliseconds.min(10).max(60_000).default(500),
      'how often an idle delivery loop looks for due deliveries',
    ),
    webhookBreakerThreshold: setting(
      'WEBHOOK_BREAKER_THRESHOLD',
      z.coerce.number().int().min(1).max(1_000).default(5),
      "consecutive failed attempts that open a subscription's circuit",
    ),
    webhookBreakerCoolDownMs: setting(
      'WEBHOOK_BREAKER_COOLDOWN_MS',
      schemas.milliseconds.min(10).max(86_400_000).default(60_000),
      "how long an open circuit holds a subscription's deliveries before one probe",
    ),
    webhookAutoDisableAfterMs: setting(
      'WEBHOOK_AUTO_DISABLE_AFTER_MS',
      schemas.milliseconds.min(10).default(5 * 86_400_000),
      'a subscription whose every attempt failed for this long is disabled, with a notice (default 5 days)',
    ),
  };
}

export type NotificationConfig = ConfigOf<typeof settings>;

export function loadServiceConfig(env: Environment = processEnvironment()): NotificationConfig {
  const config = loadConfig(SERVICE_NAME, settings, env);
  const problems = channelSettingProblems(config);
  if (problems.length > 0) throw new ConfigError(SERVICE_NAME, problems);
  return config;
}

/**
 * Settings that only make sense together: a channel that is switched on (its URL or host set)
 * must have its credentials too, or every message would fail at send time instead of at start.
 */
export function channelSettingProblems(c: NotificationConfig): string[] {
  const problems: string[] = [];
  if (c.smsGatewayUrl && (!c.smsAccessKeyId || !c.smsAccessKeySecret))
    problems.push('SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET are required when SMS_GATEWAY_URL is set');
  if (Boolean(c.vapidPublicKey) !== Boolean(c.vapidPrivateKey))
    problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together');
  if (c.wecomAppBaseUrl && (!c.wecomAppCorpId || !c.wecomAppAgentId || !c.wecomAppSecret))
    problems.push(
      'WECOM_APP_CORP_ID, WECOM_APP_AGENT_ID and WECOM_APP_SECRET are required when WECOM_APP_BASE_URL is set',
    );
  if (c.vaultInternalUrl && !c.vaultServiceToken)
    problems.push('VAULT_SERVICE_TOKEN is required when VAULT_INTERNAL_URL is set');
  if (c.smtpUser && !c.smtpPassword) problems.push('SMTP_PASSWORD is required when SMTP_USER is set');
  return problems;
}
