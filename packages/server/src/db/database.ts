// The database, as Kysely sees it: each feature declares its own tables beside its code.
import type { ColumnType, Generated } from 'kysely';
import type { EmailAddressesTable, UsersTable } from '../features/users/user.table.ts';
import type { PendingEmailAddressesTable } from '../features/email-addresses/pending-email-address.table.ts';
import type { InvitationCountsTable, InvitationsTable } from '../features/invitations/invitation.table.ts';
import type { OutboxTable } from '../mail/outbox.table.ts';
import type { OrganizationsTable } from '../features/organizations/organization.table.ts';
import type { PermissionsTable, RolePermissionsTable, RolesTable } from '../features/roles/role.table.ts';
import type { OrganizationMembershipsTable } from '../features/memberships/membership.table.ts';
import type { ClientsTable, SessionsTable } from '../features/clients/client.table.ts';
import type { SignUpsTable } from '../features/sign-ups/sign-up.table.ts';
import type { SignInsTable } from '../features/sign-ins/sign-in.table.ts';
import type { SigningKeysTable } from '../features/session-tokens/signing-key.table.ts';
import type { AllowlistIdentifiersTable } from '../features/allowlist/allowlist.table.ts';
import type { OrganizationInvitationCountsTable, OrganizationInvitationsTable } from '../features/organization-invitations/organization-invitation.table.ts';

export interface InstanceTable {
  id: string;
  created_at: ColumnType<Date, never, never>;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor: string;
  action: string;
  target: string;
  data: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, never, never>;
}

export interface Database {
  instance: InstanceTable;
  users: UsersTable;
  email_addresses: EmailAddressesTable;
  pending_email_addresses: PendingEmailAddressesTable;
  invitations: InvitationsTable;
  invitation_counts: InvitationCountsTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  organizations: OrganizationsTable;
  permissions: PermissionsTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  organization_memberships: OrganizationMembershipsTable;
  organization_invitations: OrganizationInvitationsTable;
  organization_invitation_counts: OrganizationInvitationCountsTable;
  clients: ClientsTable;
  sessions: SessionsTable;
  sign_ups: SignUpsTable;
  sign_ins: SignInsTable;
  signing_keys: SigningKeysTable;
  allowlist_identifiers: AllowlistIdentifiersTable;
}
