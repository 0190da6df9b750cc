// Sign-up attempts on the wire (clerk-wire.md §6.4, `SignUp`, object "sign_up_attempt").
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Metadata, Nullable } from '../../http/schemas.ts';
import { FrontendVerificationRef } from '../clients/client.schemas.ts';

const Ms = () => Type.Integer({ description: 'Unix milliseconds' });
const Name = Type.String({ maxLength: 256 });

export const SignUp = Type.Object(
  {
    object: Type.Literal('sign_up_attempt'),
    id: Type.String({ description: 'sua_…' }),
    status: Type.Union([Type.Literal('missing_requirements'), Type.Literal('complete'), Type.Literal('abandoned')]),
    required_fields: Type.Array(Type.String()),
    optional_fields: Type.Array(Type.String()),
    missing_fields: Type.Array(Type.String()),
    unverified_fields: Type.Array(Type.String()),
    verifications: Type.Object({ email_address: Nullable(FrontendVerificationRef) }),
    username: Type.Null(),
    email_address: Nullable(Type.String()),
    phone_number: Type.Null(),
    web3_wallet: Type.Null(),
    password_enabled: Type.Boolean(),
    first_name: Nullable(Type.String()),
    last_name: Nullable(Type.String()),
    unsafe_metadata: Metadata,
    public_metadata: Metadata,
    custom_action: Type.Boolean(),
    external_id: Type.Null(),
    created_session_id: Nullable(Type.String()),
    created_user_id: Nullable(Type.String()),
    abandon_at: Ms(),
    legal_accepted_at: Type.Null(),
  },
  { $id: 'SignUp' },
);
export type SignUpJson = Static<typeof SignUp>;
export const SignUpRef = Type.Unsafe<SignUpJson>(Type.Ref('SignUp'));
export const signUpSchemas: TSchema[] = [SignUp];

/** unsafe_metadata: a JSON object, or (in a form body) its JSON text. */
export const UnsafeMetadataField = Type.Union([Metadata, Type.String({ maxLength: 8192 })]);

const fields = {
  email_address: Type.Optional(Type.String({ maxLength: 320 })),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  first_name: Type.Optional(Name),
  last_name: Type.Optional(Name),
  unsafe_metadata: Type.Optional(UnsafeMetadataField),
  legal_accepted: Type.Optional(Type.Boolean()),
};

export const CreateSignUpBody = Type.Object(
  {
    strategy: Type.Optional(Type.Union([Type.Literal('ticket'), Type.Literal('email_code'), Type.Literal('password')], { description: 'ticket: accept an invitation (needs `ticket`); otherwise email + password, verified by an email code.' })),
    ticket: Type.Optional(Type.String({ maxLength: 512, description: 'The __clerk_ticket of an invitation link.' })),
    ...fields,
  },
  { additionalProperties: false },
);
export type CreateSignUpInput = Static<typeof CreateSignUpBody>;

export const UpdateSignUpBody = Type.Object(fields, { additionalProperties: false });
export type UpdateSignUpInput = Static<typeof UpdateSignUpBody>;

export const PrepareVerificationBody = Type.Object(
  { strategy: Type.Literal('email_code') },
  { additionalProperties: false },
);
export const AttemptVerificationBody = Type.Object(
  { strategy: Type.Literal('email_code'), code: Type.String({ maxLength: 16 }) },
  { additionalProperties: false },
);
export type AttemptVerificationInput = Static<typeof AttemptVerificationBody>;

export const SignUpIdParams = Type.Object({ sign_up_id: Type.String({ minLength: 1, maxLength: 64 }) });
