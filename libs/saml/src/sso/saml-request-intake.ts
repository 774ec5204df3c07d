import { Injectable } from '@nestjs/common';
import type { Document, Element } from '@xmldom/xmldom';
import { EphemeralStore } from '#idtoken/platform';
import { ServiceRegistry, type ServiceEntity } from '#idtoken/services';
import {
  SamlRequestRefused,
  checkNoCommentsIn,
  checkSignatureShape,
  checkUniqueIds,
  decodePostMessage,
  decodeRedirectMessage,
  parseRedirectQuery,
  parseSamlXml,
  verifyRedirectSignature,
} from '../hardening/index.js';
import { pem } from '../idp/saml-idp.js';
import { NS } from '../saml-urns.js';
import { samlSpSettingsSchema, type SamlSpSettings } from '../sp/saml-sp-settings.js';
import { verifyEmbeddedSignature } from './embedded-signature.js';
import { AppConfig } from '#idtoken/platform';

export type SamlBinding = 'redirect' | 'post';
export type InboundKind = 'AuthnRequest' | 'LogoutRequest';

/** What arrived, as the binding delivered it. `rawQuery` is the query string exactly as received (Redirect). */
export interface InboundMessage {
  binding: SamlBinding;
  rawQuery: string;
  fields: Record<string, unknown>;
}

/** A request that passed every check: its issuer is a registered SP, its signature (if any) verified. */
export interface VerifiedRequest {
  kind: InboundKind;
  xml: string;
  root: Element;
  id: string;
  issuer: string;
  relayState: string | undefined;
  signed: boolean;
  service: ServiceEntity;
  settings: SamlSpSettings;
}

/** A request may be this old (IssueInstant), and this far in the future (the SP's clock ahead of ours). */
export const REQUEST_MAX_AGE_MS = 5 * 60_000;
export const CLOCK_SKEW_MS = 3 * 60_000;
const MAX_RELAY_STATE_BYTES = 80; // saml-bindings §3.4.3: "MUST NOT exceed 80 bytes"

/**
 * The intake of every inbound SAML request, before samlify sees it (docs/saml.md "Hardening"), as a list of steps:
 * decode with size caps → no DTD → well-formed, protocol root of the expected kind → unique IDs, no comments in
 * identifiers → known SP → signature shape and verification with the pinned certificates (the Redirect binding's
 * detached signature over the raw query, or the enveloped one of HTTP-POST) → Destination → IssueInstant → the ID
 * once. Any failure is a SamlRequestRefused: the caller answers 400 and signs nothing.
 */
@Injectable()
export class SamlRequestIntake {
  constructor(
    private readonly services: ServiceRegistry,
    private readonly store: EphemeralStore,
    private readonly config: AppConfig,
  ) {}

