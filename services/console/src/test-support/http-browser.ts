/**
 * A browser's cookie handling for HTTP-level tests of redirect flows (OIDC): one jar per simulated
 * browser, cookies kept per origin, redirects followed by hand so a test can stop at (and tamper
 * with) any hop. Deliberately small: no Path or Domain matching (each origin here is one service).
 */
export class HttpBrowser {
  private readonly jar = new Map<string, Map<string, string>>();
  /** Every URL this browser requested, in order (for personal-data checks). */
  readonly visited: string[] = [];

  cookies(origin: string): ReadonlyMap<string, string> {
    return this.jar.get(origin) ?? new Map();
  }

  /** One request, cookies attached and stored; never follows redirects. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const { origin } = new URL(url);
    this.visited.push(url);
    const cookies = [...this.cookies(origin)].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookies ? { cookie: cookies } : {}) },
    });
    for (const header of response.headers.getSetCookie()) this.store(origin, header);
    return response;
  }

  /** Follows redirects from `url` until one leads to `stopAt`'s origin (answered: that URL, not fetched). */
  async followUntil(url: string, stopAt: string): Promise<string> {
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      const response = await this.request(next);
      await response.arrayBuffer();
      const location = response.headers.get('location');
      if (!location) throw new Error(`no redirect from ${new URL(next).pathname}: ${response.status}`);
      next = new URL(location, next).toString();
      if (new URL(next).origin === new URL(stopAt).origin) return next;
    }
    throw new Error('too many redirects');
  }

  private store(origin: string, header: string): void {
    const [pair, ...attributes] = header.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const attrs = attributes.map((a) => a.trim().toLowerCase());
    const expired =
      attrs.some((a) => a === 'max-age=0' || a.startsWith('max-age=-')) ||
      attrs.some((a) => a.startsWith('expires=') && new Date(a.slice(8)).getTime() < Date.now());
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    if (expired || value === '') cookies.delete(name);
    else cookies.set(name, value);
    this.jar.set(origin, cookies);
  }

  /** The Set-Cookie attributes a response gave a cookie (for flag checks), or undefined. */
  static setCookieOf(response: Response, name: string): string | undefined {
    return response.headers.getSetCookie().find((h) => h.startsWith(`${name}=`));
  }
}
