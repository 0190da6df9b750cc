import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { Fapi } from '../clients/client.schemas.ts';
import { envelope } from '../clients/client.view.ts';
import { AttemptFirstFactorBody, CreateSignInBody, PrepareFirstFactorBody, SignInIdParams, SignInRef } from './sign-in.schemas.ts';
import { attemptFirstFactor, createSignIn, getSignIn, prepareFirstFactor } from './sign-in.service.ts';

const tags = ['Frontend API: sign-in'];
const errors = errorResponses(400, 403, 404, 422, 429);

export const signInRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/client/sign_ins', {
    config: { rateLimit: 'sign_ins.create' },
    schema: {
      tags,
      summary: 'Start a sign-in: ticket, identifier + password, or identifier then a first factor',
      body: CreateSignInBody,
      response: { 200: Fapi(SignInRef), ...errors },
    },
  }, async (req, reply) => envelope(deps, await createSignIn(deps, { req, reply }, req.body)));

  app.get('/v1/client/sign_ins/:sign_in_id', {
    schema: { tags, summary: 'A sign-in of this browser', params: SignInIdParams, response: { 200: Fapi(SignInRef), ...errors } },
  }, async (req, reply) => envelope(deps, await getSignIn(deps, { req, reply }, req.params.sign_in_id)));

  app.post('/v1/client/sign_ins/:sign_in_id/prepare_first_factor', {
    config: { rateLimit: 'sign_ins.create' },
    schema: { tags, summary: 'Email a 6-digit sign-in code', params: SignInIdParams, body: PrepareFirstFactorBody, response: { 200: Fapi(SignInRef), ...errors } },
  }, async (req, reply) => envelope(deps, await prepareFirstFactor(deps, { req, reply }, req.params.sign_in_id, req.body)));

  app.post('/v1/client/sign_ins/:sign_in_id/attempt_first_factor', {
    config: { rateLimit: 'sign_ins.create' },
    schema: { tags, summary: 'Try a password or the emailed code', params: SignInIdParams, body: AttemptFirstFactorBody, response: { 200: Fapi(SignInRef), ...errors } },
  }, async (req, reply) => envelope(deps, await attemptFirstFactor(deps, { req, reply }, req.params.sign_in_id, req.body)));
};
