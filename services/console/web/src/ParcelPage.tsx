import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type ApiError, type ClaimSummary, type MessageReceipt, type MessageSummary, type ParcelTimelineEntry, type ParcelView, type Task } from './api';
import { navigate } from './App';
import { CodeSelect, CopyScriptButton, ErrorAlert, ScriptDetails } from './Controls';
import { DocumentReview } from './DocumentReview';
import { code, formatTime, t, type Lang, type TextKey } from './i18n';
import { useLiveUpdates } from './live';

const CHANNELS = ['wecom', 'sms', 'phone_call', 'chat', 'in_person', 'email', 'dingtalk'];
const DECISIONS = ['reship', 'refund', 'coupon'];

/** One parcel across every service: its tasks, case documents, claims and the merged timeline. */
export function ParcelPage({ lang, parcelId }: { lang: Lang; parcelId: string }) {
  const [parcel, setParcel] = useState<ParcelView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setParcel(await api.parcel(parcelId));
      setError(null);
    } catch (e) {
      setError(e as ApiError);
    }
  }, [parcelId]);

  useEffect(() => void load(), [load]);
  const caseIds = new Set(parcel?.cases.map((c) => c.id) ?? []);
  const taskIds = new Set(parcel?.tasks.map((x) => x.id) ?? []);
  // A message's status events come in bursts (sent, then delivered; a failed attempt, then the
  // failover's): one reload for a burst.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadSoon = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void load();
    }, 200);
  };
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
  useLiveUpdates(
    (u) =>
      (u.parcelId !== '' && u.parcelId === parcelId) || caseIds.has(u.caseId) || taskIds.has(u.taskId)
        ? reloadSoon()
        : undefined,
    () => void load(),
  );

  /** Every one-click action: run it, say so, reload the parcel (its timeline shows the result). */
  const act = async (key: string, run: () => Promise<unknown>) => {
    try {
      await run();
      setDone(key);
      await load();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <section aria-labelledby="parcel-title">
      <a href="/inbox" onClick={(e) => (e.preventDefault(), navigate('/inbox'))}>
        ← {t(lang, 'back')}
      </a>
      <h2 id="parcel-title">
        {t(lang, 'parcel')} {parcel ? `${parcel.carrierCode ?? ''} ${parcel.trackingNumber ?? ''}` : ''}
      </h2>
      <ErrorAlert lang={lang} error={error} />
      {parcel && (
        <>
          {Object.entries(parcel.sources)
            .filter(([, s]) => s !== 'ok')
            .map(([source, s]) => (
              <p key={source} className="notice" role="status">
                {code(lang, source)}: {t(lang, s === 'unavailable' ? 'sourceUnavailable' : 'sourceRefused')}
              </p>
            ))}
          <div className="parcel-grid">
            <div>
              {parcel.tasks.length > 0 && <h3>{t(lang, 'tasks')}</h3>}
              {parcel.tasks.map((task) => (
                <TaskCard key={task.id} lang={lang} task={task} done={done} act={act} />
              ))}
              {parcel.cases.map((c) => (
                <section key={c.id} aria-label={`${t(lang, 'case')} ${c.id}`}>
                  <h3>
                    {t(lang, 'case')} · {code(lang, c.state)}
                  </h3>
                  <p className="deadline">
                    {t(lang, 'deadline')}: {formatTime(lang, c.deadline)} {c.expedited ? `· ${t(lang, 'expedited')}` : ''}
                  </p>
                  <h4>{t(lang, 'documents')}</h4>
                  {(parcel.documents[c.id] ?? []).length === 0 && <p>{t(lang, 'noDocuments')}</p>}
                  {(parcel.documents[c.id] ?? []).map((doc) => (
                    <DocumentReview
                      key={doc.id}
                      lang={lang}
                      doc={doc}
                      onDecide={(approve, reason) => act(`doc-${doc.id}`, () => (approve ? api.approve(doc.id) : api.reject(doc.id, reason)))}
                    />
                  ))}
                </section>
              ))}
              <Messages lang={lang} messages={parcel.messages ?? []} />
              {parcel.claims.length > 0 && <h3>{t(lang, 'claims')}</h3>}
              {parcel.claims.map((claim) => (
                <ClaimCard key={claim.id} lang={lang} claim={claim} done={done} act={act} />
              ))}
            </div>
            <div>
              <h3 id="timeline-title">{t(lang, 'timeline')}</h3>
              <ol className="timeline" aria-labelledby="timeline-title">
                {parcel.timeline.map((entry, i) => (
                  <li key={i} className={`source-${entry.source}`}>
                    <time dateTime={entry.at}>{formatTime(lang, entry.at)}</time> <span className="badge">{code(lang, entry.source)}</span>{' '}
                    {code(lang, entry.kind)}: <strong>{code(lang, entry.code)}</strong>
                    {detailText(lang, entry)}
                    {entry.place ? ` · ${entry.place}` : ''}
                    {entry.late ? ` · ${t(lang, 'late')}` : ''}
                    {entry.actorId ? ` · ${entry.actorId}` : ''}
                  </li>
                ))}
              </ol>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

/** A timeline detail in words; a failed attempt's is `<channel>:<provider code>` (the code stays as it is). */
function detailText(lang: Lang, entry: ParcelTimelineEntry): string {
  if (!entry.detail) return '';
  if (entry.kind === 'message_attempt_failed') {
    const [channel, ...error] = entry.detail.split(':');
    return ` · ${code(lang, channel)} · ${error.join(':')}`;
  }
  return ` · ${code(lang, entry.detail)}`;
}

// A message's status in its own words: "delivered" is not the parcel's 已签收.
const MESSAGE_STATUS: Readonly<Record<string, TextKey>> = {
  queued: 'messageQueued',
  sending: 'messageSending',
  sent: 'messageSent',
  delivered: 'messageDelivered',
  failed: 'messageFailed',
  cancelled: 'messageCancelled',
};
const messageStatus = (lang: Lang, status: string) => (MESSAGE_STATUS[status] ? t(lang, MESSAGE_STATUS[status]) : status);

/** The parcel's messages with their delivery: who (role), which message, on what channel (after a failover), status. */
function Messages({ lang, messages }: { lang: Lang; messages: MessageSummary[] }) {
  return (
    <section aria-labelledby="messages-title">
      <h3 id="messages-title">{t(lang, 'messages')}</h3>
      {messages.length === 0 ? (
        <p>{t(lang, 'noMessages')}</p>
      ) : (
        <table className="messages">
          <thead>
            <tr>
              <th scope="col">{t(lang, 'messageTemplate')}</th>
              <th scope="col">{t(lang, 'recipient')}</th>
              <th scope="col">{t(lang, 'channel')}</th>
              <th scope="col">{t(lang, 'statusAndReceipt')}</th>
              <th scope="col">{t(lang, 'attempts')}</th>
              <th scope="col">{t(lang, 'lastChange')}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message-id={m.id} className={`message ${m.status}`}>
                <td>{code(lang, m.templateRef)}</td>
                <td>{code(lang, m.recipientRole)}</td>
                <td>{[...m.failedOverFrom, m.channel].map((c) => code(lang, c)).join(' → ')}</td>
                <td className="status-cell">
                  <span className={`badge ${m.status}`}>{messageStatus(lang, m.status)}</span>
                  {m.lastErrorCode && m.status === 'failed' ? ` · ${m.lastErrorCode}` : ''}
                  <div className="receipt-cell">
                    <Receipts lang={lang} message={m} />
                  </div>
                </td>
                <td>{m.attempts}</td>
                <td>{formatTime(lang, m.deliveredAt ?? m.failedAt ?? m.sentAt ?? m.queuedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const RECEIPT_CHANNELS = new Set(['sms', 'email']);

/**
 * Each attempt's receipt in words (the outcome is text; the badge colour only repeats it). A failed
 * receipt always follows a send the provider accepted, hence "failed after sending": that is what
 * made the message fail over or fail late, which the status column alone does not tell.
 */
function Receipts({ lang, message }: { lang: Lang; message: MessageSummary }) {
  const receipts: MessageReceipt[] = message.receipts ?? [];
  if (receipts.length === 0)
    // Only SMS and e-mail report delivery; "none yet" is said only while one may still come.
    return message.status === 'sent' && RECEIPT_CHANNELS.has(message.channel) ? <span className="receipt none">{t(lang, 'noReceipt')}</span> : <>—</>;
  return (
    <ul className="receipts">
      {receipts.map((r) => (
        <li key={r.attempt} className={`receipt ${r.outcome}`} data-receipt-attempt={r.attempt}>
          <span className={`badge ${r.outcome}`}>{t(lang, r.outcome === 'delivered' ? 'receiptDelivered' : 'receiptFailedLate')}</span>
          {` · ${code(lang, r.channel)} · ${t(lang, 'attemptNo').replace('{n}', String(r.attempt))}`}
          {r.code ? ` · ${r.code}` : ''}
          {' · '}
          <time dateTime={r.at}>{formatTime(lang, r.at)}</time>
        </li>
      ))}
    </ul>
  );
}

type Act = (key: string, run: () => Promise<unknown>) => Promise<void>;

function TaskCard({ lang, task, done, act }: { lang: Lang; task: Task; done: string | null; act: Act }) {
  const [channel, setChannel] = useState(CHANNELS[0]!);
  const active = task.state !== 'closed';
  return (
    <article className={`card task ${task.state}`} data-task-id={task.id}>
      <div className="task-head">
        <span className={`badge ${task.state}`}>{t(lang, task.state)}</span>
        {task.expedited && <span className="badge expedited">{t(lang, 'expedited')}</span>}
        <span>{code(lang, task.kind)}</span>
      </div>
      <p className="deadline">
        {task.deadline ? `${t(lang, 'deadline')}: ${formatTime(lang, task.deadline)}` : t(lang, 'noDeadline')} · {t(lang, 'escalation')}: {code(lang, task.escalationLevel)}
        {task.residentName ? ` · ${t(lang, 'resident')}: ${task.residentName}` : ''}
      </p>
      <ScriptDetails lang={lang} task={task} />
      {active && (
        <div className="actions">
          {task.state === 'open' && (
            <button type="button" className="primary" onClick={() => act(`ack-${task.id}`, () => api.acknowledge(task.id))}>
              {t(lang, 'acknowledge')}
            </button>
          )}
          <CopyScriptButton lang={lang} task={task} />
          {task.kind !== 'unmatched_parcel' && (
            <>
              <CodeSelect lang={lang} id={`channel-${task.id}`} label={t(lang, 'sentVia')} codes={CHANNELS} value={channel} onChange={setChannel} />
              <button type="button" onClick={() => act(`sent-${task.id}`, () => api.contacted(task.id, channel))}>
                {done === `sent-${task.id}` ? t(lang, 'sent') : t(lang, 'sendScript')}
              </button>
            </>
          )}
        </div>
      )}
    </article>
  );
}

function ClaimCard({ lang, claim, done, act }: { lang: Lang; claim: ClaimSummary; done: string | null; act: Act }) {
  const [decision, setDecision] = useState(DECISIONS[0]!);
  return (
    <article className="card" data-claim-id={claim.id}>
      <p>
        <span className="badge">{code(lang, claim.state)}</span> · {code(lang, claim.reason)} · {formatTime(lang, claim.openedAt)}
        {claim.decision ? ` · ${t(lang, 'decision')}: ${code(lang, claim.decision)}` : ''}
      </p>
      {/* claims takes the decision while it waits for it, once (decision_already_recorded after) */}
      {claim.state === 'awaiting_customer_decision' && !claim.decision && (
        <div className="actions">
          <CodeSelect lang={lang} id={`decision-${claim.id}`} label={t(lang, 'decision')} codes={DECISIONS} value={decision} onChange={setDecision} />
          <button type="button" className="primary" onClick={() => act(`claim-${claim.id}`, () => api.claimDecision(claim.id, decision))}>
            {t(lang, 'recordDecision')}
          </button>
        </div>
      )}
      {done === `claim-${claim.id}` && <p role="status">{t(lang, 'decided')}</p>}
    </article>
  );
}
