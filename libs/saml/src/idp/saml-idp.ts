import { X509Certificate, createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import samlify from 'samlify';
import type { IdentityProviderInstance, ServiceProviderInstance } from 'samlify';
import { AppConfig } from '#idtoken/platform';
import { Rs256TokenKeys } from '#idtoken/keys';
import {
  BINDINGS,
  DATA_ENCRYPTION,
  KEY_TRANSPORT_RSA_OAEP,
  NAME_ID_FORMATS,
  SIGNATURE_ALGORITHMS,
} from '../saml-urns.js';
import type { SamlSpSettings } from '../sp/saml-sp-settings.js';
import { SAML_PATHS } from '../saml-paths.js';
import { samlSchemaValidator } from './schema-validator.js';

// Every inbound message samlify parses is validated against the SAML 2.0 XSDs first (issue: always set).
samlify.setSchemaValidator(samlSchemaValidator);

/** The key and certificate that sign now (the current RS256 token key of libs/keys), as samlify takes them. */
export interface SamlSigner {
  kid: string;
  privateKeyPem: string;
  certificatePem: string;
  /** The certificate as base64 DER, as samlify's signer writes it into KeyInfo. */
  certificateBase64: string;
}

/**
 * The IdP side of samlify: entities built per SP from the current signing key (libs/keys' RS256 family, rotated
 * with publish-ahead and grace like every token key) and the SP's pinned settings. The entities are cheap and
 * carry per-SP choices (encryption, signing), so one is built for each message rather than shared.
 */
@Injectable()
export class SamlIdp {
  private signer: SamlSigner | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly keys: Rs256TokenKeys,
  ) {}

  get entityId(): string {
    return this.config.samlEntityId;
  }

  url(path: string): string {
    return `${this.config.issuerUrl}${path}`;
  }

  async currentSigner(): Promise<SamlSigner> {
    const key = await this.keys.signingKey();
    if (this.signer?.kid !== key.kid) {
      this.signer = {
        kid: key.kid,
        privateKeyPem: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        certificatePem: new X509Certificate(key.certificateDer).toString(),
        certificateBase64: key.certificateDer.toString('base64'),
      };
    }
    return this.signer;
  }

  /** Certificates of every published RS256 key (the next one during a rollover, the current, a retiring one). */
  async publishedCertificates(): Promise<string[]> {
    const { keys } = await this.keys.publicJwks();
    return keys.flatMap((jwk) => ('x5c' in jwk && jwk.x5c[0] ? [pem(jwk.x5c[0])] : []));
  }

  /** The IdP entity that answers `sp`, signing with the current key. */
  async entityFor(sp: SamlSpSettings | undefined): Promise<IdentityProviderInstance> {
    const signer = await this.currentSigner();
    return samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: signer.privateKeyPem,
      signingCert: signer.certificatePem,
      // Request signatures are checked by libs/saml's intake against the pinned certificates, not by samlify.
      wantAuthnRequestsSigned: false,
      requestSignatureAlgorithm: SIGNATURE_ALGORITHMS.rsaSha256,
      isAssertionEncrypted: sp?.encryptAssertion ?? false,
      dataEncryptionAlgorithm: sp ? DATA_ENCRYPTION[sp.dataEncryption] : undefined,
      keyEncryptionAlgorithm: KEY_TRANSPORT_RSA_OAEP,
      nameIDFormat: Object.values(NAME_ID_FORMATS),
      singleSignOnService: this.endpoints(SAML_PATHS.sso),
      singleLogoutService: this.endpoints(SAML_PATHS.slo),
    } as Parameters<typeof samlify.IdentityProvider>[0]);
  }

  /** The samlify SP entity of an SP's settings: what the response is addressed to, signed and encrypted for. */
  serviceProvider(settings: SamlSpSettings, acsUrl: string): ServiceProviderInstance {
    return samlify.ServiceProvider({
      entityID: settings.entityId,
      assertionConsumerService: [{ Binding: BINDINGS.post, Location: acsUrl }],
      singleLogoutService: settings.singleLogoutServices.map((slo) => ({
        Binding: BINDINGS[slo.binding],
        Location: slo.url,
      })),
      ...(settings.signingCertificates.length > 0 ? { signingCert: settings.signingCertificates.map(pem) } : {}),
      ...(settings.encryptionCertificate ? { encryptCert: pem(settings.encryptionCertificate) } : {}),
      wantAssertionsSigned: settings.signAssertion,
      wantMessageSigned: settings.signResponse,
      authnRequestsSigned: settings.wantSignedRequests,
      // Every LogoutResponse we send is signed.
      wantLogoutResponseSigned: true,
    });
  }

  /**
   * IdP metadata (saml-metadata §2.4.3): SSO and SLO for both bindings, every published signing certificate; when
   * `signed`, an enveloped signature by the current key over the whole EntityDescriptor (its first child).
   */
  async metadata(options: { signed?: boolean } = {}): Promise<string> {
    const certificates = await this.publishedCertificates();
    const entity = samlify.IdentityProvider({
      entityID: this.entityId,
      // saml-metadata §2.4.2/§2.4.3: the SSODescriptor children (SLO, NameIDFormat) come before SingleSignOnService.
      elementsOrder: samlify.Constants.elementsOrder.idp.shibboleth,
      signingCert: certificates,
      wantAuthnRequestsSigned: false,
      nameIDFormat: Object.values(NAME_ID_FORMATS),
      singleSignOnService: this.endpoints(SAML_PATHS.sso),
      singleLogoutService: this.endpoints(SAML_PATHS.slo),
    } as Parameters<typeof samlify.IdentityProvider>[0]);
    const xml = entity.getMetadata();
    if (!options.signed) return xml;
    const signer = await this.currentSigner();
    const id = `_${createHash('sha256').update(xml).digest('hex').slice(0, 40)}`;
    return samlify.SamlLib.constructSAMLSignature({
      rawSamlMessage: xml.replace('<EntityDescriptor ', `<EntityDescriptor ID="${id}" `),
      referenceTagXPath: '/*',
      privateKey: signer.privateKeyPem,
      signingCert: signer.certificateBase64,
      signatureAlgorithm: SIGNATURE_ALGORITHMS.rsaSha256,
      isBase64Output: false,
      signatureConfig: { prefix: 'ds', location: { reference: '/*', action: 'prepend' } },
    } as Parameters<typeof samlify.SamlLib.constructSAMLSignature>[0]);
  }

  /** Signs a status-only message (a refusal, which samlify cannot build) over its root, after its Issuer. */
  async signMessage(xml: string, rootName: string): Promise<string> {
    const signer = await this.currentSigner();
    return samlify.SamlLib.constructSAMLSignature({
      rawSamlMessage: xml,
      isMessageSigned: true,
      privateKey: signer.privateKeyPem,
      signingCert: signer.certificateBase64,
      signatureAlgorithm: SIGNATURE_ALGORITHMS.rsaSha256,
      isBase64Output: false,
      signatureConfig: {
        prefix: 'ds',
        location: { reference: `/*[local-name(.)='${rootName}']/*[local-name(.)='Issuer']`, action: 'after' },
      },
    } as Parameters<typeof samlify.SamlLib.constructSAMLSignature>[0]);
  }

  private endpoints(path: string) {
    return [
      { Binding: BINDINGS.redirect, Location: this.url(path) },
      { Binding: BINDINGS.post, Location: this.url(path) },
    ];
  }
}

/** PEM of a base64 DER certificate, 64 characters a line. */
export function pem(base64Der: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Der.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}
