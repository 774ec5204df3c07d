import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Element } from '@xmldom/xmldom';
import { AccountLinks } from '#idtoken/accounts';
import { claimsFor } from '#idtoken/claims';
import { EnrollmentRepository } from '#idtoken/enrollment';
import { AppConfig, DomainError, EphemeralStore } from '#idtoken/platform';
import { ServiceRegistry } from '#idtoken/services';
import { pairwiseSubject, type SessionApproval } from '#idtoken/sessions';
import { SamlRequestRefused } from '../hardening/index.js';
import { SamlIdp } from '../idp/saml-idp.js';
import { SAML_PATHS } from '../saml-paths.js';
import { BINDINGS, NAME_ID_FORMATS, NS, STATUS, type NameIdFormat } from '../saml-urns.js';
import { chooseAcs, effectivePolicy, samlSpSettingsSchema } from '../sp/saml-sp-settings.js';
import { successResponseXml, statusResponseXml } from './saml-response-xml.js';
import type { VerifiedRequest } from './saml-request-intake.js';
import { SubjectUnavailable, attributesFor, nameIdFor } from './saml-subject.js';

/** A login between the SP's request and the SAML Response: what the response must say and where it goes. */
export interface PendingLogin {
  uid: string;
  /** The browser that started it (a random value in a cookie): only that browser may continue it. */
  browser: string;
  serviceId: string;
  /** The AuthnRequest's ID (InResponseTo); absent for an IdP-initiated login. */
  requestId?: string;
  acsUrl: string;
  relayState?: string;
  requestedFormat?: NameIdFormat | 'other';
  /** The X.1280 session under way, once the identifier was given (or the QR chosen). */
  session?: { sessionId: string; wsToken: string; expiresAt: string; otp?: string; qr?: string };
}

/** An HTTP-POST binding message for the browser to carry (saml-bindings §3.5). */
export interface PostMessage {
  action: string;
  fields: { SAMLResponse: string; RelayState?: string };
}

export const PENDING_LOGIN_TTL_MS = 600_000;
/** The assertion may be used within this time; the SP keeps its session at most SESSION_TTL_MS. */
const ASSERTION_LIFETIME_MS = 5 * 60_000;
const SESSION_TTL_MS = 8 * 3600_000;

/**
 * Web Browser SSO (saml-profiles §4.1) in front of the X.1280 login: a verified AuthnRequest (or an IdP-initiated
 * start) becomes a pending login; the interaction pages run the phone approval; the approval becomes a signed (and
 * if asked, encrypted) Response for the ACS, or a status-only Response when no assertion can be made.
 */
@Injectable()
export class SamlLogin {
  constructor(
    private readonly idp: SamlIdp,
    private readonly store: EphemeralStore,
    private readonly services: ServiceRegistry,
    private readonly enrollments: EnrollmentRepository,
    private readonly links: AccountLinks,
    private readonly config: AppConfig,
  ) {}

  /** An AuthnRequest that passed the intake: schema, ACS, binding, passive, NameID policy. */
  async begin(request: VerifiedRequest, browser: string): Promise<{ uid: string } | { refusal: PostMessage }> {
    const { root, settings } = request;
    const idp = await this.idp.entityFor(settings);
    try {
      await idp.parseLoginRequest(
        this.idp.serviceProvider(settings, settings.assertionConsumerServices[0].url),
        'post',
        {
          body: { SAMLRequest: Buffer.from(request.xml).toString('base64') },
        },
      );
    } catch (error) {
      throw new SamlRequestRefused('schema', `The AuthnRequest is not valid SAML 2.0 (${String(error)})`);
    }
    const index = root.getAttribute('AssertionConsumerServiceIndex');
    const acsUrl = chooseAcs(settings, {
      url: root.getAttribute('AssertionConsumerServiceURL') || undefined,
      index: index ? Number(index) : undefined,
    });
    // An ACS the SP's metadata does not list is never sent anything: it could be anyone's.
    if (!acsUrl) throw new SamlRequestRefused('acs', 'The AssertionConsumerService is not in the SP metadata');
    const binding = root.getAttribute('ProtocolBinding');
    if (binding && binding !== BINDINGS.post) {
      throw new SamlRequestRefused('acs', 'Responses are delivered with the HTTP-POST binding only');
    }
    const pending: PendingLogin = {
      uid: randomBytes(16).toString('base64url'),
      browser,
      serviceId: request.service.serviceId,
      requestId: request.id,
      acsUrl,
      relayState: request.relayState,
      requestedFormat: requestedFormat(root),
    };
    if (['true', '1'].includes(root.getAttribute('IsPassive') ?? '')) {
      // Every login needs the phone: a passive one cannot happen (saml-core §3.4.1).
      const message = 'Every IDToken login needs the phone';
      return { refusal: await this.refusal(pending, STATUS.responder, message, STATUS.noPassive) };
    }
    const policy = effectivePolicy(settings);
    const asked = pending.requestedFormat;
    if (asked && asked !== 'unspecified' && asked !== 'transient' && asked !== policy.nameIdFormat) {
      // saml-core §3.4.1.1: a NameID format we will not issue to this SP — said before the phone is bothered.
      const message = `This IdP issues ${policy.nameIdFormat} NameIDs to this SP`;
      return { refusal: await this.refusal(pending, STATUS.requester, message, STATUS.invalidNameIdPolicy) };
    }
    await this.save(pending);
    return { uid: pending.uid };
  }

