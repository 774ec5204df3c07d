import { chooseLang, escapeHtml, htmlDocument, pageHeaders } from './html-page.js';

describe('html pages', () => {
  it('chooses the language from ui_locales first, then Accept-Language by quality, English otherwise', () => {
    expect(chooseLang('fr-CA en', 'en')).toBe('fr');
    expect(chooseLang(undefined, 'de-DE, fr;q=0.8, en;q=0.9')).toBe('en');
    expect(chooseLang(undefined, 'de, fr-FR;q=0.5')).toBe('fr');
    expect(chooseLang(undefined, 'fr;q=0, en;q=0.1')).toBe('en');
    expect(chooseLang('de', 'es')).toBe('en');
    expect(chooseLang(undefined, undefined)).toBe('en');
  });

  it('escapes what could open markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;',
    );
  });

  it('writes pages with external scripts only, under a policy with no inline or eval', () => {
    const page = htmlDocument('fr', 'Titre <x>', '<p>corps</p>', ['/a.js']);
    expect(page).toContain('<html lang="fr">');
    expect(page).toContain('<title>Titre &#60;x&#62; · IDToken</title>');
    expect(page).toContain('<script src="/a.js" defer></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)|\sstyle=/);
    const csp = pageHeaders()['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});
