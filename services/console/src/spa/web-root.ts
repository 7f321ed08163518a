import { join } from 'node:path';
import type { ConsoleConfig } from '../config';

/** dist/web beside the service's build (dist/src/spa → dist/web), unless CONSOLE_WEB_ROOT says otherwise. */
export function webRoot(config: Pick<ConsoleConfig, 'webRoot'>): string {
  return config.webRoot ?? join(__dirname, '..', '..', 'web');
}

/**
 * Headers for every answer: the SPA loads only its own scripts and styles (no inline script), frames
 * nobody, and sends no referrer, so no URL of the console leaks to another site.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
