// The Users part of the Backend API on the wire (clerk-wire.md §4.3). The User and EmailAddress
// objects are registered once with an $id (app.ts adds `userSchemas`) and referenced with Type.Ref,
// so the OpenAPI document shows them as components. Bodies reject unknown keys; keys of the Clerk
// contract that Tessera does not support are accepted by the schema and refused by the service
// when they carry a value, so nothing is silently dropped.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Limit, Metadata, Nullable, Offset } from '../../http/schemas.ts';

const Ms = (description = 'Unix milliseconds') => Type.Integer({ description });
const MsOrNull = (description = 'Unix milliseconds') => Nullable(Type.Integer({ description }));
/** A list Tessera never fills (no phone numbers, wallets, passkeys, SSO): always []. */
const AlwaysEmpty = (what: string) =>
  Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 0, description: `Tessera has no ${what}: always empty.` });

export const Verification = Type.Object({
  object: Type.String({ description: 'verification_admin for addresses created through this API, verification_ticket for invitation sign-ups' }),
  status: Type.Union([Type.Literal('unverified'), Type.Literal('verified'), Type.Literal('expired'), Type.Literal('failed')]),
  strategy: Type.String({ description: 'admin | ticket | …' }),
  attempts: Nullable(Type.Integer()),
  expire_at: MsOrNull(),
});

export const EmailAddress = Type.Object(
  {
    object: Type.Literal('email_address'),
    id: Type.String({ description: 'idn_…' }),
    email_address: Type.String({ description: 'Canonical form: NFKC, lowercase.' }),
    reserved: Type.Boolean(),
    verification: Nullable(Verification),
    linked_to: Type.Array(Type.Object({ type: Type.String(), id: Type.String() }), { description: 'Always an array (@clerk/backend maps over it).' }),
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'EmailAddress' },
);
export type EmailAddressJson = Static<typeof EmailAddress>;

export const EmailAddressRef = Type.Unsafe<EmailAddressJson>(Type.Ref('EmailAddress'));

export const User = Type.Object(
  {
    object: Type.Literal('user'),
    id: Type.String({ description: 'user_…' }),
    external_id: Nullable(Type.String()),
    primary_email_address_id: Nullable(Type.String()),
    primary_phone_number_id: Type.Null(),
    primary_web3_wallet_id: Type.Null(),
    username: Nullable(Type.String()),
    first_name: Nullable(Type.String()),
    last_name: Nullable(Type.String()),
    image_url: Type.String({ description: 'Tessera stores no profile images: always "".' }),
    has_image: Type.Boolean(),
    public_metadata: Metadata,
    private_metadata: Metadata,
    unsafe_metadata: Metadata,
    email_addresses: Type.Array(EmailAddressRef),
    phone_numbers: AlwaysEmpty('phone numbers'),
    web3_wallets: AlwaysEmpty('Web3 wallets'),
    passkeys: AlwaysEmpty('passkeys'),
    external_accounts: AlwaysEmpty('OAuth accounts'),
    saml_accounts: AlwaysEmpty('SAML accounts'),
    enterprise_accounts: AlwaysEmpty('enterprise accounts'),
    password_enabled: Type.Boolean({ description: 'True when the user has a password (the digest itself is never returned).' }),
    two_factor_enabled: Type.Boolean(),
    totp_enabled: Type.Boolean(),
    backup_code_enabled: Type.Boolean(),
    mfa_enabled_at: MsOrNull(),
    mfa_disabled_at: MsOrNull(),
    password_last_updated_at: MsOrNull('Not tracked by Tessera: always null.'),
    banned: Type.Boolean(),
    locked: Type.Boolean(),
    lockout_expires_in_seconds: Nullable(Type.Integer()),
    verification_attempts_remaining: Nullable(Type.Integer()),
    last_sign_in_at: MsOrNull(),
    last_active_at: MsOrNull(),
    legal_accepted_at: MsOrNull(),
    locale: Nullable(Type.String()),
    timezone: Type.Null({ description: 'Tessera stores no time zone: always null.' }),
    deprovisioned: Type.Boolean(),
    delete_self_enabled: Type.Boolean(),
    create_organization_enabled: Type.Boolean(),
    create_organizations_limit: Nullable(Type.Integer()),
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'User' },
);
export type UserJson = Static<typeof User>;

