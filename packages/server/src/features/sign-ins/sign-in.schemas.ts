// Sign-in attempts on the wire (clerk-wire.md §6.4, `SignIn`, object "sign_in_attempt").
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Nullable } from '../../http/schemas.ts';
import { FrontendVerificationRef } from '../clients/client.schemas.ts';

const Ms = () => Type.Integer({ description: 'Unix milliseconds' });

export const FirstFactor = Type.Object({
  strategy: Type.String({ description: 'password | email_code' }),
  safe_identifier: Type.Optional(Type.String({ description: 'The address, partly masked' })),
  email_address_id: Type.Optional(Type.String()),
  primary: Type.Optional(Type.Boolean()),
});

export const SignIn = Type.Object(
  {
    object: Type.Literal('sign_in_attempt'),
    id: Type.String({ description: 'sia_…' }),
    status: Type.Union([Type.Literal('needs_identifier'), Type.Literal('needs_first_factor'), Type.Literal('complete'), Type.Literal('abandoned')]),
    supported_identifiers: Type.Array(Type.String()),
    identifier: Nullable(Type.String()),
    supported_first_factors: Type.Array(FirstFactor),
    supported_second_factors: Type.Null(),
    first_factor_verification: Nullable(FrontendVerificationRef),
    second_factor_verification: Type.Null(),
    user_data: Nullable(Type.Object({ first_name: Nullable(Type.String()), last_name: Nullable(Type.String()), image_url: Type.String(), has_image: Type.Boolean() })),
    created_session_id: Nullable(Type.String()),
    abandon_at: Ms(),
  },
  { $id: 'SignIn' },
);
export type SignInJson = Static<typeof SignIn>;
export const SignInRef = Type.Unsafe<SignInJson>(Type.Ref('SignIn'));
export const signInSchemas: TSchema[] = [SignIn];

export const CreateSignInBody = Type.Object(
  {
    strategy: Type.Optional(Type.Union([Type.Literal('ticket'), Type.Literal('password'), Type.Literal('email_code')])),
    identifier: Type.Optional(Type.String({ maxLength: 320, description: 'The email address' })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    ticket: Type.Optional(Type.String({ maxLength: 512, description: 'The __clerk_ticket of an organization invitation link (existing user).' })),
  },
  { additionalProperties: false },
);
export type CreateSignInInput = Static<typeof CreateSignInBody>;

export const PrepareFirstFactorBody = Type.Object(
  { strategy: Type.Literal('email_code'), email_address_id: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type PrepareFirstFactorInput = Static<typeof PrepareFirstFactorBody>;

export const AttemptFirstFactorBody = Type.Object(
  {
    strategy: Type.Union([Type.Literal('password'), Type.Literal('email_code')]),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    code: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { additionalProperties: false },
);
export type AttemptFirstFactorInput = Static<typeof AttemptFirstFactorBody>;

export const SignInIdParams = Type.Object({ sign_in_id: Type.String({ minLength: 1, maxLength: 64 }) });
