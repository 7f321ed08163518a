import { ConflictError, DomainError } from '@portico/service-kit';

/** The property keeps resident contact with its stewards (policy `steward_only`), or no vault is configured. */
export class ResidentOutreachNotAllowedError extends ConflictError {
  constructor(taskId: string) {
    super(
      'resident_outreach_not_allowed',
      {
        en: 'Portico does not message residents of this property directly; contact the resident yourself and record it as contacted.',
        zh: '本物业不允许 Portico 直接联系住户，请您亲自联系住户并记录为"已联系"。',
      },
      { taskId },
    );
  }
}

/** A resend repeats the resident's message for the task: there must have been one. */
export class NoResidentMessageError extends ConflictError {
  constructor(taskId: string) {
    super(
      'no_resident_message',
      {
        en: 'Portico has not sent this resident a message for this task, so there is nothing to resend.',
        zh: 'Portico 尚未就此任务给住户发送过消息，没有可重发的内容。',
      },
      { taskId },
    );
  }
}

/** The chosen channel (or every channel) cannot reach the resident: no consent, no address or disabled. */
export class ResidentChannelUnavailableError extends ConflictError {
  constructor(channel: string | null, available: readonly string[]) {
    super(
      'resident_channel_unavailable',
      channel
        ? {
            en: 'The resident cannot be reached on this channel (no consent or no address).',
            zh: '无法通过此渠道联系住户（未同意或无联系方式）。',
          }
        : {
            en: 'The resident has no channel Portico may use (no consent or no address).',
            zh: '住户没有 Portico 可用的联系渠道（未同意或无联系方式）。',
          },
      { channel, available },
    );
  }
}

/** The resident already got as many messages as the rolling limits allow. */
export class ResidentRateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super({
      code: 'resident_rate_limited',
      status: 429,
      message: {
        en: 'This resident has received the most messages allowed for now; try again later.',
        zh: '该住户近期收到的消息已达上限，请稍后再试。',
      },
      details: { retryAfterSeconds },
    });
  }
}

/**
 * The round's documents are in id-vault: asking for new photos is a verdict on them, which is the
 * vault's review (reject with the reason); clearance then asks the resident again by itself.
 */
export class DocumentsInReviewError extends ConflictError {
  constructor(taskId: string) {
    super(
      'documents_in_review',
      {
        en: 'The resident has already uploaded documents; reject them in the document review with the reason, and the resident is asked again automatically.',
        zh: '住户已上传证件，请在证件审核中驳回并选择原因，系统会自动请住户重新上传。',
      },
      { taskId },
    );
  }
}
