/**
 * Escapes text and attribute values for XML: every value that enters a SAML message passes here. Characters XML 1.0
 * cannot carry at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are dropped: an SP's parser would
 * refuse the whole Response for one of them in a linked attribute.
 */
export function escapeXml(value: string): string {
  let kept = value;
  if (!XML_TEXT.test(value)) kept = [...value].filter((char) => isXmlChar(char.codePointAt(0) ?? 0)).join('');
  return kept.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

/** Fast path: printable BMP text and pairs of surrogates only. */
const XML_TEXT = /^(?:[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

/** XML 1.0 §2.2 Char. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
