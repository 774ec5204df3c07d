import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { DATA_ENCRYPTION, NAME_ID_FORMATS, ATTRIBUTE_NAME_FORMATS, type DataEncryption } from '../saml-urns.js';
import { ATTRIBUTE_SOURCES, type AttributeName, type AttributeSource } from './saml-attribute-catalogue.js';
import { NAME_ID_SOURCES, SAML_PROFILE_NAMES, SAML_PROFILES, type SamlProfile } from './saml-profiles.js';

export type NodeEnv = 'development' | 'test' | 'production';

const LOCALHOST = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An SP endpoint: https; in development and test also http on localhost (as for service origins). */
function endpointUrl(nodeEnv: NodeEnv) {
  return z
    .string()
    .max(2048)
    .refine((value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false;
      }
      if (url.username || url.password || url.hash) return false;
      if (url.protocol === 'https:') return true;
      return nodeEnv !== 'production' && url.protocol === 'http:' && LOCALHOST.has(url.hostname);
    }, 'must be an https URL without credentials or fragment');
}

/**
 * A certificate as PEM or base64 DER, kept as single-line base64 DER. Only RSA and EC keys; the certificate is pinned
 * (the only key a signed request is checked with), never taken from a message's KeyInfo.
 */
export const certificateField = z
  .string()
  .max(16384)
  .transform((value, context) => {
    const base64 = value.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    try {
      const certificate = new X509Certificate(Buffer.from(base64, 'base64'));
      const type = certificate.publicKey.asymmetricKeyType;
      if (type !== 'rsa' && type !== 'ec') throw new Error(`a ${type} key`);
      return certificate.raw.toString('base64');
    } catch (error) {
      context.addIssue({ code: 'custom', message: `must be an X.509 certificate (${(error as Error).message})` });
      return z.NEVER;
    }
  });

const attributeName = z
  .object({
    name: z.string().min(1).max(1024),
    nameFormat: z.enum(Object.keys(ATTRIBUTE_NAME_FORMATS) as [keyof typeof ATTRIBUTE_NAME_FORMATS]).default('uri'),
    friendlyName: z.string().min(1).max(256).optional(),
  })
  .strict();

/**
 * `services.saml`: one SAML SP (docs/saml.md). Usually written from the SP's metadata plus a profile; every field
 * can be given or overridden by the admin. Responses go to an ACS by HTTP-POST only (the Redirect binding cannot
 * carry a signed assertion of useful size).
 */
export function samlSpSettingsSchema(nodeEnv: NodeEnv) {
  const url = endpointUrl(nodeEnv);
  return z
    .object({
      entityId: z.string().trim().min(1).max(1024),
      profile: z.enum(SAML_PROFILE_NAMES as [keyof typeof SAML_PROFILES]).default('generic'),
      assertionConsumerServices: z
        .array(
          z
            .object({
              url,
              index: z.number().int().min(0).max(65535).optional(),
              isDefault: z.boolean().optional(),
            })
            .strict(),
        )
        .min(1)
        .max(20),
      singleLogoutServices: z
        .array(z.object({ url, binding: z.enum(['redirect', 'post']), responseUrl: url.optional() }).strict())
        .max(10)
        .default([]),
      signingCertificates: z.array(certificateField).max(4).default([]),
      encryptionCertificate: certificateField.nullable().default(null),
      wantSignedRequests: z.boolean().default(false),
      signResponse: z.boolean().default(true),
      signAssertion: z.boolean().default(true),
      encryptAssertion: z.boolean().default(false),
      dataEncryption: z.enum(Object.keys(DATA_ENCRYPTION) as [DataEncryption]).default('aes256-gcm'),
      idpInitiated: z.boolean().default(false),
      nameIdFormat: z.enum(Object.keys(NAME_ID_FORMATS) as [keyof typeof NAME_ID_FORMATS]).optional(),
      nameIdSource: z.enum(NAME_ID_SOURCES).optional(),
      /** Renames (or with null, withholds) attributes, by source; merged over the profile's. */
      attributes: z.partialRecord(z.enum(ATTRIBUTE_SOURCES as [AttributeSource]), attributeName.nullable()).default({}),
      authnContextClassRef: z.string().min(1).max(1024).optional(),
    })
    .strict()
    .superRefine((settings, context) => {
      const problem = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
      if (settings.wantSignedRequests && settings.signingCertificates.length === 0) {
        problem('signingCertificates', 'signed requests need at least one SP signing certificate');
      }
      if (settings.encryptAssertion && !settings.encryptionCertificate) {
        problem('encryptionCertificate', 'an encrypted assertion needs the SP encryption certificate');
      }
      if (settings.encryptionCertificate) {
        const key = new X509Certificate(Buffer.from(settings.encryptionCertificate, 'base64')).publicKey;
        if (key.asymmetricKeyType !== 'rsa') {
          problem('encryptionCertificate', 'must hold an RSA key (the key is wrapped with RSA-OAEP)');
        }
      }
      // saml-core §8.3.7/§8.3.8: a transient NameID is random per assertion, a persistent one is stable.
      if (
        (settings.nameIdFormat === 'transient') !== (settings.nameIdSource === 'transient') &&
        settings.nameIdFormat !== undefined &&
        settings.nameIdSource !== undefined
      ) {
        problem('nameIdSource', 'a transient NameID format goes with the transient source, and only with it');
      }
      if (!settings.signResponse && !settings.signAssertion) {
        problem('signAssertion', 'the response, the assertion or both must be signed');
      }
      const defaults = settings.assertionConsumerServices.filter((acs) => acs.isDefault).length;
      if (defaults > 1) problem('assertionConsumerServices', 'at most one may be the default');
      const indexes = settings.assertionConsumerServices.flatMap((acs) => (acs.index === undefined ? [] : [acs.index]));
      if (new Set(indexes).size !== indexes.length) problem('assertionConsumerServices', 'indexes must be unique');
    });
}

export type SamlSpSettings = z.output<ReturnType<typeof samlSpSettingsSchema>>;
export type SamlSpSettingsInput = z.input<ReturnType<typeof samlSpSettingsSchema>>;

/** The profile's defaults with the SP's own overrides applied: what a response is built from. */
export interface EffectiveSpPolicy {
  nameIdFormat: SamlProfile['nameIdFormat'];
  nameIdSource: SamlProfile['nameIdSource'];
  attributes: SamlProfile['attributes'];
  authnContextClassRef: string;
}

export function effectivePolicy(settings: SamlSpSettings): EffectiveSpPolicy {
  const profile: SamlProfile = SAML_PROFILES[settings.profile];
  const merged = { ...profile.attributes, ...settings.attributes } as Record<AttributeSource, AttributeName | null>;
  const attributes = Object.fromEntries(
    Object.entries(merged).filter(([, name]) => name !== null),
  ) as SamlProfile['attributes'];
  return {
    nameIdFormat: settings.nameIdFormat ?? profile.nameIdFormat,
    nameIdSource: settings.nameIdSource ?? profile.nameIdSource,
    attributes,
    authnContextClassRef: settings.authnContextClassRef ?? profile.authnContextClassRef,
  };
}

/** The ACS a response goes to: the one the request named (URL or index) if registered, else the default one. */
export function chooseAcs(settings: SamlSpSettings, requested: { url?: string; index?: number }): string | undefined {
  const list = settings.assertionConsumerServices;
  if (requested.url !== undefined) return list.find((acs) => acs.url === requested.url)?.url;
  if (requested.index !== undefined) return list.find((acs) => acs.index === requested.index)?.url;
  return (list.find((acs) => acs.isDefault) ?? list[0])?.url;
}
