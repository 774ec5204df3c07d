/**
 * The interaction pages of the OIDC facade (and later SAML): server-rendered HTML, English and French, no inline
 * script or style (CSP `script-src 'self'`), every value escaped. The browser-test issue polishes their look.
 */
export type Lang = 'en' | 'fr';

const TEXT = {
  en: {
    signIn: 'Sign in with IDToken',
    to: 'to continue to',
    identifier: 'Your IDToken identifier',
    identifierHelp: 'Shown in your IDToken app, under "My identity".',
    continue: 'Continue',
    scanInstead: 'Scan a QR code instead',
    cancel: 'Cancel',
    asks: 'asks for',
    confirm: 'Confirm on your device',
    match: 'Match this code on your IDToken app',
    remaining: 'remaining',
    scan: 'Verify your identity — scan with your IDToken app',
    qrAlt: 'QR code to scan with the IDToken app',
    waiting: 'Waiting for your phone…',
    denied: 'You declined the request on your phone.',
    expired: 'The code has expired.',
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
    asks: 'demande',
    confirm: 'Confirmez sur votre appareil',
    match: 'Vérifiez que ce code s’affiche dans votre application IDToken',
    remaining: 'restantes',
    scan: 'Vérifiez votre identité — scannez avec votre application IDToken',
    qrAlt: 'Code QR à scanner avec l’application IDToken',
    waiting: 'En attente de votre téléphone…',
    denied: 'Vous avez refusé la demande sur votre téléphone.',
    expired: 'Le code a expiré.',
    too_many_attempts: 'Trop de tentatives échouées.',
    revoked: 'Cet identifiant IDToken a été révoqué.',
    tryAgain: 'Réessayer',
    error: 'Une erreur est survenue',
  },
} as const;

export type EndReason = 'denied' | 'expired' | 'too_many_attempts' | 'revoked';

/** `ui_locales` first (OIDC Core §3.1.2.1), then Accept-Language; English otherwise. */
export function chooseLang(uiLocales: string | undefined, acceptLanguage: string | undefined): Lang {
  for (const tag of `${uiLocales ?? ''} ${(acceptLanguage ?? '').replace(/;q=[0-9.]+/g, '').replaceAll(',', ' ')}`
    .split(/\s+/)
    .filter(Boolean)) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'fr' || primary === 'en') return primary;
  }
  return 'en';
}

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

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/interaction-assets/style.css"></head>
<body><main>${body}</main></body></html>`;
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
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  const hidden = `<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">`;
  return layout(
    input.lang,
    t.signIn,
    `<h1>${t.signIn}</h1><p>${t.to} <strong>${escapeHtml(input.clientName)}</strong></p>
<p>${escapeHtml(input.clientName)} ${t.asks}: ${input.scopes.map(escapeHtml).join(', ') || '—'}</p>${error}
<form method="post" action="${escapeHtml(input.action)}">${hidden}
<label for="tokenId">${t.identifier}</label>
<input id="tokenId" name="tokenId" autocomplete="username" required value="${escapeHtml(input.loginHint ?? '')}" aria-describedby="tokenId-help">
<p id="tokenId-help" class="help">${t.identifierHelp}</p>
<button type="submit">${t.continue}</button></form>
<form method="post" action="${escapeHtml(input.qrAction)}">${hidden}<button type="submit" class="secondary">${t.scanInstead}</button></form>
<form method="post" action="${escapeHtml(input.cancelAction)}">${hidden}<button type="submit" class="link">${t.cancel}</button></form>`,
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
    : `<h1>${t.scan}</h1><div class="qr"><img src="${escapeHtml(input.qrPng ?? '')}" alt="${t.qrAlt}"></div>`;
  return layout(
    input.lang,
    input.otp ? t.confirm : t.scan,
    `${shown}
<p id="countdown" aria-live="polite" data-expires-at="${escapeHtml(input.expiresAt)}" data-remaining="${t.remaining}"></p>
<p id="status" role="status" data-status-url="${escapeHtml(input.statusUrl)}" data-complete-url="${escapeHtml(input.completeUrl)}" data-session-id="${escapeHtml(input.socket.sessionId)}" data-ws-token="${escapeHtml(input.socket.wsToken)}">${t.waiting}</p>
<form method="post" action="${escapeHtml(input.cancelAction)}"><input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><button type="submit" class="link">${t.cancel}</button></form>
<script src="/socket.io/socket.io.min.js" defer></script>
<script src="/interaction-assets/wait.js" defer></script>`,
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
    `<h1 role="alert">${t[input.reason]}</h1>
<p><a class="button" href="${escapeHtml(input.retryUrl)}">${t.tryAgain}</a></p>
<form method="post" action="${escapeHtml(input.cancelAction)}"><input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"><button type="submit" class="link">${t.cancel}</button></form>`,
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

export const STYLE_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1b1e23}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem}label{display:block;font-weight:600;margin:1rem 0 .3rem}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8a8f98;border-radius:6px}
button,.button{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:6px;background:#1f5fd1;color:#fff;text-decoration:none;cursor:pointer}
button.secondary{background:#e8ecf3;color:#1b1e23}button.link{background:none;color:#1f5fd1;padding:0;text-decoration:underline}
.otp{font-size:2.6rem;letter-spacing:.4rem;font-weight:700;text-align:center;font-variant-numeric:tabular-nums}
.error{color:#a4161a}.help{color:#555;font-size:.9rem}.qr img{width:100%;height:auto;image-rendering:pixelated}`;

/**
 * Updates the countdown and waits for the outcome: on the session's socket (spec §6.4 `/session`, events approved /
 * rejected / expired) and, as a fallback and a safety net, by polling the interaction's status every 2 s.
 */
export const WAIT_JS = `(function(){
var c=document.getElementById('countdown'),s=document.getElementById('status'),done=false;
var end=Date.parse(c.dataset.expiresAt);
function tick(){var left=Math.max(0,Math.round((end-Date.now())/1000));
c.textContent=Math.floor(left/60)+':'+String(left%60).padStart(2,'0')+' '+c.dataset.remaining;}
tick();setInterval(tick,1000);
function finish(){if(done)return;done=true;location.assign(s.dataset.completeUrl);}
if(window.io){var socket=window.io('/session',{auth:{sessionId:s.dataset.sessionId,wsToken:s.dataset.wsToken},
transports:['websocket'],reconnection:false});
['approved','rejected','expired'].forEach(function(e){socket.on(e,finish);});}
function poll(){fetch(s.dataset.statusUrl,{credentials:'same-origin',headers:{accept:'application/json'}})
.then(function(r){return r.json();}).then(function(b){if(b.status!=='pending'){finish();}
else if(!done){setTimeout(poll,2000);}}).catch(function(){if(!done)setTimeout(poll,2000);});}
poll();})();`;
