import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError, type Me, type Task } from './api';
import { navigate } from './App';
import { CopyScriptButton, ErrorAlert, PropertySelect, ScriptDetails } from './Controls';
import { formatTime, t, type Lang } from './i18n';
import { isMessageUpdate, useLiveUpdates } from './live';

/** Same order as the server's (deadline, expedited, age): kept after a single task is merged in. */
function byUrgency(a: Task, b: Task): number {
  const time = (s: string | null) => (s ? Date.parse(s) : Number.POSITIVE_INFINITY);
  return (
    time(a.deadline) - time(b.deadline) ||
    Number(b.expedited) - Number(a.expedited) ||
    time(a.createdAt) - time(b.createdAt) ||
    a.id.localeCompare(b.id)
  );
}

export function Inbox({ lang, me }: { lang: Lang; me: Me }) {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [propertyId, setPropertyId] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    api.tasks(propertyId ? { propertyId } : {}).then(
      (r) => {
        setTasks(r.items);
        setError(null);
      },
      (e: ApiError) => setError(e),
    );
  }, [propertyId]);

  useEffect(load, [load]);

  // A pushed change refetches only that case's tasks and merges them in. A message's status (sent,
  // delivered, failed) changes no task: the parcel page shows it, the inbox is left alone.
  const connected = useLiveUpdates(
    (u) => {
      if (isMessageUpdate(u)) return;
      if (!u.caseId) return load();
      if (propertyId && u.propertyId !== propertyId) return;
      api.tasks({ caseId: u.caseId }).then(
        (r) =>
          setTasks((current) =>
            [...current.filter((x) => x.caseId !== u.caseId), ...r.items.filter((x) => x.state !== 'closed')].sort(byUrgency),
          ),
        () => load(),
      );
    },
    load,
  );

  const acknowledge = async (task: Task) => {
    try {
      await api.acknowledge(task.id);
      setTasks((current) => current.map((x) => (x.id === task.id ? { ...x, state: 'acknowledged' } : x)));
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <section aria-labelledby="inbox-title">
      <div className="toolbar">
        <h2 id="inbox-title">{t(lang, 'inbox')}</h2>
        <PropertySelect lang={lang} id="property-filter" propertyIds={me.propertyIds} value={propertyId} onChange={setPropertyId} />
        <span className={connected ? 'live on' : 'live off'} role="status">
          {connected ? t(lang, 'live') : t(lang, 'offline')}
        </span>
      </div>
      <ErrorAlert lang={lang} error={error} />
      {tasks.length === 0 ? (
        <p className="empty">{t(lang, 'empty')}</p>
      ) : (
        <ol className="tasks" aria-live="polite">
          {tasks.map((task) => (
            <li key={task.id} className={`card task ${task.state}`} data-task-id={task.id}>
              <div className="task-head">
                <span className={`badge ${task.state}`}>{t(lang, task.state)}</span>
                {task.expedited && <span className="badge expedited">{t(lang, 'expedited')}</span>}
                <span className="tracking">
                  {t(lang, 'tracking')}: {task.carrierCode} {task.trackingNumber}
                </span>
              </div>
              <p className="deadline">
                {task.deadline ? `${t(lang, 'deadline')}: ${formatTime(lang, task.deadline)}` : t(lang, 'noDeadline')} · {task.propertyId}
              </p>
              <ScriptDetails lang={lang} task={task} />
              <div className="actions">
                {task.state === 'open' && (
                  <button type="button" className="primary" onClick={() => acknowledge(task)}>
                    {t(lang, 'acknowledge')}
                  </button>
                )}
                <CopyScriptButton lang={lang} task={task} />
                <a href={`/parcels/${task.parcelId}`} onClick={(e) => (e.preventDefault(), navigate(`/parcels/${task.parcelId}`))}>
                  {t(lang, 'openCase')}
                </a>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
