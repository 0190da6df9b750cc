// No 5xx for anything a client can send, on EVERY route of the OpenAPI document (the wire test
// covers the invitation routes by hand). For each operation, on fresh fixtures (a user, an
// organization administered by a signed-in browser, invitations, a custom role and permission, an
// allowlist entry):
// - a valid-looking request, then the same with one body field at a time replaced by a hostile
//   value (wrong types, NUL, lone surrogates, huge strings, prototype keys, deep nesting);
// - each query parameter the operation declares, with hostile values;
// - each path parameter, with hostile values (NUL, traversal, 300 characters, bad escapes).
// Each request goes with the secret key (Backend API) and with the browser's session cookie
// (Frontend API), JSON bodies and, for the Frontend API, form bodies; the answer must be below 500
// and JSON (or a redirect). Then odd headers on a few routes, and every write sent six times at
// once over real sockets (duplicates racing each other).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { Browser, RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import { NO_INVITATION_LIMITS } from '../organization-invitations/org-invitations.helpers.ts';
import { ok, uniqueEmail } from '../users/users.helpers.ts';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  body: Schema | null;
  query: string[];
}

const PASSWORD = 'correct horse battery staple';

/** Hostile JSON values for one body field. */
const HOSTILE_VALUES: unknown[] = [
  null,
  -1,
  1e308,
  true,
  '',
  '\u0000',
  'a\u0000b@example.com',
  '\ud800',
  'x'.repeat(3000),
  {},
  [],
  [null, {}],
  { __proto__: { polluted: 1 }, constructor: { prototype: { polluted: 1 } } },
  { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } },
  { k: '\u0000', '\u0000': 1 },
  { k: '\ud800', '\udfff': 1 },
  deep(70, '\u0000'),
  '../../etc/passwd',
  'org:' + 'x'.repeat(300),
];

function deep(levels: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
}

/** Hostile query values (already URL-encoded where it matters). */
const HOSTILE_QUERY = ['', '-1', '1e400', '99999999999999999999', 'abc', '%00', '%E2%80%AE', 'x'.repeat(2000), '%ZZ', '[]'];

/** Hostile form fields: F stands for the field's name. */
const HOSTILE_FORM = ['F=%00', 'F=%ED%A0%80', 'F=%FF%FE', 'F=' + 'x'.repeat(3000), 'F=1&F=2', 'F[]=1', 'F[k]=1', 'F=', 'F', 'F=%7B%22k%22%3A%22%5Cu0000%22%7D', 'F=%7B%22k%22%3A%22%5Cud800%22%7D'];

/** Hostile path segments (as they appear in the URL). */
const HOSTILE_SEGMENTS = ['%00', 'x'.repeat(300), '..', '%2E%2E%2F%2E%2E', '%E2%80%AE', "'%20OR%201=1", '%ZZ', 'user_0000000000000000000000missing'];

function resolve(doc: Schema, s: Schema | undefined): Schema | undefined {
  if (s === undefined) return undefined;
  if (typeof s.$ref === 'string') return resolve(doc, doc.components.schemas[s.$ref.split('/').pop()!]);
  return s;
}

function operations(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      const body = resolve(doc, (content['application/json'] ?? Object.values<Schema>(content)[0])?.schema) ?? null;
      const query = ((op.parameters ?? []) as Schema[]).filter((p) => p.in === 'query').map((p) => p.name as string);
      ops.push({ method: method.toUpperCase(), path, body, query });
    }
  }
  return ops;
}