  /** IdP-initiated SSO (saml-profiles §4.1.5) to the SP's default ACS, when the SP allows it. */
  async beginUnsolicited(serviceId: string, relayState: string | undefined, browser: string): Promise<{ uid: string }> {
    const { settings } = await this.settingsOf(serviceId);
    if (!settings.idpInitiated) {
      throw new DomainError('forbidden', 'This service does not accept IdP-initiated SAML logins');
    }
    const acsUrl = chooseAcs(settings, {});
    if (!acsUrl) throw new DomainError('invalid_request', 'This service has no AssertionConsumerService');
    const pending: PendingLogin = {
      uid: randomBytes(16).toString('base64url'),
      browser,
      serviceId,
      acsUrl,
      relayState,
    };
    await this.save(pending);
    return { uid: pending.uid };
  }

  async pending(uid: string, browser: string | undefined): Promise<PendingLogin> {
    const json = await this.store.get(pendingKey(uid));
    const pending = json ? (JSON.parse(json) as PendingLogin) : undefined;
    if (!pending || !browser || pending.browser !== browser) {
      throw new DomainError('session_not_found', 'This sign-in has expired or was not started in this browser');
    }
    return pending;
  }

  async save(pending: PendingLogin): Promise<void> {
    await this.store.put(pendingKey(pending.uid), JSON.stringify(pending), PENDING_LOGIN_TTL_MS);
  }

  /** Ends the pending login with a signed Response carrying the assertion, or a refusal if none can be made. */
  async respond(pending: PendingLogin, approval: SessionApproval): Promise<PostMessage> {
    // Taken once: a second, concurrent completion (or a cancel racing it) finds nothing.
    await this.takePending(pending);
    const { service, settings } = await this.settingsOf(pending.serviceId);
    const holder = await this.enrollments.requireActive(approval.tokenId);
    const now = new Date();
    const facts = {
      subject:
        service.subjectType === 'public'
          ? approval.tokenId
          : pairwiseSubject(this.config.masterSecret, service.serviceId, approval.tokenId),
      claims: claimsFor(approval.grantedScopes, { ...holder.claims, trustLevel: holder.trustLevel }, now),
      link: (await this.links.get(service.serviceId, approval.tokenId)) ?? undefined,
    };
    const policy = effectivePolicy(settings);
    let nameId;
    try {
      nameId = nameIdFor(policy, facts, pending.requestedFormat);
    } catch (error) {
      if (!(error instanceof SubjectUnavailable)) throw error;
      if (error.subStatus === 'InvalidNameIDPolicy') {
        return this.refusal(pending, STATUS.requester, error.message, STATUS.invalidNameIdPolicy);
      }
      return this.refusal(pending, STATUS.responder, error.message, STATUS.unknownPrincipal);
    }
    const sessionIndex = `_${randomBytes(20).toString('hex')}`;
    const responseId = `_${randomBytes(20).toString('hex')}`;
    const xml = successResponseXml({
      responseId,
      assertionId: `_${randomBytes(20).toString('hex')}`,
      issueInstant: now,
      issuer: this.idp.entityId,
      destination: pending.acsUrl,
      inResponseTo: pending.requestId,
      audience: settings.entityId,
      nameId,
      notBefore: new Date(now.getTime() - 60_000),
      notOnOrAfter: new Date(now.getTime() + ASSERTION_LIFETIME_MS),
      authnInstant: new Date(approval.approvedAt * 1000),
      sessionIndex,
      sessionNotOnOrAfter: new Date(now.getTime() + SESSION_TTL_MS),
      authnContextClassRef: policy.authnContextClassRef,
      attributes: attributesFor(policy, facts),
    });
    const idp = await this.idp.entityFor(settings);
    const response = await idp.createLoginResponse(
      this.idp.serviceProvider(settings, pending.acsUrl),
      { extract: { request: { id: pending.requestId ?? '' } } },
      'post',
      {},
      { customTagReplacement: () => ({ id: responseId, context: xml }), encryptThenSign: true },
    );
    await this.store.put(
      sessionKey(service.serviceId, sessionIndex),
      JSON.stringify({ tokenId: approval.tokenId, nameId: nameId.value }),
      SESSION_TTL_MS,
    );
    return post(pending, response.context);
  }

