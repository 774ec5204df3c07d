import { PAGE_CSP, escapeHtml, htmlDocument, pageHeaders as basePageHeaders, type Lang } from '#idtoken/platform';
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
  return htmlDocument(
    lang,
    title,
    `<h1 role="status">${title}</h1>
<form id="saml-post" method="post" action="${escapeHtml(message.action)}">${fields}<button type="submit">${label}</button></form>`,
    ['/saml/assets/autopost.js'],
  );
}

export const AUTOPOST_JS = `document.getElementById('saml-post').submit();`;

/** A refused request: said plainly, nothing signed, nothing sent to the SP. */
export function refusedPage(reason: string, lang: Lang): string {
  const title = lang === 'fr' ? 'Demande de connexion refusée' : 'Sign-in request refused';
  return htmlDocument(lang, title, `<h1 role="alert" class="status bad">${title}</h1><p>${escapeHtml(reason)}</p>`);
}

/**
 * The pages' headers (the platform's), with `form-action` for the auto-post page: its form goes to the SP's ACS,
 * which may redirect on to another https origin (browsers check form-action along redirects), so https is allowed
 * there, and the ACS origin itself for a development http one.
 */
export function pageHeaders(formTarget?: string): Record<string, string> {
  const formAction = formTarget ? `'self' https: ${new URL(formTarget).origin}` : "'self'";
  return basePageHeaders(`${PAGE_CSP}; form-action ${formAction}`);
}
