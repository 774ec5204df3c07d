import { parse } from 'mrz';
import { formatMrz, mrzCheckDigit, withWrongBirthDateCheckDigit, type TestMrzFields } from './mrz-lines.js';

describe('test MRZ lines', () => {
  it('computes the check digits of the ICAO 9303 part 3 §4.9 and part 4 specimen', () => {
    // "L898902C3" 6, "740812" 2, "120415" 9, "ZE184226B<<<<<" 1, composite 0 — printed in ICAO 9303 part 4 Appendix A.
    expect(mrzCheckDigit('L898902C3')).toBe('6');
    expect(mrzCheckDigit('740812')).toBe('2');
    expect(mrzCheckDigit('120415')).toBe('9');
    expect(mrzCheckDigit('ZE184226B<<<<<')).toBe('1');
    expect(mrzCheckDigit('L898902C36' + '7408122' + '120415' + '9ZE184226B<<<<<1')).toBe('0');
  });

  it('writes the German specimen passport and identity card exactly', () => {
    const erika = {
      issuingState: 'D',
      nationality: 'D',
      surname: 'MUSTERMANN',
      givenNames: 'ERIKA',
      birthDate: '1964-08-12',
    };
    expect(
      formatMrz({ ...erika, format: 'TD3', documentNumber: 'C01X00T47', sex: 'F', expiryDate: '2027-02-28' }),
    ).toEqual(['P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<', 'C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4']);
    expect(
      formatMrz({
        ...erika,
        format: 'TD1',
        documentCode: 'ID',
        documentNumber: 'T22000129',
        sex: 'X',
        expiryDate: '2020-10-31',
      }),
    ).toEqual(['IDD<<T220001293<<<<<<<<<<<<<<<', '6408125<2010315D<<<<<<<<<<<<<4', 'MUSTERMANN<<ERIKA<<<<<<<<<<<<<']);
  });

  describe('agrees with the `mrz` package on every field and check digit', () => {
    const holders: TestMrzFields[] = [];
    const states = ['NLD', 'D', 'FRA', 'BEL', 'GBR', 'ESP', 'XXA'];
    for (let index = 0; index < 40; index++) {
      const year = 1930 + ((index * 7) % 90);
      holders.push({
        format: index % 2 ? 'TD1' : 'TD3',
        issuingState: states[index % states.length]!,
        nationality: states[(index + 3) % states.length]!,
        documentNumber: `X${(index * 7919).toString(36).toUpperCase()}`.padEnd(9, String(index % 10)).slice(0, 9),
        birthDate: `${year}-${String(1 + (index % 12)).padStart(2, '0')}-${String(1 + ((index * 5) % 28)).padStart(2, '0')}`,
        sex: (['M', 'F', 'X'] as const)[index % 3]!,
        expiryDate: `20${String(25 + (index % 10))}-0${1 + (index % 9)}-1${index % 10}`,
        surname: ['DE BRUIJN', 'O NEILL', 'VAN DER BERG-SMIT', 'LI'][index % 4]!,
        givenNames: ['ANNA MARIA', 'JEAN-LUC', 'X', 'ERIKA'][index % 4]!,
        optionalData: index % 3 === 0 ? `OPT${index}` : undefined,
      });
    }

    it.each(holders.map((holder) => [holder.format, holder.documentNumber, holder] as const))(
      '%s %s',
      (_format, _number, holder) => {
        const result = parse(formatMrz(holder));
        expect(result.details.filter((detail) => !detail.valid)).toEqual([]);
        expect(result.format).toBe(holder.format);
        expect(result.documentNumber).toBe(holder.documentNumber);
        expect(result.fields.birthDate).toBe(holder.birthDate.slice(2).replaceAll('-', ''));
        expect(result.fields.sex).toBe({ M: 'male', F: 'female', X: 'nonspecified' }[holder.sex]);
        expect(result.fields.lastName).toBe(holder.surname.replaceAll('-', ' '));
      },
    );
  });

  it('breaks the date-of-birth check digit on request, which the `mrz` package notices', () => {
    for (const format of ['TD3', 'TD1'] as const) {
      const lines = formatMrz({
        format,
        issuingState: 'NLD',
        nationality: 'NLD',
        documentNumber: 'SPECI2024',
        birthDate: '1965-03-10',
        sex: 'F',
        expiryDate: '2031-08-02',
        surname: 'DE BRUIJN',
        givenNames: 'WILLEKE',
      });
      const invalid = parse(withWrongBirthDateCheckDigit(lines, format)).details.filter((detail) => !detail.valid);
      expect(invalid.map((detail) => detail.field)).toEqual(['birthDateCheckDigit', 'compositeCheckDigit']);
    }
  });

  it('refuses fields an MRZ cannot hold', () => {
    const base: TestMrzFields = {
      format: 'TD3',
      issuingState: 'NLD',
      nationality: 'NLD',
      documentNumber: 'SPECI2024',
      birthDate: '1965-03-10',
      sex: 'F',
      expiryDate: '2031-08-02',
      surname: 'DE BRUIJN',
      givenNames: 'WILLEKE',
    };
    expect(() => formatMrz({ ...base, documentNumber: 'SPECI20245' })).toThrow(/longer/);
    expect(() => formatMrz({ ...base, surname: 'MÜLLER' })).toThrow(/characters/);
    expect(() => formatMrz({ ...base, birthDate: '10.03.1965' })).toThrow(/YYYY-MM-DD/);
  });
});
