import { useEffect, useState } from 'react';
import { formatTime, t, type Lang } from './i18n';

interface Localized {
  zh: string;
  en: string;
}

/** clearance's ResidentStatusView (services/clearance/src/resident-status/resident-status-view.ts). */
interface ResidentStatus {
  reference: string;
  language: Lang;
  parcel: { carrierCode: string; trackingNumberLast4: string | null };
  holdReason: { code: string; label: Localized };
  state: string;
  open: boolean;
  steps: { code: string; status: 'done' | 'current' | 'upcoming' | 'skipped'; label: Localized }[];
  nextAction: { code: string; text: Localized; documents: { type: string; label: Localized }[]; deadline: string | null };
  deadline: string;
  expedited: boolean;
  updatedAt: string;
  linkExpiresAt: string;
}

/**
 * The link is `/s#<status token>`, or `/s#t=<status token>&u=<upload token>` when the message also
 * carries the resident's id-vault upload token. Fragments are never sent to a server, so neither
 * token reaches any access log; the page sends the status token as a bearer header only.
 */
export function tokensFromFragment(hash: string): { status: string | null; upload: string | null } {
  const raw = hash.replace(/^#/, '');
  const valid = (v: string | null) => (v && /^[A-Za-z0-9_-]{20,128}$/.test(v) ? v : null);
  if (!raw.includes('=')) return { status: valid(raw), upload: null };
  const p = new URLSearchParams(raw);
  return { status: valid(p.get('t')), upload: valid(p.get('u')) };
}

const STEP_STATUS = { done: 'stepDone', current: 'stepCurrent', upcoming: 'stepUpcoming', skipped: 'stepSkipped' } as const;

/** The resident's page: where the clearance stands, what to do next, by when. No login, no personal data. */
export function StatusPage() {
  const [lang, setLang] = useState<Lang>(navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh');
  const [status, setStatus] = useState<ResidentStatus | null>(null);
  const [uploadBase, setUploadBase] = useState<string | null>(null);
  const [error, setError] = useState<Localized | null>(null);
  const tokens = tokensFromFragment(window.location.hash);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t(lang, 'residentTitle');
  }, [lang]);

  useEffect(() => {
    if (!tokens.status) return setError({ zh: t('zh', 'residentNoToken'), en: t('en', 'residentNoToken') });
    fetch('/api/resident/status', { headers: { authorization: `Bearer ${tokens.status}`, accept: 'application/json' }, credentials: 'omit', cache: 'no-store' })
      .then(async (res) => {
        const body = (await res.json().catch(() => ({}))) as { status?: ResidentStatus; uploadPageBase?: string; error?: { message?: Localized } };
        if (!res.ok || !body.status) throw body.error?.message ?? { zh: t('zh', 'error'), en: t('en', 'error') };
        setStatus(body.status);
        setUploadBase(body.uploadPageBase ?? null);
        setLang(body.status.language);
      })
      .catch((e: Localized) => setError(e));
    // the tokens come from the fragment once, on load; the page does not watch it
  }, []);

  const uploading = status?.nextAction.code === 'upload_documents' || status?.nextAction.code === 'upload_again';
  return (
    <>
      <header className="bar">
        <h1>{t(lang, 'residentTitle')}</h1>
        <button type="button" className="lang" aria-label={t(lang, 'languageLabel')} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t(lang, 'language')}
        </button>
      </header>
      <main id="main">
        {error && (
          <p role="alert" className="error">
            {error[lang]}
          </p>
        )}
        {!error && !status && <p role="status">{t(lang, 'residentLoading')}</p>}
        {status && (
          <>
            <section className="card" aria-labelledby="hold-title">
              <h2 id="hold-title">{status.holdReason.label[lang]}</h2>
              <p>
                {t(lang, 'residentParcel')}: {status.parcel.carrierCode}
                {status.parcel.trackingNumberLast4 ? ` · ${t(lang, 'residentEndingIn')} ${status.parcel.trackingNumberLast4}` : ''}
              </p>
              <p>
                {t(lang, 'deadline')}: <strong>{formatTime(lang, status.deadline)}</strong>
                {status.expedited ? ` · ${t(lang, 'expedited')}` : ''}
              </p>
            </section>
            <section className="card next" aria-labelledby="next-title">
              <h2 id="next-title">{t(lang, 'residentNext')}</h2>
              <p className="next-text">{status.nextAction.text[lang]}</p>
              {status.nextAction.documents.length > 0 && (
                <ul>
                  {status.nextAction.documents.map((d) => (
                    <li key={d.type}>{d.label[lang]}</li>
                  ))}
                </ul>
              )}
              {uploading &&
                (tokens.upload && uploadBase ? (
                  <a className="button primary" href={`${uploadBase}${tokens.upload}`} rel="noreferrer">
                    {t(lang, 'residentUpload')}
                  </a>
                ) : (
                  <p>{t(lang, 'residentUploadFromMessage')}</p>
                ))}
            </section>
            <section className="card" aria-labelledby="steps-title">
              <h2 id="steps-title">{t(lang, 'residentSteps')}</h2>
              <ol className="steps">
                {status.steps.map((s) => (
                  <li key={s.code} className={`step ${s.status}`} aria-current={s.status === 'current' ? 'step' : undefined}>
                    <span className="step-label">{s.label[lang]}</span> <span className="step-status">{t(lang, STEP_STATUS[s.status])}</span>
                  </li>
                ))}
              </ol>
            </section>
            <p className="muted">
              {t(lang, 'residentReference')}: <code>{status.reference}</code>
            </p>
            <p className="muted">
              {t(lang, 'residentUpdated')}: {formatTime(lang, status.updatedAt)} · {t(lang, 'residentLinkExpires')}: {formatTime(lang, status.linkExpiresAt)}
            </p>
          </>
        )}
      </main>
    </>
  );
}
