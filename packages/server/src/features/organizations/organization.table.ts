import type { ColumnType, Selectable } from 'kysely';

type JsonColumn = ColumnType<Record<string, unknown>, string | undefined, string>;

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  image_url: string | null;
  max_allowed_memberships: ColumnType<number, number | undefined, number>;
  admin_delete_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  public_metadata: JsonColumn;
  private_metadata: JsonColumn;
  created_by: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
