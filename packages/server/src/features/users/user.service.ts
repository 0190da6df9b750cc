// Users in the Backend API: create, list, count, get, update, delete, and metadata.
//
// Rules that hold for every function here:
// - email addresses are canonicalised (lib/email.ts) before they are checked, stored or matched;
//   usernames are NFKC + lowercase. An address, a username and an external id each belong to at
//   most one user: unique indexes make that a database fact, and a unique violation from a race
//   is answered exactly like the friendly pre-check (422 form_identifier_exists, meta.param_name).
// - keys of the Clerk contract that Tessera does not support are refused with 422
//   form_param_value_invalid when they carry a value: data is never silently dropped.
// - every write is one transaction (with its audit_log row); passwords are hashed before it opens,
//   so no connection is held during the ~50 ms of argon2id.
// - the password digest never leaves the repository (reads return password_enabled).
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid, paramMissing } from '../../http/errors.ts';
import { ms, msOrNull } from '../../http/schemas.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import {
  countUsers,
  deleteUserById,
  findClaimedEmails,
  findEmailAddressesByUserIds,
  findTakenIdentifiers,
  findUserByIdForUpdate,
  findUserWithEmails,
  insertEmailAddresses,
  insertUser,
  listUsers,
  recordUserAudit,
  updateUserById,
  type NewEmailAddress,
  type UserFilter,
  type UserPatch,
  type UserView,
} from './user.repository.ts';
import { resolvePassword } from './user.password.ts';
import {
  USER_ORDER_FIELDS,
  type CountUsersQueryT,
  type CreateUserInput,
  type EmailAddressJson,
  type ListUsersQueryT,
  type UpdateUserInput,
  type UserJson,
  type UserMetadataInput,
} from './user.schemas.ts';
import type { EmailAddressRow } from './user.table.ts';

type Json = Record<string, unknown>;
const METADATA_KEYS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;
type MetadataKey = (typeof METADATA_KEYS)[number];

// ---------------------------------------------------------------------------------------------
// Wire mappers

const VERIFICATION_OBJECTS: Record<string, string> = {
  admin: 'verification_admin',
  ticket: 'verification_ticket',
  email_code: 'verification_otp',
};

export function emailAddressRowToJson(row: EmailAddressRow): EmailAddressJson {
  return {
    object: 'email_address',
    id: row.id,
    email_address: row.email,
    reserved: row.reserved,
    verification: {
      object: VERIFICATION_OBJECTS[row.verification_strategy] ?? `verification_${row.verification_strategy}`,
      status: row.verification_status,
      strategy: row.verification_strategy,
      attempts: null,
      expire_at: null,
    },
    linked_to: [],
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  };
}

