// Turns a claimed outbox row into the email to send: checks the stored payload (it is data from the
// database, so it is validated, not trusted), opens the sealed link, renders the template.
// Anything wrong here is permanent — the same row renders the same way next time — so it is
// reported as a permanent DeliveryError and the row is dead-lettered, not retried.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { canonicalEmail } from '../lib/email.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { ClaimedEmail } from './outbox.repository.ts';
import { isTemplateName, renderInvitationEmail, renderOrganizationInvitationEmail, renderVerificationCodeEmail, type RenderedTemplate } from './templates.ts';
import { DeliveryError, type OutgoingEmail } from './transport.ts';

const StoredPayload = Type.Object({
  template: Type.String(),
  to: Type.String(),
  vars: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()])),
  sealed: Type.Optional(Type.Record(Type.String(), Type.String())),
});
type StoredPayload = Static<typeof StoredPayload>;

export interface ComposeContext {
  /** createSecretBox(instance.secretKey, 'outbox'): the box the invitation service sealed with. */
  box: SecretBox;
  mailFrom: string;
}

const permanent = (why: string) => new DeliveryError(`cannot render: ${why}`, true);

function openSealed(payload: StoredPayload, name: string, box: SecretBox): string {
  const sealed = payload.sealed?.[name];
  if (sealed === undefined) throw permanent(`sealed.${name} is missing (was the row already sent?)`);
  try {
    return box.open(sealed);
  } catch {
    // Typically a changed TESSERA_SECRET_KEY: the link can no longer be recovered.
    throw permanent(`sealed.${name} cannot be opened with this instance's secret key`);
  }
}

export function composeOutboxEmail(row: Pick<ClaimedEmail, 'payload' | 'message_id'>, ctx: ComposeContext): OutgoingEmail {
  if (!Value.Check(StoredPayload, row.payload)) throw permanent('the payload does not have the expected shape');
  const payload = row.payload;
  // One plain canonical address, or nothing is sent: a list or a display-name trick in `to` would
  // send the link to someone else (security.md, GHSA-xv97-c62v-4587).
  if (canonicalEmail(payload.to) !== payload.to) throw permanent('the recipient is not one canonical email address');
  // template_slug, when a producer puts one in the payload, picks the wording; otherwise `template`.
  const slug = payload.vars.template_slug;
  const name = typeof slug === 'string' ? slug : payload.template;
  if (!isTemplateName(name)) throw permanent(`unknown template "${name}"`);
  const appName = payload.vars.app_name;
  const expiresAt = payload.vars.expires_at;
  if (typeof appName !== 'string' || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
    throw permanent('vars.app_name and vars.expires_at are required');
  }
  if (name === 'verification_code') {
    const purpose = payload.vars.purpose === 'sign_in' || payload.vars.purpose === 'email_address' ? payload.vars.purpose : 'sign_up';
    const code = openSealed(payload, 'code', ctx.box);
    return { messageId: row.message_id, from: ctx.mailFrom, to: payload.to, ...renderVerificationCodeEmail({ appName, code, expiresAt, purpose }) };
  }
  const url = openSealed(payload, 'url', ctx.box);
  let rendered: RenderedTemplate;
  if (name === 'organization_invitation') {
    const { organization_name: organizationName, role_name: roleName, inviter_name: inviterName, inviter_email: inviterEmail } = payload.vars;
    if (typeof organizationName !== 'string' || typeof roleName !== 'string') throw permanent('vars.organization_name and vars.role_name are required');
    rendered = renderOrganizationInvitationEmail({
      appName,
      url,
      expiresAt,
      organizationName,
      roleName,
      inviterName: typeof inviterName === 'string' ? inviterName : null,
      inviterEmail: typeof inviterEmail === 'string' ? inviterEmail : null,
    });
  } else {
    rendered = renderInvitationEmail(name, { appName, url, expiresAt });
  }
  return { messageId: row.message_id, from: ctx.mailFrom, to: payload.to, ...rendered };
}
