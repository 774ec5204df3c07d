/**
 * Writes MRZ lines for test documents: TD3 (ICAO 9303 part 4, 2 × 44) and TD1 (part 5, 3 × 30),
 * with check digits per part 3 §4.9. Not crypto, and deliberately not the `mrz` package: the tests check these
 * lines with that package, so the writer and the reader are independent.
 */

export type MrzFormat = 'TD3' | 'TD1';

export interface TestMrzFields {
  format: MrzFormat;
  /** Two characters; defaults to `P<` (TD3) or `I<` (TD1). */
  documentCode?: string;
  /** ICAO 9303 part 3 code, e.g. `NLD` or `D`. */
  issuingState: string;
  /** At most 9 characters (longer TD1 numbers overflow into optional data; not supported here). */
  documentNumber: string;
  nationality: string;
  /** `YYYY-MM-DD`; unknown parts as `XX` (written as `<<`). */
  birthDate: string;
  sex: 'M' | 'F' | 'X';
  /** `YYYY-MM-DD`. */
  expiryDate: string;
  surname: string;
  givenNames: string;
  /** TD3 personal number (14) or TD1 optional data 1 (15). */
  optionalData?: string;
}

const TD3_WIDTH = 44;
const TD1_WIDTH = 30;
const WEIGHTS = [7, 3, 1];

/** ICAO 9303 part 3 §4.9: weights 7-3-1, digits as themselves, A–Z as 10–35, filler as 0; sum mod 10. */
export function mrzCheckDigit(text: string): string {
  let sum = 0;
  for (const [index, character] of [...text].entries()) {
    const value =
      character === '<'
        ? 0
        : character >= '0' && character <= '9'
          ? character.charCodeAt(0) - 48
          : character >= 'A' && character <= 'Z'
            ? character.charCodeAt(0) - 55
            : Number.NaN;
    if (Number.isNaN(value)) throw new Error(`not an MRZ character: ${character}`);
    sum += value * WEIGHTS[index % 3];
  }
  return String(sum % 10);
}

export function formatMrz(fields: TestMrzFields): string[] {
  return fields.format === 'TD3' ? formatTd3(fields) : formatTd1(fields);
}

/** The same lines with the date-of-birth check digit off by one (the composite digit then fails as well). */
export function withWrongBirthDateCheckDigit(lines: readonly string[], format: MrzFormat): string[] {
  const line = 1;
  const column = format === 'TD3' ? 19 : 6;
  const text = lines[line];
  const wrong = String((Number(text[column]) + 1) % 10);
  return lines.map((current, index) =>
    index === line ? `${text.slice(0, column)}${wrong}${text.slice(column + 1)}` : current,
  );
}

/** Where the first letter of the surname sits in the joined MRZ: changing it breaks no check digit. */
export function surnameOffset(format: MrzFormat): number {
  return format === 'TD3' ? 5 : 2 * TD1_WIDTH;
}

function formatTd3(fields: TestMrzFields): string[] {
  const documentNumber = field(fields.documentNumber, 9);
  const birth = mrzDate(fields.birthDate);
  const expiry = mrzDate(fields.expiryDate);
  const personalNumber = field(fields.optionalData ?? '', 14);
  // ICAO 9303 part 4: an unused personal number may carry '<' as its check digit.
  const personalCheck = /^<+$/.test(personalNumber) ? '<' : mrzCheckDigit(personalNumber);
  const line1 =
    field(fields.documentCode ?? 'P<', 2) + field(fields.issuingState, 3) + nameField(fields, TD3_WIDTH - 5);
  const body =
    documentNumber +
    mrzCheckDigit(documentNumber) +
    field(fields.nationality, 3) +
    birth +
    mrzCheckDigit(birth) +
    sexCharacter(fields.sex) +
    expiry +
    mrzCheckDigit(expiry) +
    personalNumber +
    personalCheck;
  // Composite: positions 1–10, 14–20 and 22–43 of line 2.
  const composite = mrzCheckDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
  return [line1, body + composite];
}

function formatTd1(fields: TestMrzFields): string[] {
  const documentNumber = field(fields.documentNumber, 9);
  const birth = mrzDate(fields.birthDate);
  const expiry = mrzDate(fields.expiryDate);
  const line1 =
    field(fields.documentCode ?? 'I<', 2) +
    field(fields.issuingState, 3) +
    documentNumber +
    mrzCheckDigit(documentNumber) +
    field(fields.optionalData ?? '', 15);
  const line2Body =
    birth +
    mrzCheckDigit(birth) +
    sexCharacter(fields.sex) +
    expiry +
    mrzCheckDigit(expiry) +
    field(fields.nationality, 3) +
    field('', 11);
  // Composite: line 1 positions 6–30, line 2 positions 1–7, 9–15 and 19–29.
  const composite = mrzCheckDigit(
    line1.slice(5, 30) + line2Body.slice(0, 7) + line2Body.slice(8, 15) + line2Body.slice(18, 29),
  );
  return [line1, line2Body + composite, nameField(fields, TD1_WIDTH)];
}

/** ICAO 9303 parts 4 and 5: `YYMMDD`, unknown parts as fillers. */
function mrzDate(isoDate: string): string {
  const match = /^(\d{2}(\d{2})|XXXX)-(\d{2}|XX)-(\d{2}|XX)$/.exec(isoDate);
  if (!match) throw new Error(`not a YYYY-MM-DD date (XX for unknown parts): ${isoDate}`);
  const unknownAsFiller = (part: string) => part.replaceAll('X', '<');
  return unknownAsFiller(match[2] ?? 'XX') + unknownAsFiller(match[3]) + unknownAsFiller(match[4]);
}

function sexCharacter(sex: TestMrzFields['sex']): string {
  return sex === 'X' ? '<' : sex;
}

/** ICAO 9303 part 3 (names): SURNAME<<GIVEN<NAMES, spaces and hyphens as '<', truncated and padded to the width. */
function nameField(fields: TestMrzFields, width: number): string {
  const part = (name: string) =>
    name
      .toUpperCase()
      .trim()
      .replaceAll(/[\s-]+/g, '<');
  const text = `${part(fields.surname)}<<${part(fields.givenNames)}`;
  return field(text.slice(0, width), width);
}

function field(value: string, width: number): string {
  if (value.length > width) throw new Error(`"${value}" is longer than its ${width}-character MRZ field`);
  if (!/^[A-Z0-9<]*$/.test(value)) throw new Error(`"${value}" holds characters an MRZ cannot`);
  return value.padEnd(width, '<');
}
