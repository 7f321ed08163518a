import { DOCUMENT_TYPES } from '../cases/case';
import { CASE_STATES, type CaseState } from '../cases/case-state';
import {
  DOCUMENT_LABELS,
  formatDeadline,
  nextActionOf,
  preferredLanguage,
  progressOf,
  type NextActionCode,
  type ProgressInput,
  type Step,
} from './case-progress';

const NOW = new Date('2026-11-24T06:00:00Z');
const DEADLINE = new Date('2026-11-27T06:00:00Z'); // 14:00 in Beijing

const input = (state: CaseState, overrides: Partial<ProgressInput> = {}): ProgressInput => ({
  state,
  requiredDocuments: ['resident_id_card'],
  visited: ['opened', 'awaiting_documents'],
  deadline: DEADLINE,
  now: NOW,
  ...overrides,
});

const statuses = (steps: readonly Step[]) => steps.map((s) => `${s.code}:${s.status}`);

describe('steps', () => {
  it.each<[CaseState, CaseState[], string[]]>([
    [
      'awaiting_documents',
      ['opened', 'awaiting_documents'],
      [
        'held_by_customs:done',
        'documents_needed:current',
        'documents_received:upcoming',
        'review:upcoming',
        'sent_to_carrier:upcoming',
        'cleared:upcoming',
      ],
    ],
    [
      'documents_received',
      ['opened', 'awaiting_documents', 'documents_received'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:current',
        'review:upcoming',
        'sent_to_carrier:upcoming',
        'cleared:upcoming',
      ],
    ],
    [
      'under_review',
      ['opened', 'awaiting_documents', 'documents_received', 'under_review'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:done',
        'review:current',
        'sent_to_carrier:upcoming',
        'cleared:upcoming',
      ],
    ],
    [
      // back to the upload: the review steps are ahead again
      'rejected',
      ['opened', 'awaiting_documents', 'documents_received', 'under_review', 'rejected'],
      [
        'held_by_customs:done',
        'documents_needed:current',
        'documents_received:upcoming',
        'review:upcoming',
        'sent_to_carrier:upcoming',
        'cleared:upcoming',
      ],
    ],
    [
      'submitted_to_carrier',
      ['opened', 'awaiting_documents', 'documents_received', 'under_review', 'submitted_to_carrier'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:done',
        'review:done',
        'sent_to_carrier:current',
        'cleared:upcoming',
      ],
    ],
    [
      'cleared',
      [
        'opened',
        'awaiting_documents',
        'documents_received',
        'under_review',
        'submitted_to_carrier',
        'cleared',
      ],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:done',
        'review:done',
        'sent_to_carrier:done',
        'cleared:done',
      ],
    ],
    [
      // customs let it go before anything was uploaded: the upload steps did not happen
      'cleared',
      ['opened', 'awaiting_documents', 'cleared'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:skipped',
        'review:skipped',
        'sent_to_carrier:skipped',
        'cleared:done',
      ],
    ],
    [
      'expired',
      ['opened', 'awaiting_documents', 'expired'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:skipped',
        'review:skipped',
        'sent_to_carrier:skipped',
        'deadline_passed:done',
      ],
    ],
    [
      'returned_to_sender',
      ['opened', 'awaiting_documents', 'documents_received', 'returned_to_sender'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:done',
        'review:skipped',
        'sent_to_carrier:skipped',
        'returned_to_sender:done',
      ],
    ],
    [
      'cancelled',
      ['opened', 'awaiting_documents', 'cancelled'],
      [
        'held_by_customs:done',
        'documents_needed:done',
        'documents_received:skipped',
        'review:skipped',
        'sent_to_carrier:skipped',
        'cancelled:done',
      ],
    ],
  ])('%s after %j', (state, visited, expected) => {
    expect(statuses(progressOf(input(state, { visited })).steps)).toEqual(expected);
  });

  it('has only "held" and "cleared" for a hold that needs no documents (inspection)', () => {
    const none = { requiredDocuments: [] as const };
    expect(statuses(progressOf(input('opened', { ...none, visited: ['opened'] })).steps)).toEqual([
      'held_by_customs:current',
      'cleared:upcoming',
    ]);
    expect(statuses(progressOf(input('cleared', { ...none, visited: ['opened', 'cleared'] })).steps)).toEqual(
      ['held_by_customs:done', 'cleared:done'],
    );
    expect(statuses(progressOf(input('returned_to_sender', { ...none, visited: ['opened'] })).steps)).toEqual(
      ['held_by_customs:done', 'returned_to_sender:done'],
    );
  });

  it('labels every step of every state in both languages', () => {
    for (const state of CASE_STATES) {
      for (const step of progressOf(input(state)).steps) {
        expect(step.label.zh).toMatch(/\p{Script=Han}/u);
        expect(step.label.en).toMatch(/^[A-Z]/);
      }
    }
  });
});

