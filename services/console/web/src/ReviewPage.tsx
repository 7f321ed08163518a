import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError, type Me, type MonthlyReviewView, type ReviewFigures } from './api';
import { BarChart } from './BarChart';
import { ErrorAlert, PropertySelect } from './Controls';
import { t, type Lang, type TextKey } from './i18n';

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const number = (v: number | null) => (v === null ? '—' : String(Number(v.toFixed(1))));

const ROWS: ReadonlyArray<[TextKey, (f: ReviewFigures) => string]> = [
  ['casesOpened', (f) => String(f.cases)],
  ['cleared', (f) => String(f.cleared)],
  ['medianHours', (f) => number(f.holdToClearanceHours.median)],
  ['p90Hours', (f) => number(f.holdToClearanceHours.p90)],
  ['stewardMinutes', (f) => number(f.stewardMinutesPerCase)],
  ['secureShare', (f) => percent(f.secureChannelShare)],
  ['firstPass', (f) => percent(f.firstPassAcceptance)],
  ['escalations', (f) => String(f.escalations)],
  ['ackBreaches', (f) => String(f.ackSlaBreaches)],
  ['missedDeadlines', (f) => String(f.missedDeadlines)],
];

/** The monthly review per property: clearance's figures for the month and six months of trend. */
export function ReviewPage({ lang, me }: { lang: Lang; me: Me }) {
  const [month, setMonth] = useState(thisMonth);
  const [propertyId, setPropertyId] = useState('');
  const [review, setReview] = useState<MonthlyReviewView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    api.monthlyReview({ month, months: 6, ...(propertyId ? { propertyId } : {}) }).then(
      (r) => {
        setReview(r);
        setError(null);
      },
      (e: ApiError) => setError(e),
    );
  }, [month, propertyId]);
  useEffect(load, [load]);

  return (
    <section aria-labelledby="review-title">
      <div className="toolbar">
        <h2 id="review-title">{t(lang, 'monthlyTitle')}</h2>
        <label htmlFor="review-month">{t(lang, 'month')}</label>
        <input id="review-month" type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        <PropertySelect lang={lang} id="review-property" propertyIds={me.propertyIds} value={propertyId} onChange={setPropertyId} />
      </div>
      <ErrorAlert lang={lang} error={error} />
      {review && review.series.length === 0 && <p className="empty">{t(lang, 'noReview')}</p>}
      {review?.series.map((series) => {
        const current = review.current.properties.find((p) => p.propertyId === series.propertyId);
        const key = series.propertyId ?? 'none';
        return (
          <article key={key} className="card" aria-labelledby={`review-${key}`} data-property-id={key}>
            <h3 id={`review-${key}`}>{series.propertyId ?? t(lang, 'unassigned')}</h3>
            {current ? (
              <table className="figures">
                <caption className="sr-only">
                  {series.propertyId} · {review.month}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t(lang, 'figure')}</th>
                    <th scope="col">{review.month}</th>
                  </tr>
                </thead>
                <tbody>
                  {ROWS.map(([label, value]) => (
                    <tr key={label}>
                      <th scope="row">{t(lang, label)}</th>
                      <td>{value(current)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="empty">{t(lang, 'noReview')}</p>
            )}
            <div className="charts">
              <BarChart
                lang={lang}
                id={`hours-${key}`}
                title={t(lang, 'trendHours')}
                unit="h"
                points={series.points.map((p) => ({ label: p.month, value: p.figures?.holdToClearanceHours.median ?? null }))}
              />
              <BarChart
                lang={lang}
                id={`minutes-${key}`}
                title={t(lang, 'trendMinutes')}
                unit="min"
                points={series.points.map((p) => ({ label: p.month, value: p.figures?.stewardMinutesPerCase ?? null }))}
              />
            </div>
          </article>
        );
      })}
    </section>
  );
}
