import { useState, type FormEvent } from 'react';
import { api, type ApiError, type Me, type ParcelHit } from './api';
import { navigate } from './App';
import { ErrorAlert, PropertySelect } from './Controls';
import { code, formatTime, t, type Lang } from './i18n';

/**
 * Find a parcel by tracking number, unit or resident (matched by notification, server-side). The text lives in this component's state and goes
 * to the BFF in a POST body only: never into the address bar, history or any log.
 */
export function SearchPage({ lang, me }: { lang: Lang; me: Me }) {
  const [text, setText] = useState('');
  const [carrierCode, setCarrierCode] = useState('');
  const [propertyId, setPropertyId] = useState('');
  const [stewardId, setStewardId] = useState('');
  const [stewards, setStewards] = useState<{ id: string; name: string | null }[]>([]);
  const [hits, setHits] = useState<ParcelHit[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api.search({
        text,
        ...(propertyId ? { propertyId } : {}),
        ...(stewardId ? { stewardId } : {}),
        ...(carrierCode.trim() ? { carrierCode: carrierCode.trim().toLowerCase() } : {}),
      });
      setHits(r.items);
      setStewards(r.stewards);
      setError(null);
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">{t(lang, 'search')}</h2>
      <form className="search" onSubmit={submit} role="search">
        <label htmlFor="search-text">{t(lang, 'searchText')}</label>
        <input id="search-text" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" aria-describedby="search-hint" required minLength={2} maxLength={100} />
        <small id="search-hint">{t(lang, 'searchHint')}</small>
        <label htmlFor="search-carrier">{t(lang, 'carrierOptional')}</label>
        <input id="search-carrier" value={carrierCode} onChange={(e) => setCarrierCode(e.target.value)} autoComplete="off" />
        <div className="filters">
          <span>
            <PropertySelect lang={lang} id="search-property" propertyIds={me.propertyIds} value={propertyId} onChange={setPropertyId} />
          </span>
          <span>
            <label htmlFor="search-steward">{t(lang, 'steward')}</label>
            <select id="search-steward" value={stewardId} onChange={(e) => setStewardId(e.target.value)}>
              <option value="">{t(lang, 'allStewards')}</option>
              {stewards.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name ?? s.id}
                </option>
              ))}
            </select>
          </span>
        </div>
        <button type="submit" className="primary">
          {t(lang, 'searchButton')}
        </button>
        <small>{t(lang, 'searchScopeNote')}</small>
      </form>
      <ErrorAlert lang={lang} error={error} />
      {hits && (
        <section aria-labelledby="results-title" aria-live="polite">
          <h3 id="results-title">
            {t(lang, 'results')} ({hits.length})
          </h3>
          {hits.length === 0 && <p className="empty">{t(lang, 'noResults')}</p>}
          <ol className="tasks">
            {hits.map((hit) => (
              <li key={hit.parcelId} className="card" data-parcel-id={hit.parcelId}>
                <a href={`/parcels/${hit.parcelId}`} onClick={(e) => (e.preventDefault(), navigate(`/parcels/${hit.parcelId}`))}>
                  <strong>
                    {hit.carrierCode} {hit.trackingNumber}
                  </strong>
                </a>{' '}
                <span className={`badge ${hit.state}`}>{t(lang, hit.state as 'open')}</span>
                <p className="deadline">
                  {t(lang, hit.matched === 'resident' ? 'matchedResident' : hit.matched === 'unit' ? 'matchedUnit' : 'matchedTracking')}
                  {hit.residentName ? ` · ${t(lang, 'resident')}: ${hit.residentName}` : ''}
                  {hit.unitLabel ? ` · ${t(lang, 'unit')}: ${hit.unitLabel}` : ''}
                  {hit.propertyId ? ` · ${hit.propertyId}` : ''}
                  {hit.stewardName || hit.stewardId ? ` · ${t(lang, 'steward')}: ${hit.stewardName ?? hit.stewardId}` : ''} · {formatTime(lang, hit.lastActivityAt)}
                </p>
                <span className="sr-only">{code(lang, hit.state)}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}
