import type { ServicePayload } from '#idtoken/vds';

/** How long a Service VDS is valid. A constant for now (not configuration): docs/decisions.md "Services". */
export const SERVICE_VDS_VALIDITY_DAYS = 90;
/** A new Service VDS is issued once the current one is this close to its expiry. */
export const SERVICE_VDS_RENEW_BEFORE_DAYS = 30;

const DAY_SECONDS = 86_400;

/**
 * The logo of a service registered without `logoUrl`: spec §2 requires `logo` in every Service VDS. A neutral
 * rounded square, small enough to keep the QR code small.
 */
export const DEFAULT_SERVICE_LOGO =
  "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'><rect width='8' height='8' rx='2' fill='%23667'/></svg>";

/** The fields of a service a Service VDS shows: a change to any of them needs a new VDS. */
export interface ServiceIdentity {
  serviceId: string;
  name: string;
  url: string;
  logoUrl: string | null;
  allowedScopes: readonly string[];
}

/** spec §2 manifest 0x0A0002: `sid name url logo scp iat exp iss`, all required. */
export function servicePayloadFor(service: ServiceIdentity, issuerUrl: string, now: Date): ServicePayload {
  const iat = Math.floor(now.getTime() / 1000);
  return {
    sid: service.serviceId,
    name: service.name,
    url: service.url,
    logo: service.logoUrl ?? DEFAULT_SERVICE_LOGO,
    scp: [...service.allowedScopes],
    iat,
    exp: iat + SERVICE_VDS_VALIDITY_DAYS * DAY_SECONDS,
    iss: issuerUrl,
  };
}

/**
 * Whether the VDS with `current` payload must be replaced: it is missing, shows other service details or
 * issuer, or expires within SERVICE_VDS_RENEW_BEFORE_DAYS.
 */
export function needsNewServiceVds(
  current: ServicePayload | undefined,
  service: ServiceIdentity,
  issuerUrl: string,
  now: Date,
): boolean {
  if (!current) return true;
  const wanted = servicePayloadFor(service, issuerUrl, now);
  const sameContent =
    current.sid === wanted.sid &&
    current.name === wanted.name &&
    current.url === wanted.url &&
    current.logo === wanted.logo &&
    current.iss === wanted.iss &&
    current.scp.length === wanted.scp.length &&
    current.scp.every((scope, index) => scope === wanted.scp[index]);
  const renewAt = current.exp - SERVICE_VDS_RENEW_BEFORE_DAYS * DAY_SECONDS;
  return !sameContent || wanted.iat >= renewAt;
}
