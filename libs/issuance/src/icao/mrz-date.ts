/**
 * MRZ dates are YYMMDD with '<' for unknown parts (ICAO 9303 parts 4 and 5); spec §2 writes them `YYYY-MM-DD`
 * with unknown parts as `XX`. Each part is either all digits or all fillers; a mix is not a date.
 */
export class MrzDateError extends Error {
  override readonly name = 'MrzDateError';
}

/**
 * Date of birth. The century is the latest one that does not put the birth year after `now`'s year: with
 * now in 2026, `26` is 2026 and `27` is 1927. Holders older than 99 get the wrong century; the MRZ cannot say.
 */
export function birthDateFromMrz(yymmdd: string, now: Date): string {
  const currentYear = now.getUTCFullYear();
  return toIsoDate(yymmdd, (yy) => {
    const year = Math.floor(currentYear / 100) * 100 + yy;
    return year > currentYear ? year - 100 : year;
  });
}

/** Date of expiry: always 20YY, since every MRTD still in use was issued after 2000. */
export function expiryDateFromMrz(yymmdd: string): string {
  return toIsoDate(yymmdd, (yy) => 2000 + yy);
}

function toIsoDate(yymmdd: string, century: (yy: number) => number): string {
  if (!/^[0-9<]{6}$/.test(yymmdd)) throw new MrzDateError(`not an MRZ date: ${yymmdd}`);
  const part = (start: number, unknown: string, known: (digits: number) => string): string => {
    const text = yymmdd.slice(start, start + 2);
    if (text === '<<') return unknown;
    if (!/^\d\d$/.test(text)) throw new MrzDateError(`partly unknown date part: ${text}`);
    return known(Number(text));
  };
  const year = part(0, 'XXXX', (yy) => String(century(yy)));
  const month = part(2, 'XX', (mm) => {
    if (mm < 1 || mm > 12) throw new MrzDateError(`month ${mm}`);
    return String(mm).padStart(2, '0');
  });
  const day = part(4, 'XX', (dd) => {
    if (dd < 1 || dd > 31) throw new MrzDateError(`day ${dd}`);
    return String(dd).padStart(2, '0');
  });
  return `${year}-${month}-${day}`;
}
