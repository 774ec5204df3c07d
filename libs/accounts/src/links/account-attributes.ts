import { z } from 'zod';

/** What an admin attaches to a tokenId for one service: what an enterprise directory knows and a passport does not. */
export interface AccountAttributes {
  email: string | null;
  emailVerified: boolean;
  upn: string | null;
  immutableId: string | null;
  username: string | null;
  groups: string[];
}

/** A tokenId as the database spells it (lower case), from any case. */
export const tokenIdSchema = z.uuid('must be a UUID').transform((value) => value.toLowerCase());

const CONTROL_CHARACTERS = /\p{Cc}/u;
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters');

/** `;` separates groups in the CSV, so a group name cannot hold one. */
export const GROUP_SEPARATOR = ';';
const group = text(256).refine((value) => !value.includes(GROUP_SEPARATOR), `must not contain "${GROUP_SEPARATOR}"`);

/**
 * The body of `PUT /admin/services/{serviceId}/account-links/{tokenId}` and one CSV row: the whole set of attributes,
 * since a PUT replaces them (an absent field is cleared). Values are trimmed; groups are kept once each, in order.
 */
export const accountAttributesSchema = z
  .object({
    email: z.string().trim().max(254).pipe(z.email('must be an email address')).nullable().default(null),
    emailVerified: z.boolean().default(false),
    // Entra's userPrincipalName: name@suffix.
    upn: text(256)
      .refine((value) => /^[^\s@]+@[^\s@]+$/.test(value), 'must look like name@domain')
      .nullable()
      .default(null),
    immutableId: text(256).nullable().default(null),
    username: text(256).nullable().default(null),
    groups: z
      .array(group)
      .max(200)
      .transform((groups) => [...new Set(groups)])
      .default([]),
  })
  .strict()
  .refine((attributes) => !attributes.emailVerified || attributes.email !== null, {
    path: ['emailVerified'],
    message: 'must be false without an email',
  });

/** The values a facade may look a tokenId up by (email and username), folded for comparison, each once. */
export function aliasesOf(attributes: Pick<AccountAttributes, 'email' | 'username'>): string[] {
  const aliases = [attributes.email, attributes.username].filter((value): value is string => value !== null);
  return [...new Set(aliases.map(foldAlias))];
}

/** Aliases compare without regard to case (the unique indexes use `lower()`). */
export function foldAlias(value: string): string {
  return value.toLowerCase();
}

export function sameAttributes(a: AccountAttributes, b: AccountAttributes): boolean {
  return (
    a.email === b.email &&
    a.emailVerified === b.emailVerified &&
    a.upn === b.upn &&
    a.immutableId === b.immutableId &&
    a.username === b.username &&
    a.groups.length === b.groups.length &&
    a.groups.every((group, i) => group === b.groups[i])
  );
}

export function attributesOf(link: AccountAttributes): AccountAttributes {
  const { email, emailVerified, upn, immutableId, username, groups } = link;
  return { email, emailVerified, upn, immutableId, username, groups };
}
