// GET /v1/environment: what a browser SDK needs to know about this instance before it renders a
// form (clerk-js loads the same resource): the app's name, the sign-up mode, the sign-in and
// sign-up strategies, and where the hosted pages are.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';

const Environment = Type.Object({
  object: Type.Literal('environment'),
  display_config: Type.Object({
    application_name: Type.String(),
    sign_in_url: Type.String(),
    sign_up_url: Type.String(),
    home_url: Type.String(),
  }),
  user_settings: Type.Object({
    sign_up: Type.Object({ mode: Type.Union([Type.Literal('public'), Type.Literal('restricted'), Type.Literal('allowlist')]) }),
    first_factors: Type.Array(Type.String()),
    password_min_length: Type.Integer(),
  }),
  organization_settings: Type.Object({ enabled: Type.Boolean() }),
});

export const environmentRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/environment', {
    schema: { tags: ['Frontend API: client and sessions'], summary: "This instance's public settings", response: { 200: Environment } },
  }, async () => ({
    object: 'environment' as const,
    display_config: {
      application_name: deps.config.appName,
      sign_in_url: `${deps.config.publicUrl}/sign-in`,
      sign_up_url: `${deps.config.publicUrl}/sign-up`,
      home_url: `${deps.config.publicUrl}/`,
    },
    user_settings: { sign_up: { mode: deps.config.signUpMode }, first_factors: ['password', 'email_code', 'ticket'], password_min_length: 8 },
    organization_settings: { enabled: true },
  }));
};
