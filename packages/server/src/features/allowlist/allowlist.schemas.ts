// The sign-up allowlist on the wire, in the shape of Clerk's Backend API (`@clerk/backend` 3.25
// AllowlistIdentifierAPI and resource AllowlistIdentifier; Clerk's OpenAPI component
// AllowlistIdentifier). Inline schemas without $id: nothing else references them.
//
// identifier_type is 'email_address' for a `*@domain` wildcard too: Clerk's enum (and the SDK's
// AllowlistIdentifierType) is email_address | phone_number | web3_wallet, and Clerk takes a domain
// only "in wildcard email format". The table's 'domain' type is Tessera's storage detail.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../../http/schemas.ts';

const Ms = (description = 'Unix milliseconds') => Type.Integer({ description });

export const AllowlistIdentifier = Type.Object({
  object: Type.Literal('allowlist_identifier'),
  id: Type.String({ description: 'alid_…' }),
  identifier: Type.String({ description: 'A canonical (NFKC, lowercase) email address, or `*@domain` for any address at that domain.' }),
  identifier_type: Type.Literal('email_address', {
    description: 'Always email_address: Tessera allowlists email addresses and `*@domain` wildcards (Clerk\'s type for both); phone numbers and Web3 wallets are not supported.',
  }),
  instance_id: Type.String({ description: 'ins_…' }),
  invitation_id: Nullable(Type.String({ description: 'Always null: Tessera never sends an invitation for an allowlist identifier (see `notify`).' })),
  created_at: Ms(),
  updated_at: Ms(),
});
export type AllowlistIdentifierJson = Static<typeof AllowlistIdentifier>;

export const AllowlistIdentifierList = Type.Union([
  Type.Array(AllowlistIdentifier),
  Type.Object({ data: Type.Array(AllowlistIdentifier), total_count: Type.Integer() }),
]);
export type AllowlistIdentifierListJson = AllowlistIdentifierJson[] | { data: AllowlistIdentifierJson[]; total_count: number };

export const DeletedAllowlistIdentifier = Type.Object({ object: Type.Literal('allowlist_identifier'), id: Type.String(), deleted: Type.Literal(true) });
export type DeletedAllowlistIdentifierJson = Static<typeof DeletedAllowlistIdentifier>;

export const ListAllowlistIdentifiersQuery = Type.Object(
  {
    paginated: Type.Optional(Type.Boolean({ description: 'true: `{data, total_count}` (what @clerk/backend sends); otherwise a bare array.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: '1..500; without it, every identifier is returned (as Clerk does).' })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'Skip this many, default 0.' })),
  },
  { additionalProperties: false },
);
export type ListAllowlistIdentifiersQueryT = Static<typeof ListAllowlistIdentifiersQuery>;

export const CreateAllowlistIdentifierBody = Type.Object(
  {
    identifier: Type.String({
      maxLength: 320,
      description:
        'An email address (stored canonical: NFKC, lowercase) or `*@example.com` (any address at exactly that domain, not its subdomains; the domain is lowercased and must be a ' +
        'dot-separated hostname). Anything else, phone numbers and Web3 wallets included, is 422 form_param_format_invalid; an identifier already listed is 400 duplicate_record.',
    }),
    notify: Type.Optional(
      Type.Boolean({
        description:
          'Clerk emails an invitation to a listed email address when true. Tessera sends none, so true with an email address is refused (422 form_param_value_invalid, ' +
          'meta.param_name "notify"): send one with POST /v1/invitations instead. For a `*@domain` wildcard Clerk notifies nobody either, so true is accepted there.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateAllowlistIdentifierInput = Static<typeof CreateAllowlistIdentifierBody>;

export const AllowlistIdentifierIdParams = Type.Object({ identifier_id: Type.String({ minLength: 1, maxLength: 64, description: 'alid_… id' }) });
