// SQL for application invitations. An invitation "is" expired when it is pending past expires_at:
// every read computes that in SQL (effectiveStatus), so no job has to run first.
import { sql, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { InvitationRow, InvitationStatus, InvitationsTable } from './invitation.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type InvitationView = Omit<InvitationRow, 'ticket_hash'>;

const effectiveStatus = sql<InvitationStatus>`CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END`.as('status');

const viewColumns = [
  'id', 'email', 'public_metadata', 'redirect_url', 'notify', 'allow_duplicate', 'template_slug',
  'expires_at', 'accepted_user_id', 'created_at', 'updated_at',
] as const satisfies readonly (keyof Selectable<InvitationsTable>)[];

export interface NewInvitation {
  id: string;
  email: string;
  publicMetadata: Record<string, unknown>;
  redirectUrl: string | null;
  notify: boolean;
  allowDuplicate: boolean;
  templateSlug: 'invitation' | 'waitlist_invitation';
  ticketHash: Buffer;
  expiresInDays: number;
}

/** Rewrites pending-but-past-expiry rows for these addresses to 'expired', so they stop counting as pending. */
export async function expireStaleInvitations(trx: Transaction<Database>, emails: string[]): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ status: 'expired', updated_at: sql<Date>`now()` })
    .where('email', 'in', emails)
    .where('status', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
}

export async function findPendingEmails(db: Db, emails: string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('invitations')
    .select('email')
    .distinct()
    .where('email', 'in', emails)
    .where('status', '=', 'pending')
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
  return rows.map((r) => r.email);
}

export async function insertInvitations(trx: Transaction<Database>, rows: NewInvitation[]): Promise<InvitationView[]> {
  return trx
    .insertInto('invitations')
    .values(
      rows.map((r) => ({
        id: r.id,
        email: r.email,
        public_metadata: JSON.stringify(r.publicMetadata),
        redirect_url: r.redirectUrl,
        notify: r.notify,
        allow_duplicate: r.allowDuplicate,
        template_slug: r.templateSlug,
        ticket_hash: r.ticketHash,
        expires_at: sql<Date>`now() + make_interval(days => ${r.expiresInDays}::int)`,
      })),
    )
    .returning([...viewColumns, effectiveStatus])
    .execute();
}

export async function findInvitationForUpdate(trx: Transaction<Database>, id: string): Promise<InvitationView | undefined> {
  return trx.selectFrom('invitations').select([...viewColumns, effectiveStatus]).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findInvitationByTicketHash(db: Db, hash: Buffer): Promise<InvitationView | undefined> {
  return db.selectFrom('invitations').select([...viewColumns, effectiveStatus]).where('ticket_hash', '=', hash).executeTakeFirst();
}

export async function setInvitationStatus(trx: Transaction<Database>, id: string, status: InvitationStatus): Promise<InvitationView> {
  return trx
    .updateTable('invitations')
    .set({ status, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning([...viewColumns, effectiveStatus])
    .executeTakeFirstOrThrow();
}

export interface InvitationFilter {
  statuses?: InvitationStatus[];
  query?: string;
}

function applyFilter<O>(qb: SelectQueryBuilder<Database, 'invitations', O>, f: InvitationFilter): SelectQueryBuilder<Database, 'invitations', O> {
  let q = qb;
  const statuses = f.statuses && f.statuses.length > 0 ? f.statuses : null;
  const now = sql<Date>`now()`;
  if (statuses) {
    q = q.where((eb) =>
      eb.or(
        statuses.map((s) => {
          switch (s) {
            case 'pending':
              return eb.and([eb('status', '=', 'pending'), eb('expires_at', '>', now)]);
            case 'expired':
              return eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]);
            default:
              return eb('status', '=', s);
          }
        }),
      ),
    );
  } else {
    q = q.where('status', '!=', 'revoked');
  }
  if (f.query) {
    const like = `%${f.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const query = f.query;
    q = q.where((eb) => eb.or([eb('email', 'like', like), eb('id', '=', query)]));
  }
  return q;
}

export async function listInvitations(
  db: Db,
  f: InvitationFilter,
  page: { limit: number; offset: number; orderBy: 'created_at' | 'email' | 'expires_at'; direction: 'asc' | 'desc' },
): Promise<InvitationView[]> {
  const q = applyFilter(db.selectFrom('invitations').select([...viewColumns, effectiveStatus]), f);
  return q
    .orderBy(page.orderBy, page.direction)
    .orderBy('id', page.direction)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countInvitations(db: Db, f: InvitationFilter): Promise<number> {
  const q = applyFilter(db.selectFrom('invitations').select((eb) => eb.fn.countAll<number>().as('n')), f);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes the invitation and every stored copy of its email (outbox rows and dev-mailbox copies). */
export async function deleteInvitationAndEmails(trx: Transaction<Database>, id: string): Promise<boolean> {
  const messageIds = await trx
    .selectFrom('outbox')
    .select('message_id')
    .where(sql<string>`payload -> 'vars' ->> 'invitation_id'`, '=', id)
    .execute();
  if (messageIds.length > 0) {
    const ids = messageIds.map((m) => m.message_id);
    await trx.deleteFrom('dev_emails').where('message_id', 'in', ids).execute();
    await trx.deleteFrom('outbox').where('message_id', 'in', ids).execute();
  }
  const res = await trx.deleteFrom('invitations').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
