import { Type, type Static } from '@sinclair/typebox';
import { Limit, Offset } from '../../http/schemas.ts';

export const DevEmail = Type.Object({
  object: Type.Literal('dev_email'),
  id: Type.String({ description: 'The id of the email in the outbox' }),
  message_id: Type.String({ description: 'The Message-ID header, stable across re-sends' }),
  from: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
  created_at: Type.Integer({ description: 'When it was delivered into the dev mailbox, Unix milliseconds' }),
});
export type DevEmailJson = Static<typeof DevEmail>;

export const ListDevEmailsQuery = Type.Object(
  {
    to: Type.Optional(Type.String({ maxLength: 320, description: 'Only emails to this address (matched case-insensitively)' })),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);
export type ListDevEmailsQueryT = Static<typeof ListDevEmailsQuery>;
