import type { Migration } from 'kysely/migration';
import * as m0001 from './2026_11_22_0001_initial.ts';
import * as m0002 from './2026_11_22_0002_organizations.ts';
import * as m0003 from './2026_11_22_0003_frontend_api.ts';
import * as m0004 from './2026_11_23_0004_mailbox_in_outbox.ts';
import * as m0005 from './2026_11_23_0005_ascending_time_indexes.ts';
import * as m0006 from './2026_11_23_0006_organization_invitation_list_merge.ts';
import * as m0007 from './2026_12_06_0007_organizations_created_by.ts';
import * as m0008 from './2026_12_06_0008_pending_email_addresses.ts';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_22_0001_initial': m0001,
  '2026_11_22_0002_organizations': m0002,
  '2026_11_22_0003_frontend_api': m0003,
  '2026_11_23_0004_mailbox_in_outbox': m0004,
  '2026_11_23_0005_ascending_time_indexes': m0005,
  '2026_11_23_0006_organization_invitation_list_merge': m0006,
  '2026_12_06_0007_organizations_created_by': m0007,
  '2026_12_06_0008_pending_email_addresses': m0008,
};
