/** Name of the session cookie. `__Host-` pins it to this origin over HTTPS (no Domain, Path=/, Secure). */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-portico_session' : 'portico_session';
}

/**
 * Whether the cookie must be Secure. Browsers drop Secure cookies set over plain http except on
 * localhost names, so the local demo on http://127.0.0.1 gets a non-Secure one ("auto"); anything
 * reached over https, or any non-loopback host, gets Secure. Production sets "always".
 */
export function cookieIsSecure(mode: 'auto' | 'always', request: { protocol: string; host: string }): boolean {
  if (mode === 'always') return true;
  if (request.protocol === 'https') return true;
  const host = request.host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return !(host === '127.0.0.1' || host === 'localhost' || host === '::1');
}

export interface SessionCookieOptions {
  httpOnly: true;
  secure: boolean;
  sameSite: 'lax';
  path: '/';
  maxAge?: number;
}

export function sessionCookieOptions(secure: boolean, maxAgeSec?: number): SessionCookieOptions {
  return { httpOnly: true, secure, sameSite: 'lax', path: '/', ...(maxAgeSec ? { maxAge: maxAgeSec } : {}) };
}
