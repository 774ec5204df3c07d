/**
 * A minimal browser for server-rendered flows: keeps cookies per origin, follows redirects one at a time, and
 * submits forms. Enough to walk an OIDC authorization request through the interaction pages like a user would.
 */
export class BrowserSession {
  private readonly jar = new Map<string, Map<string, string>>();

  /** GET `url`, following redirects until a page (or a URL matching `stopAt`) is reached. */
  async visit(url: string, stopAt?: (url: URL) => boolean): Promise<{ url: URL; status: number; body: string }> {
    return this.follow(new URL(url), { method: 'GET' }, stopAt);
  }

  /** POST a form (x-www-form-urlencoded) to `url` and follow the redirects. */
  async submit(
    url: string,
    fields: Record<string, string>,
    stopAt?: (url: URL) => boolean,
  ): Promise<{ url: URL; status: number; body: string }> {
    return this.follow(
      new URL(url),
      {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      stopAt,
    );
  }

  /** The value of a hidden or text input named `name` on a page. */
  static field(html: string, name: string): string {
    const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html);
    if (!match?.[1] && match?.[1] !== '') throw new Error(`no field "${name}" on the page`);
    return match[1].replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  }

  /** The `action` of the form whose action ends with `suffix`. */
  static action(html: string, suffix: string): string {
    const match = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].find((m) => m[1]?.endsWith(suffix));
    if (!match?.[1]) throw new Error(`no form posting to …${suffix}`);
    return match[1];
  }

  private async follow(
    start: URL,
    init: { method: string; body?: string; headers?: Record<string, string> },
    stopAt?: (url: URL) => boolean,
  ): Promise<{ url: URL; status: number; body: string }> {
    let url = start;
    let request = init;
    for (let hop = 0; hop < 20; hop += 1) {
      if (stopAt?.(url)) return { url, status: 0, body: '' };
      const response = await fetch(url, {
        method: request.method,
        body: request.body,
        redirect: 'manual',
        headers: { ...request.headers, cookie: this.cookieHeader(url), 'accept-language': 'en' },
      });
      this.store(url, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url);
        request = { method: 'GET' };
        continue;
      }
      return { url, status: response.status, body: await response.text() };
    }
    throw new Error('too many redirects');
  }

  private cookieHeader(url: URL): string {
    return [...(this.jar.get(url.origin) ?? new Map<string, string>())]
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }

  private store(url: URL, setCookies: string[]): void {
    const cookies = this.jar.get(url.origin) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // An expired cookie (deleted) has an empty value or a past expiry.
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.origin, cookies);
  }
}
