import { DOMParser, type Element } from '@xmldom/xmldom';
import { DomainError } from '#idtoken/platform';
import { refuseDtd } from '../hardening/index.js';
import { BINDINGS, NS } from '../saml-urns.js';
import type { SamlSpSettingsInput } from './saml-sp-settings.js';

/** Metadata larger than this is refused (an SP's EntityDescriptor is a few kilobytes). */
export const MAX_SP_METADATA_BYTES = 512 * 1024;

/**
 * The settings an SP's metadata (saml-metadata §2.4.4 SPSSODescriptor) states: entityID, HTTP-POST ACS endpoints,
 * SLO endpoints, signing and encryption certificates, AuthnRequestsSigned and WantAssertionsSigned. Read once when
 * an admin uploads it; the certificates found here are the ones pinned. DTDs are refused before parsing.
 */
export function settingsFromSpMetadata(xml: string): SamlSpSettingsInput {
  if (Buffer.byteLength(xml) > MAX_SP_METADATA_BYTES) {
    throw invalid(`SP metadata is larger than ${MAX_SP_METADATA_BYTES} bytes`);
  }
  try {
    refuseDtd(xml);
  } catch {
    throw invalid('SP metadata must not contain a DOCTYPE, entity declaration or processing instruction');
  }
  const errors: string[] = [];
  const document = new DOMParser({
    errorHandler: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  const root = document.documentElement;
  if (errors.length > 0 || !root) throw invalid(`SP metadata is not well-formed XML (${errors[0] ?? 'empty'})`);
  const descriptor = entityDescriptor(root);
  const entityId = descriptor.getAttribute('entityID');
  if (!entityId) throw invalid('SP metadata: EntityDescriptor has no entityID');
  const sp = children(descriptor, NS.metadata, 'SPSSODescriptor')[0];
  if (!sp) throw invalid('SP metadata: no SPSSODescriptor');
  if (!(sp.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(NS.protocol)) {
    throw invalid('SP metadata: the SPSSODescriptor does not support SAML 2.0');
  }

  const assertionConsumerServices = children(sp, NS.metadata, 'AssertionConsumerService')
    .filter((element) => element.getAttribute('Binding') === BINDINGS.post)
    .map((element) => {
      const index = element.getAttribute('index');
      return {
        url: element.getAttribute('Location') ?? '',
        ...(index !== null && /^\d{1,5}$/.test(index) ? { index: Number(index) } : {}),
        ...(element.getAttribute('isDefault') === 'true' ? { isDefault: true } : {}),
      };
    });
  if (assertionConsumerServices.length === 0) {
    throw invalid('SP metadata: no AssertionConsumerService with the HTTP-POST binding');
  }
  const singleLogoutServices = children(sp, NS.metadata, 'SingleLogoutService').flatMap(
    (element): { url: string; binding: 'redirect' | 'post'; responseUrl?: string }[] => {
      const binding = element.getAttribute('Binding');
      const url = element.getAttribute('Location') ?? '';
      // saml-metadata §2.2.2: responses go to ResponseLocation when the SP names one.
      const response = element.getAttribute('ResponseLocation');
      const responseUrl = response ? { responseUrl: response } : {};
      if (binding === BINDINGS.redirect) return [{ url, binding: 'redirect', ...responseUrl }];
      if (binding === BINDINGS.post) return [{ url, binding: 'post', ...responseUrl }];
      return [];
    },
  );

  const keys = children(sp, NS.metadata, 'KeyDescriptor').map((element) => ({
    use: element.getAttribute('use'),
    certificate: element.getElementsByTagNameNS(NS.dsig, 'X509Certificate')[0]?.textContent?.replace(/\s+/g, ''),
  }));
  const certificatesFor = (use: string) =>
    keys.flatMap((key) => ((key.use === use || !key.use) && key.certificate ? [key.certificate] : []));
  const signingCertificates = certificatesFor('signing').slice(0, 4);
  const encryptionCertificate = certificatesFor('encryption')[0] ?? null;

  return {
    entityId,
    assertionConsumerServices,
    singleLogoutServices,
    signingCertificates,
    encryptionCertificate,
    wantSignedRequests: sp.getAttribute('AuthnRequestsSigned') === 'true',
    ...(sp.getAttribute('WantAssertionsSigned') === 'true' ? { signAssertion: true } : {}),
  };
}

function entityDescriptor(root: Element): Element {
  if (root.namespaceURI === NS.metadata && root.localName === 'EntityDescriptor') return root;
  if (root.namespaceURI === NS.metadata && root.localName === 'EntitiesDescriptor') {
    const [only, ...more] = children(root, NS.metadata, 'EntityDescriptor');
    if (only && more.length === 0) return only;
    throw invalid('SP metadata: an EntitiesDescriptor must hold exactly one EntityDescriptor');
  }
  throw invalid('SP metadata: the root element is not an md:EntityDescriptor');
}

function children(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === namespace && element.localName === localName) {
      found.push(element);
    }
  }
  return found;
}

function invalid(detail: string): DomainError {
  return new DomainError('invalid_request', detail, { field: 'metadataXml' });
}
