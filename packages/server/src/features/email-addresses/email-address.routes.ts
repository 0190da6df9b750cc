import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { CreateEmailAddressBody, DeletedEmailAddress, EmailAddressIdParams, EmailAddressRef, UpdateEmailAddressBody } from './email-address.schemas.ts';
import { createEmailAddress, deleteEmailAddress, getEmailAddress, updateEmailAddress } from './email-address.service.ts';

const tags = ['Email addresses'];
const security = [{ bearerAuth: [] }];

export const emailAddressRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/email_addresses', {
    schema: {
      tags, security, summary: "Add an email address to a user",
      description: 'Unverified unless verified is true; a user\'s first address becomes primary. A taken address is 422 form_identifier_exists.',
      body: CreateEmailAddressBody,
      response: { 200: EmailAddressRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => createEmailAddress(deps, req.body));

  app.get('/v1/email_addresses/:email_address_id', {
    schema: { tags, security, summary: 'Get an email address', params: EmailAddressIdParams, response: { 200: EmailAddressRef, ...errorResponses(401, 404) } },
  }, async (req) => getEmailAddress(deps, req.params.email_address_id));

  app.patch('/v1/email_addresses/:email_address_id', {
    schema: {
      tags, security, summary: 'Verify, unverify or make primary an email address',
      description: 'The primary address stays verified: making an unverified address primary, or unverifying the primary, is 422.',
      params: EmailAddressIdParams, body: UpdateEmailAddressBody,
      response: { 200: EmailAddressRef, ...errorResponses(400, 401, 404, 422) },
    },
  }, async (req) => updateEmailAddress(deps, req.params.email_address_id, req.body));

  app.delete('/v1/email_addresses/:email_address_id', {
    schema: {
      tags, security, summary: 'Delete an email address', description: 'Not the primary address (422 primary_email_address_not_deletable).',
      params: EmailAddressIdParams, response: { 200: DeletedEmailAddress, ...errorResponses(401, 404, 422) },
    },
  }, async (req) => deleteEmailAddress(deps, req.params.email_address_id));
};
