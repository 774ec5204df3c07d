import { ALL_SCOPES } from './scope-catalogue.js';
import { scopeWording } from './scope-wording.js';

describe('scope wording', () => {
  it('words every scope of the catalogue in English and French, differently', () => {
    for (const scope of ALL_SCOPES) {
      const english = scopeWording(scope, 'en');
      const french = scopeWording(scope, 'fr');
      expect(english).not.toBe(scope);
      expect(french).not.toBe(scope);
      expect(french).not.toBe(english);
    }
  });

  it('reads a name outside the catalogue as itself', () => {
    expect(scopeWording('openid', 'fr')).toBe('openid');
  });
});