describe('next action', () => {
  const expected: Record<CaseState, NextActionCode> = {
    opened: 'nothing',
    awaiting_documents: 'upload_documents',
    documents_received: 'wait_for_review',
    under_review: 'wait_for_review',
    rejected: 'upload_again',
    submitted_to_carrier: 'wait_for_review',
    cleared: 'nothing',
    expired: 'contact_front_desk',
    returned_to_sender: 'contact_front_desk',
    cancelled: 'nothing',
  };

  it.each(CASE_STATES)('%s', (state) => {
    const action = nextActionOf(input(state));
    expect(action.code).toBe(expected[state]);
    expect(action.text.zh).toMatch(/\p{Script=Han}/u);
    expect(action.text.en.length).toBeGreaterThan(20);
    const uploads = action.code === 'upload_documents' || action.code === 'upload_again';
    expect(action.documents.length > 0).toBe(uploads);
    expect(action.deadline).toBe(uploads ? DEADLINE.toISOString() : null);
  });

  it('says which documents, which sides, and by when, in both languages', () => {
    const action = nextActionOf(
      input('awaiting_documents', { requiredDocuments: ['resident_id_card', 'passport'] }),
    );
    expect(action.documents).toEqual([
      { type: 'resident_id_card', sides: ['front', 'back'], label: DOCUMENT_LABELS.resident_id_card },
      { type: 'passport', sides: ['single_page'], label: DOCUMENT_LABELS.passport },
    ]);
    expect(action.text.zh).toBe(
      '请在2026年11月27日 14:00（北京时间）前，通过收到的安全上传链接上传以下证件的清晰照片：居民身份证（正面和背面）、护照（个人信息页）。',
    );
    expect(action.text.en).toBe(
      'Please upload clear photos of the following through the secure upload link you received, by 2026-11-27 14:00 China Standard Time (UTC+8): resident ID card, front and back; passport, photo page.',
    );
  });

  it('asks for a new upload after a rejection', () => {
    const action = nextActionOf(input('rejected'));
    expect(action.text.en).toContain('could not be accepted');
    expect(action.text.zh).toContain('未通过审核');
    expect(action.text.zh).toContain('居民身份证（正面和背面）');
  });

  it('sends the resident to the front desk once an upload deadline has passed', () => {
    for (const state of ['awaiting_documents', 'rejected'] as const) {
      const action = nextActionOf(input(state, { now: DEADLINE }));
      expect(action.code).toBe('contact_front_desk');
      expect(action.documents).toEqual([]);
    }
  });

  it('has a zh and en label for every document type', () => {
    for (const type of DOCUMENT_TYPES) {
      expect(DOCUMENT_LABELS[type].zh).toMatch(/\p{Script=Han}/u);
      expect(DOCUMENT_LABELS[type].en).toMatch(/\w/);
    }
  });
});

describe('formatDeadline', () => {
  it('writes Beijing time, across a date line in UTC', () => {
    expect(formatDeadline(new Date('2026-12-31T16:05:00Z'))).toEqual({
      zh: '2027年1月1日 00:05（北京时间）',
      en: '2027-01-01 00:05 China Standard Time (UTC+8)',
    });
  });
});

describe('preferredLanguage', () => {
  it.each([
    [undefined, 'zh'],
    ['', 'zh'],
    ['fr-FR, de', 'zh'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['en;q=0.5, zh-Hant;q=0.8', 'zh'],
    ['zh;q=0, en', 'en'],
    ['fr, en-GB;q=0.7, zh;q=0.7', 'en'],
    ['EN', 'en'],
  ])('%p -> %s', (header, language) => {
    expect(preferredLanguage(header)).toBe(language);
  });
});