  /** A signed status-only Response to the ACS (the user cancelled or declined, or no NameID can be given). */
  async refuse(pending: PendingLogin, status: string, message: string, subStatus?: string): Promise<PostMessage> {
    await this.takePending(pending);
    return this.refusal(pending, status, message, subStatus);
  }

  private async takePending(pending: PendingLogin): Promise<void> {
    const taken = await this.store.take(pendingKey(pending.uid));
    if (!taken || (JSON.parse(taken) as PendingLogin).browser !== pending.browser) {
      throw new DomainError('session_not_found', 'This sign-in has already ended');
    }
  }

  /**
   * The SLO side: forgets the SessionIndex records an SP names for a NameID — all of them, or none when one belongs
   * to another NameID. Returns how many were ended, or 'mismatch'.
   */
  async endSessions(serviceId: string, sessionIndexes: string[], nameId: string): Promise<number | 'mismatch'> {
    const keys = sessionIndexes.map((index) => sessionKey(serviceId, index));
    const records = await Promise.all(keys.map((key) => this.store.get(key)));
    if (records.some((json) => json !== undefined && (JSON.parse(json) as { nameId: string }).nameId !== nameId)) {
      return 'mismatch';
    }
    const ended = await Promise.all(keys.map((key, i) => (records[i] === undefined ? false : this.store.delete(key))));
    return ended.filter(Boolean).length;
  }

  async settingsOf(serviceId: string) {
    const service = await this.services.getActive(serviceId);
    if (!service.saml) throw new DomainError('not_found', `Service "${serviceId}" has no SAML settings`);
    return { service, settings: samlSpSettingsSchema(this.config.nodeEnv).parse(service.saml) };
  }

  private async refusal(
    pending: PendingLogin,
    status: string,
    message: string,
    subStatus?: string,
  ): Promise<PostMessage> {
    const xml = statusResponseXml({
      responseId: `_${randomBytes(20).toString('hex')}`,
      issueInstant: new Date(),
      issuer: this.idp.entityId,
      destination: pending.acsUrl,
      inResponseTo: pending.requestId,
      status,
      subStatus,
      message,
    });
    const signed = await this.idp.signMessage(xml, 'Response');
    return post(pending, Buffer.from(signed).toString('base64'));
  }
}

function post(pending: PendingLogin, samlResponse: string): PostMessage {
  return {
    action: pending.acsUrl,
    fields: { SAMLResponse: samlResponse, ...(pending.relayState ? { RelayState: pending.relayState } : {}) },
  };
}

function requestedFormat(root: Element): NameIdFormat | 'other' | undefined {
  const policy = root.getElementsByTagNameNS(NS.protocol, 'NameIDPolicy')[0];
  const format = policy?.getAttribute('Format');
  if (!format) return undefined;
  const known = (Object.entries(NAME_ID_FORMATS) as [NameIdFormat, string][]).find(([, uri]) => uri === format);
  return known ? known[0] : 'other';
}

const pendingKey = (uid: string): string => `saml-login:${uid}`;
const sessionKey = (serviceId: string, sessionIndex: string): string => `saml-session:${serviceId}:${sessionIndex}`;
export { SAML_PATHS };
