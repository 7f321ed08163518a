import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from './domain-error';

/**
 * Server-rendered pages people open from a link without an account (id-vault's upload page,
 * claims' evidence page): the escaping every interpolated value goes through and the headers
 * every such page is sent with, kept once so both pages are held to the same policy.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type PageLanguage = 'zh' | 'en';

/** The page's language from `?lang=`, else the link's own. */
export function pageLanguage(query: string | undefined, fallback: PageLanguage): PageLanguage {
  return query === 'en' || query === 'zh' ? query : fallback;
}

/** The page's own script and API clients ask for JSON; a plain form post gets HTML. */
export function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('application/json');
}

/** A line of the page's notice: an error (role alert) or a confirmation (role status). */
export interface PageMessage {
  readonly kind: 'error' | 'ok';
  readonly lines: readonly string[];
}

/** Times on these pages are for residents in China: their clock, their language's format. */
export function formatChinaTime(d: Date, lang: PageLanguage): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Shanghai',
  }).format(d);
}

/**
 * Post/redirect/get after a form post: the page then sits at its own address, so reloading it shows
 * the current state instead of re-sending the form (or the photos).
 */
export async function redirectToPage(reply: FastifyReply, location: string): Promise<void> {
  await reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .redirect(location, 303);
}

/** A fresh CSP nonce per response: only the page's own inline style and script run. */
export function newCspNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Sends a link page: never cached (the link is a credential and the state changes), no referrer
 * (the token is in the URL), no sniffing, no framing, and a CSP that allows only the page's own
 * nonce'd style and script, requests to itself and forms posted to itself.
 */
export async function sendPublicPage(
  reply: FastifyReply,
  html: string,
  nonce: string,
  status = 200,
): Promise<void> {
  await reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; ` +
        `form-action 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'`,
    )
    .type('text/html; charset=utf-8')
    .send(html);
}

/**
 * Renders and sends a link page: `page(nonce)` reads the link and renders it; when the link is
 * unknown or gone it throws a DomainError, and `errorPage` shows that error's text (in `?lang=` or
 * zh) with the error's status instead. Any other error goes on to the error filter.
 */
export async function sendLinkPage(
  reply: FastifyReply,
  lang: string | undefined,
  status: number,
  page: (nonce: string) => Promise<string>,
  errorPage: (language: PageLanguage, reason: string, nonce: string) => string,
): Promise<void> {
  const nonce = newCspNonce();
  let html: string;
  try {
    html = await page(nonce);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const language = pageLanguage(lang, 'zh');
    status = e.status;
    html = errorPage(language, e.localized[language], nonce);
  }
  await sendPublicPage(reply, html, nonce, status);
}
