import { common } from '@portico/contracts';
import {
  DOCUMENTS_REQUESTED_TEMPLATE,
  documentsPhrase,
  formatDeadline,
  NAME_SLOT,
  personalise,
  renderBoth,
  UNMATCHED_PARCEL_TEMPLATE,
  type DocumentsRequestedVars,
} from '.';

const vars: DocumentsRequestedVars = {
  propertyName: 'Harbour Tower A',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  documents: [common.DocumentType.RESIDENT_ID_CARD],
  deadline: new Date('2026-11-28T06:00:00Z'),
  timeZone: 'Asia/Shanghai',
  reupload: false,
};

describe('outreach script templates', () => {
  it('renders the documents request in Chinese with deadline in local time and the secure-link notice', () => {
    const { zh, templateRef } = renderBoth(DOCUMENTS_REQUESTED_TEMPLATE, vars);
    expect(templateRef).toBe('documents-requested@1');
    expect(zh).toContain('顺丰速运包裹（运单号 SF1234567890）');
    expect(zh).toContain('居民身份证正反面照片');
    expect(zh).toContain('2026年11月28日 14:00（GMT+8）');
    expect(zh).toContain('一次性安全上传链接');
    expect(zh).toContain('不要通过微信');
    expect(zh.startsWith(`${NAME_SLOT}您好`)).toBe(true);
  });

  it('renders the same request in English', () => {
    const { en } = renderBoth(DOCUMENTS_REQUESTED_TEMPLATE, vars);
    expect(en).toContain('Your SF Express parcel (waybill SF1234567890)');
    expect(en).toContain('photos of both sides of your resident ID card');
    expect(en).toContain('28 Nov 2026, 14:00 (GMT+8)');
    expect(en).toContain('A one-time secure upload link will follow in a separate message.');
    expect(en.startsWith(`Hello${NAME_SLOT},`)).toBe(true);
  });

  it('never contains a link: the upload link comes from id-vault in its own message', () => {
    for (const template of [DOCUMENTS_REQUESTED_TEMPLATE, UNMATCHED_PARCEL_TEMPLATE]) {
      const { zh, en } = renderBoth(template, { ...vars, unit: '12-03' });
      expect(`${zh}\n${en}`).not.toMatch(/https?:|www\.|\/\/|\.cn\b|\.com\b/);
    }
  });

  it('words a re-request after rejection and a request without deadline differently', () => {
    const again = renderBoth(DOCUMENTS_REQUESTED_TEMPLATE, { ...vars, reupload: true, deadline: null });
    expect(again.zh).toContain('未能通过审核');
    expect(again.zh).toContain('请尽快完成');
    expect(again.en).toContain('could not be accepted');
    expect(again.en).toContain('as soon as possible');
  });

  it('puts the name in only for callers who may see it', () => {
    const { zh, en } = renderBoth(DOCUMENTS_REQUESTED_TEMPLATE, vars);
    expect(personalise(zh, 'zh', '李伟').startsWith('李伟您好！')).toBe(true);
    expect(personalise(en, 'en', 'Li Wei').startsWith('Hello Li Wei,')).toBe(true);
    expect(personalise(zh, 'zh', null).startsWith('您好！')).toBe(true);
    expect(personalise(en, 'en', null).startsWith('Hello,')).toBe(true);
    expect(personalise(en, 'en', null)).not.toContain(NAME_SLOT);
  });

  it('tells the steward about an unmatched parcel in either language', () => {
    const { zh, en, templateRef } = renderBoth(UNMATCHED_PARCEL_TEMPLATE, { ...vars, unit: '12-03' });
    expect(templateRef).toBe('unmatched-parcel@1');
    expect(zh).toContain('【待认领包裹】');
    expect(zh).toContain('（单元 12-03）');
    expect(en).toContain('(unit 12-03) could not be matched to a resident');
    expect(zh).not.toContain(NAME_SLOT);
  });

  it('lists several documents the way each language does', () => {
    const docs = [
      common.DocumentType.PASSPORT,
      common.DocumentType.PROOF_OF_VALUE,
      common.DocumentType.DUTY_PAYMENT_PROOF,
    ];
    expect(documentsPhrase(docs, 'zh')).toBe('护照照片页、订单或发票（证明申报价值）、关税缴纳凭证');
    expect(documentsPhrase(docs, 'en')).toBe(
      'a photo of your passport photo page, the order confirmation or invoice showing the declared value and proof that duties were paid',
    );
    expect(documentsPhrase([], 'en')).toBe('photos of both sides of your resident ID card');
    expect(formatDeadline(new Date('2026-11-28T06:00:00Z'), 'en', 'UTC')).toBe('28 Nov 2026, 06:00 (GMT)');
  });
});
