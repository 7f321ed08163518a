import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { common, notification, OutreachEventSchema, type OutreachEvent } from '@portico/contracts';
import type { ChannelKind } from '../channels/channel';
import { templateRefOf, type MessageRecord, type RecipientRole } from './message';

/*
 * MessageSent / MessageDelivered / MessageFailed on `notification.outreach.v1`, keyed by the
 * parcel id (outreach-events.ts's toOutbox). Ids, channel, attempt, template ref and error code
 * only: never an address, a body or a link.
 */

export const CHANNELS: Readonly<Record<ChannelKind, notification.Channel>> = {
  email: notification.Channel.EMAIL,
  sms: notification.Channel.SMS,
  wecom: notification.Channel.WECOM,
  dingtalk: notification.Channel.DINGTALK,
  web_push: notification.Channel.WEB_PUSH,
  // The contract's channel is WeCom either way (a resident's app message, a staff group robot).
  wecom_app: notification.Channel.WECOM,
};

const ROLES: Readonly<Record<RecipientRole, notification.RecipientRole>> = {
  resident: notification.RecipientRole.RESIDENT,
  steward: notification.RecipientRole.STEWARD,
  manager: notification.RecipientRole.MANAGER,
  operations: notification.RecipientRole.OPERATIONS,
};

const BCP47 = { zh: 'zh-CN', en: 'en' } as const;

function identity(m: MessageRecord, at: Date) {
  return {
    taskId: m.taskId ?? '',
    tenantId: m.tenantId,
    parcel: create(common.ParcelRefSchema, {
      parcelId: m.parcelId,
      carrierCode: m.carrierCode,
      trackingNumber: m.trackingNumber,
    }),
    propertyId: m.propertyId,
    caseId: m.caseId ?? '',
    occurredAt: timestampFromDate(at),
  };
}

export function messageSent(m: MessageRecord, channel: ChannelKind, at: Date): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'messageSent',
      value: create(notification.MessageSentSchema, {
        ...identity(m, at),
        messageId: m.id,
        channel: CHANNELS[channel],
        attempt: m.attempt,
        recipientRole: ROLES[m.recipientRole],
        recipientId: m.recipientId,
        templateRef: templateRefOf(m),
        language: BCP47[m.language],
      }),
    },
  });
}

export function messageDelivered(m: MessageRecord, channel: ChannelKind, at: Date): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'messageDelivered',
      value: create(notification.MessageDeliveredSchema, {
        ...identity(m, at),
        messageId: m.id,
        channel: CHANNELS[channel],
        attempt: m.attempt,
        recipientRole: ROLES[m.recipientRole],
      }),
    },
  });
}

export function messageFailed(
  m: MessageRecord,
  channel: ChannelKind,
  at: Date,
  failure: { errorCode: string; willRetry: boolean; failoverChannel: ChannelKind | null },
): OutreachEvent {
  return create(OutreachEventSchema, {
    event: {
      case: 'messageFailed',
      value: create(notification.MessageFailedSchema, {
        ...identity(m, at),
        messageId: m.id,
        channel: CHANNELS[channel],
        attempt: m.attempt,
        recipientRole: ROLES[m.recipientRole],
        errorCode: failure.errorCode,
        willRetry: failure.willRetry,
        failoverChannel: failure.failoverChannel
          ? CHANNELS[failure.failoverChannel]
          : notification.Channel.UNSPECIFIED,
      }),
    },
  });
}
