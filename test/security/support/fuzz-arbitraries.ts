// Generators for test/security/fuzz.security.spec.ts: mutations of valid encodings, hostile JSON bodies and SAML
// request values. Values that need a running server (a real VDS, an enrolled tokenId) come in through a context.
import fc from 'fast-check';

// ───────────────────────────── bytes and text ─────────────────────────────

/** One change to a valid encoding; printable, so a failing run names exactly what was done. */
export type ByteMutation =
  | { kind: 'flip'; flips: { index: number; mask: number }[] }
  | { kind: 'truncate'; length: number }
  | { kind: 'extend'; tail: Uint8Array }
  | { kind: 'splice'; index: number; deleteCount: number; insert: Uint8Array };

/** Bit flips at 1–4 distinct positions of a `length`-byte input: the result always differs from the input. */
export const bitFlips = (length: number): fc.Arbitrary<ByteMutation> =>
  fc
    .uniqueArray(fc.record({ index: fc.nat({ max: length - 1 }), mask: fc.integer({ min: 1, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
      selector: (flip) => flip.index,
    })
    .map((flips) => ({ kind: 'flip', flips }));

/** A strict prefix of a `length`-byte input. */
export const truncation = (length: number): fc.Arbitrary<ByteMutation> =>
  fc.nat({ max: length - 1 }).map((kept) => ({ kind: 'truncate', length: kept }));

export const extension: fc.Arbitrary<ByteMutation> = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((tail) => ({ kind: 'extend', tail }));

export const splice = (length: number): fc.Arbitrary<ByteMutation> =>
  fc
    .record({
      index: fc.nat({ max: length - 1 }),
      deleteCount: fc.nat({ max: 8 }),
      insert: fc.uint8Array({ maxLength: 8 }),
    })
    .map((change) => ({ kind: 'splice', ...change }));

export const anyByteMutation = (length: number): fc.Arbitrary<ByteMutation> =>
  fc.oneof(bitFlips(length), truncation(length), extension, splice(length));

export function applyMutation(base: Uint8Array, mutation: ByteMutation): Uint8Array {
  switch (mutation.kind) {
    case 'flip': {
      const copy = new Uint8Array(base);
      for (const { index, mask } of mutation.flips) copy[index] ^= mask;
      return copy;
    }
    case 'truncate':
      return base.slice(0, mutation.length);
    case 'extend':
      return Buffer.concat([base, mutation.tail]);
    case 'splice': {
      const { index, deleteCount, insert } = mutation;
      return Buffer.concat([base.subarray(0, index), insert, base.subarray(index + deleteCount)]);
    }
  }
}

/** Character-level edits of a valid text (a VDS in text form, a PEM, an XML message). */
export const textMutation = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
      .map(([at, replacement]) => text.slice(0, at) + replacement + text.slice(at + 1)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.nat({ max: 16 }))
      .map(([at, count]) => text.slice(0, at) + text.slice(at + count)),
    fc
      .tuple(fc.nat({ max: text.length }), fc.string({ unit: 'binary', maxLength: 16 }))
      .map(([at, inserted]) => text.slice(0, at) + inserted + text.slice(at)),
    fc.nat({ max: text.length }).map((length) => text.slice(0, length)),
  );

/** `chunk` repeated up to exactly `size` bytes: large inputs without generating each byte. */
export function tile(chunk: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += chunk.length) out.set(chunk.subarray(0, size - offset), offset);
  return out;
}

const BASE45_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'.split('');
const HEX_CHARS = '0123456789abcdefABCDEF'.split('');
const B64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='.split('');

/** Strings shaped like each accepted VDS text form, valid or nearly. */
export const vdsLikeText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BASE45_CHARS), maxLength: 300 }).map((body) => `VDS1:${body}`),
  fc.string({ unit: fc.constantFrom(...HEX_CHARS), maxLength: 300 }).map((body) => `de${body}`),
  fc.string({ unit: fc.constantFrom(...B64_CHARS), maxLength: 300 }).map((body) => `3${body}`),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

// ───────────────────────────── hostile JSON ─────────────────────────────

/** Values of the wrong type or at the edges, for any field of a JSON body. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 32,
    -(2 ** 31),
    '',
    ' ',
    '\u0000',
    '__proto__',
    [],
    {},
    { __proto__: null },
  ),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  // Long strings, built by repetition rather than one character at a time.
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1_000, max: 40_000 }))
    .map(([seed, length]) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length)),
);

/** A JSON text that is not what a client should send: malformed, huge numbers, deep nesting (within 1 MiB or just over). */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.integer({ min: 310, max: 5_000 }).map((digits) => `{"timestamp":${'9'.repeat(digits)}}`),
  fc.integer({ min: 1, max: 400 }).map((digits) => `{"timestamp":1e${'9'.repeat(digits)}}`),
  fc
    .record({
      depth: fc.integer({ min: 10, max: 150_000 }),
      open: fc.constantFrom('[', '{"a":', '{"__proto__":', '{"constructor":{"prototype":', '{"scopes":'),
    })
    .map(({ depth, open }) => {
      const close = open === '[' ? ']' : open.includes('constructor') ? '}}' : '}';
      return `${open.repeat(depth)}1${close.repeat(depth)}`;
    }),
  fc.constantFrom('', 'null', '[]', '"x"', '{', '{"a":1,}', '{"a":1}{"b":2}', '\uFEFF{}', '{"a":"\\ud800"}'),
);

