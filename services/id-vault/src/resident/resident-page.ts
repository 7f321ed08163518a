import { carrierDisplayName } from '@portico/contracts';
import { escapeHtml, formatChinaTime, type PageMessage } from '@portico/service-kit';
import { consentText, CONSENT_TEXT_VERSION } from '../documents/consent';
import { sidesOf, type DocumentSideName, type DocumentTypeName } from '../shared/document-types';
import type { Language } from '../upload-requests/upload-request';
import type { ResidentView } from './resident-upload.service';

/**
 * The resident's upload page: server-rendered HTML, no framework, one small inline script (for
 * upload progress and instant feedback; the forms work without it). Mobile first, zh and en,
 * labelled controls, large tap targets, AA contrast. Nothing personal is on it: the carrier, the
 * waybill number and what is asked.
 */

const TEXT = {
  zh: {
    title: '上传清关证件',
    intro: (carrier: string, waybill: string) =>
      `您的${carrier}包裹（运单号 ${waybill}）正在清关，海关需要以下证件：`,
    who: '谁会看到：只有您所在物业的管家（审核）和承运商及其报关代理（清关）。',
    until: (d: string) => `请在 ${d} 前上传。`,
    retention: (n: number) => `清关结束后最多保存 ${n} 天，然后彻底销毁。`,
    consentHeading: '使用同意',
    consentAccept: '我已阅读并同意',
    front: '正面（有照片的一面）',
    back: '背面（有签发机关的一面）',
    single_page: '证件照片页',
    idNumber: '证件号码（可选，便于核对）',
    expiry: '有效期至（如 2030-05-01，或“长期”）',
    name: '证件上的姓名（可选）',
    submit: '提交',
    tips: '请在光线充足处拍摄，四角完整、无反光、不要遮挡。',
    received: '已收到您的证件，管家审核后会通知您。',
    withdraw: '撤回同意并删除我的证件',
    withdrawn: '已撤回同意，您的证件已删除。',
    gone: '此链接已不可用。',
    uploading: '正在上传…',
    colon: '：',
    status: {
      submitted: '等待审核',
      approved: '已通过',
      rejected: '未通过，请重新上传',
      relayed: '已提交承运商',
      purged: '已删除',
    },
    reasons: {
      unreadable: '照片看不清，请在光线充足处重新拍摄。',
      wrong_document: '这不是所需的证件，请上传要求的证件。',
      side_missing: '缺少一面，请同时上传正面和背面。',
      expired: '证件已过期，请上传有效期内的证件。',
      name_mismatch: '证件上的姓名与运单收件人不一致。',
      incomplete: '照片不完整，请确保证件四角都在画面内。',
      suspected_tampering: '照片似乎经过修改，请上传未经处理的原始照片。',
      other: '管家需要您重新上传，详情请联系物业。',
    },
    docs: {
      resident_id_card: '居民身份证',
      passport: '护照',
      hk_macao_travel_permit: '港澳居民来往内地通行证',
      taiwan_travel_permit: '台湾居民来往大陆通行证',
      duty_payment_proof: '缴税凭证',
      proof_of_value: '价值证明',
    },
    other: 'English',
  },
  en: {
    title: 'Upload customs documents',
    intro: (carrier: string, waybill: string) =>
      `Your ${carrier} parcel (waybill ${waybill}) is in customs clearance. Customs needs:`,
    who: 'Who will see it: only your property steward (to check it) and the carrier and its customs broker (to clear the parcel).',
    until: (d: string) => `Please upload before ${d}.`,
    retention: (n: number) => `It is kept at most ${n} days after clearance ends, then destroyed.`,
    consentHeading: 'Consent',
    consentAccept: 'I have read this and agree',
    front: 'Front (the side with the photo)',
    back: 'Back (the side with the issuing authority)',
    single_page: 'Photo page',
    idNumber: 'ID number (optional, helps the check)',
    expiry: 'Valid until (e.g. 2030-05-01, or "long-term")',
    name: 'Name as on the document (optional)',
    submit: 'Submit',
    tips: 'Take the photo in good light, with all four corners visible, no glare, nothing covering it.',
    received: 'We have your documents. Your steward will check them and let you know.',
    withdraw: 'Withdraw consent and delete my documents',
    withdrawn: 'Consent withdrawn; your documents have been deleted.',
    gone: 'This link can no longer be used.',
    uploading: 'Uploading…',
    colon: ': ',
    status: {
      submitted: 'Waiting for review',
      approved: 'Accepted',
      rejected: 'Not accepted, please upload again',
      relayed: 'Sent to the carrier',
      purged: 'Deleted',
    },
    reasons: {
      unreadable: 'The photo could not be read: please take it again in good light.',
      wrong_document: 'This is not the document that was asked for.',
      side_missing: 'A side is missing: please upload both the front and the back.',
      expired: 'The document has expired: please upload a valid one.',
      name_mismatch: 'The name on the document differs from the recipient on the waybill.',
      incomplete: 'Part of the document is cut off: keep all four corners in the picture.',
      suspected_tampering: 'The photo seems to have been edited: please upload the original photo.',
      other: 'Your steward needs a new upload; please contact the management office.',
    },
    docs: {
      resident_id_card: 'Resident ID card',
      passport: 'Passport',
      hk_macao_travel_permit: 'Mainland Travel Permit for HK/Macao Residents',
      taiwan_travel_permit: 'Mainland Travel Permit for Taiwan Residents',
      duty_payment_proof: 'Duty payment proof',
      proof_of_value: 'Proof of value',
    },
    other: '中文',
  },
} as const;