describe(`hostile input on every route (${storeName})`, () => {
  let t: TestApp;
  let doc: Schema;
  before(async () => {
    t = await startTestApp({ env: { ...RELAXED_FAPI_LIMITS, ...NO_INVITATION_LIMITS, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '100000/1h', TESSERA_BODY_LIMIT_BYTES: '16384', TESSERA_RATE_LIMITS: 'off' } });
    doc = (await t.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
  });
  after(async () => {
    await t.close();
  });

  /** Fresh fixtures for one operation, so that one operation's deletes never starve the next. */
  async function fixtures() {
    const adminEmail = uniqueEmail('fz-admin');
    const admin = await ok<any>(t, 'POST', '/v1/users', { email_address: [adminEmail], password: PASSWORD });
    const browser = new Browser(t);
    const signIn = await browser.post('/v1/client/sign_ins', { identifier: adminEmail.toLowerCase(), password: PASSWORD });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const user = await ok<any>(t, 'POST', '/v1/users', { email_address: [uniqueEmail('fz')], skip_password_requirement: true });
    const org = await ok<any>(t, 'POST', '/v1/organizations', { name: 'Fuzz org', created_by: admin.id });
    await ok(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: user.id, role: 'org:member' });
    const orgInvitation = await ok<any>(t, 'POST', `/v1/organizations/${org.id}/invitations`, { email_address: uniqueEmail('fz-inv'), role: 'org:member' });
    const invitation = await ok<any>(t, 'POST', '/v1/invitations', { email_address: uniqueEmail('fz-app') });
    const n = Math.random().toString(36).slice(2, 10);
    const permission = await ok<any>(t, 'POST', '/v1/organization_permissions', { name: 'Fuzz', key: `org:fuzz${n}:read`, description: 'fuzz' });
    const role = await ok<any>(t, 'POST', '/v1/organization_roles', { name: 'Fuzz', key: `org:fuzz${n}`, description: 'fuzz', permissions: [permission.id] });
    const allowed = await ok<any>(t, 'POST', '/v1/allowlist_identifiers', { identifier: `fz${n}@example.com` });
    const sessionId: string = signIn.body.response.created_session_id;
    const ids: Record<string, string> = {
      organization_id: org.id,
      user_id: user.id,
      invitation_id: invitation.id,
      session_id: sessionId,
      organization_role_id: role.id,
      permission_id: permission.id,
      identifier_id: allowed.id,
      sign_in_id: 'sia_0000000000000000000missing',
      sign_up_id: 'sua_0000000000000000000missing',
    };
    // A path under an organization's invitations names an organization invitation.
    const idFor = (path: string, param: string) => (param === 'invitation_id' && path.startsWith('/v1/organizations/') ? orgInvitation.id : ids[param] ?? 'missing');
    const valid: Record<string, unknown> = {
      email_address: uniqueEmail('fz-body'),
      name: 'Fuzz',
      slug: `fuzz-${n}`,
      role: 'org:member',
      user_id: user.id,
      created_by: admin.id,
      key: `org:fz${n}`,
      description: 'fuzz',
      identifier: adminEmail.toLowerCase(),
      password: PASSWORD,
      strategy: 'password',
      code: '123456',
      first_name: 'Fuzz',
      last_name: 'Fuzz',
      public_metadata: { a: 1 },
      private_metadata: { b: 2 },
      unsafe_metadata: { c: 3 },
      redirect_url: `${t.url}/after`,
      permissions: [permission.id],
    };
    return { browser, idFor, valid };
  }

  function baseBody(schema: Schema, valid: Record<string, unknown>): unknown {
    const s = resolve(doc, schema)!;
    if (s.type === 'array') return [baseBody(s.items, valid)];
    const body: Record<string, unknown> = {};
    for (const name of (s.required ?? []) as string[]) {
      const prop = resolve(doc, s.properties?.[name]) ?? {};
      const wantsArray = prop.type === 'array' || (prop.anyOf ?? []).some((a: Schema) => a.type === 'array');
      const v = valid[name] ?? (prop.type === 'boolean' ? true : prop.type === 'integer' || prop.type === 'number' ? 1 : 'x');
      body[name] = wantsArray && !Array.isArray(v) ? [v] : v;
    }
    return body;
  }

  function bodyFields(schema: Schema): string[] {
    const s = resolve(doc, schema)!;
    const obj = s.type === 'array' ? resolve(doc, s.items)! : s;
    return Object.keys(obj.properties ?? {});
  }

  it('answers every operation below 500, with JSON, whatever the body, query or path', async (ctx) => {
    const failures: string[] = [];
    let sent = 0;
    const ops = operations(doc);
    for (const op of ops) {
      const { browser, idFor, valid } = await fixtures();
      const url = (segments: Record<string, string> = {}) =>
        op.path.replace(/\{([^}]+)\}/g, (_m, p: string) => segments[p] ?? encodeURIComponent(idFor(op.path, p)));
      /** Form-encoded, as Clerk's browser clients send Frontend API bodies (session cookie only). */
      const sendForm = async (form: string, what: string) => {
        const res = await t.app.inject({ method: op.method, url: url(), headers: { cookie: browser.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
        sent++;
        if (res.statusCode >= 500 || res.headers['content-type'] !== 'application/json') failures.push(`${op.method} ${url()} [form] ${what} → ${res.statusCode} ${res.body.slice(0, 160)}`);
      };
      const send = async (path: string, payload: unknown | undefined, what: string) => {
        for (const [mode, headers] of [
          ['secret key', t.auth],
          ['session cookie', { cookie: browser.cookieHeader }],
        ] as const) {
          const res = await t.app.inject({
            method: op.method,
            url: path,
            headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
          });
          sent++;
          // A redirect (the ticket link) has no body; everything else under /v1 answers JSON.
          const isJson = res.headers['content-type'] === 'application/json' || (res.statusCode >= 300 && res.statusCode < 400) || !path.startsWith('/v1/');
          if (res.statusCode >= 500 || !isJson) failures.push(`${op.method} ${path} [${mode}] ${what} → ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      };
      const hasBody = op.body !== null;
      const base = hasBody ? baseBody(op.body!, valid) : undefined;
      await send(url(), base, 'valid-looking');
      if (hasBody) {
        for (const field of bodyFields(op.body!)) {
          for (const value of HOSTILE_VALUES) {
            const body = Array.isArray(base) ? [{ ...(base[0] as object), [field]: value }] : { ...(base as object), [field]: value };
            await send(url(), body, `${field}=${JSON.stringify(value)?.slice(0, 40)}`);
          }
        }
        for (const raw of ['', '{', 'null', '[]', '"x"', '1', '{"__proto__":{"x":1}}']) await send(url(), raw, `raw body ${raw}`);
        const baseForm = Array.isArray(base) ? {} : (base as Record<string, unknown>);
        const formOf = (o: Record<string, unknown>) =>
          Object.entries(o)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
            .join('&');
        for (const field of bodyFields(op.body!)) {
          const rest = formOf(Object.fromEntries(Object.entries(baseForm).filter(([k]) => k !== field)));
          for (const raw of HOSTILE_FORM) await sendForm(`${rest}${rest ? '&' : ''}${raw.replaceAll('F', encodeURIComponent(field))}`, `${field}: ${raw.slice(0, 30)}`);
        }
        for (const raw of ['%', '&&&', '=x', '__proto__[x]=1', 'constructor[prototype][x]=1', 'a=%ZZ']) await sendForm(raw, `raw form ${raw}`);
      }
      for (const q of op.query) {
        for (const v of HOSTILE_QUERY) await send(`${url()}?${q}=${v}`, base, `?${q}=${v.slice(0, 20)}`);
        await send(`${url()}?${q}=1&${q}=2&${q}[]=3`, base, `?${q} repeated`);
      }
      for (const param of [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)) {
        for (const seg of HOSTILE_SEGMENTS) await send(url({ [param]: seg }), base, `{${param}}=${seg.slice(0, 20)}`);
      }
    }
    ctx.diagnostic(`${ops.length} operations, ${sent} requests`);
    assert.ok(sent > 2000, `sent ${sent}`);
    assert.deepEqual(failures, []);
  });

  it('answers below 500, with JSON, whatever the headers', async () => {
    const { browser } = await fixtures();
    const real = browser.cookieHeader;
    const headerSets: Record<string, string>[] = [
      { cookie: '__client=%ZZ' },
      { cookie: '__client=' + 'a'.repeat(6000) },
      { cookie: '__client=\u00ff\u00fe' },
      { cookie: `${real}; ${real}` },
      { cookie: '__client=; __client=x; =; ;;' },
      { cookie: '__client=AAAAAAAA' + 'A'.repeat(43) },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' + 'x'.repeat(5000) },
      { authorization: 'Basic Zm9vOmJhcg==' },
      { authorization: 'Bearer sk_test_\u00ff' },
      { origin: 'null', cookie: real },
      { origin: '%ZZ', cookie: real },
      { origin: 'http://[::1', cookie: real },
      { origin: 'javascript:alert(1)', cookie: real },
      { 'sec-fetch-site': 'none', cookie: real },
      { 'x-forwarded-for': '999.999.999.999, ::ffff:zz, ' + 'x'.repeat(500), cookie: real },
      { 'content-type': 'application/json; charset=latin1', cookie: real },
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16', cookie: real },
      { 'content-type': 'multipart/form-data; boundary=x', cookie: real },
      { 'accept-language': '*;q=x,' + 'e'.repeat(300), cookie: real },
    ];
    const requests: [string, string, string | undefined][] = [
      ['GET', '/v1/client', undefined],
      ['GET', '/v1/me', undefined],
      ['GET', '/v1/environment', undefined],
      ['POST', '/v1/client/sign_ins', 'identifier=nobody%40example.com&password=x'],
      ['POST', '/v1/client/sign_ups', 'email_address=new%40example.com&password=correct+horse+battery+staple'],
      ['GET', '/v1/invitations', undefined],
      ['POST', '/v1/invitations', '{"email_address":"hdr@example.com"}'],
      ['GET', '/v1/tickets/accept?ticket=x', undefined],
    ];
    const failures: string[] = [];
    for (const headers of headerSets) {
      for (const [method, url, payload] of requests) {
        const res = await t.app.inject({ method: method as 'GET', url, headers: { ...(payload?.startsWith('{') ? { 'content-type': 'application/json' } : payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers }, ...(payload ? { payload } : {}) });
        const isJson = res.headers['content-type'] === 'application/json' || (res.statusCode >= 300 && res.statusCode < 400);
        if (res.statusCode >= 500 || !isJson) failures.push(`${method} ${url} ${JSON.stringify(headers).slice(0, 80)} → ${res.statusCode} ${res.body.slice(0, 160)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('answers below 500 when the same write arrives several times at once, on every operation', async () => {
    const failures: string[] = [];
    for (const op of operations(doc).filter((o) => o.method !== 'GET')) {
      const { browser, idFor, valid } = await fixtures();
      const url = op.path.replace(/\{([^}]+)\}/g, (_m, p: string) => encodeURIComponent(idFor(op.path, p)));
      const base = op.body !== null ? baseBody(op.body, valid) : undefined;
      for (const [mode, headers] of [
        ['secret key', t.auth],
        ['session cookie', { cookie: browser.cookieHeader }],
      ] as const) {
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            fetch(`${t.url}${url}`, {
              method: op.method,
              headers: { ...headers, ...(base === undefined ? {} : { 'content-type': 'application/json' }) },
              ...(base === undefined ? {} : { body: JSON.stringify(base) }),
              redirect: 'manual',
            }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.text() })),
          ),
        );
        for (const r of results) {
          if (r.status >= 500 || (r.type !== 'application/json' && !(r.status >= 300 && r.status < 400))) failures.push(`${op.method} ${url} [${mode}] ×6 → ${r.status} ${r.body.slice(0, 200)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('answers the hosted pages, their assets and the dev mailbox below 500, and never serves a file outside the build', async () => {
    const { browser } = await fixtures();
    const failures: string[] = [];
    const queries = ['redirect_url=%ZZ', 'redirect_url=javascript:alert(1)', 'redirect_url=' + 'h'.repeat(5000), '__clerk_ticket=%00', '__clerk_ticket=' + 'x'.repeat(3000),
      '__clerk_status=%ED%A0%80', '__clerk_status[]=x', 'redirect_url=1&redirect_url=2', 'to=%00', 'to=' + 'a'.repeat(3000), '%', 'a[b][c]=1'];
    for (const path of ['/', '/sign-in', '/sign-up', '/accept-invitation', '/organization', '/dev/mailbox']) {
      for (const q of queries) {
        for (const headers of [{}, { cookie: browser.cookieHeader }]) {
          const res = await t.app.inject({ method: 'GET', url: `${path}?${q}`, headers });
          if (res.statusCode >= 500) failures.push(`GET ${path}?${q.slice(0, 40)} → ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      }
    }
    for (const asset of ['../package.json', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/package.json', '%00', 'x'.repeat(500), '....//....//package.json', '%ZZ', 'index.html%00.js']) {
      const res = await t.app.inject({ method: 'GET', url: `/assets/${asset}` });
      // None of these names a built asset: anything but a 4xx would serve something it should not.
      if (res.statusCode < 400 || res.statusCode >= 500) failures.push(`GET /assets/${asset.slice(0, 40)} → ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    assert.deepEqual(failures, []);
  });
});
