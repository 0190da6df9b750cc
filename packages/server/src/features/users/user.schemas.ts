import type { TSchema } from '@sinclair/typebox';

/** Shared schemas with an $id, registered once on the app (referenced with Type.Ref). */
export const userSchemas: TSchema[] = [];
