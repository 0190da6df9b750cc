// Schemas shared by every feature: the error envelope, metadata, pagination.
import { Type, type TSchema } from '@sinclair/typebox';

export const Metadata = Type.Object({}, { additionalProperties: true, description: 'Any JSON object.' });

export const ErrorItem = Type.Object({
  code: Type.String(),
  message: Type.String(),
  long_message: Type.String(),
  meta: Type.Optional(Type.Object({}, { additionalProperties: true })),
});
export const ErrorEnvelope = Type.Object(
  { errors: Type.Array(ErrorItem), clerk_trace_id: Type.String() },
  { $id: 'ClerkErrors', description: 'Clerk error envelope' },
);

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 10, description: '1..500, default 10' });
export const Offset = Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 });

export const IdParam = (name: string, prefix: string) =>
  Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 64, description: `${prefix}_… id` }) });

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ClerkErrors')]));

export const Paginated = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), total_count: Type.Integer() });

export const DeletedObject = Type.Object({
  object: Type.String(),
  id: Type.String(),
  slug: Type.Optional(Type.String()),
  deleted: Type.Boolean(),
});

/** Converts a timestamp to Unix milliseconds, the wire's only time format. */
export const ms = (d: Date): number => d.getTime();
export const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());
