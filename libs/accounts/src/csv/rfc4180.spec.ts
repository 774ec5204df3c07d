import { CsvSyntaxError, formatCsv, parseCsv } from './rfc4180.js';

const syntaxErrorOf = (text: string): { line: number; detail: string } => {
  try {
    parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { line: error.line, detail: error.detail };
    throw error;
  }
  throw new Error('parsed without error');
};

describe('RFC 4180 reader', () => {
  it('reads CRLF and LF records, quoted fields, doubled quotes and empty fields', () => {
    expect(parseCsv('a,b,c\r\n1,"x, ""y""",\n"",z,"3"\r\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', ''] },
      { line: 3, fields: ['', 'z', '3'] },
    ]);
  });

  it('keeps line breaks inside quoted fields and counts the lines they span', () => {
    expect(parseCsv('h\r\n"one\r\ntwo"\r\nnext')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, fields: ['one\r\ntwo'] },
      { line: 4, fields: ['next'] },
    ]);
  });

  it('drops a byte-order mark and empty lines, counting them', () => {
    expect(parseCsv('\uFEFFh\n\n\r\nv\n\n')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 4, fields: ['v'] },
    ]);
  });

  it('reads an empty text as no records', () => {
    expect(parseCsv('')).toEqual([]);
  });

  it.each([
    ['an unclosed quote, on the line it opened', 'h\n"abc\ndef', 2, /not closed/],
    ['text after a closing quote', 'h\n"abc"d', 2, /closing quote/],
    ['a quote inside an unquoted field', 'h\nab"c', 2, /unquoted/],
    ['a bare CR', 'h\rv', 1, /carriage return/],
  ])('refuses %s', (_case, text, line, detail) => {
    const error = syntaxErrorOf(text);
    expect(error.line).toBe(line);
    expect(error.detail).toMatch(detail);
  });
});

describe('RFC 4180 writer', () => {
  it('quotes only fields that need it and ends every record with CRLF', () => {
    expect(
      formatCsv([
        ['a', 'b c', ''],
        ['x,y', 'say "hi"', 'two\nlines'],
      ]),
    ).toBe('a,b c,\r\n"x,y","say ""hi""","two\nlines"\r\n');
  });

  it('round-trips through the reader', () => {
    const records = [
      ['tokenId', 'groups'],
      ['1', 'a;b'],
      ['"quoted"', ',\r\n'],
    ];
    expect(parseCsv(formatCsv(records)).map((record) => record.fields)).toEqual(records);
  });
});
