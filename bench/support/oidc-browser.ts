/** Where the browser ended up, what it answered, and its HTML (status 0 and no body when stopped before a fetch). */
export interface BrowserPage {
  url: URL;
  status: number;
  body: string;
}

export interface BrowserOptions {
  /**
   * Origins served elsewhere, like a hosts-file entry: the issuer's origin (what its pages and redirects name) →
   * the loopback address the server listens on. URLs, cookies and Origin headers keep the issuer's origin.
   */
  hosts?: ReadonlyMap<string, string>;
  /** Sent with every request (e.g. the user's address, as a reverse proxy would forward it). */
  headers?: Record<string, string>;
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** Stops following redirects when a URL matches: e.g. the client's redirect URI, which a browser hands to the RP. */
export type StopAt = (url: URL) => boolean;

const MAX_REDIRECTS = 10;

/**
 * A new user's browser, one per code flow: cookies per origin with their paths (RFC 6265), redirects followed one
 * hop at a time, forms submitted. Sub-resources the pages load (style sheet, scripts) are left out: a returning
 * browser has them cached.
 */
export class BenchBrowser {
  private readonly jar = new Map<string, StoredCookie[]>();

  constructor(private readonly options: BrowserOptions = {}) {}

  /** GET `url`, following redirects until a page, or a URL matching `stopAt` (not fetched). */
  visit(url: URL, stopAt?: StopAt): Promise<BrowserPage> {
    return this.follow(url, { method: 'GET' }, stopAt);
  }

  /** POST a form (x-www-form-urlencoded) and follow the redirects. */
  submit(url: URL, fields: Record<string, string>, stopAt?: StopAt): Promise<BrowserPage> {
    return this.follow(
      url,
      {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      stopAt,
    );
  }

  /** A page script's same-origin `fetch` of JSON, with the browser's cookies. */
  async readJson(url: URL): Promise<{ status: number; body: unknown }> {
    const page = await this.follow(url, { method: 'GET', headers: { accept: 'application/json' } });
    let body: unknown;
    try {
      body = JSON.parse(page.body);
    } catch {
      body = undefined;
    }
    return { status: page.status, body };
  }

  private async follow(
    start: URL,
    init: { method: string; body?: string; headers?: Record<string, string> },
    stopAt?: StopAt,
  ): Promise<BrowserPage> {
    let url = start;
    let request = init;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      if (stopAt?.(url)) return { url, status: 0, body: '' };
      const response = await fetch(this.served(url), {
        method: request.method,
        body: request.body,
        redirect: 'manual',
        headers: {
          ...this.options.headers,
          ...request.headers,
          ...(request.method === 'POST' ? { origin: url.origin } : {}),
          cookie: this.cookieHeader(url),
          'accept-language': 'en',
        },
      });
      this.store(url, response.headers.getSetCookie());
      // Read to the end either way, so the connection goes back to the pool.
      const body = await response.text();
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url);
        request = { method: 'GET', headers: init.headers?.accept ? { accept: init.headers.accept } : undefined };
        continue;
      }
      return { url, status: response.status, body };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects`);
  }

  private served(url: URL): URL {
    return this.options.hosts ? servedAt(url, this.options.hosts) : url;
  }

  private cookieHeader(url: URL): string {
    return (this.jar.get(url.origin) ?? [])
      .filter((cookie) => pathMatches(url.pathname, cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(url: URL, setCookies: string[]): void {
    let cookies = this.jar.get(url.origin) ?? [];
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = defaultPath(url.pathname);
      let expired = value === '';
      for (const attribute of attributes) {
        const split = attribute.indexOf('=');
        const key = (split < 0 ? attribute : attribute.slice(0, split)).trim().toLowerCase();
        const raw = split < 0 ? '' : attribute.slice(split + 1).trim();
        if (key === 'path' && raw.startsWith('/')) path = raw;
        else if (key === 'max-age' && Number(raw) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(raw) <= Date.now()) expired = true;
      }
      cookies = cookies.filter((cookie) => cookie.name !== name || cookie.path !== path);
      if (!expired) cookies.push({ name, value, path });
    }
    this.jar.set(url.origin, cookies);
  }
}

/** Where a URL is actually fetched from: the hosts entry for its origin, if any. */
export function servedAt(url: URL, hosts: ReadonlyMap<string, string>): URL {
  const target = hosts.get(url.origin);
  return target ? new URL(`${url.pathname}${url.search}`, target) : url;
}

/** RFC 6265 §5.1.4: the default cookie path is the request path up to its last `/`. */
function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text of an HTML attribute value or element, entities decoded. */
function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/** Reading server-rendered pages as the user's browser would use them. */
export const pageReader = {
  /** The value of the input named `name` (the first one on the page). */
  input(html: string, name: string): string | undefined {
    const match = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
    const value = match ? /\bvalue="([^"]*)"/.exec(match)?.[1] : undefined;
    return value === undefined ? undefined : decodeHtml(value);
  },

  /** The `action` of the first form whose action ends with `suffix`. */
  formAction(html: string, suffix: string): string | undefined {
    for (const match of html.matchAll(/<form[^>]*\baction="([^"]+)"/g)) {
      const action = decodeHtml(match[1] ?? '');
      if (action.endsWith(suffix)) return action;
    }
    return undefined;
  },

  /** A `data-*` attribute (`name` without the prefix). */
  data(html: string, name: string): string | undefined {
    const value = new RegExp(`\\bdata-${name}="([^"]*)"`).exec(html)?.[1];
    return value === undefined ? undefined : decodeHtml(value);
  },

  /** The text of the first element with `class="<className>"`. */
  textOf(html: string, className: string): string | undefined {
    const text = new RegExp(`class="${className}"[^>]*>([^<]*)<`).exec(html)?.[1];
    return text === undefined ? undefined : decodeHtml(text.trim());
  },
};
