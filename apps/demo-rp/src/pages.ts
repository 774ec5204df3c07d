/**
 * The demo relying party's pages: a shop that signs people in with IDToken and checks an age without an account.
 * Server-rendered, no inline script or style (its own strict CSP), every value escaped.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string, scripts: string[] = []): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Demo Shop</title><link rel="stylesheet" href="/assets/demo.css"></head>
<body><header><a href="/" class="shop">Demo Shop</a><span class="tag">a relying party of IDToken</span></header>
<main>${body}</main>${scripts.map((src) => `<script src="${src}" defer></script>`).join('')}</body></html>`;
}

export function homePage(input: { registerUrl: string }): string {
  return layout(
    'Welcome',
    `<h1>Welcome to the Demo Shop</h1>
<p>No password here: sign in with the identity on your phone, or prove your age without an account.</p>
<div class="actions">
<a class="button" href="/login">Log in with IDToken</a>
<a class="button secondary" href="/verify-age">Verify I am over 18</a>
</div>
<p class="help">First time? <a href="${escapeHtml(input.registerUrl)}">Register with IDToken</a>: scan the shop's code once with your IDToken app.</p>`,
  );
}

export function signedInPage(claims: Record<string, unknown>): string {
  const name = [claims.given_name, claims.family_name].filter((part) => typeof part === 'string').join(' ');
  const rows = Object.entries(claims)
    .map(([claim, value]) => `<tr><th scope="row">${escapeHtml(claim)}</th><td>${escapeHtml(String(value))}</td></tr>`)
    .join('');
  return layout(
    'Signed in',
    `<h1 id="welcome">Welcome${name ? `, ${escapeHtml(name)}` : ''}</h1>
<p>You signed in with IDToken. The shop received exactly what you agreed to on your phone:</p>
<table><caption>What the shop received</caption><tbody>${rows}</tbody></table>
<p><a href="/">Back to the shop</a></p>`,
  );
}

export function registerPage(input: { name: string; qrPng: string; scopes: string[] }): string {
  return layout(
    'Register with IDToken',
    `<h1>Register with IDToken — scan this code</h1>
<p>Add <strong>${escapeHtml(input.name)}</strong> to your IDToken app once; from then on you can sign in here with your phone.</p>
<div class="qr"><img src="${input.qrPng}" alt="QR code that adds ${escapeHtml(input.name)} to the IDToken app"></div>
<p>The shop may ask for:</p><ul>${input.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')}</ul>
<p><a href="/">Back to the shop</a></p>`,
  );
}

export function verifyAgePage(input: { qrPng: string; checkId: string; expiresAt: string }): string {
  return layout(
    'Verify your age',
    `<h1>Verify your identity — scan with your IDToken app</h1>
<p>Scan this code with your IDToken app and approve on your phone. The shop learns only whether you are over 18.</p>
<div class="qr"><img src="${input.qrPng}" alt="QR code to scan with the IDToken app"></div>
<p id="age-status" class="status" role="status" aria-live="polite" data-check="${escapeHtml(input.checkId)}" data-expires-at="${escapeHtml(input.expiresAt)}">Waiting for your phone…</p>
<p><a href="/">Cancel</a></p>`,
    ['/assets/verify-age.js'],
  );
}

export function errorPage(title: string, detail: string): string {
  return layout(
    title,
    `<h1 role="alert">${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p><a href="/">Back to the shop</a></p>`,
  );
}

export const DEMO_CSS = `*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;background:#fbf7f2;color:#201a14;line-height:1.45}
header{display:flex;gap:1rem;align-items:baseline;max-width:40rem;margin:1.5rem auto 0;padding:0 1rem}
.shop{font-weight:700;font-size:1.2rem;color:#7a3e00;text-decoration:none}.tag{color:#5b5148;font-size:.9rem}
main{max-width:40rem;margin:1rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
.actions{display:flex;flex-wrap:wrap;gap:1rem;margin:1.5rem 0}
.button{display:inline-block;padding:.7rem 1.3rem;border-radius:8px;background:#7a3e00;color:#fff;text-decoration:none;font-weight:600}
.button.secondary{background:#efe4d6;color:#201a14}a{color:#7a3e00}a:focus,.button:focus{outline:3px solid #1f5fd1;outline-offset:2px}
.help{color:#5b5148}.qr{text-align:center}.qr img{width:16rem;max-width:100%;image-rendering:pixelated}
.status{font-weight:600;text-align:center}.status.ok{color:#0b6b3a}.status.bad{color:#a4161a}
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;margin-bottom:.4rem}
th,td{border-bottom:1px solid #e6ddd2;padding:.35rem;text-align:left;vertical-align:top;word-break:break-all}`;

/** Polls the shop's own backend, which reads the IDToken session and verifies the approval (never the browser). */
export const VERIFY_AGE_JS = `(function(){
var s=document.getElementById('age-status'),done=false;
function say(text,cls){s.textContent=text;s.className='status '+(cls||'');}
function poll(){fetch('/verify-age/'+encodeURIComponent(s.dataset.check),{headers:{accept:'application/json'}})
.then(function(r){return r.json();}).then(function(b){
if(b.status==='pending'){setTimeout(poll,1000);return;}done=true;
if(b.status==='verified'){say(b.ageOver18?'Verified: you are over 18.':'Verified: you are not over 18.',b.ageOver18?'ok':'bad');}
else if(b.status==='denied'){say('Denied on your phone.','bad');}
else if(b.status==='failed'){say('The approval could not be verified: nothing was accepted.','bad');}
else{say('Expired — reload the page to try again.','bad');}
}).catch(function(){if(!done)setTimeout(poll,2000);});}
poll();})();`;
