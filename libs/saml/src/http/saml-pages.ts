import { escapeHtml, type Lang } from '#idtoken/oidc';
import type { PostMessage } from '../sso/saml-login.service.js';

/**
 * The HTTP-POST binding's form (saml-bindings §3.5.4): submitted by a small script from our origin on load (no
 * inline script, CSP `script-src 'self'`), with a button for a browser that runs no script.
 */
export function autoPostPage(message: PostMessage, lang: Lang): string {
  const fields = Object.entries(message.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const label = lang === 'fr' ? 'Continuer' : 'Continue';
  const title = lang === 'fr' ? 'Retour vers le service…' : 'Returning to the service…';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/interaction-assets/style.css"></head>
<body><main><h1 role="status">${title}</h1>
<form id="saml-post" method="post" action="${escapeHtml(message.action)}">${fields}<button type="submit">${label}</button></form>
<script src="/saml/assets/autopost.js" defer></script></main></body></html>`;
}

export const AUTOPOST_JS = `document.getElementById('saml-post').submit();`;

/** A refused request: said plainly, nothing signed, nothing sent to the SP. */
export function refusedPage(reason: string, lang: Lang): string {
  const title = lang === 'fr' ? 'Demande de connexion refusée' : 'Sign-in request refused';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/interaction-assets/style.css"></head>
<body><main><h1 role="alert">${title}</h1><p>${escapeHtml(reason)}</p></main></body></html>`;
}

/** The pages' security headers: no inline script or style, no framing, no referrer, no caching; forms go to us
 * and, for the auto-post page, to the one ACS origin. */
export function pageHeaders(formTarget?: string): Record<string, string> {
  // The auto-post page's form goes to the SP's ACS, which may redirect on to another https origin (browsers check
  // form-action along redirects): https is allowed there, and the ACS origin itself for a development http one.
  const formAction = formTarget ? `'self' https: ${new URL(formTarget).origin}` : "'self'";
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      `frame-ancestors 'none'; base-uri 'none'; form-action ${formAction}`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
