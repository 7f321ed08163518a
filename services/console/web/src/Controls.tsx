import { useState } from 'react';
import type { ApiError, Task } from './api';
import { code, t, type Lang } from './i18n';

/** A labelled choice between service codes (channels, reasons, decisions), shown in the page's language. */
export function CodeSelect({ lang, id, label, codes, value, onChange }: { lang: Lang; id: string; label: string; codes: readonly string[]; value: string; onChange: (v: string) => void }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {codes.map((c) => (
          <option key={c} value={c}>
            {code(lang, c)}
          </option>
        ))}
      </select>
    </>
  );
}

/** The property filter of the inbox, search and review pages: the person's own properties only. */
export function PropertySelect({ lang, id, propertyIds, value, onChange }: { lang: Lang; id: string; propertyIds: readonly string[]; value: string; onChange: (v: string) => void }) {
  return (
    <>
      <label htmlFor={id}>{t(lang, 'property')}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t(lang, 'allProperties')}</option>
        {propertyIds.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </>
  );
}

/** An API refusal in the page's language (the BFF's and the services' zh + en messages). */
export function ErrorAlert({ lang, error }: { lang: Lang; error: ApiError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error.message[lang]}
    </p>
  );
}

/** The task's ready script, folded, and the button that copies it (nothing is logged). */
export function ScriptDetails({ lang, task }: { lang: Lang; task: Pick<Task, 'script'> }) {
  if (!task.script) return null;
  return (
    <details>
      <summary>{t(lang, 'script')}</summary>
      <p className="script">{task.script.text}</p>
    </details>
  );
}

export function CopyScriptButton({ lang, task }: { lang: Lang; task: Pick<Task, 'script'> }) {
  const [copied, setCopied] = useState(false);
  if (!task.script) return null;
  const text = task.script.text;
  return (
    <button
      type="button"
      onClick={async () => {
        await navigator.clipboard.writeText(text).catch(() => undefined);
        setCopied(true);
      }}
    >
      {copied ? t(lang, 'copied') : t(lang, 'copyScript')}
    </button>
  );
}
