import {
  GROUP_SEPARATOR,
  accountAttributesSchema,
  aliasesOf,
  foldAlias,
  tokenIdSchema,
  type AccountAttributes,
} from '../links/account-attributes.js';
import { CsvSyntaxError, formatCsv, parseCsv } from './rfc4180.js';

/** The CSV columns of account-link import and export; the header line names them (in any order on import). */
export const ACCOUNT_LINK_CSV_COLUMNS = [
  'tokenId',
  'email',
  'emailVerified',
  'upn',
  'immutableId',
  'username',
  'groups',
] as const;
type CsvColumn = (typeof ACCOUNT_LINK_CSV_COLUMNS)[number];

/** One valid data row of an import. */
export interface ImportRow {
  line: number;
  tokenId: string;
  attributes: AccountAttributes;
}

/** Why a line of an import was refused; `field` is a column name, or `(csv)`, `(header)`, `(row)`. */
export interface RowError {
  line: number;
  field: string;
  detail: string;
}

/**
 * Reads an import file and checks everything the file alone can tell: CSV syntax, the header, each value, a tokenId
 * repeated, an alias (email or username, regardless of case) given to two tokenIds. Checks against what is already
 * stored are the caller's (AccountLinks.importCsv).
 */
export function readAccountLinkRows(text: string): { rows: ImportRow[]; errors: RowError[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      return { rows: [], errors: [{ line: error.line, field: '(csv)', detail: error.detail }] };
    }
    throw error;
  }
  const [header, ...data] = records;
  if (!header) return { rows: [], errors: [{ line: 1, field: '(header)', detail: headerDetail() }] };
  const columns = readHeader(header.fields);
  if (!columns) return { rows: [], errors: [{ line: header.line, field: '(header)', detail: headerDetail() }] };

  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  for (const record of data) {
    if (record.fields.length !== columns.length) {
      const detail = `has ${record.fields.length} fields; the header has ${columns.length}`;
      errors.push({ line: record.line, field: '(row)', detail });
      continue;
    }
    const cells = Object.fromEntries(columns.map((column, i) => [column, (record.fields[i] ?? '').trim()])) as Record<
      CsvColumn,
      string
    >;
    const row = readRow(record.line, cells, errors);
    if (row) rows.push(row);
  }
  errors.push(...repeatsWithinFile(rows));
  return { rows, errors };
}

/** The export: the header, then one line per link, in the order given. */
export function writeAccountLinkRows(links: readonly ({ tokenId: string } & AccountAttributes)[]): string {
  return formatCsv([
    ACCOUNT_LINK_CSV_COLUMNS,
    ...links.map((link) => [
      link.tokenId,
      link.email ?? '',
      String(link.emailVerified),
      link.upn ?? '',
      link.immutableId ?? '',
      link.username ?? '',
      link.groups.join(GROUP_SEPARATOR),
    ]),
  ]);
}

function headerDetail(): string {
  return `the first line must name the columns ${ACCOUNT_LINK_CSV_COLUMNS.join(',')}, each once`;
}

function readHeader(fields: string[]): CsvColumn[] | undefined {
  const names = fields.map((field) => field.trim());
  const known = new Set<string>(ACCOUNT_LINK_CSV_COLUMNS);
  const complete =
    names.length === ACCOUNT_LINK_CSV_COLUMNS.length &&
    new Set(names).size === names.length &&
    names.every((name) => known.has(name));
  return complete ? (names as CsvColumn[]) : undefined;
}

function readRow(line: number, cells: Record<CsvColumn, string>, errors: RowError[]): ImportRow | undefined {
  const before = errors.length;
  const tokenId = tokenIdSchema.safeParse(cells.tokenId);
  if (!tokenId.success) errors.push({ line, field: 'tokenId', detail: 'must be a UUID' });

  const emailVerified = cells.emailVerified.toLowerCase();
  if (!['', 'true', 'false'].includes(emailVerified)) {
    errors.push({ line, field: 'emailVerified', detail: 'must be true, false or empty' });
  }

  const orNull = (value: string) => (value === '' ? null : value);
  const attributes = accountAttributesSchema.safeParse({
    email: orNull(cells.email),
    emailVerified: emailVerified === 'true',
    upn: orNull(cells.upn),
    immutableId: orNull(cells.immutableId),
    username: orNull(cells.username),
    groups: cells.groups
      .split(GROUP_SEPARATOR)
      .map((group) => group.trim())
      .filter((group) => group !== ''),
  });
  if (!attributes.success) {
    for (const issue of attributes.error.issues) {
      errors.push({ line, field: String(issue.path[0] ?? '(row)'), detail: issue.message });
    }
  }
  return errors.length === before && tokenId.success && attributes.success
    ? { line, tokenId: tokenId.data, attributes: attributes.data }
    : undefined;
}

/** A tokenId on two lines, or one alias on two tokenIds: the later line is at fault. */
function repeatsWithinFile(rows: readonly ImportRow[]): RowError[] {
  const errors: RowError[] = [];
  const lineOfToken = new Map<string, number>();
  const ownerOfAlias = new Map<string, ImportRow>();
  for (const row of rows) {
    const earlier = lineOfToken.get(row.tokenId);
    if (earlier !== undefined) {
      errors.push({ line: row.line, field: 'tokenId', detail: `repeats the tokenId of line ${earlier}` });
      continue;
    }
    lineOfToken.set(row.tokenId, row.line);
    for (const alias of aliasesOf(row.attributes)) {
      const owner = ownerOfAlias.get(alias);
      if (owner) {
        errors.push({ line: row.line, field: aliasField(row.attributes, alias), detail: aliasTaken(owner.line) });
      } else {
        ownerOfAlias.set(alias, row);
      }
    }
  }
  return errors;
}

const aliasTaken = (line: number) => `is already an email or username on line ${line} (aliases ignore case)`;

/** Which column holds `alias` (folded), for the error. */
export function aliasField(attributes: Pick<AccountAttributes, 'email' | 'username'>, alias: string): string {
  return attributes.email !== null && foldAlias(attributes.email) === alias ? 'email' : 'username';
}
