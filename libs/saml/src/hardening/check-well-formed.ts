import { SamlRequestRefused } from './saml-request-refused.js';

const S = '[\\t\\n\\r ]';
// XML 1.0 (5th ed.) §2.3 NameStartChar / NameChar (BMP). The joiners and combining marks sit in classes of their
// own: next to a base character in one class they would read as a combined character.
const NAME_START_CLASS =
  '[:A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD]';
const JOINERS = '[\\u200C-\\u200D]';
const NAME_START = `(?:${NAME_START_CLASS}|${JOINERS})`;
const NAME_CHAR = `(?:${NAME_START}|[\\-.0-9\\u00B7\\u203F-\\u2040]|[\\u0300-\\u036F])`;
const NAME = `${NAME_START}${NAME_CHAR}*`;

/** XML 1.0 §2.8 declaration; the encoding, if stated, must be the UTF-8 the message was decoded as. */
const XML_DECLARATION = new RegExp(
  `<\\?xml${S}+version${S}*=${S}*(["'])1\\.[0-9]+\\1` +
    `(?:${S}+encoding${S}*=${S}*(["'])[Uu][Tt][Ff]-8\\2)?` +
    `(?:${S}+standalone${S}*=${S}*(["'])(?:yes|no)\\3)?${S}*\\?>`,
  'y',
);
const START_TAG_NAME = new RegExp(`<(${NAME})`, 'y');
const ATTRIBUTE = new RegExp(`${S}+(${NAME})${S}*=${S}*(?:"([^"<]*)"|'([^'<]*)')`, 'y');
const TAG_END = new RegExp(`${S}*(/?)>`, 'y');
const END_TAG = new RegExp(`</(${NAME})${S}*>`, 'y');
const REFERENCE = /&(?:lt|gt|amp|quot|apos|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
/** Characters XML 1.0 §2.2 does not allow, lone surrogates included. */
const NOT_A_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const WHITESPACE_ONLY = /^[\t\n\r ]*$/;
/** SAML messages nest a dozen levels; far deeper nesting only serves to exhaust recursive code (c14n) downstream. */
const MAX_DEPTH = 100;

/**
 * A strict well-formedness check (XML 1.0 §2) on the text, before xmldom parses it. xmldom recovers silently from
 * much that is not XML (text before the root, a stray end tag after it, `<` in an attribute, a bare `&`, `&#0;`),
 * and any recovery is a chance for the bytes an SP signed and the tree samlify reads to differ. Here: one root
 * element, balanced tags, quoted attributes without `<`, no duplicate attributes, only the five predefined entity
 * references and character references to allowed characters, comments without `--`, nothing but whitespace and
 * comments outside the root, at most 100 levels of nesting. DTDs and processing instructions are refused by
 * {@link refuseDtd} first.
 */
export function checkWellFormed(xml: string): void {
  if (NOT_A_CHAR.test(xml)) fail('a character XML does not allow');
  let at = xml.startsWith('\uFEFF') ? 1 : 0;
  if (xml.startsWith('<?xml', at)) {
    XML_DECLARATION.lastIndex = at;
    if (!XML_DECLARATION.test(xml)) fail('malformed XML declaration');
    at = XML_DECLARATION.lastIndex;
  }
  const open: string[] = [];
  let rootSeen = false;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > at) checkText(xml.slice(at, textEnd), open.length > 0);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      at = skipComment(xml, lt);
    } else if (xml.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) fail('CDATA outside the root element');
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) fail('unterminated CDATA section');
      at = end + 3;
    } else if (xml.startsWith('</', lt)) {
      END_TAG.lastIndex = lt;
      const name = END_TAG.exec(xml)?.[1];
      if (name === undefined) fail('malformed end tag');
      if (open.pop() !== name) fail('an end tag does not match the open element');
      at = END_TAG.lastIndex;
    } else {
      if (open.length === 0 && rootSeen) fail('more than one root element');
      rootSeen = true;
      const tag = readStartTag(xml, lt);
      if (!tag.selfClosing) open.push(tag.name);
      if (open.length > MAX_DEPTH) {
        throw new SamlRequestRefused('too_large', `elements nested deeper than ${MAX_DEPTH} levels`);
      }
      at = tag.end;
    }
  }
  if (!rootSeen) fail('no root element');
  if (open.length > 0) fail('unclosed element');
}

function readStartTag(xml: string, lt: number): { name: string; selfClosing: boolean; end: number } {
  START_TAG_NAME.lastIndex = lt;
  const name = START_TAG_NAME.exec(xml)?.[1];
  if (name === undefined) fail('malformed start tag');
  const attributes = new Set<string>();
  let at = START_TAG_NAME.lastIndex;
  for (;;) {
    TAG_END.lastIndex = at;
    const end = TAG_END.exec(xml);
    if (end) return { name, selfClosing: end[1] === '/', end: TAG_END.lastIndex };
    ATTRIBUTE.lastIndex = at;
    const attribute = ATTRIBUTE.exec(xml);
    if (!attribute) fail('malformed attribute');
    const [, attributeName = '', doubleQuoted, singleQuoted] = attribute;
    if (attributes.has(attributeName)) fail('duplicate attribute');
    attributes.add(attributeName);
    checkReferences(doubleQuoted ?? singleQuoted ?? '');
    at = ATTRIBUTE.lastIndex;
  }
}

function skipComment(xml: string, lt: number): number {
  const end = xml.indexOf('-->', lt + 4);
  if (end === -1) fail('unterminated comment');
  const body = xml.slice(lt + 4, end);
  if (body.includes('--') || body.endsWith('-')) fail("'--' inside a comment");
  return end + 3;
}

function checkText(text: string, insideRoot: boolean): void {
  if (!insideRoot) {
    if (!WHITESPACE_ONLY.test(text)) fail('text outside the root element');
    return;
  }
  if (text.includes(']]>')) fail("']]>' in text");
  checkReferences(text);
}

function checkReferences(text: string): void {
  for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', amp + 1)) {
    REFERENCE.lastIndex = amp;
    const reference = REFERENCE.exec(text);
    if (!reference) fail("'&' that does not start a predefined entity or character reference");
    const [, decimal, hex] = reference;
    if (decimal !== undefined || hex !== undefined) {
      const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
      if (codePoint > 0x10ffff || NOT_A_CHAR.test(String.fromCodePoint(codePoint))) {
        fail('character reference to a character XML does not allow');
      }
    }
  }
}

function fail(problem: string): never {
  throw new SamlRequestRefused('malformed_xml', `not well-formed XML: ${problem}`);
}
