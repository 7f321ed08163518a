import { CONSENT_TEXT_VERSION } from '../documents/consent';
import { issueSecret } from '../shared/secret-token';
import { escapeHtml, renderLinkErrorPage, renderResidentPage } from './resident-page';
import type { ResidentView } from './resident-upload.service';

const TOKEN = issueSecret().token;
const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2U=';

const view = (over: Partial<ResidentView> = {}): ResidentView => ({
  requestId: 'ur_1',
  language: 'zh',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  requiredDocuments: ['resident_id_card'],
  expiresAt: new Date('2026-12-04T02:00:00Z'),
  deadline: new Date('2026-12-06T02:00:00Z'),
  link: 'usable',
  consent: null,
  retentionDays: 7,
  documents: [],
  ...over,
});
const consented = { textVersion: CONSENT_TEXT_VERSION, givenAt: new Date('2026-12-01T02:00:00Z') };
const render = (
  v: ResidentView,
  lang: 'zh' | 'en' = 'zh',
  message?: Parameters<typeof renderResidentPage>[1]['message'],
) => renderResidentPage(v, { token: TOKEN, lang, nonce: NONCE, message });

/** The opening tag of every element matching `selector`-ish `<tag ... attr="value"`. */
const tags = (html: string, tag: string) => html.match(new RegExp(`<${tag}\\b[^>]*>`, 'g')) ?? [];