export { escapeHtml };

export type { PageMessage };

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;color:#1a1a1a;background:#f6f7f9}
main{max-width:34rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
section{background:#fff;border-radius:12px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
section>:first-child,.err>:first-child,.ok>:first-child{margin-top:0}section>:last-child,.err>:last-child,.ok>:last-child{margin-bottom:0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input[type=text]{width:100%;padding:.7rem;font-size:1rem;border:1px solid #6b7280;border-radius:8px}
input[type=file]{width:100%;padding:.25rem 0;font-size:1rem}
input[type=file]::file-selector-button{min-height:2.75rem;padding:0 1rem;margin-right:.75rem;font:inherit;font-weight:600;color:#0b4ad6;background:#fff;border:2px solid #0b4ad6;border-radius:8px}
button{width:100%;min-height:3rem;padding:.5rem 1rem;font-family:inherit;font-size:1.05rem;font-weight:600;border:0;border-radius:10px;background:#0b5fff;color:#fff;margin-top:1rem}
button.secondary{background:#fff;color:#a4000f;border:2px solid #a4000f;margin-top:0}
button:focus-visible,input:focus-visible,a:focus-visible,[tabindex="-1"]:focus{outline:3px solid #1a1a1a;outline-offset:2px}
.err{background:#fdecec;border-left:4px solid #a4000f;padding:.75rem;margin:.5rem 0}.ok{background:#e7f6ec;border-left:4px solid #0f7b3a;padding:.75rem}
.muted{color:#4b5563}progress{width:100%;height:1rem}.lang{float:right;font-size:.95rem;padding:.5rem;margin:-.25rem -.5rem 0 0}a{color:#0b4ad6}`;

/** The script only improves the form (progress bar, feedback without reload); it is not needed to upload. */
const SCRIPT = `
const f=document.getElementById('upload');if(f){f.addEventListener('submit',function(e){e.preventDefault();
const p=document.getElementById('progress'),out=document.getElementById('feedback');p.hidden=false;out.innerHTML='';
const x=new XMLHttpRequest();x.open('POST',f.action);x.setRequestHeader('accept','application/json');
x.upload.onprogress=function(ev){if(ev.lengthComputable)p.value=ev.loaded/ev.total};
x.onload=function(){p.hidden=true;var b={};try{b=JSON.parse(x.responseText)}catch(_){}
if(x.status===201){location.replace(f.dataset.page);return}
var lang=document.documentElement.lang==='en'?'en':'zh',err=b.error||{},items=(err.details&&err.details.failures)||[];
var box=document.createElement('div');box.className='err';box.setAttribute('role','alert');box.tabIndex=-1;
var h=document.createElement('p');h.textContent=err.message?err.message[lang]:'Error';box.appendChild(h);
items.forEach(function(i){var li=document.createElement('p');li.textContent=i.message[lang];box.appendChild(li)});
out.appendChild(box);box.focus()};
x.onerror=function(){p.hidden=true};x.send(new FormData(f))})}`;

function sideInputs(type: DocumentTypeName, t: (typeof TEXT)[Language]): string {
  return sidesOf(type)
    .map(
      (side: DocumentSideName) =>
        `<label for="${side}">${escapeHtml(t[side])}</label>` +
        `<input id="${side}" name="${side}" type="file" accept="image/jpeg,image/png,image/webp" capture="environment" required>`,
    )
    .join('');
}

export function renderResidentPage(
  view: ResidentView,
  opts: { token: string; lang: Language; nonce: string; message?: PageMessage },
): string {
  const t = TEXT[opts.lang];
  const carrier = carrierDisplayName(view.carrierCode, opts.lang);
  const base = `/u/${opts.token}`;
  const docType = view.requiredDocuments[0] ?? 'resident_id_card';
  const message = opts.message
    ? `<div class="${opts.message.kind === 'error' ? 'err' : 'ok'}" role="${opts.message.kind === 'error' ? 'alert' : 'status'}">${opts.message.lines
        .map((l) => `<p>${escapeHtml(l)}</p>`)
        .join('')}</div>`
    : '';
  const docsList = view.requiredDocuments.map((d) => `<li>${escapeHtml(t.docs[d])}</li>`).join('');
  const statusList = view.documents
    .map(
      (d) =>
        `<li>${escapeHtml(t.docs[d.type])}${t.colon}${escapeHtml(t.status[d.status as keyof typeof t.status] ?? d.status)}` +
        // The steward's reason goes back to the resident, in the page's language (never free text).
        (d.status === 'rejected' && d.rejectionReason
          ? `<br><span class="muted">${escapeHtml(t.reasons[d.rejectionReason as keyof typeof t.reasons] ?? t.reasons.other)}</span>`
          : '') +
        '</li>',
    )
    .join('');

  let body: string;
  if (view.link === 'usable' && !view.consent) {
    body = `<section aria-labelledby="consent-h"><h2 id="consent-h">${t.consentHeading}</h2>
<p>${escapeHtml(consentText(opts.lang, { purpose: 'customs_clearance', recipient: view.carrierCode, retentionDays: view.retentionDays }, carrier))}</p>
<form method="post" action="${base}/consent?lang=${opts.lang}"><input type="hidden" name="version" value="${CONSENT_TEXT_VERSION}">
<button type="submit">${t.consentAccept}</button></form></section>`;
  } else if (view.link === 'usable') {
    body = `<section aria-labelledby="upload-h"><h2 id="upload-h">${escapeHtml(t.docs[docType])}</h2><p class="muted">${t.tips}</p>
<form id="upload" method="post" action="${base}/documents?lang=${opts.lang}" data-page="${base}?lang=${opts.lang}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="documentType" value="${docType}">${sideInputs(docType, t)}
${docType === 'resident_id_card' ? `<label for="idNumber">${t.idNumber}</label><input id="idNumber" name="idNumber" type="text" inputmode="text" autocomplete="off" maxlength="18">` : ''}
<label for="expiry">${t.expiry}</label><input id="expiry" name="expiry" type="text" autocomplete="off" maxlength="20">
<label for="name">${t.name}</label><input id="name" name="name" type="text" autocomplete="off" maxlength="60">
<progress id="progress" max="1" value="0" hidden aria-label="${t.uploading}"></progress>
<div id="feedback" aria-live="assertive"></div>
<button type="submit">${t.submit}</button></form></section>`;
  } else {
    body = `<section><p class="${view.link === 'used' ? 'ok' : 'err'}" role="status">${view.link === 'used' ? t.received : t.gone}</p></section>`;
  }
  const withdraw =
    view.consent || view.documents.some((d) => d.status !== 'purged')
      ? `<section><form method="post" action="${base}/withdraw?lang=${opts.lang}"><button class="secondary" type="submit">${t.withdraw}</button></form></section>`
      : '';
  return `<!doctype html><html lang="${opts.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${t.title}</title><style nonce="${opts.nonce}">${STYLE}</style></head><body><main>
<a class="lang" href="${base}?lang=${opts.lang === 'zh' ? 'en' : 'zh'}" lang="${opts.lang === 'zh' ? 'en' : 'zh'}">${t.other}</a>
<h1>${t.title}</h1>${message}
<section><p>${escapeHtml(t.intro(carrier, view.trackingNumber))}</p><ul>${docsList}</ul>
<p>${escapeHtml(t.who)}</p>${view.deadline ? `<p><strong>${escapeHtml(t.until(formatChinaTime(view.deadline < view.expiresAt ? view.deadline : view.expiresAt, opts.lang)))}</strong></p>` : `<p><strong>${escapeHtml(t.until(formatChinaTime(view.expiresAt, opts.lang)))}</strong></p>`}
<p class="muted">${escapeHtml(t.retention(view.retentionDays))}</p>${statusList ? `<ul>${statusList}</ul>` : ''}</section>
${body}${withdraw}</main><script nonce="${opts.nonce}">${SCRIPT}</script></body></html>`;
}

export function pageText(lang: Language) {
  return TEXT[lang];
}

/** A link that is unknown, expired or withdrawn: the reason, in the resident's language, nothing else. */
export function renderLinkErrorPage(lang: Language, reason: string, nonce: string): string {
  const t = TEXT[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${t.title}</title><style nonce="${nonce}">${STYLE}</style></head><body><main><h1>${t.title}</h1>
<section><div class="err" role="alert"><p>${escapeHtml(reason)}</p></div></section></main></body></html>`;
}
