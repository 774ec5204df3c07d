import { ACCOUNT_LINK_CSV_COLUMNS, readAccountLinkRows, writeAccountLinkRows } from './account-link-rows.js';

const TOKEN_A = '3f6c2a54-9f0e-4c43-8d7e-2b1a8e5f0c11';
const TOKEN_B = '9a1b7c3d-2e4f-4a6b-8c0d-1e2f3a4b5c6d';
const HEADER = ACCOUNT_LINK_CSV_COLUMNS.join(',');
const csv = (...lines: string[]) => lines.join('\n');

describe('account-link CSV rows', () => {
  it('reads the columns in any order, trims values and folds tokenId and emailVerified', () => {
    const { rows, errors } = readAccountLinkRows(
      csv(
        'groups, username ,immutableId,upn,emailVerified,email,tokenId',
        ` staff ; ;admins;staff,u1,,ann@corp.example,TRUE, ann@example.com ,${TOKEN_A.toUpperCase()}`,
      ),
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        tokenId: TOKEN_A,
        attributes: {
          email: 'ann@example.com',
          emailVerified: true,
          upn: 'ann@corp.example',
          immutableId: null,
          username: 'u1',
          groups: ['staff', 'admins'],
        },
      },
    ]);
  });

  it('accepts a header alone as an import of nothing', () => {
    expect(readAccountLinkRows(`${HEADER}\r\n`)).toEqual({ rows: [], errors: [] });
  });

  it.each([
    ['no header at all', ''],
    ['a missing column', 'tokenId,email,emailVerified,upn,immutableId,username'],
    ['an unknown column', `${HEADER},extra`],
    ['a repeated column', 'tokenId,email,emailVerified,upn,immutableId,username,email'],
  ])('refuses %s', (_case, header) => {
    expect(readAccountLinkRows(header).errors).toEqual([
      { line: 1, field: '(header)', detail: expect.stringContaining(HEADER) },
    ]);
  });

  it.each([
    ['an upn without a domain', `${TOKEN_A},,,ann,,,`, 'upn'],
    ['emailVerified without an email', `${TOKEN_A},,true,,,,`, 'emailVerified'],
    ['a control character in a username', `${TOKEN_A},,,,,"a\tb",`, 'username'],
    ['a username of 257 characters', `${TOKEN_A},,,,,${'u'.repeat(257)},`, 'username'],
  ])('refuses %s', (_case, line, field) => {
    const { rows, errors } = readAccountLinkRows(csv(HEADER, line));
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ line: 2, field, detail: expect.any(String) }]);
  });

  it("refuses one row's username as another row's email, whatever the case", () => {
    const { errors } = readAccountLinkRows(
      csv(HEADER, `${TOKEN_A},x@example.com,,,,,`, `${TOKEN_B},,,,,X@EXAMPLE.COM,`),
    );
    expect(errors).toEqual([{ line: 3, field: 'username', detail: expect.stringContaining('line 2') }]);
  });

  it('allows a row whose username is its own email', () => {
    expect(readAccountLinkRows(csv(HEADER, `${TOKEN_A},x@example.com,,,,x@example.com,`)).errors).toEqual([]);
  });

  it('writes what it reads', () => {
    const text = writeAccountLinkRows([
      {
        tokenId: TOKEN_A,
        email: null,
        emailVerified: false,
        upn: null,
        immutableId: '+a/b=',
        username: 'Doe, "J"',
        groups: ['g 1', 'g,2'],
      },
    ]);
    expect(text).toBe(`${HEADER}\r\n${TOKEN_A},,false,,+a/b=,"Doe, ""J""","g 1;g,2"\r\n`);
    expect(readAccountLinkRows(text).rows[0]).toMatchObject({
      tokenId: TOKEN_A,
      attributes: { username: 'Doe, "J"', immutableId: '+a/b=', groups: ['g 1', 'g,2'] },
    });
  });
});
