/**
 * The one form search text and searched values are compared in (tracking numbers, units, names):
 * case-, width- and separator-insensitive, because people type tracking numbers with spaces or
 * dashes and full-width digits from a Chinese keyboard (NFKC folds those), and units as 12-03 or 1203.
 * notification applies the same rule in SQL (SEARCH_TEXT_SQL) so both sides agree.
 */
export function normaliseSearchText(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.·]+/g, '');
}

/** normaliseSearchText in PostgreSQL (UTF-8 database, 13+): `SEARCH_TEXT_SQL('t.tracking_number')`. */
export function SEARCH_TEXT_SQL(column: string): string {
  return `lower(regexp_replace(normalize(${column}, NFKC), '[\\s\\-_.·]+', '', 'g'))`;
}