export function userRowToJson(user: UserView, emails: EmailAddressRow[]): UserJson {
  return {
    object: 'user',
    id: user.id,
    external_id: user.external_id,
    primary_email_address_id: user.primary_email_address_id,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    image_url: '',
    has_image: false,
    public_metadata: user.public_metadata ?? {},
    private_metadata: user.private_metadata ?? {},
    unsafe_metadata: user.unsafe_metadata ?? {},
    email_addresses: emails.map(emailAddressRowToJson),
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    password_enabled: user.password_enabled,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    password_last_updated_at: null,
    banned: user.banned,
    locked: user.locked,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: null,
    last_sign_in_at: msOrNull(user.last_sign_in_at),
    last_active_at: msOrNull(user.last_active_at),
    legal_accepted_at: msOrNull(user.legal_accepted_at),
    locale: user.locale,
    timezone: null,
    deprovisioned: false,
    delete_self_enabled: user.delete_self_enabled,
    create_organization_enabled: user.create_organization_enabled,
    create_organizations_limit: user.create_organizations_limit,
    created_at: ms(user.created_at),
    updated_at: ms(user.updated_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Input rules shared by create and update

/** Refuses a contract key Tessera does not support, unless its value is empty (null, false, "", []). */
function rejectUnsupported<T extends object>(input: T, keys: readonly (keyof T & string)[]): void {
  for (const key of keys) {
    const v: unknown = input[key];
    const empty = v === undefined || v === null || v === false || v === '' || (Array.isArray(v) && v.length === 0);
    if (!empty) throw paramInvalid(key, 'is not supported by this server');
  }
}

const USERNAME_MIN = 4;
const USERNAME_MAX = 64;

/** NFKC + lowercase; 4..64 characters of a-z, 0-9, '_', '-', '.' (never '@': it is not an email). */
function canonicalUsername(raw: string): string {
  const u = raw.normalize('NFKC').toLowerCase();
  const length = [...u].length;
  if (length < USERNAME_MIN || length > USERNAME_MAX) {
    throw new ApiError('form_username_invalid_length', { vars: { min: USERNAME_MIN, max: USERNAME_MAX }, meta: { param_name: 'username' } });
  }
  if (!/^[a-z0-9_.-]+$/.test(u)) throw new ApiError('form_username_invalid_character', { meta: { param_name: 'username' } });
  return u;
}

/** Each address canonical and listed once; a bad one is 422 form_param_format_invalid. */
function canonicalEmailList(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const email = canonicalEmail(raw);
    if (email === null) throw paramFormatInvalid('email_address', 'email address');
    if (out.includes(email)) throw paramInvalid('email_address', `lists ${email} more than once`);
    out.push(email);
  }
  return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp (what @clerk/backend sends for a Date), or null when none was given. */
function parseTimestamp(param: string, value: string | null | undefined): Date | null {
  if (value == null) return null;
  const d = new Date(value);
  // Year ≥ 1: PostgreSQL has no year 0.
  if (!RFC3339.test(value) || Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1) throw paramFormatInvalid(param, 'RFC 3339 date-time');
  return d;
}

const emptyToNull = (s: string | null | undefined): string | null => (s == null || s === '' ? null : s);

export function identifierTaken(param: 'email_address' | 'username' | 'external_id', emails?: string[]): ApiError {
  const label = { email_address: 'email address', username: 'username', external_id: 'external id' }[param];
  return new ApiError('form_identifier_exists', {
    vars: { param: label },
    meta: { param_name: param, ...(emails && emails.length > 0 ? { email_addresses: emails } : {}) },
  });
}

/** The friendly check, inside the transaction; the unique indexes still decide races. */
async function ensureIdentifiersFree(
  trx: Transaction<Database>,
  ids: { emails: string[]; username: string | null; externalId: string | null },
  exceptUserId?: string,
): Promise<void> {
  const claimed = await findClaimedEmails(trx, ids.emails);
  if (claimed.length > 0) throw identifierTaken('email_address', claimed.sort());
  const taken = await findTakenIdentifiers(trx, { username: ids.username, externalId: ids.externalId }, exceptUserId);
  if (taken.username) throw identifierTaken('username');
  if (taken.externalId) throw identifierTaken('external_id');
}

/** Runs a write; a unique violation from a concurrent writer becomes the same 422 as the pre-check. */
export async function withIdentifierGuard<T>(deps: Deps, emails: string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, 'email_addresses_email_key')) throw identifierTaken('email_address', (await findClaimedEmails(deps.db, emails)).sort());
    if (isUniqueViolation(err, 'users_username_key')) throw identifierTaken('username');
    if (isUniqueViolation(err, 'users_external_id_key')) throw identifierTaken('external_id');
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Create

const CREATE_UNSUPPORTED = [
  'phone_number', 'phone_number_identification_status', 'web3_wallet', 'totp_secret', 'backup_codes',
  'timezone', 'skip_user_requirement', 'bypass_client_trust',
] as const satisfies readonly (keyof CreateUserInput)[];

/**
 * A user needs an identifier: an email address or a username (else 422 form_param_missing
 * email_address), and a password (or password_digest) unless skip_password_requirement (else 422
 * form_param_missing password). The first address is primary; addresses are created verified by
 * the admin strategy, or reserved (unverified) per email_address_identification_status. A taken
 * address, username or external id is 422 form_identifier_exists.
 */
export async function createUser(deps: Deps, input: CreateUserInput): Promise<UserJson> {
  rejectUnsupported(input, CREATE_UNSUPPORTED);
  const emails = canonicalEmailList(input.email_address ?? []);
  const statuses = input.email_address_identification_status ?? null;
  if (statuses !== null && statuses.length !== emails.length) {
    throw paramInvalid('email_address_identification_status', 'needs exactly one entry per email_address');
  }
  const username = input.username != null ? canonicalUsername(input.username) : null;
  if (emails.length === 0 && username === null) throw paramMissing('email_address');
  const externalId = emptyToNull(input.external_id);
  const legalAcceptedAt = parseTimestamp('legal_accepted_at', input.legal_accepted_at);
  const createdAt = parseTimestamp('created_at', input.created_at);
  const password = await resolvePassword(input);
  if (password === null && input.skip_password_requirement !== true) throw paramMissing('password');

  const userId = newId('user');
  const emailRows: NewEmailAddress[] = emails.map((email, i) => {
    const reserved = statuses?.[i] === 'reserved';
    return { id: newId('idn'), user_id: userId, email, reserved, verification_status: reserved ? 'unverified' : 'verified', verification_strategy: 'admin' };
  });

  return withIdentifierGuard(deps, emails, () =>
    deps.db.transaction().execute(async (trx) => {
      await ensureIdentifiersFree(trx, { emails, username, externalId });
      const user = await insertUser(trx, {
        id: userId,
        external_id: externalId,
        username,
        first_name: input.first_name ?? null,
        last_name: input.last_name ?? null,
        password_digest: password?.digest ?? null,
        password_hasher: password?.hasher ?? null,
        public_metadata: input.public_metadata ?? {},
        private_metadata: input.private_metadata ?? {},
        unsafe_metadata: input.unsafe_metadata ?? {},
        banned: input.banned ?? false,
        locked: input.locked ?? false,
        delete_self_enabled: input.delete_self_enabled ?? true,
        create_organization_enabled: input.create_organization_enabled ?? true,
        create_organizations_limit: input.create_organizations_limit ?? null,
        locale: emptyToNull(input.locale),
        primary_email_address_id: emailRows[0]?.id ?? null,
        legal_accepted_at: legalAcceptedAt,
        ...(createdAt !== null ? { created_at: createdAt } : {}),
      });
      const rows = await insertEmailAddresses(trx, emailRows);
      await recordUserAudit(trx, 'user.created', userId);
      return userRowToJson(user, rows);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Read

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list !== undefined && list.length > 0 ? list : undefined;
}

const ms2date = (v: number | undefined): Date | undefined => (v === undefined ? undefined : new Date(v));

/**
 * Filters combine with AND; the values of one filter with OR. An address that is not a valid
 * email matches no user (it cannot be stored). Phone numbers and wallets do not exist here, so a
 * filter on them matches no user; an organization filter is refused until organizations exist.
 */
function toFilter(q: CountUsersQueryT): UserFilter {
  if (nonEmpty(q.organization_id)) throw paramInvalid('organization_id', 'filtering by organization is not supported by this server');
  return {
    emails: nonEmpty(q.email_address)?.map((e) => canonicalEmail(e) ?? e.normalize('NFKC').toLowerCase()),
    userIds: nonEmpty(q.user_id),
    externalIds: nonEmpty(q.external_id),
    usernames: nonEmpty(q.username)?.map((u) => u.normalize('NFKC').toLowerCase()),
    matchNothing: nonEmpty(q.phone_number) !== undefined || nonEmpty(q.web3_wallet) !== undefined,
    query: q.query ? q.query.normalize('NFKC').toLowerCase() : undefined,
    createdBefore: ms2date(q.created_at_before),
    createdAfter: ms2date(q.created_at_after),
    lastActiveBefore: ms2date(q.last_active_at_before),
    lastActiveAfter: ms2date(q.last_active_at_after ?? q.last_active_at_since),
    lastSignInBefore: ms2date(q.last_sign_in_at_before),
    lastSignInAfter: ms2date(q.last_sign_in_at_after),
  };
}

async function withEmails(db: Deps['db'] | Transaction<Database>, users: UserView[]): Promise<UserJson[]> {
  const emails = await findEmailAddressesByUserIds(db, users.map((u) => u.id));
  const byUser = new Map<string, EmailAddressRow[]>();
  for (const e of emails) {
    const list = byUser.get(e.user_id);
    if (list) list.push(e);
    else byUser.set(e.user_id, [e]);
  }
  return users.map((u) => userRowToJson(u, byUser.get(u.id) ?? []));
}

/**
 * A page of users: order_by is [+|-]field ('-' descending, otherwise ascending), default
 * -created_at. The page's email addresses load in one query (no N+1).
 */
export async function getUserList(deps: Deps, q: ListUsersQueryT): Promise<UserJson[]> {
  const orderBy = q.order_by ?? '-created_at';
  const field = USER_ORDER_FIELDS.find((f) => f === orderBy.replace(/^[+-]/, '')) ?? 'created_at';
  const users = await listUsers(deps.db, toFilter(q), {
    limit: q.limit ?? 10,
    offset: q.offset ?? 0,
    orderBy: field,
    direction: orderBy.startsWith('-') ? 'desc' : 'asc',
  });
  return withEmails(deps.db, users);
}

/** How many users match the same filters as the list (no paging). */
export async function getUserCount(deps: Deps, q: CountUsersQueryT): Promise<{ object: 'total_count'; total_count: number }> {
  return { object: 'total_count', total_count: await countUsers(deps.db, toFilter(q)) };
}

/** Unknown id → 404 resource_not_found. */
export async function getUser(deps: Deps, userId: string): Promise<UserJson> {
  const found = await findUserWithEmails(deps.db, userId);
  if (!found) throw notFound('user', userId);
  return userRowToJson(found.user, found.emails);
}

// ---------------------------------------------------------------------------------------------
// Update

const UPDATE_UNSUPPORTED = [
  'notify_primary_email_address_changed', 'primary_phone_number_id', 'primary_web3_wallet_id', 'profile_image_id',
  'totp_secret', 'backup_codes', 'timezone', 'bypass_client_trust',
] as const satisfies readonly (keyof UpdateUserInput)[];

/**
 * Changes only the keys given. Username and external id stay unique (422 form_identifier_exists);
 * null removes them, but a user keeps at least one identifier (username null with no email address
 * is 422 form_param_value_invalid). primary_email_address_id must name a verified address of this
 * user. A new password is re-hashed with argon2id. Metadata here (sent by SDKs for API versions
 * before 2026-05-12) replaces the given objects, like PUT …/metadata. Unknown id → 404.
 */
export async function updateUser(deps: Deps, userId: string, input: UpdateUserInput): Promise<UserJson> {
  rejectUnsupported(input, UPDATE_UNSUPPORTED);
  const patch: UserPatch = {};
  if (input.username !== undefined) patch.username = input.username === null ? null : canonicalUsername(input.username);
  if (input.external_id !== undefined) patch.external_id = emptyToNull(input.external_id);
  if (input.first_name !== undefined) patch.first_name = input.first_name;
  if (input.last_name !== undefined) patch.last_name = input.last_name;
  if (input.locale !== undefined) patch.locale = emptyToNull(input.locale);
  if (input.delete_self_enabled != null) patch.delete_self_enabled = input.delete_self_enabled;
  if (input.create_organization_enabled != null) patch.create_organization_enabled = input.create_organization_enabled;
  if (input.create_organizations_limit !== undefined) patch.create_organizations_limit = input.create_organizations_limit;
  if (input.legal_accepted_at !== undefined) patch.legal_accepted_at = parseTimestamp('legal_accepted_at', input.legal_accepted_at);
  if (input.created_at != null) patch.created_at = parseTimestamp('created_at', input.created_at) ?? undefined;
  for (const k of METADATA_KEYS) {
    const v = input[k];
    if (v !== undefined) patch[k] = v ?? {};
  }
  const password = await resolvePassword(input);
  if (password !== null) {
    patch.password_digest = password.digest;
    patch.password_hasher = password.hasher;
  }
  const primaryEmailId = emptyToNull(input.primary_email_address_id);

  return withIdentifierGuard(deps, [], () =>
    deps.db.transaction().execute(async (trx) => {
      const user = await findUserByIdForUpdate(trx, userId);
      if (!user) throw notFound('user', userId);
      const emails = await findEmailAddressesByUserIds(trx, [userId]);
      if (primaryEmailId !== null) {
        const target = emails.find((e) => e.id === primaryEmailId);
        if (!target || target.verification_status !== 'verified') {
          throw paramInvalid('primary_email_address_id', 'is not a verified email address of this user');
        }
        patch.primary_email_address_id = primaryEmailId;
      }
      if (patch.username === null && emails.length === 0) {
        throw paramInvalid('username', 'cannot be removed: the user has no email address to sign in with');
      }
      await ensureIdentifiersFree(
        trx,
        { emails: [], username: patch.username ?? null, externalId: patch.external_id ?? null },
        userId,
      );
      if (Object.keys(patch).length === 0) return userRowToJson(user, emails);
      const updated = await updateUserById(trx, userId, patch);
      await recordUserAudit(trx, 'user.updated', userId, { fields: Object.keys(patch).sort() });
      return userRowToJson(updated, emails);
    }),
  );
}

function isJsonObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property write: a "__proto__" key stays data and never touches the prototype. */
function setKey(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Deep merge: a key set to null is removed; an object merges into an object, recursively; any other
 * value (arrays included) replaces what was there.
 */
export function deepMergeMetadata(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isJsonObject(value)) {
      const current = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
      setKey(out, key, deepMergeMetadata(isJsonObject(current) ? current : {}, value));
    } else setKey(out, key, value);
  }
  return out;
}

async function changeMetadata(
  deps: Deps,
  userId: string,
  input: UserMetadataInput,
  combine: (current: Json, given: Json | null) => Json,
): Promise<UserJson> {
  return deps.db.transaction().execute(async (trx) => {
    const user = await findUserByIdForUpdate(trx, userId);
    if (!user) throw notFound('user', userId);
    const patch: Partial<Record<MetadataKey, Json>> = {};
    for (const k of METADATA_KEYS) {
      const given = input[k];
      if (given !== undefined) patch[k] = combine(user[k] ?? {}, given);
    }
    const emails = await findEmailAddressesByUserIds(trx, [userId]);
    if (Object.keys(patch).length === 0) return userRowToJson(user, emails);
    const updated = await updateUserById(trx, userId, patch);
    await recordUserAudit(trx, 'user.metadata_updated', userId, { fields: Object.keys(patch).sort() });
    return userRowToJson(updated, emails);
  });
}

/**
 * PATCH …/metadata: each given object is deep-merged into the stored one (see deepMergeMetadata);
 * a top-level null clears that object. Read and write happen under SELECT … FOR UPDATE, so two
 * concurrent merges both land. Unknown id → 404.
 */
export async function updateUserMetadata(deps: Deps, userId: string, input: UserMetadataInput): Promise<UserJson> {
  return changeMetadata(deps, userId, input, (current, given) => (given === null ? {} : deepMergeMetadata(current, given)));
}

/**
 * PUT …/metadata (what @clerk/backend's updateUser and replaceUserMetadata send): each given object
 * replaces the stored one in full; an omitted one is kept; null stores {} (the wire type is an object).
 */
export async function replaceUserMetadata(deps: Deps, userId: string, input: UserMetadataInput): Promise<UserJson> {
  return changeMetadata(deps, userId, input, (_current, given) => given ?? {});
}

// ---------------------------------------------------------------------------------------------
// Delete

/** Deletes the user and (by cascade) its email addresses. Unknown id → 404 resource_not_found. */
export async function deleteUser(deps: Deps, userId: string): Promise<{ object: 'user'; id: string; deleted: true }> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await deleteUserById(trx, userId))) throw notFound('user', userId);
    await recordUserAudit(trx, 'user.deleted', userId);
    return { object: 'user', id: userId, deleted: true };
  });
}
