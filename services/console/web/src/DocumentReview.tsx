import { useState } from 'react';
import type { VaultDocument } from './api';
import { CodeSelect } from './Controls';
import { code, formatTime, t, type Lang } from './i18n';

/** id-vault's rejection reasons (libs/contracts REJECTION_REASONS); the BFF refuses any other. */
const REASONS = ['unreadable', 'wrong_document', 'side_missing', 'expired', 'name_mismatch', 'incomplete', 'suspected_tampering', 'other'];

/** The vault's per-side check figures ({width, height, sharpness}) as one readable line. */
function describe(lang: Lang, value: unknown): string {
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${code(lang, k)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ');
  return String(value);
}

/**
 * One document side by side with the vault's automatic check results, and the decision. Rejecting
 * is the request for a new upload: clearance re-requests and notification tells the resident.
 */
export function DocumentReview({ lang, doc, onDecide }: { lang: Lang; doc: VaultDocument; onDecide: (approve: boolean, reason: string) => void }) {
  const [reason, setReason] = useState(REASONS[0]!);
  // id-vault's states: submitted → approved (→ relayed) | rejected; only a submitted one awaits review
  const open = doc.status === 'submitted';
  return (
    <article className="card review" data-document-id={doc.id} aria-label={`${code(lang, doc.documentType)} · ${code(lang, doc.status)}`}>
      <div className="sides">
        {doc.sides.map((side) => (
          <figure key={side}>
            <img src={`/api/documents/${encodeURIComponent(doc.id)}/parts/${side}`} alt={`${code(lang, doc.documentType)} ${code(lang, side)}`} />
            <figcaption>{code(lang, side)}</figcaption>
          </figure>
        ))}
      </div>
      <div className="checks">
        <h4>{t(lang, 'checks')}</h4>
        <dl>
          {Object.entries(doc.checks).map(([name, value]) => (
            <div key={name}>
              <dt>{code(lang, name)}</dt>
              <dd>{describe(lang, value)}</dd>
            </div>
          ))}
        </dl>
        <p>
          <span className={`badge ${doc.status}`}>{code(lang, doc.status)}</span> · {formatTime(lang, doc.submittedAt)}
          {doc.rejectionReason ? ` · ${code(lang, doc.rejectionReason)}` : ''}
        </p>
        {open && (
          <div className="actions">
            <button type="button" className="primary" onClick={() => onDecide(true, reason)}>
              {t(lang, 'approve')}
            </button>
            <CodeSelect lang={lang} id={`reason-${doc.id}`} label={t(lang, 'reason')} codes={REASONS} value={reason} onChange={setReason} />
            <button type="button" onClick={() => onDecide(false, reason)}>
              {t(lang, 'requestReupload')}
            </button>
          </div>
        )}
      </div>
    </article>
  );
}
