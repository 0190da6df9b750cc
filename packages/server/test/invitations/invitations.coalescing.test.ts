// Single creates are coalesced (src/lib/coalesce.ts): creates that arrive while one is being
// written go in one statement, each with its own verdict. Each request must get exactly the answer
// it would have got alone, and nothing is written for a refused one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type pg from 'pg';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi, codeOf, metaOf } from '../helpers/http.ts';
import { expireInvitation, insertUserWithEmail } from '../helpers/fixtures.ts';
import { insertInvitationsIfFree, type NewInvitation } from '../../src/features/invitations/invitation.repository.ts';
import { newId } from '../../src/lib/ids.ts';
import { mintTicket } from '../../src/lib/tickets.ts';
import { connectAsAnotherProcess, waitUntilBlockedBy } from '../helpers/postgres.ts';

let seq = 0;
const email = (p: string) => `${p}${++seq}-${Date.now()}@example.com`;

async function rowsFor(t: TestApp, addresses: string[]) {
  const invitations = await t.deps.db.selectFrom('invitations').select(['id', 'email', 'status', sql<string>`xmin::text`.as('tx')]).where('email', 'in', addresses).execute();
  const ids = invitations.map((i) => i.id);
  if (ids.length === 0) return { invitations, audits: [], mailedIds: [] };
  const mailed = await t.deps.db.selectFrom('outbox').select(sql<string>`payload -> 'vars' ->> 'invitation_id'`.as('id')).where(sql<string>`payload -> 'vars' ->> 'invitation_id'`, 'in', ids).execute();
  const audits = await t.deps.db.selectFrom('audit_log').select('target').where('action', '=', 'invitation.created').where('target', 'in', ids).execute();
  return { invitations, audits, mailedIds: mailed.map((m) => m.id) };
}

