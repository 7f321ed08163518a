import { carrierDisplayName } from '@portico/contracts';
import { escapeHtml, formatChinaTime, type PageMessage } from '@portico/service-kit';
import type { ClaimReason } from '../claims/claim';
import type { EvidenceKind, EvidenceSubject } from '../evidence/evidence-intake';
import type { EvidenceLanguage, LinkState } from './evidence-link';
import type { ResidentEvidenceView } from './resident-evidence.service';

/**
 * The resident's evidence page (`/e/<token>`): server-rendered HTML, no framework and no script
 * (plain forms, post/redirect/get), mobile first, zh and en, labelled controls, large tap
 * targets, AA contrast. It shows the carrier, the waybill number and the claim's reason: nothing
 * personal. The photo input opens the camera (`capture`); value proof can be a photo or a PDF.
 */

const TEXT = {
  zh: {
    title: '补充理赔材料',
    intro: (carrier: string, waybill: string, reason: string) =>
      `您的${carrier}包裹（运单号 ${waybill}）已登记理赔：${reason}。请补充照片和价值证明，帮助我们尽快处理。`,
    who: '谁会看到：您所在物业的前台和理赔人员，以及处理理赔的承运商。',
    privacy: '面单上可能有您的姓名和电话：照片只用于本次理赔，位置等照片信息会在保存前删除。',
    until: (d: string) => `请在 ${d} 前上传。`,
    remaining: (n: number) => `还可以上传 ${n} 个文件。`,
    photosHeading: '照片',
    photosTips: '请拍下破损处、包裹外观和面单，光线充足、画面清晰。',
    photoSubject: '照片内容',
    photoFile: '选择或拍摄照片',
    photoSubmit: '上传照片',
    proofHeading: '价值证明',
    proofTips: '发票、收据或订单截图，照片或 PDF 均可。',
    proofSubject: '材料类型',
    proofFile: '选择文件',
    proofSubmit: '上传价值证明',
    addedHeading: '已收到',
    none: '还没有收到文件。',
    added: (kind: string) => `已收到您的${kind}，谢谢。`,
    done: '完成，不再补充',
    finished: '已收到您的材料，谢谢。理赔人员会继续处理，如有需要会联系您。',
    gone: '此链接已不可用，请向物业前台索取新的链接。',
    notNeeded: '该理赔已不再需要补充材料，谢谢。',
    kinds: { photo: '照片', value_proof: '价值证明' },
    subjects: {
      damage: '破损处',
      parcel: '包裹外观',
      label: '面单',
      invoice: '发票',
      receipt: '收据',
      other: '其他',
    },
    reasons: {
      no_scan: '长时间没有物流更新',
      past_estimated_delivery: '超过预计送达时间',
      not_received: '显示已签收但未收到',
      carrier_lost: '承运商报告丢失',
      carrier_damaged: '承运商报告破损',
      carrier_returned: '包裹被退回',
      damaged_on_arrival: '到货时已破损',
    },
    other: 'English',
  },
  en: {
    title: 'Add evidence to your claim',
    intro: (carrier: string, waybill: string, reason: string) =>
      `A claim is open for your ${carrier} parcel (waybill ${waybill}): ${reason}. Photos and proof of value help us settle it sooner.`,
    who: "Who sees them: your property's front desk and claims staff, and the carrier handling the claim.",
    privacy:
      'The label may show your name and phone number: the photos are used for this claim only, and location and other photo data are removed before they are kept.',
    until: (d: string) => `Please upload before ${d}.`,
    remaining: (n: number) => (n === 1 ? 'You can add 1 more file.' : `You can add ${n} more files.`),
    photosHeading: 'Photos',
    photosTips: 'Take the damage, the outside of the parcel and the label, in good light and in focus.',
    photoSubject: 'What the photo shows',
    photoFile: 'Choose or take a photo',
    photoSubmit: 'Upload photo',
    proofHeading: 'Proof of value',
    proofTips: 'An invoice, a receipt or a screenshot of the order, as a photo or a PDF.',
    proofSubject: 'Type of document',
    proofFile: 'Choose a file',
    proofSubmit: 'Upload proof of value',
    addedHeading: 'Received',
    none: 'No files received yet.',
    added: (kind: string) => `We have your ${kind}. Thank you.`,
    done: "I'm done adding evidence",
    finished:
      'We have your evidence, thank you. Claims staff will carry on and contact you if they need more.',
    gone: 'This link can no longer be used. Please ask your property front desk for a new one.',
    notNeeded: 'This claim no longer needs new evidence. Thank you.',
    kinds: { photo: 'photo', value_proof: 'proof of value' },
    subjects: {
      damage: 'Damage',
      parcel: 'Outside of the parcel',
      label: 'Label',
      invoice: 'Invoice',
      receipt: 'Receipt',
      other: 'Other',
    },
    reasons: {
      no_scan: 'no tracking update for a long time',
      past_estimated_delivery: 'past its estimated delivery date',
      not_received: 'shown as delivered but not received',
      carrier_lost: 'reported lost by the carrier',
      carrier_damaged: 'reported damaged by the carrier',
      carrier_returned: 'returned by the carrier',
      damaged_on_arrival: 'damaged on arrival',
    },
    other: '中文',
  },
} as const satisfies Record<
  EvidenceLanguage,
  {
    kinds: Record<EvidenceKind, string>;
    subjects: Record<EvidenceSubject, string>;
    reasons: Record<ClaimReason, string>;
    [k: string]: unknown;
  }
