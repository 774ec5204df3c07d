// Account links: per-service enterprise attributes of a tokenId (email, UPN, ImmutableID, username, groups) that the
// OIDC and SAML facades release and a passport does not carry.
export { AccountsModule } from './accounts.module.js';
export { AccountLinkEntity } from './links/account-link.entity.js';
export { AccountLinks, type AccountLinkPage, type ChangeContext, type ImportResult } from './links/account-links.js';
export { accountLinkView, type AccountLinkView } from './links/account-link-view.js';
export type { AccountAttributes } from './links/account-attributes.js';
export { ACCOUNT_LINK_CSV_COLUMNS } from './csv/account-link-rows.js';