  async accept(
    message: InboundMessage,
    kind: InboundKind,
    endpointUrl: string,
    now = new Date(),
  ): Promise<VerifiedRequest> {
    // Redirect: read from the raw query, the very bytes whose signature is checked (never a re-parsed copy).
    const redirect = message.binding === 'redirect' ? parseRedirectQuery(message.rawQuery) : undefined;
    if (redirect && redirect.messageParameter !== 'SAMLRequest') {
      throw new SamlRequestRefused('malformed_query', 'SAMLRequest is missing');
    }
    const encoded = redirect ? redirect.message : field(message.fields, 'SAMLRequest');
    const relayState = redirect ? redirect.relayState : optionalField(message.fields, 'RelayState');
    if (relayState !== undefined && Buffer.byteLength(relayState) > MAX_RELAY_STATE_BYTES) {
      throw new SamlRequestRefused('too_large', `RelayState is longer than ${MAX_RELAY_STATE_BYTES} bytes`);
    }
    const xml = message.binding === 'redirect' ? decodeRedirectMessage(encoded) : decodePostMessage(encoded);
    const document: Document = parseSamlXml(xml);
    const root = document.documentElement as Element;
    if (root.localName !== kind || root.namespaceURI !== NS.protocol) {
      throw new SamlRequestRefused('unexpected_root', `Expected a ${kind}, got ${root.localName}`);
    }
    checkUniqueIds(document);
    checkNoCommentsIn(document, ['Issuer', 'NameID', 'SessionIndex']);

    const issuer = issuerOf(root);
    const service = await this.services.findActiveBySamlEntityId(issuer);
    if (!service?.saml) throw new SamlRequestRefused('unknown_issuer', 'The Issuer is not a registered SAML SP');
    const settings = samlSpSettingsSchema(this.config.nodeEnv).parse(service.saml);

    const signed = this.checkSignature(message, xml, document, settings);
    const id = root.getAttribute('ID') ?? '';
    if (!/^[A-Za-z_][\w.-]{0,255}$/.test(id))
      throw new SamlRequestRefused('malformed_xml', 'The request has no valid ID');
    if (root.getAttribute('Version') !== '2.0') throw new SamlRequestRefused('malformed_xml', 'Version must be 2.0');
    const destination = root.getAttribute('Destination');
    if (destination ? destination !== endpointUrl : signed) {
      // saml-bindings §3.4.5.2 / §3.5.5.2: a signed request names its Destination, and it must be us.
      throw new SamlRequestRefused('destination', `Destination must be ${endpointUrl}`);
    }
    checkIssueInstant(root.getAttribute('IssueInstant'), now);
    // The same request ID from the same SP is accepted once (a replayed request starts no second login).
    const fresh = await this.store.putIfAbsent(
      `saml-request-id:${service.serviceId}:${id}`,
      '1',
      REQUEST_MAX_AGE_MS + 2 * CLOCK_SKEW_MS,
    );
    if (!fresh) throw new SamlRequestRefused('replayed', 'This request ID was already used');
    return { kind, xml, root, id, issuer, relayState, signed, service, settings };
  }

  private checkSignature(message: InboundMessage, xml: string, document: Document, settings: SamlSpSettings): boolean {
    const certificates = settings.signingCertificates.map(pem);
    const embedded = checkSignatureShape(document, { required: false }).signed;
    if (message.binding === 'redirect') {
      // saml-bindings §3.4.4.1: the Redirect binding signs the query; a signature inside the message is refused.
      if (embedded)
        throw new SamlRequestRefused('signature_shape', 'A Redirect-bound request carries no XML signature');
      if (optionalField(message.fields, 'Signature') === undefined) return this.unsigned(settings);
      if (!verifyRedirectSignature({ rawQuery: message.rawQuery, certificatesPem: certificates })) {
        throw new SamlRequestRefused('signature', 'The request signature does not verify with the SP certificate');
      }
      return true;
    }
    if (!embedded) return this.unsigned(settings);
    if (!verifyEmbeddedSignature(xml, document, certificates)) {
      throw new SamlRequestRefused('signature', 'The request signature does not verify with the SP certificate');
    }
    return true;
  }

  private unsigned(settings: SamlSpSettings): false {
    if (settings.wantSignedRequests) throw new SamlRequestRefused('signature_shape', 'This SP must sign its requests');
    return false;
  }
}

function issuerOf(root: Element): string {
  for (let node = root.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === NS.assertion && element.localName === 'Issuer') {
      const value = (element.textContent ?? '').trim();
      if (value) return value;
    }
  }
  throw new SamlRequestRefused('unknown_issuer', 'The request has no Issuer');
}

function checkIssueInstant(value: string | null, now: Date): void {
  const at = value && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new SamlRequestRefused('malformed_xml', 'IssueInstant must be a UTC xs:dateTime');
  if (at > now.getTime() + CLOCK_SKEW_MS || at < now.getTime() - REQUEST_MAX_AGE_MS - CLOCK_SKEW_MS) {
    throw new SamlRequestRefused('stale', 'The request is too old or from the future (IssueInstant)');
  }
}

function optionalField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SamlRequestRefused('malformed_query', `${name} is given more than once`);
  return value;
}

function field(fields: Record<string, unknown>, name: string): string {
  const value = optionalField(fields, name);
  if (value === undefined || value === '') throw new SamlRequestRefused('malformed_query', `${name} is missing`);
  return value;
}
