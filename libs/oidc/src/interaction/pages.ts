/**
 * The sign-in pages of the OIDC facade, shared with the SAML facade: server-rendered, English and French, no inline
 * script or style (CSP `script-src 'self'`), every value escaped. Screens: "Sign in with IDToken" (identifier) →
 * "Confirm on your device" (the code, a live countdown) or "Verify your identity" (claims-only QR) → "Verifying
 * identity…" → "Identity verified", or "Denied" / "Expired — try again". State changes are announced to screen
 * readers (role=status / role=alert); the wait script listens on the session socket and falls back to polling.
 */
import { scopeWording } from '#idtoken/claims';
import { chooseLang, escapeHtml, htmlDocument, type Lang } from '#idtoken/platform';

export { chooseLang, escapeHtml, type Lang };

const TEXT = {
  en: {
    signIn: 'Sign in with IDToken',
    to: 'to continue to',
    identifier: 'Your IDToken identifier',
    identifierHelp: 'Shown in your IDToken app, under "My identity".',
    continue: 'Continue',
    scanInstead: 'Scan a QR code instead',
    cancel: 'Cancel',
    asks: 'will receive, if you agree on your phone:',
    confirm: 'Confirm on your device',
    match: 'Match this code on your IDToken app',
    remaining: 'remaining',
    scan: 'Verify your identity — scan with your IDToken app',
    scanHelp: 'Open the IDToken app, choose "Scan", and point your phone at this code.',
    qrAlt: 'QR code to scan with the IDToken app',
    waiting: 'Waiting for your phone…',
    verifying: 'Verifying identity…',
    verified: 'Identity verified',
    continuing: 'Taking you back to the service…',
    denied: 'Denied — you declined the request on your phone.',
    expired: 'Expired — the code is no longer valid. Try again.',
    too_many_attempts: 'Too many failed attempts.',
    revoked: 'This IDToken credential has been revoked.',
    tryAgain: 'Try again',
    error: 'Something went wrong',
  },
  fr: {
    signIn: 'Se connecter avec IDToken',
    to: 'pour continuer vers',
    identifier: 'Votre identifiant IDToken',
    identifierHelp: 'Affiché dans votre application IDToken, sous « Mon identité ».',
    continue: 'Continuer',
    scanInstead: 'Scanner un code QR à la place',
    cancel: 'Annuler',
    asks: 'recevra, si vous acceptez sur votre téléphone :',
    confirm: 'Confirmez sur votre appareil',
    match: 'Vérifiez que ce code s’affiche dans votre application IDToken',
    remaining: 'restantes',
    scan: 'Vérifiez votre identité — scannez avec votre application IDToken',
    scanHelp: 'Ouvrez l’application IDToken, choisissez « Scanner » et visez ce code.',
    qrAlt: 'Code QR à scanner avec l’application IDToken',
    waiting: 'En attente de votre téléphone…',
    verifying: 'Vérification de l’identité…',
    verified: 'Identité vérifiée',
    continuing: 'Retour vers le service…',
    denied: 'Refusé — vous avez décliné la demande sur votre téléphone.',
    expired: 'Expiré — le code n’est plus valable. Réessayez.',
    too_many_attempts: 'Trop de tentatives échouées.',
    revoked: 'Cet identifiant IDToken a été révoqué.',
    tryAgain: 'Réessayer',
    error: 'Une erreur est survenue',
  },
} as const;

/** How a scope reads on the sign-in page: the catalogue's wording, and OIDC's own scopes in plain words. */
export function scopeText(scope: string, lang: Lang): string {
  const oidc: Record<string, Record<Lang, string>> = {
    profile: { en: 'Your name and date of birth', fr: 'Vos nom et date de naissance' },
    email: { en: 'Your email address', fr: 'Votre adresse e-mail' },
  };
  return oidc[scope]?.[lang] ?? scopeWording(scope, lang);
}

export type EndReason = 'denied' | 'expired' | 'too_many_attempts' | 'revoked';

/**
 * What the identifier page says when a session cannot start (by the DomainError code). Unknown, revoked and
 * locked-out identifiers read alike; "add this service first" does tell that the identifier exists, which the
 * holder needs to hear to fix it.
 */
