import type { ColumnType, Selectable } from 'kysely';

type JsonColumn = ColumnType<Record<string, unknown>, string | undefined, string>;

export interface OrganizationMembershipsTable {
  id: string;
  organization_id: string;
  user_id: string;
  role_id: string;
  public_metadata: JsonColumn;
  private_metadata: JsonColumn;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export type OrganizationMembershipRow = Selectable<OrganizationMembershipsTable>;
