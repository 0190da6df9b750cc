// Email addresses in the Backend API (@clerk/backend's emailAddresses: create for a user, get,
// update, delete). The EmailAddress object is the one users carry (user.schemas.ts).
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../../http/schemas.ts';

export { EmailAddressRef } from '../users/user.schemas.ts';

export const EmailAddressIdParams = Type.Object({ email_address_id: Type.String({ minLength: 1, maxLength: 64, description: 'idn_…' }) });

const Flag = (description: string) => Type.Optional(Nullable(Type.Boolean({ description })));

export const CreateEmailAddressBody = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 64, description: 'The user the address is added to.' }),
    email_address: Type.String({ maxLength: 320, description: 'Stored canonical (NFKC, lowercase); unique across users.' }),
    verified: Flag('Created verified (by the admin strategy); default false: unverified.'),
    primary: Flag('Made the primary address (it must then be verified); the first address of a user without one becomes primary anyway.'),
  },
  { additionalProperties: false },
);
export type CreateEmailAddressInput = Static<typeof CreateEmailAddressBody>;

export const UpdateEmailAddressBody = Type.Object(
  {
    verified: Flag('true marks it verified (admin strategy); false unverified (not the primary address).'),
    primary: Flag('true makes it the primary address (it must be verified); false is accepted and changes nothing.'),
  },
  { additionalProperties: false },
);
export type UpdateEmailAddressInput = Static<typeof UpdateEmailAddressBody>;

export const DeletedEmailAddress = Type.Object({ object: Type.Literal('email_address'), id: Type.String(), deleted: Type.Literal(true) });