export function identifierErrorText(code: string, lang: Lang): string {
  const fr = lang === 'fr';
  switch (code) {
    case 'rate_limited':
    case 'too_many_attempts':
      return fr ? 'Trop de tentatives. Réessayez plus tard.' : 'Too many attempts. Try again later.';
    case 'service_not_trusted':
      return fr
        ? 'Ajoutez d’abord ce service dans votre application IDToken (scannez son code QR).'
        : 'Add this service in your IDToken app first (scan its QR code).';
    case 'invalid_scope':
      return fr
        ? 'Ce service demande des données qu’il n’est pas autorisé à recevoir.'
        : 'This service asks for data it may not receive.';
    default:
      return fr ? 'Cet identifiant ne peut pas se connecter.' : 'This identifier cannot sign in.';
  }
}

export function identifierPage(input: {
  lang: Lang;
  action: string;
  qrAction: string;
  cancelAction: string;
  csrf: string;
  clientName: string;
  scopes: string[];
  loginHint?: string;
  error?: string;
}): string {
  const t = TEXT[input.lang];
  const error = input.error ? `<p class="error" role="alert" id="tokenId-error">${escapeHtml(input.error)}</p>` : '';
  const hidden = `<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">`;
  const scopes = [...new Set(input.scopes.map((scope) => scopeText(scope, input.lang)))];
  const described = input.error ? 'tokenId-help tokenId-error' : 'tokenId-help';
  return layout(
    input.lang,
    t.signIn,
    `<h1>${t.signIn}</h1><p>${t.to} <strong>${escapeHtml(input.clientName)}</strong></p>
${scopes.length > 0 ? `<p>${escapeHtml(input.clientName)} ${t.asks}</p><ul class="scopes">${scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')}</ul>` : ''}${error}
<form method="post" action="${escapeHtml(input.action)}">${hidden}
<label for="tokenId">${t.identifier}</label>
<input id="tokenId" name="tokenId" autocomplete="username" required spellcheck="false" autocapitalize="none" value="${escapeHtml(input.loginHint ?? '')}" aria-describedby="${described}"${input.error ? ' aria-invalid="true"' : ''}>
<p id="tokenId-help" class="help">${t.identifierHelp}</p>
<button type="submit">${t.continue}</button></form>
<div class="actions"><form method="post" action="${escapeHtml(input.qrAction)}">${hidden}<button type="submit" class="secondary">${t.scanInstead}</button></form>
<form method="post" action="${escapeHtml(input.cancelAction)}">${hidden}<button type="submit" class="link">${t.cancel}</button></form></div>`,
  );
}

export function waitPage(input: {
  lang: Lang;
  /** The session's browser channel (spec §6.4): the page listens on it and polls `statusUrl` as a fallback. */
  socket: { sessionId: string; wsToken: string };
  statusUrl: string;
  completeUrl: string;
  cancelAction: string;
  csrf: string;
  expiresAt: string;
  otp?: string;
  /** A data: URL of the QR code's PNG. */
  qrPng?: string;
}): string {
  const t = TEXT[input.lang];
  const shown = input.otp
    ? `<h1>${t.confirm}</h1><p>${t.match}</p><p class="otp" aria-label="${input.otp.split('').join(' ')}">${escapeHtml(input.otp)}</p>`
    : `<h1>${t.scan}</h1><p class="help">${t.scanHelp}</p><div class="qr"><img src="${escapeHtml(input.qrPng ?? '')}" alt="${t.qrAlt}"></div>`;
  return layout(
    input.lang,
    input.otp ? t.confirm : t.scan,
    `${shown}
<p id="countdown" class="countdown" data-expires-at="${escapeHtml(input.expiresAt)}" data-remaining="${t.remaining}"></p>
<p id="status" class="status" role="status" aria-live="polite" data-status-url="${escapeHtml(input.statusUrl)}" data-complete-url="${escapeHtml(input.completeUrl)}" data-session-id="${escapeHtml(input.socket.sessionId)}" data-ws-token="${escapeHtml(input.socket.wsToken)}" data-verifying="${t.verifying}" data-verified="${t.verified}" data-continuing="${t.continuing}"><span class="spinner" aria-hidden="true"></span>${t.waiting}</p>
<form id="cancel" method="post" action="${escapeHtml(input.cancelAction)}"><input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><button type="submit" class="link">${t.cancel}</button></form>`,
    ['/socket.io/socket.io.min.js', '/interaction-assets/wait.js'],
  );
}

export function endedPage(input: {
  lang: Lang;
  reason: EndReason;
  retryUrl: string;
  cancelAction: string;
  csrf: string;
}): string {
  const t = TEXT[input.lang];
  return layout(
    input.lang,
    t[input.reason],
    `<h1 role="alert" class="status bad">${t[input.reason]}</h1>
<div class="actions"><a class="button" href="${escapeHtml(input.retryUrl)}">${t.tryAgain}</a>
<form method="post" action="${escapeHtml(input.cancelAction)}"><input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><button type="submit" class="link">${t.cancel}</button></form></div>`,
  );
}

/** oidc-provider's end-session confirmation: its own form (with its CSRF field), our words. */
export function logoutPage(form: string, acceptLanguage: string | undefined): string {
  const lang = chooseLang(undefined, acceptLanguage);
  const t =
    lang === 'fr'
      ? { title: 'Se déconnecter ?', yes: 'Oui, me déconnecter', no: 'Non' }
      : { title: 'Sign out?', yes: 'Yes, sign me out', no: 'No' };
  return layout(
    lang,
    t.title,
    `<h1>${t.title}</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">${t.yes}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t.no}</button>`,
  );
}

export function signedOutPage(acceptLanguage: string | undefined): string {
  const lang = chooseLang(undefined, acceptLanguage);
  const title = lang === 'fr' ? 'Vous êtes déconnecté.' : 'You are signed out.';
  return layout(lang, title, `<h1>${title}</h1>`);
}

/** oidc-provider's error page (renderError): the OAuth error and its description, nothing internal. */
export function renderOidcError(
  out: { error?: unknown; error_description?: unknown },
  acceptLanguage: string | undefined,
): string {
  const lang = chooseLang(undefined, acceptLanguage);
  const t = TEXT[lang];
  const error = typeof out.error === 'string' ? out.error : 'server_error';
  const description = typeof out.error_description === 'string' ? out.error_description : '';
  return layout(
    lang,
    t.error,
    `<h1>${t.error}</h1><p><code>${escapeHtml(error)}</code></p><p>${escapeHtml(description)}</p>`,
  );
}

export { STYLE_CSS } from '#idtoken/platform';

const layout = htmlDocument;

/**
 * The wait page's script. Counts down ("0:47 remaining"); listens for the outcome on the session's socket (spec §6.4
 * `/session`: approved / rejected / expired — a socket that joins late is told the outcome at once) and polls the
 * status (spec §6.4 "fallback without WebSocket") every 2 s when there is no socket or it was refused or lost, and
 * otherwise only every 5 s as a safety net, first after 5 s: a page whose socket works costs the server no status
 * reads while the phone answers. On approval it says "Verifying identity…" while it confirms with the server, then
 * "Identity verified", and continues; any other end opens the page that says which.
 */
export const WAIT_JS = `(function(){
var c=document.getElementById('countdown'),s=document.getElementById('status'),done=false,socket;
var end=Date.parse(c.dataset.expiresAt),timer;
function tick(){var left=Math.max(0,Math.round((end-Date.now())/1000));
c.textContent=Math.floor(left/60)+':'+String(left%60).padStart(2,'0')+' '+c.dataset.remaining;
if(left===0&&!done){clearInterval(timer);status();}}
function say(text,cls){s.textContent=text;s.className='status '+(cls||'');}
function leave(){if(socket)socket.close();location.assign(s.dataset.completeUrl);}
function finish(outcome){if(done)return;done=true;clearInterval(timer);clearTimeout(next);
if(outcome!=='approved'){leave();return;}
say(s.dataset.verifying);c.classList.add('hidden');
var cancel=document.getElementById('cancel');if(cancel)cancel.classList.add('hidden');
fetch(s.dataset.statusUrl,{credentials:'same-origin',headers:{accept:'application/json'}})
.then(function(r){return r.json();}).then(function(b){
if(b.status==='approved'){say(s.dataset.verified,'ok');setTimeout(function(){say(s.dataset.continuing,'ok');leave();},1200);}
else{leave();}}).catch(leave);}
function status(){return fetch(s.dataset.statusUrl,{credentials:'same-origin',headers:{accept:'application/json'}})
.then(function(r){return r.json();}).then(function(b){if(b.status!=='pending'){finish(b.status);}});}
var every=5000,next;
function schedule(ms){clearTimeout(next);next=setTimeout(poll,ms);}
function poll(){status().catch(function(){}).then(function(){if(!done)schedule(every);});}
function fallback(){if(done||every===2000)return;every=2000;schedule(0);}
timer=setInterval(tick,1000);tick();
if(window.io){socket=window.io('/session',{auth:{sessionId:s.dataset.sessionId,wsToken:s.dataset.wsToken},
transports:['websocket'],reconnection:false});
socket.on('approved',function(){finish('approved');});
socket.on('rejected',function(){finish('rejected');});socket.on('expired',function(){finish('expired');});
socket.on('connect_error',fallback);socket.on('disconnect',fallback);schedule(every);}
else{every=2000;poll();}})();`;
