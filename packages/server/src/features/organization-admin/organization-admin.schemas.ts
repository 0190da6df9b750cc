// Organization administration from the browser (the calls behind useOrganization() in seed 001):
// the same paths as the Backend API's, answered for a signed-in session instead of the secret key.
// A browser may name only the address and the role: redirect_url, metadata, expiry and the inviter
// are not its to choose (seed 003); the inviter is the signed-in user.
import { Type, type Static } from '@sinclair/typebox';

const Email = Type.String({ minLength: 1, maxLength: 320 });
const Role = Type.String({ minLength: 1, maxLength: 64, description: 'A role key (org:admin, org:member, org:<custom>).' });

export const InviteMemberBody = Type.Object({ email_address: Email, role: Role }, { additionalProperties: false });
export type InviteMemberInput = Static<typeof InviteMemberBody>;

export const InviteMembersBody = Type.Object(
  { email_address: Type.Array(Email, { minItems: 1, description: 'Repeatable: up to 10 addresses, all invited or none.' }), role: Role },
  { additionalProperties: false },
);
export type InviteMembersInput = Static<typeof InviteMembersBody>;

/**
 * Creating an organization from the browser (clerk-js createOrganization): a name and, optionally,
 * a slug. The creator becomes its org:admin; limits, metadata and the creator are not the
 * browser's to choose.
 */
export const CreateOrganizationFromBrowserBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    slug: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Derived from the name when absent.' })),
  },
  { additionalProperties: false },
);
export type CreateOrganizationFromBrowserInput = Static<typeof CreateOrganizationFromBrowserBody>;
