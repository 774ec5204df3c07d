import type { AccountAttributes } from './account-attributes.js';
import type { AccountLinkEntity } from './account-link.entity.js';

/** An account link as the admin API and the audit trail show it. */
export interface AccountLinkView extends AccountAttributes {
  serviceId: string;
  tokenId: string;
  createdAt: string;
  updatedAt: string;
}

export function accountLinkView(link: AccountLinkEntity): AccountLinkView {
  return {
    serviceId: link.serviceId,
    tokenId: link.tokenId,
    email: link.email,
    emailVerified: link.emailVerified,
    upn: link.upn,
    immutableId: link.immutableId,
    username: link.username,
    groups: link.groups,
    createdAt: link.createdAt.toISOString(),
    updatedAt: link.updatedAt.toISOString(),
  };
}