describe('renderResidentPage', () => {
  it('speaks Chinese: lang, title, the carrier’s Chinese name, the waybill and what is asked', () => {
    const html = render(view(), 'zh');
    expect(html).toContain('<html lang="zh">');
    expect(html).toContain('<title>上传清关证件</title>');
    expect(html).toContain('您的顺丰速运包裹（运单号 SF1234567890）正在清关');
    expect(html).toContain('<li>居民身份证</li>');
    expect(html).toContain('清关结束后最多保存 7 天');
    expect(html).not.toContain('Upload customs documents');
  });

  it('speaks English: lang, title, the carrier’s English name and a link back to Chinese', () => {
    const html = render(view(), 'en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Upload customs documents</title>');
    expect(html).toContain('Your SF Express parcel (waybill SF1234567890)');
    expect(html).toContain('<li>Resident ID card</li>');
    expect(html).toContain(`href="/u/${TOKEN}?lang=zh"`);
    expect(html).not.toContain('上传清关证件');
  });

  it('shows the earlier of deadline and link expiry as the date to upload by', () => {
    const html = render(view({ expiresAt: new Date('2026-12-04T02:00:00Z') }), 'en');
    expect(html).toContain('Please upload before 4 December 2026');
    const sooner = render(view({ deadline: new Date('2026-12-02T02:00:00Z') }), 'en');
    expect(sooner).toContain('Please upload before 2 December 2026');
  });

  it('escapes HTML in the tracking number', () => {
    const html = render(view({ trackingNumber: '<script>alert("x")</script>' }), 'en');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    // Only the page's own (nonced) script element.
    expect(tags(html, 'script')).toEqual([`<script nonce="${NONCE}">`]);
  });

  it('escapes HTML in an unknown carrier code, in the intro and in the consent text', () => {
    const html = render(view({ carrierCode: '"><img src=x onerror=alert(1)>' }), 'zh');
    expect(tags(html, 'img')).toEqual([]);
    expect(html).not.toMatch(/<img/i);
    expect(html.split('&#34;&#62;&#60;IMG SRC=X ONERROR=ALERT(1)&#62;').length - 1).toBeGreaterThanOrEqual(2);
  });

  it('escapes the message lines it is given', () => {
    const html = render(view(), 'en', { kind: 'error', lines: ['<b>bad</b> & worse'] });
    expect(html).toContain(
      '<div class="err" role="alert"><p>&#60;b&#62;bad&#60;/b&#62; &#38; worse</p></div>',
    );
  });

  it('asks for consent before anything else: the consent form with the text version, no upload form', () => {
    const html = render(view({ consent: null }), 'zh');
    expect(html).toContain(`<form method="post" action="/u/${TOKEN}/consent?lang=zh">`);
    expect(html).toContain(`<input type="hidden" name="version" value="${CONSENT_TEXT_VERSION}">`);
    expect(html).toContain('我已阅读并同意');
    expect(html).toContain('提供给顺丰速运及其报关代理');
    expect(tags(html, 'input').filter((i) => i.includes('type="file"'))).toEqual([]);
    expect(html).not.toContain('/documents?');
  });

  it('after consent, offers the upload form with camera inputs for the front and back of an ID card', () => {
    const html = render(view({ consent: consented }), 'zh');
    expect(html).not.toContain('/consent?');
    const form = tags(html, 'form').find((f) => f.includes('id="upload"'));
    expect(form).toBe(
      `<form id="upload" method="post" action="/u/${TOKEN}/documents?lang=zh" data-page="/u/${TOKEN}?lang=zh" enctype="multipart/form-data" novalidate>`,
    );
    const files = tags(html, 'input').filter((i) => i.includes('type="file"'));
    expect(files).toHaveLength(2);
    for (const side of ['front', 'back']) {
      const input = files.find((i) => i.includes(`name="${side}"`));
      expect(input).toBeDefined();
      expect(input).toContain('capture="environment"');
      expect(input).toContain('accept="image/jpeg,image/png,image/webp"');
      expect(input).toContain('required');
      expect(html).toContain(`<label for="${side}">`);
    }
    expect(html).toContain('<input type="hidden" name="documentType" value="resident_id_card">');
    expect(html).toContain('name="idNumber"');
  });

  it('asks a passport for its single photo page and no ID number', () => {
    const html = render(view({ consent: consented, requiredDocuments: ['passport'] }), 'en');
    const files = tags(html, 'input').filter((i) => i.includes('type="file"'));
    expect(files).toHaveLength(1);
    expect(files[0]).toContain('name="single_page"');
    expect(files[0]).toContain('capture="environment"');
    expect(html).not.toContain('name="idNumber"');
  });

  it('puts the token only into its own form actions and links', () => {
    for (const v of [view(), view({ consent: consented }), view({ link: 'used', consent: consented })]) {
      for (const lang of ['zh', 'en'] as const) {
        const html = render(v, lang);
        const occurrences = html.split(TOKEN).length - 1;
        const allowed =
          html.match(
            new RegExp(
              `(action|href|data-page)="/u/${TOKEN}(/(consent|documents|withdraw))?\\?lang=(zh|en)"`,
              'g',
            ),
          ) ?? [];
        expect(occurrences).toBeGreaterThan(0);
        expect(allowed).toHaveLength(occurrences);
      }
    }
  });

  it('tells a used link that the documents arrived, without any upload form', () => {
    const html = render(view({ link: 'used', consent: consented }), 'en');
    expect(html).toContain('We have your documents.');
    expect(html).not.toContain('id="upload"');
    expect(html).not.toContain('/consent?');
  });

  it.each(['expired', 'revoked', 'superseded'] as const)('says a %s link can no longer be used', (link) => {
    const html = render(view({ link }), 'en');
    expect(html).toContain('This link can no longer be used.');
    expect(html).not.toContain('id="upload"');
    expect(html).not.toContain('/consent?');
  });

  it('offers withdrawal while there is a consent or a live document, and not after everything is gone', () => {
    const withdraw = `action="/u/${TOKEN}/withdraw?lang=en"`;
    expect(render(view({ consent: consented }), 'en')).toContain(withdraw);
    expect(
      render(
        view({
          link: 'used',
          documents: [{ type: 'resident_id_card', status: 'submitted', rejectionReason: null }],
        }),
        'en',
      ),
    ).toContain(withdraw);
    expect(
      render(
        view({
          link: 'used',
          documents: [{ type: 'resident_id_card', status: 'purged', rejectionReason: null }],
        }),
        'en',
      ),
    ).not.toContain(withdraw);
    expect(render(view(), 'en')).not.toContain(withdraw);
  });

  it('lists where each document stands in the page’s language', () => {
    const docs: ResidentView['documents'] = [
      { type: 'resident_id_card', status: 'rejected', rejectionReason: 'unreadable' },
    ];
    expect(render(view({ documents: docs }), 'zh')).toContain(
      '<li>居民身份证：未通过，请重新上传<br><span class="muted">照片看不清，请在光线充足处重新拍摄。</span></li>',
    );
    expect(render(view({ documents: docs }), 'en')).toContain(
      '<li>Resident ID card: Not accepted, please upload again<br><span class="muted">The photo could not be read: please take it again in good light.</span></li>',
    );
  });

  it('puts the CSP nonce on its style and script, and asks not to be indexed', () => {
    const html = render(view(), 'zh');
    expect(tags(html, 'style')).toEqual([`<style nonce="${NONCE}">`]);
    expect(tags(html, 'script')).toEqual([`<script nonce="${NONCE}">`]);
    expect(html).toContain('<meta name="robots" content="noindex">');
  });
});

describe('renderLinkErrorPage', () => {
  it('shows the reason, escaped, in the resident’s language, with no form or token', () => {
    const html = renderLinkErrorPage('zh', '链接<无效>', NONCE);
    expect(html).toContain('<html lang="zh">');
    expect(html).toContain('<title>上传清关证件</title>');
    expect(html).toContain('<div class="err" role="alert"><p>链接&#60;无效&#62;</p></div>');
    expect(html).not.toContain('<form');
    expect(tags(html, 'script')).toEqual([]);
    expect(tags(html, 'style')).toEqual([`<style nonce="${NONCE}">`]);
  });

  it('renders in English', () => {
    const html = renderLinkErrorPage('en', 'This upload link has expired.', NONCE);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Upload customs documents</h1>');
    expect(html).toContain('This upload link has expired.');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter, and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a> 中文`)).toBe(
      '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62; 中文',
    );
  });
});
