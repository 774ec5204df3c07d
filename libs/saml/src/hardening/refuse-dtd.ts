import { SamlRequestRefused } from './saml-request-refused.js';

/** The XML declaration at the very start (after a BOM and, leniently, whitespace): `<?xml version="1.0" …?>`. */
const LEADING_XML_DECLARATION = /^\uFEFF?[\t\n\r ]*<\?xml[\t\n\r ][^<>?]*\?>/;
/** `<!` that opens neither a comment nor a CDATA section: DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION, any case. */
const MARKUP_DECLARATION = /<!(?!--|\[CDATA\[)/;

/**
 * Refuses a DOCTYPE or any markup declaration (`<!DOCTYPE`, `<!ENTITY`, … in any case, anywhere, also inside
 * comments and CDATA) and every processing instruction but the leading `<?xml …?>` declaration, on the text,
 * before any parser runs: XXE (external entities reading files or URLs) and entity expansion bombs (billion laughs)
 * then never reach a parser, whatever that parser's own settings are. SAML messages never need a DTD or a PI.
 */
export function refuseDtd(xml: string): void {
  const declaration = LEADING_XML_DECLARATION.exec(xml);
  const rest = declaration ? xml.slice(declaration[0].length) : xml;
  if (MARKUP_DECLARATION.test(rest)) {
    throw new SamlRequestRefused('doctype', 'DOCTYPE and entity declarations are not accepted');
  }
  if (rest.includes('<?')) {
    throw new SamlRequestRefused('processing_instruction', 'processing instructions are not accepted');
  }
}
