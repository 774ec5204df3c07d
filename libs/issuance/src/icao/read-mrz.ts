import { parse, type ParseResult } from 'mrz';
import { MrzDateError, birthDateFromMrz, expiryDateFromMrz } from './mrz-date.js';
import { PassiveAuthError } from './passive-auth-error.js';
import { TlvError, unwrapTlv } from './tlv.js';

/** The holder and document as DG1's MRZ states them, in spec §2's forms. */
export interface MrzData {
  /** `P` for a TD3 passport, `ID` for a TD1 card (document code A, C or I). */
  documentType: 'P' | 'ID';
  /** ICAO 9303 part 3 code, fillers removed: three letters, or fewer (Germany is `D`). */
  issuingState: string;
  documentNumber: string;
  nationality: string;
  /** `YYYY-MM-DD`, unknown parts as `XX`; century rule in mrz-date.ts. */
  birthDate: string;
  /** MRZ `<` (unspecified) is `X`. */
  sex: 'M' | 'F' | 'X';
  /** `YYYY-MM-DD`, always 20YY. */
  expiryDate: string;
  /** Fillers become spaces; empty when the MRZ holds a surname only. */
  givenNames: string;
  surname: string;
}

/** ICAO 9303 part 10, DG1: template 0x61 holding the MRZ data element 0x5F1F. */
export const DG1_TAG = 0x61;
export const MRZ_DATA_TAG = 0x5f1f;

/** Characters and line shapes of ICAO 9303 part 4 (TD3, 2 × 44) and part 5 (TD1, 3 × 30). */
const MRZ_CHARACTERS = /^[A-Z0-9<]+$/;
const LAYOUTS = [
  { format: 'TD3', lines: 2, width: 44, sexAt: { line: 1, column: 20 } },
  { format: 'TD1', lines: 3, width: 30, sexAt: { line: 1, column: 7 } },
] as const;

const SEX: Readonly<Record<string, MrzData['sex']>> = { male: 'M', female: 'F', nonspecified: 'X' };

const malformed = (message: string, cause?: unknown) => new PassiveAuthError('mrz_malformed', message, { cause });

/**
 * The MRZ of DG1, parsed by the `mrz` package with every check digit verified (ICAO 9303 part 3 §4.9). TD2 and
 * visa formats are refused: the issuance gateway takes passports (TD3) and identity cards (TD1).
 */
export function readMrz(dg1: Uint8Array, now: Date): MrzData {
  let text: string;
  try {
    text = Buffer.from(unwrapTlv(unwrapTlv(dg1, DG1_TAG), MRZ_DATA_TAG)).toString('latin1');
  } catch (error) {
    if (error instanceof TlvError) throw malformed(`DG1 is not 0x61 → 0x5F1F: ${error.message}`, error);
    throw error;
  }
  if (!MRZ_CHARACTERS.test(text)) throw malformed('the MRZ holds characters outside A–Z, 0–9 and <');
  const layout = LAYOUTS.find((candidate) => candidate.lines * candidate.width === text.length);
  if (!layout) throw malformed(`an MRZ of ${text.length} characters is neither TD3 (88) nor TD1 (90)`);

  const lines = Array.from({ length: layout.lines }, (_, index) =>
    text.slice(index * layout.width, (index + 1) * layout.width),
  );
  // Parts 4 and 5 write unspecified sex as '<'; some issuers write 'X'. No check digit covers it: read X as '<'.
  const { line, column } = layout.sexAt;
  if (lines[line][column] === 'X') lines[line] = `${lines[line].slice(0, column)}<${lines[line].slice(column + 1)}`;

  let result: ParseResult;
  try {
    result = parse(lines);
  } catch (error) {
    throw malformed('the MRZ does not parse', error);
  }
  if (result.format !== layout.format) throw malformed(`parsed as ${result.format}, expected ${layout.format}`);
  if (!result.valid) throw invalidFields(result);

  const fields = result.fields;
  try {
    return {
      documentType: layout.format === 'TD3' ? 'P' : 'ID',
      issuingState: required(fields.issuingState),
      documentNumber: required(result.documentNumber),
      nationality: required(fields.nationality),
      birthDate: birthDateFromMrz(required(fields.birthDate), now),
      sex: required(SEX[required(fields.sex)]),
      expiryDate: expiryDateFromMrz(required(fields.expirationDate)),
      givenNames: fields.firstName ?? '',
      surname: required(fields.lastName),
    };
  } catch (error) {
    if (error instanceof MrzDateError || error instanceof MissingFieldError) throw malformed(error.message, error);
    throw error;
  }
}

/** A wrong check digit in an otherwise well-formed MRZ is its own check; anything else is malformed. */
function invalidFields(result: ParseResult): PassiveAuthError {
  const invalid = result.details.filter((detail) => !detail.valid);
  const summary = invalid.map((detail) => `${detail.label}: ${detail.error ?? 'invalid'}`).join('; ');
  const onlyCheckDigits = invalid.every((detail) => detail.field?.endsWith('CheckDigit'));
  return onlyCheckDigits
    ? new PassiveAuthError('mrz_check_digit', summary)
    : new PassiveAuthError('mrz_malformed', summary);
}

class MissingFieldError extends Error {}

function required<T extends string>(value: T | null | undefined): T {
  if (!value) throw new MissingFieldError('a required MRZ field is empty');
  return value;
}
