// The comparison server of bench:compare (performance.md, P8): Better Auth with its organization
// plugin, on the same PostgreSQL, set up as its documentation shows a production app doing it:
// - the database is a node-postgres pool (as many connections as Tessera's default pool, 10);
// - the invitation email goes out through one pooled nodemailer transport (the same pool settings
//   as Tessera's SMTP transport), from the plugin's sendInvitationEmail hook. Better Auth awaits
//   that hook inside the request unless `advanced.backgroundTasks` is set; BA_BACKGROUND_EMAIL=1
//   sets it (the email is then sent after the answer, from memory: lost if the process stops);
// - the session cookie cache on (its documented way to spare the session lookup in the database
//   on every request);
// - rate limits off (as Tessera's are in the benchmarks), telemetry off, the invitation limit per
//   organization raised so that the bench's invitations never reach it.
// On start it creates its tables (Better Auth's own migrations), then listens and prints
// `listening <port>`.
//
// Environment: DATABASE_URL, PORT, SMTP_URL, BA_BACKGROUND_EMAIL (0 or 1).
import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { organization } from 'better-auth/plugins/organization';
import nodemailer from 'nodemailer';
import pg from 'pg';

function required(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is required`);
  return v;
}

const port = Number(required('PORT'));
const baseURL = `http://127.0.0.1:${port}`;
const background = process.env.BA_BACKGROUND_EMAIL === '1';
const mail = nodemailer.createTransport({ url: required('SMTP_URL'), pool: true, maxConnections: 10, maxMessages: 1000 } as never);

const auth = betterAuth({
  baseURL,
  secret: 'bench-compare-better-auth-secret-0123456789',
  database: new pg.Pool({ connectionString: required('DATABASE_URL'), max: 10 }),
  emailAndPassword: { enabled: true },
  session: { cookieCache: { enabled: true, maxAge: 5 * 60 } },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  ...(background ? { advanced: { backgroundTasks: { handler: (p: Promise<unknown>) => void p.catch(() => {}) } } } : {}),
  plugins: [
    organization({
      invitationLimit: 10_000_000,
      async sendInvitationEmail(data) {
        const url = `${baseURL}/accept-invitation/${data.id}`;
        await mail.sendMail({
          from: 'Bench <no-reply@example.com>',
          to: data.email,
          subject: `You are invited to join ${data.organization.name}`,
          text: `${data.inviter.user.name} invited you to join ${data.organization.name}. Accept: ${url}`,
          html: `<p>${data.inviter.user.name} invited you to join <b>${data.organization.name}</b>.</p><p><a href="${url}">Accept the invitation</a></p>`,
        });
      },
    }),
  ],
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const server = createServer(toNodeHandler(auth));
server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