/** Mostly `usual`, now and then `rare`: keeps most fuzzed requests deep enough to reach the later checks. */
export const mostly = <T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, odds = 6): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: usual, weight: odds }, { arbitrary: rare, weight: 1 });

/**
 * An object with the given field arbitraries: every field present unless `allOptional`, now and then a few dropped,
 * now and then extra keys (the schemas are strict, so those fail at once).
 */
export function looseRecord(
  fields: Record<string, fc.Arbitrary<unknown>>,
  { allOptional = false } = {},
): fc.Arbitrary<Record<string, unknown>> {
  const known = allOptional ? fc.record(fields, { requiredKeys: [] }) : fc.record(fields);
  const noKeys = fc.constant<string[]>([]);
  return fc
    .tuple(
      known,
      mostly(noKeys, fc.subarray(Object.keys(fields))),
      mostly(fc.constant({}), fc.dictionary(fc.string({ maxLength: 12 }), junkValue, { maxKeys: 2 }), 8),
    )
    .map(([values, dropped, extra]) =>
      Object.fromEntries(Object.entries({ ...extra, ...values }).filter(([key]) => !dropped.includes(key))),
    );
}

/** A field: usually a plausible value, now and then junk of any type. */
export const field = <T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> => mostly<unknown>(plausible, junkValue, 8);

export const SCOPE_NAMES = [
  'identity:name',
  'identity:basic',
  'identity:age_over_18',
  'identity:full_with_photo',
  'identity:photo',
  'openid',
  'identity:',
  'IDENTITY:NAME',
  '__proto__',
  'constructor',
  'toString',
] as const;

export const scopeToken: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SCOPE_NAMES),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/** A JSON body for an endpoint: fully arbitrary JSON, a hostile text, or an object shaped like the endpoint's. */
export type JsonBody = { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

export const jsonBody = (shaped: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<JsonBody> =>
  fc.oneof(
    { arbitrary: shaped.map((value): JsonBody => ({ kind: 'json', value })), weight: 4 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value): JsonBody => ({ kind: 'json', value })), weight: 1 },
    { arbitrary: hostileJsonText.map((text): JsonBody => ({ kind: 'text', text })), weight: 1 },
  );

export const jsonBodyText = (body: JsonBody): string =>
  body.kind === 'text' ? body.text : (JSON.stringify(body.value) ?? 'null');

/** Content types a client might send with a JSON body. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 8 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    ),
    weight: 1,
  },
);

// ───────────────────────────── SAML ─────────────────────────────

export const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** The attributes of an AuthnRequest the fuzzer varies; absent means the plausible value. */
export interface AuthnRequestFields {
  id: string;
  issueInstant: string;
  destination: string;
  issuer: string;
  acsUrl?: string;
  acsIndex?: string;
  protocolBinding?: string;
  isPassive?: string;
  nameIdFormat?: string;
  version: string;
  extraChild: string;
}

export function authnRequestXml(fields: AuthnRequestFields): string {
  const attribute = (name: string, value: string | undefined) =>
    value === undefined ? '' : ` ${name}="${escapeAttribute(value)}"`;
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS_PROTOCOL}" xmlns:saml="${NS_ASSERTION}"` +
    attribute('ID', fields.id) +
    attribute('Version', fields.version) +
    attribute('IssueInstant', fields.issueInstant) +
    attribute('Destination', fields.destination) +
    attribute('AssertionConsumerServiceURL', fields.acsUrl) +
    attribute('AssertionConsumerServiceIndex', fields.acsIndex) +
    attribute('ProtocolBinding', fields.protocolBinding) +
    attribute('IsPassive', fields.isPassive) +
    `><saml:Issuer>${escapeText(fields.issuer)}</saml:Issuer>` +
    (fields.nameIdFormat === undefined
      ? ''
      : `<samlp:NameIDPolicy Format="${escapeAttribute(fields.nameIdFormat)}" AllowCreate="true"/>`) +
    fields.extraChild +
    '</samlp:AuthnRequest>'
  );
}

