import { DomainError } from '@portico/service-kit';
import type { GrantState } from './relay-grant';

const MESSAGES: Record<
  Exclude<GrantState, 'usable'> | 'invalid',
  { status: number; en: string; zh: string }
> = {
  invalid: { status: 404, en: 'This download grant is not valid.', zh: '此下载授权无效。' },
  expired: { status: 410, en: 'This download grant has expired.', zh: '此下载授权已过期。' },
  exhausted: { status: 410, en: 'This download grant has been used up.', zh: '此下载授权的下载次数已用完。' },
  revoked: { status: 410, en: 'This download grant has been withdrawn.', zh: '此下载授权已被撤回。' },
};

/** Grants answer carriers' systems; the messages still come in both languages like every API error. */
export class GrantRefusedError extends DomainError {
  constructor(readonly why: Exclude<GrantState, 'usable'> | 'invalid') {
    const m = MESSAGES[why];
    super({ code: `grant_${why}`, status: m.status, message: { en: m.en, zh: m.zh } });
  }
}
