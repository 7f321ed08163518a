import type { ResidentEvidenceView } from './resident-evidence.service';
import { addedMessage, renderEvidencePage, renderLinkErrorPage } from './evidence-page';

const view = (over: Partial<ResidentEvidenceView> = {}): ResidentEvidenceView => ({
  link: {
    id: 'evl_1',
    tenantId: 't1',
    claimId: 'clm_1',
    language: 'zh',
    maxUploads: 10,
    uploads: 1,
    expiresAt: new Date('2026-12-04T08:00:00Z'),
    issuedBy: 'usr_1',
    createdAt: new Date('2026-12-01T08:00:00Z'),
    finishedAt: null,
    revokedAt: null,
  },
  state: 'usable',
  claimId: 'clm_1',
  claimReason: 'damaged_on_arrival',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  added: [{ id: 'evi_1', kind: 'photo', subject: 'label', createdAt: new Date('2026-12-01T09:00:00Z') }],
  ...over,
});
const token = 'T'.repeat(43);
const opts = { token, lang: 'zh' as const, nonce: 'n0nce' };

describe('resident evidence page', () => {
  it('renders the parcel, the reason, the deadline in China time and two labelled upload forms (zh)', () => {
    const html = renderEvidencePage(view(), opts);
    expect(html).toContain('<html lang="zh">');
    expect(html).toContain('您的顺丰速运包裹（运单号 SF1234567890）已登记理赔：到货时已破损。');
    expect(html).toContain('请在 2026年12月4日 16:00 前上传。');
    expect(html).toContain('还可以上传 9 个文件。');
    expect(html).toContain(`action="/e/${token}/evidence?lang=zh" enctype="multipart/form-data"`);
    expect(html).toContain(
      '<label for="photo-file">选择或拍摄照片</label><input id="photo-file" name="file" type="file"',
    );
    expect(html).toContain('capture="environment"');
    expect(html).toContain('<li>照片 · 面单</li>');
    expect(html).toContain(`action="/e/${token}/done?lang=zh"`);
    expect(html).toContain('<style nonce="n0nce">');
    expect(html).not.toContain('<script');
  });

  it('renders English with the same controls', () => {
    const html = renderEvidencePage(view(), { ...opts, lang: 'en' });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(
      'A claim is open for your SF Express parcel (waybill SF1234567890): damaged on arrival.',
    );
    expect(html).toContain('You can add 9 more files.');
    expect(html).toContain('<a class="lang" href="/e/' + token + '?lang=zh" lang="zh">中文</a>');
    expect(
      renderEvidencePage(view({ link: { ...view().link, uploads: 9 } }), { ...opts, lang: 'en' }),
    ).toContain('You can add 1 more file.');
  });

  it("shows no form once the link ended, and says why in the resident's words", () => {
    for (const [state, text] of [
      ['finished', '已收到您的材料，谢谢。'],
      ['full', '已收到您的材料，谢谢。'],
      ['not_needed', '该理赔已不再需要补充材料，谢谢。'],
      ['revoked', '此链接已不可用'],
      ['expired', '此链接已不可用'],
    ] as const) {
      const html = renderEvidencePage(view({ state }), opts);
      expect(html).toContain(text);
      expect(html).not.toContain('type="file"');
      expect(html).not.toContain('/done');
    }
  });

  it('escapes whatever it prints (a tracking number is carrier data, not ours)', () => {
    const html = renderEvidencePage(view({ trackingNumber: '<img src=x onerror=alert(1)>' }), opts);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(renderLinkErrorPage('en', '<b>x</b>', 'n')).toContain('&#60;b&#62;x&#60;/b&#62;');
  });

  it('confirms an added file by kind, in both languages', () => {
    expect(addedMessage('zh', 'value_proof').lines).toEqual(['已收到您的价值证明，谢谢。']);
    expect(addedMessage('en', 'photo').lines).toEqual(['We have your photo. Thank you.']);
  });
});
