// The sign-up allowlist in the Backend API: list, create, delete. The list decides who may sign
// up when TESSERA_SIGN_UP_MODE=allowlist (allowlist.policy.ts); it is editable in every mode.
//
// Rules that hold for every function here:
// - an identifier is an email address, stored canonical (lib/email.ts), or `*@domain` with the
//   domain canonicalised the same way, so the policy's lookup of `<address>` and `*@<its domain>`
//   matches it exactly. Anything else is 422 form_param_format_invalid (param "identifier");
// - identifiers are unique: the unique index decides races, and a violation is answered like the
//   pre-check, with Clerk's 400 duplicate_record (clerk-docs api_errors.json,
//   DuplicateAllowlistIdentifier), meta.param_name "identifier";
// - Tessera sends no invitation for an identifier (Clerk does, with notify: true), so notify:
//   true with an email address is 422 form_param_value_invalid instead of a silent no-op;
// - every write is one transaction with its audit_log row (which names the identifier, since a
//   deleted row is otherwise gone).
import type { Deps } from '../../deps.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { ms } from '../../http/schemas.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import {
  ALLOWLIST_IDENTIFIER_UNIQUE,
  countAllowlistIdentifiers,
  deleteAllowlistIdentifierById,
  findAllowlistIdentifierByIdentifier,
  insertAllowlistIdentifier,
  listAllowlistIdentifiers,
  recordAllowlistAudit,
} from './allowlist.repository.ts';
import type {
  AllowlistIdentifierJson,
  AllowlistIdentifierListJson,
  CreateAllowlistIdentifierInput,
  DeletedAllowlistIdentifierJson,
  ListAllowlistIdentifiersQueryT,
} from './allowlist.schemas.ts';
import type { AllowlistIdentifierRow, AllowlistIdentifiersTable } from './allowlist.table.ts';

export function allowlistIdentifierRowToJson(deps: Deps, row: AllowlistIdentifierRow): AllowlistIdentifierJson {
  return {
    object: 'allowlist_identifier',
    id: row.id,
    identifier: row.identifier,
    // Clerk's type for a `*@domain` wildcard is email_address too (see allowlist.schemas.ts).
    identifier_type: 'email_address',
    instance_id: deps.instance.id,
    invitation_id: null,
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  };
}

const WILDCARD_PREFIX = '*@';

/**
 * The stored form of an identifier: `*@<domain>` (the domain as canonicalEmail leaves it:
 * NFKC, lowercase, at least two labels of a-z, 0-9, "-", not an all-digit TLD) or a canonical
 * email address; null when it is neither.
 */
export function parseAllowlistIdentifier(input: string): { identifier: string; type: AllowlistIdentifiersTable['identifier_type'] } | null {
  // NFKC first, as canonicalEmail does: a full-width "＊＠example.com" is a wildcard too, never an
  // "address" whose local part happens to be "*".
  const normalized = input.normalize('NFKC');
  if (normalized.startsWith(WILDCARD_PREFIX)) {
    // Checked as the domain of an address, so a wildcard matches exactly what the policy looks up.
    const probe = canonicalEmail(`x@${normalized.slice(WILDCARD_PREFIX.length)}`);
    return probe === null ? null : { identifier: `${WILDCARD_PREFIX}${probe.slice(2)}`, type: 'domain' };
  }
  const email = canonicalEmail(input);
  return email === null ? null : { identifier: email, type: 'email_address' };
}

const duplicate = (identifier: string): ApiError =>
  new ApiError('duplicate_record', { long: `${identifier} is already on the allowlist.`, meta: { param_name: 'identifier' } });

// ---------------------------------------------------------------------------------------------
// Read

/**
 * Newest first. A bare array unless `paginated` (what @clerk/backend and clerk-sdk-go send),
 * then `{data, total_count}`. Without `limit` every identifier is returned, as Clerk does.
 */
export async function getAllowlistIdentifierList(deps: Deps, q: ListAllowlistIdentifiersQueryT): Promise<AllowlistIdentifierListJson> {
  const page = { limit: q.limit ?? null, offset: q.offset ?? 0 };
  if (!q.paginated) return (await listAllowlistIdentifiers(deps.db, page)).map((r) => allowlistIdentifierRowToJson(deps, r));
  const [rows, total] = await Promise.all([listAllowlistIdentifiers(deps.db, page), countAllowlistIdentifiers(deps.db)]);
  return { data: rows.map((r) => allowlistIdentifierRowToJson(deps, r)), total_count: total };
}

// ---------------------------------------------------------------------------------------------
// Write

/** Adds an identifier; the rules are at the top of this file. */
export async function createAllowlistIdentifier(deps: Deps, input: CreateAllowlistIdentifierInput): Promise<AllowlistIdentifierJson> {
  const parsed = parseAllowlistIdentifier(input.identifier);
  if (parsed === null) throw paramFormatInvalid('identifier', 'email address, or *@ followed by a domain name (e.g. *@example.com)');
  if (input.notify === true && parsed.type === 'email_address') {
    throw paramInvalid('notify', 'Tessera does not send allowlist invitations; leave notify false and invite the address with POST /v1/invitations');
  }
  try {
    return await deps.db.transaction().execute(async (trx) => {
      if (await findAllowlistIdentifierByIdentifier(trx, parsed.identifier)) throw duplicate(parsed.identifier);
      const row = await insertAllowlistIdentifier(trx, { id: newId('alid'), identifier: parsed.identifier, identifier_type: parsed.type });
      await recordAllowlistAudit(trx, 'allowlist_identifier.created', row.id, { identifier: row.identifier, identifier_type: row.identifier_type });
      return allowlistIdentifierRowToJson(deps, row);
    });
  } catch (err) {
    if (isUniqueViolation(err, ALLOWLIST_IDENTIFIER_UNIQUE)) throw duplicate(parsed.identifier);
    throw err;
  }
}

/**
 * Removes an identifier: from then on it no longer lets anyone sign up (accounts already made
 * stay). Unknown id → 404 resource_not_found.
 */
export async function deleteAllowlistIdentifier(deps: Deps, id: string): Promise<DeletedAllowlistIdentifierJson> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await deleteAllowlistIdentifierById(trx, id);
    if (!row) throw notFound('allowlist identifier', id);
    await recordAllowlistAudit(trx, 'allowlist_identifier.deleted', id, { identifier: row.identifier, identifier_type: row.identifier_type });
    return { object: 'allowlist_identifier' as const, id, deleted: true as const };
  });
}
