import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { Fapi } from '../clients/client.schemas.ts';
import { envelope } from '../clients/client.view.ts';
import { AttemptVerificationBody, CreateSignUpBody, PrepareVerificationBody, SignUpIdParams, SignUpRef, UpdateSignUpBody } from './sign-up.schemas.ts';
import { attemptSignUpVerification, createSignUp, getSignUp, patchSignUp, prepareSignUpVerification } from './sign-up.service.ts';

const tags = ['Frontend API: sign-up'];
const errors = errorResponses(400, 403, 404, 422, 429);

export const signUpRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/client/sign_ups', {
    config: { rateLimit: 'sign_ups.create' },
    schema: {
      tags,
      summary: 'Start a sign-up (with an invitation ticket it completes at once)',
      body: CreateSignUpBody,
      response: { 200: Fapi(SignUpRef), ...errors },
    },
  }, async (req, reply) => envelope(deps, await createSignUp(deps, { req, reply }, req.body)));

  app.get('/v1/client/sign_ups/:sign_up_id', {
    schema: { tags, summary: 'A sign-up of this browser', params: SignUpIdParams, response: { 200: Fapi(SignUpRef), ...errors } },
  }, async (req, reply) => envelope(deps, await getSignUp(deps, { req, reply }, req.params.sign_up_id)));

  app.patch('/v1/client/sign_ups/:sign_up_id', {
    schema: { tags, summary: 'Set fields of a sign-up in progress', params: SignUpIdParams, body: UpdateSignUpBody, response: { 200: Fapi(SignUpRef), ...errors } },
  }, async (req, reply) => envelope(deps, await patchSignUp(deps, { req, reply }, req.params.sign_up_id, req.body)));

  app.post('/v1/client/sign_ups/:sign_up_id/prepare_verification', {
    config: { rateLimit: 'sign_ups.create' },
    schema: { tags, summary: 'Email a 6-digit code to the sign-up address', params: SignUpIdParams, body: PrepareVerificationBody, response: { 200: Fapi(SignUpRef), ...errors } },
  }, async (req, reply) => envelope(deps, await prepareSignUpVerification(deps, { req, reply }, req.params.sign_up_id)));

  // Not limited per IP: each code allows 5 tries, and a new code costs a prepare (limited).
  app.post('/v1/client/sign_ups/:sign_up_id/attempt_verification', {
    schema: { tags, summary: 'Check the emailed code (5 tries)', params: SignUpIdParams, body: AttemptVerificationBody, response: { 200: Fapi(SignUpRef), ...errors } },
  }, async (req, reply) => envelope(deps, await attemptSignUpVerification(deps, { req, reply }, req.params.sign_up_id, req.body)));
};