const escapeText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const escapeAttribute = (value: string) => escapeText(value).replace(/"/g, '&quot;');

/** AuthnRequests around a plausible one (the registered SP's issuer, our Destination, a fresh IssueInstant). */
export function authnRequestFields(plausible: AuthnRequestFields): fc.Arbitrary<AuthnRequestFields> {
  const maybe = (value: string | undefined, others: fc.Arbitrary<string>) =>
    fc.oneof(
      { arbitrary: fc.constant(value), weight: 3 },
      { arbitrary: fc.option(others, { nil: undefined }), weight: 1 },
    );
  const some = (value: string, others: fc.Arbitrary<string>) =>
    fc.oneof({ arbitrary: fc.constant(value), weight: 3 }, { arbitrary: others, weight: 1 });
  const junk = fc.string({ unit: 'binary', maxLength: 40 });
  return fc.record({
    // A fresh ID each time, else every request after the first is refused as a replay.
    id: mostly(
      fc.uuid().map((uuid) => `_${uuid.replaceAll('-', '')}`),
      fc.oneof(junk, fc.constant(plausible.id), fc.stringMatching(/^_[a-f0-9]{1,300}$/), fc.constant('')),
      12,
    ),
    version: some(plausible.version, fc.constantFrom('1.1', '2', '', ' 2.0')),
    issueInstant: some(
      plausible.issueInstant,
      fc.oneof(
        junk,
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
    ),
    destination: some(plausible.destination, fc.oneof(junk, fc.webUrl())),
    issuer: some(plausible.issuer, fc.oneof(junk, fc.webUrl())),
    acsUrl: maybe(plausible.acsUrl, fc.oneof(junk, fc.webUrl())),
    acsIndex: maybe(undefined, fc.oneof(fc.nat().map(String), junk)),
    protocolBinding: maybe(
      plausible.protocolBinding,
      fc.oneof(junk, fc.constant('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect')),
    ),
    isPassive: maybe(undefined, fc.constantFrom('true', 'false', '1', 'maybe')),
    nameIdFormat: maybe(
      plausible.nameIdFormat,
      fc.oneof(
        junk,
        fc.constantFrom(
          'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
          'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
        ),
      ),
    ),
    extraChild: some(
      '',
      fc.constantFrom(
        '<!-- a comment -->',
        `<saml:Assertion ID="_wrapped" Version="2.0" IssueInstant="2020-01-01T00:00:00Z"><saml:Issuer>https://evil.example</saml:Issuer></saml:Assertion>`,
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>',
        '<samlp:Extensions><x:y xmlns:x="urn:x">&#x0;</x:y></samlp:Extensions>',
        '<p:unbound/>',
        '<![CDATA[<samlp:AuthnRequest/>]]>',
        '<saml:Issuer>https://second.example</saml:Issuer>',
      ),
    ),
  });
}

/** Documents around `root` that carry a DTD: external entities (XXE), billion laughs, parameter entities. */
export function dtdDocuments(root: string): string[] {
  const withIssuerText = (text: string) => root.replace('</saml:Issuer>', `${text}</saml:Issuer>`);
  const laughs = Array.from(
    { length: 9 },
    (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level === 0 ? '' : level};`.repeat(10)}">`,
  ).join('');
  return [
    `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${withIssuerText('&xxe;')}`,
    `<!DOCTYPE lolz [<!ENTITY lol "lol">${laughs}]>${withIssuerText('&lol9;')}`,
    `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>${root}`,
    `<!-- hi --><!doctype r SYSTEM "http://127.0.0.1:9/evil.dtd">${root}`,
    `<?xml version="1.0"?>\n<!DocType r [ <!ELEMENT r ANY> ]>\n${root}`,
    root.replace('<saml:Issuer>', '<saml:Issuer><!ENTITY x "y">'),
    `<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?>${root}`,
  ];
}

/** Random XML-ish trees: SAML and foreign element names, namespaces bound or not, awkward text. */
export const xmlish: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.string({ maxLength: 20 }).map(escapeText),
      fc.constantFrom('&amp;', '&lt;', '&#65;', '&#x110000;', '&undefined;', ']]>', '<![CDATA[x]]>', '<!-- c -->', '<'),
    ),
    fc
      .record({
        name: fc.constantFrom(
          'samlp:AuthnRequest',
          'samlp:LogoutRequest',
          'saml:Issuer',
          'saml:Assertion',
          'ds:Signature',
          'x:y',
          'a',
          '1bad',
        ),
        declare: fc.boolean(),
        attributes: fc.array(
          fc.tuple(
            fc.constantFrom('ID', 'Version', 'IssueInstant', 'Destination', 'xmlns:x', 'a:b'),
            fc.string({ maxLength: 20 }),
          ),
          { maxLength: 3 },
        ),
        children: fc.array(tie('node'), { maxLength: 3 }),
      })
      .map(({ name, declare, attributes, children }) => {
        const namespaces = declare
          ? ` xmlns:samlp="${NS_PROTOCOL}" xmlns:saml="${NS_ASSERTION}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"`
          : '';
        const rendered = attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('');
        return `<${name}${namespaces}${rendered}>${children.join('')}</${name}>`;
      }),
  ),
})).node;
