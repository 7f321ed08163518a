import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError, type Task, type TimelineEntry, type VaultDocument } from './api';
import { navigate } from './App';
import { formatTime, t, type Lang } from './i18n';
import { useLiveUpdates } from './live';

const REASONS = ['blurry', 'wrong_document', 'name_mismatch', 'expired', 'incomplete'];

/** One case: its tasks and their timeline, and the documents side by side with the vault's check results. */
export function CasePage({ lang, caseId }: { lang: Lang; caseId: string }) {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [documents, setDocuments] = useState<VaultDocument[]>([]);
  const [reason, setReason] = useState(REASONS[0]!);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api.tasks({ caseId, state: 'active' });
      setTasks(r.items);
      const first = r.items[0];
      setTimeline(first ? (await api.actions(first.id)).items : []);
      setDocuments((await api.documents(caseId).catch(() => ({ items: [] as VaultDocument[] }))).items);
      setError(null);
    } catch (e) {
      setError(e as ApiError);
    }
  }, [caseId]);

  useEffect(() => void load(), [load]);
  useLiveUpdates((u) => (u.caseId === caseId ? void load() : undefined), () => void load());

  const decide = async (doc: VaultDocument, approve: boolean) => {
    try {
      await (approve ? api.approve(doc.id) : api.reject(doc.id, reason));
      await load();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <section aria-labelledby="case-title">
      <a href="/inbox" onClick={(e) => (e.preventDefault(), navigate('/inbox'))}>
        ← {t(lang, 'back')}
      </a>
      <h2 id="case-title">{caseId}</h2>
      {error && (
        <p role="alert" className="error">
          {error.message[lang]}
        </p>
      )}
      {tasks.map((task) => (
        <p key={task.id} className="card">
          {t(lang, 'tracking')}: {task.carrierCode} {task.trackingNumber} · {t(lang, task.state)} · {t(lang, 'escalation')}: {task.escalationLevel} ·{' '}
          {t(lang, 'deadline')}: {formatTime(lang, task.deadline)}
        </p>
      ))}
      <h3>{t(lang, 'timeline')}</h3>
      <ol className="timeline">
        {timeline.map((entry) => (
          <li key={entry.id}>
            <time dateTime={entry.occurredAt}>{formatTime(lang, entry.occurredAt)}</time> {entry.action}
            {entry.actorId ? ` · ${entry.actorId}` : ''}
            {entry.channel ? ` · ${entry.channel}` : ''}
          </li>
        ))}
      </ol>
      <h3>{t(lang, 'documents')}</h3>
      {documents.length === 0 && <p>{t(lang, 'noDocuments')}</p>}
      {documents.map((doc) => (
        <article key={doc.id} className="card review">
          <div className="sides">
            {doc.sides.map((side) => (
              <figure key={side}>
                <img src={`/api/documents/${encodeURIComponent(doc.id)}/parts/${side}`} alt={`${doc.documentType} ${side}`} />
                <figcaption>{side}</figcaption>
              </figure>
            ))}
          </div>
          <div className="checks">
            <h4>{t(lang, 'checks')}</h4>
            <dl>
              {Object.entries(doc.checks).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
                </div>
              ))}
            </dl>
            <p>
              {doc.status} · {formatTime(lang, doc.submittedAt)}
            </p>
            {doc.status !== 'approved' && doc.status !== 'rejected' && (
              <div className="actions">
                <button type="button" className="primary" onClick={() => decide(doc, true)}>
                  {t(lang, 'approve')}
                </button>
                <label htmlFor={`reason-${doc.id}`}>{t(lang, 'reason')}</label>
                <select id={`reason-${doc.id}`} value={reason} onChange={(e) => setReason(e.target.value)}>
                  {REASONS.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <button type="button" onClick={() => decide(doc, false)}>
                  {t(lang, 'reject')}
                </button>
              </div>
            )}
          </div>
        </article>
      ))}
    </section>
  );
}