describe(`coalesced invitation creates (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('parallel creates of every kind each get the answer they would get alone, and only the created ones are written', async () => {
    const fresh = Array.from({ length: 12 }, () => email('fresh'));
    const pendingAlready = Array.from({ length: 3 }, () => email('dup'));
    const owned = Array.from({ length: 3 }, () => email('owned'));
    const stale = Array.from({ length: 2 }, () => email('stale'));
    const twice = Array.from({ length: 2 }, () => email('twice'));
    for (const a of pendingAlready) assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: a })).status, 200);
    for (const a of owned) await insertUserWithEmail(t, a);
    for (const a of stale) await expireInvitation(t, (await bapi(t, 'POST', '/v1/invitations', { email_address: a })).body.id);
    const ignoring = pendingAlready.slice(0, 2);

    const requests: { email: string; body: Record<string, unknown>; want: number | 'one-of-two' }[] = [
      ...fresh.map((a) => ({ email: a, body: { email_address: a }, want: 200 })),
      ...pendingAlready.map((a) => ({ email: a, body: { email_address: a }, want: 400 })),
      ...owned.map((a) => ({ email: a, body: { email_address: a }, want: 422 })),
      ...stale.map((a) => ({ email: a, body: { email_address: a }, want: 200 })),
      ...twice.flatMap((a) => [0, 1].map(() => ({ email: a, body: { email_address: a }, want: 'one-of-two' as const }))),
      ...ignoring.map((a) => ({ email: a, body: { email_address: a, ignore_existing: true }, want: 200 })),
    ];
    // Interleave the kinds, so that batches mix them.
    requests.sort((x, y) => (x.email < y.email ? -1 : 1));
    const answers = await Promise.all(requests.map((r) => bapi(t, 'POST', '/v1/invitations', r.body)));

    requests.forEach((r, i) => {
      const a = answers[i]!;
      if (r.want === 200) {
        assert.equal(a.status, 200, `${r.email}: ${JSON.stringify(a.body)}`);
        assert.equal(a.body.email_address, r.email);
        assert.equal(a.body.status, 'pending');
      } else if (r.want === 400) {
        assert.equal(a.status, 400, r.email);
        assert.equal(codeOf(a), 'duplicate_record');
        assert.deepEqual(metaOf(a)?.email_addresses, [r.email]);
      } else if (r.want === 422) {
        assert.equal(a.status, 422, r.email);
        assert.equal(codeOf(a), 'form_identifier_exists');
        assert.deepEqual(metaOf(a)?.email_addresses, [r.email]);
      }
    });
    for (const a of twice) {
      const mine = answers.filter((_, i) => requests[i]!.email === a);
      assert.deepEqual(mine.map((m) => m.status).sort(), [200, 400], a);
      assert.equal(codeOf(mine.find((m) => m.status === 400)!), 'duplicate_record');
    }
    const createdIds = answers.filter((a) => a.status === 200).map((a) => a.body.id as string);
    assert.equal(new Set(createdIds).size, createdIds.length, 'every create has its own id');
    assert.equal(new Set(answers.filter((a) => a.status === 200).map((a) => a.body.url)).size, createdIds.length, 'and its own ticket');

    // Written: exactly the created invitations, each with one email and one audit row.
    const all = [...fresh, ...pendingAlready, ...owned, ...stale, ...twice];
    const { invitations, audits, mailedIds } = await rowsFor(t, all);
    const pendingNow = invitations.filter((i) => i.status === 'pending').map((i) => i.id);
    for (const id of createdIds) assert.ok(pendingNow.includes(id), `created ${id} is pending`);
    const expected = fresh.length + pendingAlready.length + ignoring.length + stale.length + twice.length;
    assert.equal(pendingNow.length, expected, 'pending: the earlier ones and the created ones, nothing for a refused create');
    assert.equal(invitations.filter((i) => i.status === 'expired').length, stale.length, 'the stale invitations were marked expired');
    assert.equal(invitations.filter((i) => owned.includes(i.email)).length, 0);
    const auditTargets = new Set(audits.map((a) => a.target));
    for (const id of createdIds) {
      assert.ok(auditTargets.has(id), `audit row for ${id}`);
      assert.ok(mailedIds.includes(id), `email queued for ${id}`);
    }
  });

  it('writes creates that arrive together with fewer statements than requests (rows of one statement share its transaction)', { skip: storeName !== 'postgres' && 'PGlite runs a statement without yielding to I/O: no request finds one in flight' }, async () => {
    const addresses = Array.from({ length: 20 }, () => email('many'));
    const answers = await Promise.all(addresses.map((a) => bapi(t, 'POST', '/v1/invitations', { email_address: a })));
    assert.deepEqual(answers.map((a) => a.status), addresses.map(() => 200));
    const { invitations } = await rowsFor(t, addresses);
    const statements = new Set(invitations.map((i) => i.tx)).size;
    assert.ok(statements < addresses.length, `${statements} statements for ${addresses.length} creates`);
  });
});

describe(`the create statement, per item and all or nothing (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  const item = (address: string, allowDuplicate = false) => {
    const row: NewInvitation = {
      id: newId('inv'), email: address, publicMetadata: {}, redirectUrl: null, notify: false, allowDuplicate,
      templateSlug: 'invitation', ticketHash: mintTicket('invitation').hash, expiresInDays: 30,
    };
    return { row, checkUsers: !allowDuplicate, email: null };
  };

  it('gives each item its own verdict; per item it writes the free ones, all or nothing it writes none', async () => {
    const pending = email('p');
    const owned = email('o');
    const stale = email('s');
    await bapi(t, 'POST', '/v1/invitations', { email_address: pending });
    await insertUserWithEmail(t, owned);
    await expireInvitation(t, (await bapi(t, 'POST', '/v1/invitations', { email_address: stale })).body.id);
    const kinds = () => [item(email('f')), item(pending), item(owned), item(stale), item(pending, true), item(email('f'))];
    const want = [null, 'duplicate', 'claimed', 'stale', null, null];

    const none = kinds();
    const refused = await insertInvitationsIfFree(t.deps.db, none, { allOrNothing: true });
    assert.deepEqual(refused.map((v) => v.blocked), want);
    assert.deepEqual(refused.map((v) => v.created), want.map(() => null));
    assert.equal((await t.deps.db.selectFrom('invitations').select('id').where('id', 'in', none.map((it) => it.row.id)).execute()).length, 0);

    const each = kinds();
    const verdicts = await insertInvitationsIfFree(t.deps.db, each, { allOrNothing: false });
    assert.deepEqual(verdicts.map((v) => v.blocked), want);
    assert.deepEqual(verdicts.map((v) => v.created?.id ?? null), each.map((it, i) => (want[i] === null ? it.row.id : null)));
    const written = await t.deps.db.selectFrom('invitations').select('id').where('id', 'in', each.map((it) => it.row.id)).execute();
    assert.deepEqual(written.map((w) => w.id).sort(), each.filter((_, i) => want[i] === null).map((it) => it.row.id).sort());
  });
});

