import { encodeDg1 } from '../testing/data-groups.js';
import { PassiveAuthError, type PassiveAuthCheck } from './passive-auth-error.js';
import { readMrz } from './read-mrz.js';
import { encodeTlv } from './tlv.js';

/** German specimen documents (BSI / Bundesdruckerei), printed MRZ with published check digits. */
const GERMAN_PASSPORT = [
  'P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<',
  'C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4',
];
const GERMAN_ID_CARD = [
  'IDD<<T220001293<<<<<<<<<<<<<<<',
  '6408125<2010315D<<<<<<<<<<<<<4',
  'MUSTERMANN<<ERIKA<<<<<<<<<<<<<',
];

const NOW = new Date('2026-06-01T00:00:00Z');

function checkOf(dg1: Uint8Array): PassiveAuthCheck {
  try {
    readMrz(dg1, NOW);
  } catch (error) {
    if (error instanceof PassiveAuthError) return error.check;
    throw error;
  }
  throw new Error('the MRZ was accepted');
}

const replaceAt = (line: string, index: number, character: string) =>
  line.slice(0, index) + character + line.slice(index + 1);

describe('readMrz', () => {
  it('reads a TD3 passport', () => {
    expect(readMrz(encodeDg1(GERMAN_PASSPORT), NOW)).toEqual({
      documentType: 'P',
      issuingState: 'D',
      documentNumber: 'C01X00T47',
      nationality: 'D',
      birthDate: '1964-08-12',
      sex: 'F',
      expiryDate: '2027-02-28',
      givenNames: 'ERIKA',
      surname: 'MUSTERMANN',
    });
  });

  it('reads a TD1 identity card, unspecified sex as X', () => {
    expect(readMrz(encodeDg1(GERMAN_ID_CARD), NOW)).toEqual({
      documentType: 'ID',
      issuingState: 'D',
      documentNumber: 'T22000129',
      nationality: 'D',
      birthDate: '1964-08-12',
      sex: 'X',
      expiryDate: '2020-10-31',
      givenNames: 'ERIKA',
      surname: 'MUSTERMANN',
    });
  });

  it('reads an X written in the sex position as X (no check digit covers it)', () => {
    const lines = [GERMAN_ID_CARD[0]!, replaceAt(GERMAN_ID_CARD[1]!, 7, 'X'), GERMAN_ID_CARD[2]!];
    expect(readMrz(encodeDg1(lines), NOW).sex).toBe('X');
  });

  describe('two-digit birth years: the latest century not after the current year', () => {
    it.each([
      ['260101', '2026-01-01'],
      ['270101', '1927-01-01'],
      ['000229', '2000-02-29'],
      ['991231', '1999-12-31'],
    ])('%s is %s in 2026', (yymmdd, iso) => {
      const line2 = GERMAN_PASSPORT[1]!;
      const body = line2.slice(0, 13) + yymmdd + checkDigit(yymmdd) + line2.slice(20, 43);
      const composite = checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
      expect(readMrz(encodeDg1([GERMAN_PASSPORT[0]!, body + composite]), NOW).birthDate).toBe(iso);
    });
  });

  it('writes unknown parts of a date as XX', () => {
    const line2 = GERMAN_PASSPORT[1]!;
    const birth = '64<<<<';
    const body = line2.slice(0, 13) + birth + checkDigit(birth) + line2.slice(20, 43);
    const composite = checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
    expect(readMrz(encodeDg1([GERMAN_PASSPORT[0]!, body + composite]), NOW).birthDate).toBe('1964-XX-XX');
  });

  describe('refuses', () => {
    it('a wrong document-number check digit as mrz_check_digit', () => {
      expect(checkOf(encodeDg1([GERMAN_PASSPORT[0]!, replaceAt(GERMAN_PASSPORT[1]!, 9, '9')]))).toBe('mrz_check_digit');
    });

    it('a wrong composite check digit as mrz_check_digit', () => {
      expect(checkOf(encodeDg1([GERMAN_PASSPORT[0]!, replaceAt(GERMAN_PASSPORT[1]!, 43, '5')]))).toBe(
        'mrz_check_digit',
      );
    });

    it('a TD1 check digit error as mrz_check_digit', () => {
      expect(checkOf(encodeDg1([replaceAt(GERMAN_ID_CARD[0]!, 14, '4'), ...GERMAN_ID_CARD.slice(1)]))).toBe(
        'mrz_check_digit',
      );
    });

    it.each([
      ['an unknown state code', [replaceAt(GERMAN_PASSPORT[0]!, 2, 'Q'), GERMAN_PASSPORT[1]!]],
      ['a month 13', [GERMAN_PASSPORT[0]!, replaceAt(GERMAN_PASSPORT[1]!, 15, '3')]],
      ['lower-case letters', [GERMAN_PASSPORT[0]!.toLowerCase(), GERMAN_PASSPORT[1]!]],
      ['a TD2 layout (2 × 36)', ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6']],
      ['an MRZ one character short', [GERMAN_PASSPORT[0]!, GERMAN_PASSPORT[1]!.slice(1)]],
      ['a visa (V) in TD3 layout', [replaceAt(GERMAN_PASSPORT[0]!, 0, 'V'), GERMAN_PASSPORT[1]!]],
    ])('%s as mrz_malformed', (_name, lines) => {
      expect(checkOf(encodeDg1(lines))).toBe('mrz_malformed');
    });

    it('a birth year that is half unknown as mrz_malformed', () => {
      const line2 = GERMAN_PASSPORT[1]!;
      const birth = '6<0812';
      const body = line2.slice(0, 13) + birth + checkDigit(birth) + line2.slice(20, 43);
      const composite = checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
      expect(checkOf(encodeDg1([GERMAN_PASSPORT[0]!, body + composite]))).toBe('mrz_malformed');
    });

    it('a DG1 without the 0x61 → 0x5F1F structure as mrz_malformed', () => {
      const text = new Uint8Array(Buffer.from(GERMAN_PASSPORT.join(''), 'latin1'));
      expect(checkOf(encodeTlv(0x5f1f, text))).toBe('mrz_malformed');
      expect(checkOf(encodeTlv(0x61, encodeTlv(0x5f1e, text)))).toBe('mrz_malformed');
      expect(checkOf(encodeTlv(0x61, text))).toBe('mrz_malformed');
      expect(checkOf(new Uint8Array(0))).toBe('mrz_malformed');
    });
  });
});

/** ICAO 9303 part 3 §4.9, restated here so these vectors do not lean on the code under test. */
function checkDigit(text: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  [...text].forEach((character, index) => {
    const value = character === '<' ? 0 : /\d/.test(character) ? Number(character) : character.charCodeAt(0) - 55;
    sum += value * weights[index % 3]!;
  });
  return String(sum % 10);
}
