import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { Fapi, FrontendUserRef } from '../clients/client.schemas.ts';
import { envelope } from '../clients/client.view.ts';
import { UserMembershipsQuery } from '../memberships/membership.schemas.ts';
import { UserOrganizationInvitationsQuery } from '../organization-invitations/organization-invitation.schemas.ts';
import {
  AttemptEmailAddressVerificationBody,
  CreateMyEmailAddressBody,
  FrontendMembershipList,
  FrontendOrganizationInvitationList,
  FrontendOrganizationInvitationRef,
  InvitationIdParams,
  PrepareEmailAddressVerificationBody,
  UpdateMeBody,
} from './me.schemas.ts';
import { DeletedEmailAddress, EmailAddressIdParams, EmailAddressRef } from '../email-addresses/email-address.schemas.ts';
import {
  addMyEmailAddress,
  attemptMyEmailAddressVerification,
  deleteMyEmailAddress,
  prepareMyEmailAddressVerification,
} from '../email-addresses/my-email-address.service.ts';
import { acceptMyInvitation, declineMyInvitation, getMe, getMyInvitations, getMyMemberships, updateMe } from './me.service.ts';

const tags = ['Frontend API: me'];

export const meRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/me', {
    schema: { tags, summary: 'The signed-in user', response: { 200: Fapi(FrontendUserRef), ...errorResponses(401) } },
  }, async (req, reply) => envelope(deps, await getMe(deps, { req, reply })));

  app.patch('/v1/me', {
    schema: {
      tags,
      summary: "Update the signed-in user's names, username, unsafe metadata (replaced whole) or primary address",
      body: UpdateMeBody,
      response: { 200: Fapi(FrontendUserRef), ...errorResponses(401, 403, 422) },
    },
  }, async (req, reply) => envelope(deps, await updateMe(deps, { req, reply }, req.body)));

  app.get('/v1/me/organization_memberships', {
    schema: { tags, summary: "The signed-in user's organization memberships", querystring: UserMembershipsQuery, response: { 200: Fapi(FrontendMembershipList), ...errorResponses(401, 422) } },
  }, async (req, reply) => envelope(deps, await getMyMemberships(deps, { req, reply }, req.query)));

  app.get('/v1/me/organization_invitations', {
    schema: {
      tags,
      summary: "Organization invitations to the signed-in user's verified addresses (pending unless status says otherwise)",
      querystring: UserOrganizationInvitationsQuery,
      response: { 200: Fapi(FrontendOrganizationInvitationList), ...errorResponses(401, 422) },
    },
  }, async (req, reply) => envelope(deps, await getMyInvitations(deps, { req, reply }, req.query)));

  app.post('/v1/me/organization_invitations/:invitation_id/accept', {
    schema: {
      tags,
      summary: 'Accept an organization invitation addressed to one of your verified email addresses',
      params: InvitationIdParams,
      response: { 200: Fapi(FrontendOrganizationInvitationRef), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (req, reply) => envelope(deps, await acceptMyInvitation(deps, { req, reply }, req.params.invitation_id)));

  app.post('/v1/me/organization_invitations/:invitation_id/decline', {
    schema: {
      tags,
      summary: 'Decline an organization invitation addressed to one of your verified email addresses (it ends revoked)',
      params: InvitationIdParams,
      response: { 200: Fapi(FrontendOrganizationInvitationRef), ...errorResponses(400, 401, 404) },
    },
  }, async (req, reply) => envelope(deps, await declineMyInvitation(deps, { req, reply }, req.params.invitation_id)));

  // An address added here is pending, and counts for nothing until its emailed code is entered.
  app.post('/v1/me/email_addresses', {
    config: { rateLimit: 'email_addresses.verify' },
    schema: {
      tags,
      summary: 'Add an email address to the signed-in user (pending until verified with an emailed code)',
      body: CreateMyEmailAddressBody,
      response: { 200: Fapi(EmailAddressRef), ...errorResponses(401, 403, 422, 429) },
    },
  }, async (req, reply) => envelope(deps, await addMyEmailAddress(deps, { req, reply }, req.body.email_address)));

  app.post('/v1/me/email_addresses/:email_address_id/prepare_verification', {
    config: { rateLimit: 'email_addresses.verify' },
    schema: {
      tags,
      summary: 'Email a 6-digit code to a pending address',
      params: EmailAddressIdParams,
      body: PrepareEmailAddressVerificationBody,
      response: { 200: Fapi(EmailAddressRef), ...errorResponses(401, 403, 404, 422, 429) },
    },
  }, async (req, reply) => envelope(deps, await prepareMyEmailAddressVerification(deps, { req, reply }, req.params.email_address_id)));

  // Not limited per IP: each code allows 5 tries, and a new code costs a prepare (limited).
  app.post('/v1/me/email_addresses/:email_address_id/attempt_verification', {
    schema: {
      tags,
      summary: 'Check the emailed code (5 tries): the address becomes one of the user\'s, verified',
      params: EmailAddressIdParams,
      body: AttemptEmailAddressVerificationBody,
      response: { 200: Fapi(EmailAddressRef), ...errorResponses(400, 401, 403, 404, 422) },
    },
  }, async (req, reply) => envelope(deps, await attemptMyEmailAddressVerification(deps, { req, reply }, req.params.email_address_id, req.body.code)));

  app.delete('/v1/me/email_addresses/:email_address_id', {
    schema: {
      tags,
      summary: "Remove a pending address, or one of the user's addresses other than the primary",
      params: EmailAddressIdParams,
      response: { 200: Fapi(DeletedEmailAddress), ...errorResponses(401, 403, 404, 422) },
    },
  }, async (req, reply) => envelope(deps, await deleteMyEmailAddress(deps, { req, reply }, req.params.email_address_id)));
};
