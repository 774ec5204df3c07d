// The first letter of a name and the combining marks that belong to it (é written e + U+0301 stays one letter).
const FIRST_LETTER = /\p{L}\p{M}*/u;

function initialOf(name: string): string | null {
  const letter = FIRST_LETTER.exec(name.normalize('NFC'))?.[0];
  return letter === undefined ? null : `${letter.toUpperCase()}.`;
}

/**
 * spec §7 `nameInitial` (`"J. D."`). Decisions: the initial of the given names is the first letter of the first
 * given name (`"Jean Paul"` → `J.`; a hyphenated `"Jean-Paul"` is one name → `J.`); the family name gives the first
 * letter of its first word, particles included (`"van der Berg"` → `V.`), since splitting particles is
 * culture-specific guesswork; leading non-letters are skipped (`"'t Hooft"` → `T.`); letters are upper-cased with
 * locale-independent rules; a name with no letter (empty, as the MRZ allows for given names) contributes nothing, so
 * `""` + `"Doe"` → `"D."`, and with neither name the claim is `""`.
 */
export function nameInitial(givenName: string, familyName: string): string {
  return [initialOf(givenName), initialOf(familyName)].filter((initial) => initial !== null).join(' ');
}
