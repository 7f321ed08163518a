import { t, type Lang } from './i18n';

export interface BarPoint {
  readonly label: string;
  readonly value: number | null;
}

/**
 * A small SVG bar chart with its data as a table beside it (the accessible alternative: screen
 * readers and keyboard users read the table; the SVG is one labelled image). No chart library.
 */
export function BarChart({ lang, id, title, points, unit }: { lang: Lang; id: string; title: string; points: readonly BarPoint[]; unit: string }) {
  const width = 320;
  const height = 140;
  const pad = 24;
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const slot = (width - pad) / Math.max(1, points.length);
  const format = (v: number | null) => (v === null ? t(lang, 'noData') : `${Number(v.toFixed(1))} ${unit}`);
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-table`}>
        <line x1={pad} y1={height} x2={width} y2={height} stroke="#4a4a4a" />
        {points.map((p, i) => {
          const h = p.value === null ? 0 : ((height - 16) * p.value) / max;
          const x = pad + i * slot + slot * 0.15;
          return (
            <g key={p.label}>
              {p.value !== null && <rect x={x} y={height - h} width={slot * 0.7} height={h} fill="#0b5cad" />}
              <text x={x + slot * 0.35} y={height - h - 3} textAnchor="middle" fontSize="10" fill="#1a1a1a">
                {p.value === null ? '–' : Number(p.value.toFixed(1))}
              </text>
              <text x={x + slot * 0.35} y={height + 14} textAnchor="middle" fontSize="10" fill="#4a4a4a">
                {p.label.slice(2)}
              </text>
            </g>
          );
        })}
      </svg>
      <table id={`${id}-table`} className="chart-table">
        <caption>{t(lang, 'chartTable')}</caption>
        <thead>
          <tr>
            <th scope="col">{t(lang, 'month')}</th>
            <th scope="col">{t(lang, 'value')}</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.label}>
              <th scope="row">{p.label}</th>
              <td>{format(p.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
