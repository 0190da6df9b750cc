// The signed-in user's own resources in the Frontend API. Objects a browser sees never carry
// private metadata.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { OrganizationInvitation } from '../organization-invitations/organization-invitation.schemas.ts';
import { FrontendMembershipRef } from '../clients/client.schemas.ts';
import { UnsafeMetadataField } from '../sign-ups/sign-up.schemas.ts';

export const FrontendOrganizationInvitation = Type.Omit(OrganizationInvitation, ['private_metadata'], { $id: 'FrontendOrganizationInvitation' });
export type FrontendOrganizationInvitationJson = Static<typeof FrontendOrganizationInvitation>;
export const FrontendOrganizationInvitationRef = Type.Unsafe<FrontendOrganizationInvitationJson>(Type.Ref('FrontendOrganizationInvitation'));
export const FrontendOrganizationInvitationList = Type.Object({ data: Type.Array(FrontendOrganizationInvitationRef), total_count: Type.Integer() });
export type FrontendOrganizationInvitationListJson = Static<typeof FrontendOrganizationInvitationList>;

export const FrontendMembershipList = Type.Object({ data: Type.Array(FrontendMembershipRef), total_count: Type.Integer() });
export type FrontendMembershipListJson = Static<typeof FrontendMembershipList>;

export const meSchemas: TSchema[] = [FrontendOrganizationInvitation];

export const InvitationIdParams = Type.Object({ invitation_id: Type.String({ minLength: 1, maxLength: 64, description: 'orginv_…' }) });

/**
 * What a signed-in user may change of their own account (clerk-js user.update): their names, their
 * username, their unsafe metadata (an object, or its JSON text in a form; it replaces the stored
 * one) and which verified address is primary. Everything else is the backend's to set.
 */
export const UpdateMeBody = Type.Object(
  {
    first_name: Type.Optional(Type.String({ maxLength: 256 })),
    last_name: Type.Optional(Type.String({ maxLength: 256 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    unsafe_metadata: Type.Optional(UnsafeMetadataField),
    primary_email_address_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'One of the user\'s verified addresses.' })),
  },
  { additionalProperties: false },
);
export type UpdateMeInput = Static<typeof UpdateMeBody>;

export const CreateMyEmailAddressBody = Type.Object({ email_address: Type.String({ maxLength: 320 }) }, { additionalProperties: false });
export const PrepareEmailAddressVerificationBody = Type.Object({ strategy: Type.Literal('email_code') }, { additionalProperties: false });
export const AttemptEmailAddressVerificationBody = Type.Object(
  { code: Type.String({ maxLength: 16 }), strategy: Type.Optional(Type.Literal('email_code')) },
  { additionalProperties: false },
);
