import { describeScope, isScope, type Scope } from './scope-catalogue.js';

/** The French wording of each scope's description (the English is in the catalogue itself). */
const FRENCH: Record<Scope, string> = {
  'identity:name': 'Vos prénom et nom',
  'identity:given_name': 'Votre prénom',
  'identity:family_name': 'Votre nom de famille',
  'identity:date_of_birth': 'Votre date de naissance',
  'identity:nationality': 'Votre nationalité',
  'identity:document': 'Le numéro de votre pièce d’identité',
  'identity:photo': 'La photo de votre pièce d’identité',
  'identity:trust_level': 'Le niveau de vérification de votre identité (substantiel ou élevé)',
  'identity:age_over_18': 'Si vous avez 18 ans ou plus',
  'identity:age_over_21': 'Si vous avez 21 ans ou plus',
  'identity:age_over_25': 'Si vous avez 25 ans ou plus',
  'identity:age_range': 'Votre tranche d’âge (moins de 18, 18-20, 21-24, 25-34, 35-49, 50-64, 65 ans ou plus)',
  'identity:is_eu_citizen': 'Si vous êtes citoyen d’un État membre de l’Union européenne',
  'identity:name_initial': 'Vos initiales (par ex. J. D.)',
  'identity:basic': 'Votre nom et le niveau de vérification de votre identité',
  'identity:age_verification': 'Votre nom et si vous avez 18 ans ou plus',
  'identity:full': 'Vos nom, date de naissance, nationalité, numéro de document et niveau de vérification',
  'identity:full_with_photo':
    'Vos nom, date de naissance, nationalité, numéro de document, niveau de vérification et photo du document',
};

/** How a scope reads on a page in `lang`; a name outside the catalogue (e.g. OIDC `profile`) reads as itself. */
export function scopeWording(scope: string, lang: 'en' | 'fr'): string {
  if (!isScope(scope)) return scope;
  return lang === 'fr' ? FRENCH[scope] : describeScope(scope);
}