describe(`invitation creates with coalescing off (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_WRITE_COALESCING: '0' } }); });
  after(async () => { await t.close(); });

  it('20 parallel creates for one address, each its own statement: the unique index lets exactly one through', async () => {
    const addr = email('race-off');
    const answers = await Promise.all(Array.from({ length: 20 }, () => bapi(t, 'POST', '/v1/invitations', { email_address: addr })));
    assert.equal(answers.filter((a) => a.status === 200).length, 1);
    assert.equal(answers.filter((a) => a.status === 400 && codeOf(a) === 'duplicate_record').length, 19);
    const addresses = Array.from({ length: 10 }, () => email('off'));
    const many = await Promise.all(addresses.map((a) => bapi(t, 'POST', '/v1/invitations', { email_address: a })));
    assert.deepEqual(many.map((a) => a.status), addresses.map(() => 200));
    const { invitations } = await rowsFor(t, addresses);
    assert.equal(new Set(invitations.map((i) => i.tx)).size, addresses.length, 'one statement (one transaction) per create');
  });
});

describe('a coalesced statement that loses a race to another process (PostgreSQL)', { skip: storeName !== 'postgres' && 'PostgreSQL only' }, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('is written again item by item: the address taken meanwhile gets duplicate_record, the others are created', async () => {
    const holdFirst = await connectAsAnotherProcess(t);
    const otherProcess = await connectAsAnotherProcess(t);
    const insertPending = (c: pg.Client, address: string) =>
      c.query(`INSERT INTO invitations (id, email, ticket_hash, expires_at) VALUES ($1, $2, sha256(convert_to($1, 'UTF8')), now() + interval '1 day')`, [`inv_race${++seq}${Date.now()}`, address]);
    try {
      const first = email('first');
      const taken = email('taken');
      const others = [email('other'), email('other')];
      await holdFirst.query('BEGIN');
      await insertPending(holdFirst, first);
      await otherProcess.query('BEGIN');
      await insertPending(otherProcess, taken);
      // The first create waits on holdFirst's uncommitted row; the next three queue behind it.
      const firstAnswer = bapi(t, 'POST', '/v1/invitations', { email_address: first });
      await waitUntilBlockedBy(holdFirst, 'the first create');
      const batchAnswers = [taken, ...others].map((a) => bapi(t, 'POST', '/v1/invitations', { email_address: a }));
      await new Promise((res) => setTimeout(res, 300));
      await holdFirst.query('ROLLBACK');
      assert.equal((await firstAnswer).status, 200);
      // The three run as one statement, which now waits on the other process's row for `taken`;
      // that commits, so the statement fails on the unique index and writes nothing.
      await waitUntilBlockedBy(otherProcess, 'the coalesced statement');
      await otherProcess.query('COMMIT');
      const [takenAnswer, ...otherAnswers] = await Promise.all(batchAnswers);
      assert.equal(takenAnswer!.status, 400, JSON.stringify(takenAnswer!.body));
      assert.equal(codeOf(takenAnswer!), 'duplicate_record');
      assert.deepEqual(otherAnswers.map((a) => a.status), [200, 200]);
      const { invitations, audits } = await rowsFor(t, [taken, ...others]);
      assert.equal(invitations.filter((i) => i.email === taken).length, 1, 'only the other process wrote `taken`');
      assert.equal(audits.length, 2, 'audit rows for the two created, none for the refused one');
    } finally {
      await holdFirst.end();
      await otherProcess.end();
    }
  });
});