/** Shared schemas with an $id, registered once on the app (referenced with Type.Ref). */
export const userSchemas: TSchema[] = [EmailAddress, User];

export const UserRef = Type.Unsafe<UserJson>(Type.Ref('User'));

export const UserCount = Type.Object({ object: Type.Literal('total_count'), total_count: Type.Integer() });

export const DeletedUser = Type.Object({ object: Type.Literal('user'), id: Type.String(), deleted: Type.Literal(true) });

const Str = (opts: { maxLength?: number; description?: string } = {}) => Type.Optional(Nullable(Type.String({ maxLength: 256, ...opts })));
const Bool = (description?: string) => Type.Optional(Nullable(Type.Boolean(description ? { description } : {})));
const DateTime = (description: string) => Type.Optional(Nullable(Type.String({ maxLength: 64, description: `${description} RFC 3339, e.g. 2012-10-20T07:15:20.902Z.` })));
const NotSupported = <T extends TSchema>(t: T, what: string) =>
  Type.Optional(Type.Union([t, Type.Null()], { description: `Not supported by Tessera (${what}): any non-empty value is 422 form_param_value_invalid.` }));
const PasswordFields = {
  password: Type.Optional(Nullable(Type.String({ description: 'At least 8 characters (unless skip_password_checks), at most 256. Stored as argon2id (m=19456 KiB, t=2, p=1).' }))),
  password_digest: Str({ maxLength: 1024, description: 'An existing digest to import; needs password_hasher.' }),
  password_hasher: Str({ maxLength: 64, description: 'argon2id or bcrypt ($2a$, $2b$, $2y$; other Clerk hashers are refused). A bcrypt digest is replaced by an argon2id one at the first sign-in with the password.' }),
  skip_password_checks: Bool('Skips the minimum length check.'),
};
const Flags = {
  delete_self_enabled: Bool(),
  create_organization_enabled: Bool(),
  create_organizations_limit: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }))),
  legal_accepted_at: DateTime('When the user accepted the legal terms.'),
  skip_legal_checks: Bool('Accepted; Tessera has no legal-consent requirement to skip.'),
  created_at: DateTime('Overrides the creation time (imports).'),
};

export const CreateUserBody = Type.Object(
  {
    external_id: Str({ maxLength: 255, description: 'Unique. "" is read as null.' }),
    email_address: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100, description: 'The first becomes primary. Created verified.' }))),
    email_address_identification_status: Type.Optional(
      Nullable(Type.Array(Type.Union([Type.Literal('verified'), Type.Literal('reserved')]), { maxItems: 100, description: 'One entry per email_address.' })),
    ),
    username: Str({ description: 'Lowercased; 4..64 of a-z 0-9 _ - .; unique.' }),
    first_name: Str(),
    last_name: Str(),
    locale: Str({ maxLength: 35 }),
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
    unsafe_metadata: Type.Optional(Nullable(Metadata)),
    ...PasswordFields,
    skip_password_requirement: Bool('Allows a user without a password.'),
    banned: Bool(),
    locked: Bool(),
    ...Flags,
    phone_number: NotSupported(Type.Array(Type.String()), 'phone numbers'),
    phone_number_identification_status: NotSupported(Type.Array(Type.String()), 'phone numbers'),
    web3_wallet: NotSupported(Type.Array(Type.String()), 'Web3 wallets'),
    totp_secret: NotSupported(Type.String(), 'TOTP'),
    backup_codes: NotSupported(Type.Array(Type.String()), 'backup codes'),
    timezone: NotSupported(Type.String(), 'time zones'),
    skip_user_requirement: NotSupported(Type.Boolean(), 'users without an identifier'),
    bypass_client_trust: NotSupported(Type.Boolean(), 'client trust'),
  },
  { additionalProperties: false },
);
export type CreateUserInput = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    external_id: Str({ maxLength: 255, description: 'Unique; null or "" removes it.' }),
    username: Str({ description: 'Lowercased; 4..64 of a-z 0-9 _ - .; unique; null removes it (if the user keeps an email address).' }),
    first_name: Str(),
    last_name: Str(),
    locale: Str({ maxLength: 35 }),
    primary_email_address_id: Str({ maxLength: 64, description: 'A verified address of this user.' }),
    ...PasswordFields,
    sign_out_of_other_sessions: Bool('Accepted; the Backend API holds no sessions to end.'),
    ...Flags,
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
    unsafe_metadata: Type.Optional(Nullable(Metadata)),
    notify_primary_email_address_changed: NotSupported(Type.Boolean(), 'change notifications'),
    primary_phone_number_id: NotSupported(Type.String(), 'phone numbers'),
    primary_web3_wallet_id: NotSupported(Type.String(), 'Web3 wallets'),
    profile_image_id: NotSupported(Type.String(), 'profile images'),
    totp_secret: NotSupported(Type.String(), 'TOTP'),
    backup_codes: NotSupported(Type.Array(Type.String()), 'backup codes'),
    timezone: NotSupported(Type.String(), 'time zones'),
    bypass_client_trust: NotSupported(Type.Boolean(), 'client trust'),
  },
  {
    additionalProperties: false,
    description: 'API versions before 2026-05-12 also sent metadata here; it replaces the given objects, as PUT …/metadata does.',
  },
);
export type UpdateUserInput = Static<typeof UpdateUserBody>;

