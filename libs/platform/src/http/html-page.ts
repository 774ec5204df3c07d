/**
 * What every server-rendered page of IDToken shares (the sign-in pages of the OIDC and SAML facades, the service
 * registration page): English and French, one stylesheet, no inline script or style, every value escaped.
 */
export type Lang = 'en' | 'fr';

/** `ui_locales` first (OIDC Core §3.1.2.1), then Accept-Language in its order; English otherwise. */
export function chooseLang(uiLocales: string | undefined, acceptLanguage: string | undefined): Lang {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
  for (const tag of [...(uiLocales ?? '').split(/\s+/), ...ranked].filter(Boolean)) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'fr' || primary === 'en') return primary;
  }
  return 'en';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where the one stylesheet is served (by the OIDC facade's asset routes). */
export const STYLESHEET_PATH = '/interaction-assets/style.css';

/**
 * The headers of every page: no inline script or style, no framing, no referrer, never cached. No `form-action`:
 * browsers apply it along the redirects after a submission, and a sign-in form ends at the relying party.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

export function pageHeaders(csp: string = PAGE_CSP): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** A whole page: the brand header, `body` in <main>, scripts (same-origin paths) at the end. */
export function htmlDocument(lang: Lang, title: string, body: string, scripts: string[] = []): string {
  const brand = lang === 'fr' ? 'IDToken — identité vérifiée' : 'IDToken — verified identity';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · IDToken</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body><header class="brand"><span class="logo" aria-hidden="true">ID</span><span>${brand}</span></header>
<main>${body}</main>${scripts.map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('')}</body></html>`;
}

/** The stylesheet: system fonts, AA contrast, large touch targets, one column that fits a phone. */
export const STYLE_CSS = `:root{--ink:#1b1e23;--muted:#4a5160;--accent:#1f5fd1;--accent-ink:#fff;--ok:#0b6b3a;--bad:#a4161a;--card:#fff;--bg:#f3f5f9}
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:var(--bg);color:var(--ink);line-height:1.45}
.brand{display:flex;align-items:center;gap:.6rem;max-width:28rem;margin:1.5rem auto 0;padding:0 1rem;font-weight:600;color:var(--muted)}
.logo{display:inline-grid;place-items:center;width:2rem;height:2rem;border-radius:8px;background:var(--accent);color:var(--accent-ink);font-size:.85rem}
main{max-width:28rem;margin:1rem auto 3rem;padding:2rem;background:var(--card);border-radius:14px;box-shadow:0 1px 4px #0002}
@media (max-width:30rem){main{margin:.5rem;padding:1.25rem}}
h1{font-size:1.4rem;margin:0 0 .75rem}label{display:block;font-weight:600;margin:1rem 0 .3rem}
input{width:100%;padding:.7rem;font-size:1rem;border:1px solid #6b7280;border-radius:8px}
input:focus,button:focus,.button:focus,a:focus{outline:3px solid #f2b705;outline-offset:2px}
button,.button{display:inline-block;margin-top:1rem;min-height:2.75rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:8px;background:var(--accent);color:var(--accent-ink);text-decoration:none;cursor:pointer}
button.secondary{background:#e3e8f1;color:var(--ink)}button.link{background:none;color:var(--accent);padding:0;min-height:0;text-decoration:underline}
form{margin:0}.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.otp{font-size:2.8rem;letter-spacing:.45rem;font-weight:700;text-align:center;font-variant-numeric:tabular-nums;margin:1rem 0}
.countdown{text-align:center;color:var(--muted);font-variant-numeric:tabular-nums}
.status{text-align:center;font-weight:600}.status.ok{color:var(--ok)}.status.bad{color:var(--bad)}
.error{color:var(--bad)}.help{color:var(--muted);font-size:.9rem}
.scopes{padding-left:1.2rem}.qr{text-align:center}.qr img{width:16rem;max-width:100%;height:auto;image-rendering:pixelated}
.spinner{display:inline-block;width:1rem;height:1rem;margin-right:.4rem;border:3px solid #c9d3e6;border-top-color:var(--accent);border-radius:50%;vertical-align:-2px;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(1turn)}}@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
.hidden{display:none}`;
