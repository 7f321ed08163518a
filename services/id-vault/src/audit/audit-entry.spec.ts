import { AuditEntryError, assertAuditDetails, assertAuditEntry, type AuditEntryInput } from './audit-entry';

const base: AuditEntryInput = {
  actor: { kind: 'user', id: 'usr_reviewer_1' },
  action: 'approve',
  purpose: 'document_review',
  subject: { type: 'document', id: 'doc_01JD8Z' },
  caseId: 'case_42',
  details: {
    verdict: 'approved',
    reasons: ['checksum_ok'],
    digest: 'sha256:4bf92f3577b34da6a3ce929d0e0e4736',
  },
};

describe('audit entry validation', () => {
  it('accepts ids, reason codes, verdicts, counts and hex digests', () => {
    expect(() => assertAuditEntry(base)).not.toThrow();
    expect(() =>
      assertAuditDetails({
        hash: 'a1381234567890123456789012345678901234567890abcdef0123456789abcd',
        pages: 2,
        ok: true,
        none: null,
      }),
    ).not.toThrow();
  });

  it.each([
    ['an 18-digit ID number', { idRef: '11010519491231002X' }],
    ['an ID-number-shaped value with an impossible date', { ref: '110105199913451234' }],
    ['a 15-digit first-generation ID number', { ref: '110105491231002' }],
    ['a mobile number', { ref: '13812345678' }],
    ['a mobile number with +86', { ref: '+8613812345678' }],
    ['an ID number inside an id', { ref: 'doc:11010519491231002X' }],
    ['an ID number in a nested array', { refs: { list: ['ok', '11010519491231002X'] } }],
    ['an ID number as a key', { x: { '11010519491231002X': 'v' } }],
    ['a phone number as a number', { n: 13812345678 }],
    ['a name key', { name: 'zhang' }],
    ['a recipient_name key', { recipient_name: 'x' }],
    ['an idNumber key', { idNumber: 'x' }],
    ['a phone key', { phone: 'x' }],
    ['free text with spaces', { note: 'Zhang San' }],
    ['a Chinese name', { holder: '张三' }],
    ['an unsafe number', { n: 2 ** 60 }],
    ['a fraction', { n: 1.5 }],
    ['undefined', { n: undefined }],
    ['a Date', { n: new Date() }],
  ])('refuses %s, without repeating the value', (_label, details) => {
    let error: unknown;
    try {
      assertAuditDetails(details);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuditEntryError);
    const message = (error as Error).message;
    for (const secret of ['11010519491231002X', '13812345678', '110105491231002', '张三', 'Zhang San']) {
      expect(message).not.toContain(secret);
    }
  });

  it('checks every id field, not only details', () => {
    expect(() => assertAuditEntry({ ...base, actor: { kind: 'resident', id: '13812345678' } })).toThrow(
      AuditEntryError,
    );
    expect(() =>
      assertAuditEntry({ ...base, subject: { type: 'document', id: '11010519491231002X' } }),
    ).toThrow(/subject id looks like/);
    expect(() => assertAuditEntry({ ...base, caseId: 'case 42' })).toThrow(/case id/);
    expect(() => assertAuditEntry({ ...base, purpose: '' })).toThrow(/purpose/);
  });

  it('only knows the fixed actions and actor kinds', () => {
    expect(() => assertAuditEntry({ ...base, action: 'edit' as never })).toThrow(/action must be one of/);
    expect(() => assertAuditEntry({ ...base, actor: { kind: 'robot' as never, id: 'x' } })).toThrow(
      /actor kind/,
    );
  });
});