>;

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;color:#1a1a1a;background:#f6f7f9}
main{max-width:34rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .5rem}
section{background:#fff;border-radius:12px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
section>:last-child{margin-bottom:0}p{margin:0 0 .6rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
select{width:100%;min-height:2.75rem;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:8px;background:#fff;color:#1a1a1a}
input[type=file]{width:100%;padding:.25rem 0;font-size:1rem}
input[type=file]::file-selector-button{min-height:2.75rem;padding:0 1rem;margin-right:.75rem;font:inherit;font-weight:600;color:#0b4ad6;background:#fff;border:2px solid #0b4ad6;border-radius:8px}
button{width:100%;min-height:3rem;padding:.5rem 1rem;font:inherit;font-size:1.05rem;font-weight:600;border:0;border-radius:10px;background:#0b5fff;color:#fff;margin-top:1rem}
button.secondary{background:#fff;color:#0f5132;border:2px solid #0f7b3a;margin-top:0}
button:focus-visible,input:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
.err{background:#fdecec;border-left:4px solid #a4000f;padding:.75rem;margin:0 0 1rem}.ok{background:#e7f6ec;border-left:4px solid #0f7b3a;padding:.75rem;margin:0 0 1rem}
.err p:last-child,.ok p:last-child{margin:0}ul{margin:0;padding-left:1.25rem}
.muted{color:#4b5563}.lang{float:right;font-size:.95rem;padding:.5rem;margin:-.25rem -.5rem 0 0}a{color:#0b4ad6}`;

type Text = (typeof TEXT)[EvidenceLanguage];

/** A list item starts with a capital in English (the kinds are worded for the middle of a sentence). */
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function messageBox(m: PageMessage | undefined): string {
  if (!m) return '';
  const role = m.kind === 'error' ? 'alert' : 'status';
  return `<div class="${m.kind === 'error' ? 'err' : 'ok'}" role="${role}">${m.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>`;
}

function options(t: Text, subjects: readonly EvidenceSubject[]): string {
  return subjects.map((s) => `<option value="${s}">${escapeHtml(t.subjects[s])}</option>`).join('');
}

function uploadForms(t: Text, base: string, lang: EvidenceLanguage): string {
  const action = `${base}/evidence?lang=${lang}`;
  return `<section aria-labelledby="photos-h"><h2 id="photos-h">${t.photosHeading}</h2><p class="muted">${t.photosTips}</p>
<form method="post" action="${action}" enctype="multipart/form-data"><input type="hidden" name="kind" value="photo">
<label for="photo-subject">${t.photoSubject}</label><select id="photo-subject" name="subject">${options(t, ['damage', 'parcel', 'label'])}</select>
<label for="photo-file">${t.photoFile}</label><input id="photo-file" name="file" type="file" accept="image/jpeg,image/png,image/webp,image/heic,image/heif" capture="environment" required>
<button type="submit">${t.photoSubmit}</button></form></section>
<section aria-labelledby="proof-h"><h2 id="proof-h">${t.proofHeading}</h2><p class="muted">${t.proofTips}</p>
<form method="post" action="${action}" enctype="multipart/form-data"><input type="hidden" name="kind" value="value_proof">
<label for="proof-subject">${t.proofSubject}</label><select id="proof-subject" name="subject">${options(t, ['invoice', 'receipt', 'other'])}</select>
<label for="proof-file">${t.proofFile}</label><input id="proof-file" name="file" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" required>
<button type="submit">${t.proofSubmit}</button></form></section>`;
}

function ended(t: Text, state: Exclude<LinkState, 'usable'>): PageMessage {
  if (state === 'finished' || state === 'full') return { kind: 'ok', lines: [t.finished] };
  if (state === 'not_needed') return { kind: 'ok', lines: [t.notNeeded] };
  return { kind: 'error', lines: [t.gone] };
}

function shell(lang: EvidenceLanguage, nonce: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${TEXT[lang].title}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function renderEvidencePage(
  view: ResidentEvidenceView,
  opts: { token: string; lang: EvidenceLanguage; nonce: string; message?: PageMessage },
): string {
  const t = TEXT[opts.lang];
  const base = `/e/${opts.token}`;
  const carrier = carrierDisplayName(view.carrierCode, opts.lang);
  const addedList = view.added.length
    ? `<ul>${view.added
        .map(
          (i) =>
            `<li>${escapeHtml(capitalised(t.kinds[i.kind]))} · ${escapeHtml(t.subjects[i.subject])}</li>`,
        )
        .join('')}</ul>`
    : `<p class="muted">${t.none}</p>`;
  const usable = view.state === 'usable';
  const message = opts.message ?? (usable ? undefined : ended(t, view.state as Exclude<LinkState, 'usable'>));
  const facts = `<section><p>${escapeHtml(t.intro(carrier, view.trackingNumber, t.reasons[view.claimReason]))}</p>
<p>${escapeHtml(t.who)}</p><p class="muted">${escapeHtml(t.privacy)}</p>${
    usable
      ? `<p><strong>${escapeHtml(t.until(formatChinaTime(view.link.expiresAt, opts.lang)))}</strong> ${escapeHtml(t.remaining(view.link.maxUploads - view.link.uploads))}</p>`
      : ''
  }</section>`;
  const received = `<section aria-labelledby="added-h"><h2 id="added-h">${t.addedHeading}</h2>${addedList}</section>`;
  const done = usable
    ? `<section><form method="post" action="${base}/done?lang=${opts.lang}"><button class="secondary" type="submit">${t.done}</button></form></section>`
    : '';
  return shell(
    opts.lang,
    opts.nonce,
    `<a class="lang" href="${base}?lang=${opts.lang === 'zh' ? 'en' : 'zh'}" lang="${opts.lang === 'zh' ? 'en' : 'zh'}">${t.other}</a>
<h1>${t.title}</h1>${messageBox(message)}${facts}${usable ? uploadForms(t, base, opts.lang) : ''}${received}${done}`,
  );
}

export function addedMessage(lang: EvidenceLanguage, kind: EvidenceKind): PageMessage {
  return { kind: 'ok', lines: [TEXT[lang].added(TEXT[lang].kinds[kind])] };
}

/** A link that is unknown (or not a token at all): the reason, in the page's language, nothing else. */
export function renderLinkErrorPage(lang: EvidenceLanguage, reason: string, nonce: string): string {
  return shell(
    lang,
    nonce,
    `<h1>${TEXT[lang].title}</h1><section><div class="err" role="alert"><p>${escapeHtml(reason)}</p></div></section>`,
  );
}
