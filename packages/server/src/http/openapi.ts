import type { SwaggerOptions } from '@fastify/swagger';

export function openApiOptions(publicUrl: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera Backend API',
        version: '0.1.0',
        description:
          'Wire-compatible with Clerk\'s Backend API for invitations, users and organizations: point `@clerk/backend` at this server with `apiUrl`. ' +
          'Every response is `Content-Type: application/json`; timestamps are Unix milliseconds; errors use the Clerk envelope.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The instance secret key (sk_test_… / sk_live_…).' } },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  };
}

/** Removes ticket values from a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:ticket|__clerk_ticket|__clerk_invitation_token)=)[^&#]*/g, '$1[redacted]');
}
