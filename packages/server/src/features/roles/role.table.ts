import type { ColumnType, Selectable } from 'kysely';

export interface PermissionsTable {
  id: string;
  key: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  type: 'system' | 'user';
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export interface RolesTable {
  id: string;
  key: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  is_creator_role: ColumnType<boolean, boolean | undefined, boolean>;
  is_default_role: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export interface RolePermissionsTable {
  role_id: string;
  permission_id: string;
}

export type PermissionRow = Selectable<PermissionsTable>;
export type RoleRow = Selectable<RolesTable>;
