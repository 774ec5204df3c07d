import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Element } from '@xmldom/xmldom';
import { AuditTrail } from '#idtoken/audit';
import { SamlRequestRefused } from '../hardening/index.js';
import { SamlIdp } from '../idp/saml-idp.js';
import { NS, STATUS } from '../saml-urns.js';
import { statusResponseXml } from '../sso/saml-response-xml.js';
import { SamlLogin, type PostMessage } from '../sso/saml-login.service.js';
import type { SamlBinding, VerifiedRequest } from '../sso/saml-request-intake.js';

const MAX_SESSION_INDEXES = 10;

/**
 * Single Logout, SP-initiated (saml-profiles §4.4): a verified LogoutRequest ends the IdP sessions it names (its
 * SessionIndex values, for its NameID) and is answered with a signed LogoutResponse at the SP's SLO endpoint — the
 * request's binding when the SP has an endpoint for it, else the other one.
 */
@Injectable()
export class SamlLogout {
  private readonly logger = new Logger(SamlLogout.name);

  constructor(
    private readonly idp: SamlIdp,
    private readonly login: SamlLogin,
    private readonly audit: AuditTrail,
  ) {}

  async answer(request: VerifiedRequest, binding: SamlBinding): Promise<{ redirect?: string; post: PostMessage }> {
    const { root, settings, service } = request;
    // saml-profiles §4.4.4.1: a LogoutRequest must be authenticated; an SP with a signing certificate signs it.
    if (!request.signed && settings.signingCertificates.length > 0) {
      throw new SamlRequestRefused('signature_shape', 'This SP must sign its LogoutRequest');
    }
    const endpoint =
      settings.singleLogoutServices.find((slo) => slo.binding === binding) ?? settings.singleLogoutServices[0];
    if (!endpoint) throw new SamlRequestRefused('slo', 'This SP has no SingleLogoutService to answer');
    const idp = await this.idp.entityFor(settings);
    const sp = this.idp.serviceProvider(settings, settings.assertionConsumerServices[0].url);
    try {
      await idp.parseLogoutRequest(sp, 'post', { body: { SAMLRequest: Buffer.from(request.xml).toString('base64') } });
    } catch (error) {
      throw new SamlRequestRefused('schema', `The LogoutRequest is not valid SAML 2.0 (${String(error)})`);
    }

    const nameId = childText(root, NS.assertion, 'NameID');
    if (nameId === undefined) throw new SamlRequestRefused('malformed_xml', 'The LogoutRequest has no NameID');
    const indexes = childElements(root, NS.protocol, 'SessionIndex').map((element) =>
      (element.textContent ?? '').trim(),
    );
    if (indexes.length > MAX_SESSION_INDEXES) {
      throw new SamlRequestRefused('too_large', `At most ${MAX_SESSION_INDEXES} SessionIndex values`);
    }
    const outcome = await this.login.endSessions(service.serviceId, indexes, nameId);
    const mismatch = outcome === 'mismatch';
    const ended = mismatch ? 0 : outcome;
    await this.audit.record({
      type: 'saml.logout',
      actor: `service:${service.serviceId}`,
      subject: service.serviceId,
      data: { sessionsEnded: ended, refused: mismatch },
    });
    if (mismatch) this.logger.warn(`LogoutRequest from ${service.serviceId} named a session of another NameID`);

    const responseId = `_${randomBytes(20).toString('hex')}`;
    const xml = statusResponseXml({
      element: 'LogoutResponse',
      responseId,
      issueInstant: new Date(),
      issuer: this.idp.entityId,
      destination: endpoint.responseUrl ?? endpoint.url,
      inResponseTo: request.id,
      status: mismatch ? STATUS.requester : STATUS.success,
      ...(mismatch ? { subStatus: STATUS.unknownPrincipal } : {}),
    });
    const target = this.idp.serviceProvider(
      { ...settings, singleLogoutServices: [{ ...endpoint, url: endpoint.responseUrl ?? endpoint.url }] },
      settings.assertionConsumerServices[0].url,
    );
    const options = {
      relayState: request.relayState,
      customTagReplacement: () => ({ id: responseId, context: xml }),
    };
    const created = idp.createLogoutResponse(
      target,
      { extract: { request: { id: request.id } } },
      endpoint.binding,
      options,
    ) as {
      context: string;
    };
    if (endpoint.binding === 'redirect') {
      return {
        redirect: created.context,
        post: { action: endpoint.responseUrl ?? endpoint.url, fields: { SAMLResponse: '' } },
      };
    }
    return {
      post: {
        action: endpoint.responseUrl ?? endpoint.url,
        fields: { SAMLResponse: created.context, ...(request.relayState ? { RelayState: request.relayState } : {}) },
      },
    };
  }
}

function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === namespace && element.localName === localName)
      found.push(element);
  }
  return found;
}

function childText(parent: Element, namespace: string, localName: string): string | undefined {
  const element = childElements(parent, namespace, localName)[0];
  return element ? (element.textContent ?? '').trim() : undefined;
}