export const UserMetadataBody = Type.Object(
  {
    public_metadata: Type.Optional(Nullable(Metadata)),
    private_metadata: Type.Optional(Nullable(Metadata)),
    unsafe_metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type UserMetadataInput = Static<typeof UserMetadataBody>;

const ids = (description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100, description: `${description} Repeat the key for several (up to 100).` }));
const msFilter = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: `${description} (Unix milliseconds)` }));

export const UserFilterFields = {
  email_address: ids('Users with any of these addresses (canonicalised; an invalid address matches nothing).'),
  user_id: ids('Users with any of these ids.'),
  external_id: ids('Users with any of these external ids.'),
  username: ids('Users with any of these usernames (case-insensitive).'),
  phone_number: ids('Tessera has no phone numbers: given, it matches no user.'),
  web3_wallet: ids('Tessera has no Web3 wallets: given, it matches no user.'),
  organization_id: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'Not supported yet: 422 form_param_value_invalid.' })),
  query: Type.Optional(Type.String({ maxLength: 320, description: 'Part of an email address, first or last name, username or user id (case-insensitive).' })),
  created_at_before: msFilter('Created before'),
  created_at_after: msFilter('Created after'),
  last_active_at_before: msFilter('Last active before'),
  last_active_at_after: msFilter('Last active after'),
  last_active_at_since: msFilter('Deprecated alias of last_active_at_after'),
  last_sign_in_at_before: msFilter('Last signed in before'),
  last_sign_in_at_after: msFilter('Last signed in after'),
};

export const USER_ORDER_FIELDS = ['created_at', 'updated_at', 'email_address', 'first_name', 'last_name', 'last_sign_in_at', 'last_active_at', 'username'] as const;
export type UserOrderField = (typeof USER_ORDER_FIELDS)[number];
export const UserOrderBy = Type.Union(
  USER_ORDER_FIELDS.flatMap((f) => [Type.Literal(f), Type.Literal(`+${f}`), Type.Literal(`-${f}`)]),
  { description: '[+|-]field, default -created_at. Users without the field sort last.' },
);

export const ListUsersQuery = Type.Object(
  { ...UserFilterFields, order_by: Type.Optional(UserOrderBy), limit: Type.Optional(Limit), offset: Type.Optional(Offset) },
  { additionalProperties: false },
);
export type ListUsersQueryT = Static<typeof ListUsersQuery>;

export const CountUsersQuery = Type.Object(UserFilterFields, { additionalProperties: false });
export type CountUsersQueryT = Static<typeof CountUsersQuery>;

export const UserIdParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 64, description: 'user_…' }) });
