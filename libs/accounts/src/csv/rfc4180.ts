// A strict RFC 4180 reader and writer. csv-parse was tried first: its line numbers drift when a quoted field holds
// CRLF, and an import must name the exact line at fault, so this small state machine keeps its own count.

/** One record and the physical line (1-based) it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';

  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

const QUOTE = '"';

/**
 * RFC 4180 §2: fields separated by `,`, records by CRLF (a bare LF is accepted too; a bare CR is not); a field with
 * `,`, `"` or a line break is quoted, a quote inside it doubled. A leading byte-order mark is dropped, and so are
 * empty lines, such as the one an editor leaves at the end.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  let line = 1;

  const atRecordEnd = (): number => {
    if (text[i] === '\n') return 1;
    if (text[i] === '\r') {
      if (text[i + 1] === '\n') return 2;
      throw new CsvSyntaxError(line, 'a carriage return (CR) must be followed by a line feed (LF)');
    }
    return 0;
  };

  while (i < text.length) {
    const endOfEmptyLine = atRecordEnd();
    if (endOfEmptyLine > 0) {
      i += endOfEmptyLine;
      line += 1;
      continue;
    }
    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      let field = '';
      if (text[i] === QUOTE) {
        const openedOn = line;
        i += 1;
        for (;;) {
          const char = text[i];
          if (char === undefined) throw new CsvSyntaxError(openedOn, 'a quoted field is not closed');
          if (char === QUOTE && text[i + 1] === QUOTE) {
            field += QUOTE;
            i += 2;
          } else if (char === QUOTE) {
            i += 1;
            break;
          } else {
            if (char === '\n') line += 1;
            field += char;
            i += 1;
          }
        }
        if (i < text.length && text[i] !== ',' && atRecordEnd() === 0) {
          throw new CsvSyntaxError(line, 'a closing quote must be followed by a comma or the end of the line');
        }
      } else {
        while (i < text.length && text[i] !== ',' && atRecordEnd() === 0) {
          if (text[i] === QUOTE) {
            throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field and double it)');
          }
          field += text[i];
          i += 1;
        }
      }
      record.fields.push(field);
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      const end = i < text.length ? atRecordEnd() : 0;
      i += end;
      if (end > 0) line += 1;
      break;
    }
    records.push(record);
  }
  return records;
}

/** One field as RFC 4180 writes it: quoted only when it must be. */
function formatField(value: string): string {
  return /[",\r\n]/.test(value) ? QUOTE + value.replaceAll(QUOTE, QUOTE + QUOTE) + QUOTE : value;
}

/** Records joined with CRLF, the last one too (RFC 4180 §2). */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((fields) => fields.map(formatField).join(',') + '\r\n').join('');
}
