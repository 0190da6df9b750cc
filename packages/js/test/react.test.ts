// The React hooks against a real server, rendered by react-dom into happy-dom: seed 001's page
// (examples/seed-001/src/invitation-list.tsx, Clerk's docs verbatim but for its import line) and
// the basics of useAuth / useUser / useSignIn / useOrganizationList.
import { dom } from './helpers/dom-register.ts';
import { register } from 'node:module';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import React, { act, createElement as h, type ComponentType } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { bapi } from '../../server/test/helpers/http.ts';
import { TesseraProvider, useAuth, useOrganization, useOrganizationList, useSignIn, useUser } from '../src/react/index.ts';
import { typeInto } from './helpers/dom.ts';
import { fakeBrowser, inviteToOrg, newOrg, newUser, PASSWORD, signedInBrowser, startSdkApp, uniqueEmail, type TestApp } from './helpers/sdk.ts';

// The fixture's unchanged `import … from '@tessera/js/react'` resolves to ../src/react/index.ts
// (the module this test imports), so both share one React context without a build.
register('./helpers/source-alias.hooks.mjs', import.meta.url);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets React and the network settle until `check` passes (15 s at most: CI machines are busy). */
async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await act(async () => {
      await sleep(20);
    });
  }
}

describe('React hooks', () => {
  let t: TestApp;
  let root: Root | null = null;
  let container: HTMLElement;

  before(async () => {
    t = await startSdkApp();
  });
  after(async () => {
    await dom.close();
    await t.close();
  });

  async function render(element: React.ReactElement): Promise<void> {
    if (root) await act(async () => root!.unmount());
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
    await act(async () => {
      root!.render(element);
    });
  }

  test("seed 001's page: invite (Admin), see it pending, revoke it", async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Seed 001 Org');
    const { tessera } = await signedInBrowser(t, admin);
    await tessera.setActive({ organization: org.id });
    // The page is a .tsx without `import React` (Next.js's automatic runtime); tsx compiles it
    // with the classic runtime, which reads a global React.
    (globalThis as { React?: unknown }).React = React;
    // (A path in a variable: the type-checker does not follow it into the untyped copy.)
    // The same file the example app serves: seed 001's page, verbatim but for its import line.
    const fixture = '../../../examples/seed-001/src/invitation-list.tsx';
    const { default: InvitationList } = (await import(fixture)) as { default: ComponentType };

    await render(h(TesseraProvider, { tessera }, h(InvitationList)));
    await waitFor(() => container.querySelector('form') !== null, 'the page (invitationList loaded)');
    assert.equal(container.querySelectorAll('li').length, 0);

    const email = uniqueEmail('seed001');
    const input = container.querySelector('input[placeholder="Email address"]');
    assert.ok(input);
    await act(async () => typeInto(dom.window, input, email));
    assert.equal((input as HTMLInputElement).value, email);
    const radios = [...container.querySelectorAll('input[type="radio"]')] as HTMLInputElement[];
    const adminRadio = radios.find((r) => r.parentElement?.textContent?.includes('Admin'));
    assert.ok(adminRadio);
    await act(async () => adminRadio.click());
    assert.equal(adminRadio.checked, true);
    const submit = container.querySelector('button[type="submit"]') as HTMLButtonElement;
    await act(async () => submit.click());

    await waitFor(() => [...container.querySelectorAll('li')].some((li) => li.textContent?.includes(email)), 'the pending invitation in the list');
    await waitFor(() => (container.querySelector('input[placeholder="Email address"]') as HTMLInputElement).value === '', 'the form reset');
    const listed = await bapi(t, 'GET', `/v1/organizations/${org.id}/invitations?status=pending`);
    assert.deepEqual(listed.body.data.map((i: { email_address: string; role: string }) => [i.email_address, i.role]), [[email, 'org:admin']]);

    const li = [...container.querySelectorAll('li')].find((l) => l.textContent?.includes(email));
    const revokeButton = li?.querySelector('button');
    assert.ok(revokeButton);
    await act(async () => revokeButton.click());
    await waitFor(() => ![...container.querySelectorAll('li')].some((l) => l.textContent?.includes(email)), 'the revoked invitation to leave the list');
    const revoked = await bapi(t, 'GET', `/v1/organizations/${org.id}/invitations?status=revoked`);
    assert.equal(revoked.body.total_count, 1);
  });

  test('useOrganization: undefined until loaded, the membership, and the invitation list as an array', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id);
    const { tessera } = await signedInBrowser(t, admin);
    await tessera.setActive({ organization: org.id });
    await tessera.organization!.inviteMember({ emailAddress: uniqueEmail('listed'), role: 'org:member' });
    const seen: ReturnType<typeof useOrganization>[] = [];
    function Probe() {
      seen.push(useOrganization({ invitationList: {}, memberships: true }));
      return null;
    }
    await render(h(TesseraProvider, { tessera }, h(Probe)));
    await waitFor(() => Array.isArray(seen.at(-1)?.invitationList) && seen.at(-1)?.memberships != null, 'the lists');
    const last = seen.at(-1)!;
    assert.equal(last.isLoaded, true);
    assert.equal(last.organization?.id, org.id);
    assert.equal(last.membership?.role, 'org:admin');
    assert.equal(last.invitationList?.length, 1);
    assert.equal(last.invitationList?.[0]?.status, 'pending');
    assert.equal(last.memberships?.totalCount, 1);
    assert.equal(seen[0]?.invitationList, undefined, 'undefined before the first fetch');
  });

  test('useAuth / useUser / useSignIn / useOrganizationList from a provider that loads its own instance', async () => {
    const user = await newUser(t, uniqueEmail('hooks'), { first_name: 'Hook' });
    const first = await newOrg(t, user.id, 'First');
    const otherAdmin = await newUser(t);
    const second = await newOrg(t, otherAdmin.id, 'Second');
    await inviteToOrg(t, second.id, user.email, 'org:admin');

    const snapshots: { auth: ReturnType<typeof useAuth>; user: ReturnType<typeof useUser>; signIn: ReturnType<typeof useSignIn>; list: ReturnType<typeof useOrganizationList> }[] = [];
    function Probe() {
      snapshots.push({ auth: useAuth(), user: useUser(), signIn: useSignIn(), list: useOrganizationList({ userInvitations: {} }) });
      return null;
    }
    const latest = () => snapshots.at(-1)!;
    await render(h(TesseraProvider, { frontendApi: t.url, fetch: fakeBrowser(t).fetch }, h(Probe)));
    assert.equal(snapshots[0]?.auth.isLoaded, false);
    assert.equal(snapshots[0]?.user.user, undefined);
    await waitFor(() => latest().auth.isLoaded, 'load');
    assert.equal(latest().auth.isSignedIn, false);
    assert.equal(latest().auth.userId, null);
    assert.equal(latest().user.user, null);
    assert.equal(latest().list.userMemberships, null);
    assert.equal(await latest().auth.getToken(), null);

    const { signIn, setActive } = latest().signIn;
    assert.ok(signIn && setActive);
    await act(async () => {
      const res = await signIn.create({ identifier: user.email, password: PASSWORD });
      await setActive({ session: res.createdSessionId, organization: first.id });
    });
    await waitFor(() => latest().auth.isSignedIn === true && latest().list.userInvitations != null && latest().list.userMemberships != null, 'signed in');
    const auth = latest().auth;
    assert.equal(auth.userId, user.id);
    assert.equal(auth.orgId, first.id);
    assert.equal(auth.orgRole, 'org:admin');
    assert.equal(auth.has({ permission: 'org:sys_memberships:manage' }), true);
    assert.equal(auth.has({ role: 'org:member' }), false);
    assert.equal(latest().user.user?.firstName, 'Hook');
    let token: string | null = null;
    await act(async () => {
      token = await auth.getToken(); // its answer's client updates the provider
    });
    assert.match(token ?? '', /^ey/);
    assert.deepEqual(latest().list.userMemberships?.data.map((m) => m.organization.name), ['First']);
    const invitations = latest().list.userInvitations;
    assert.equal(invitations?.totalCount, 1);
    assert.equal(invitations?.data[0]?.publicOrganizationData.name, 'Second');

    await act(async () => {
      await invitations!.data[0]!.accept();
    });
    await waitFor(() => latest().auth.orgId === second.id && latest().list.userInvitations?.totalCount === 0 && latest().list.userMemberships?.totalCount === 2, 'the accepted invitation');

    await act(async () => latest().list.setActive({ organization: first.id }));
    await waitFor(() => latest().auth.orgId === first.id, 'switching back');

    // createOrganization: the list is fetched again; the new one becomes active only by setActive.
    let made = null as { id: string; name: string } | null;
    await act(async () => {
      made = await latest().list.createOrganization({ name: 'Made In React' });
    });
    await waitFor(() => latest().list.userMemberships?.totalCount === 3, 'the created organization in the list');
    assert.equal(latest().auth.orgId, first.id);
    await act(async () => latest().list.setActive({ organization: made!.id }));
    await waitFor(() => latest().auth.orgId === made!.id && latest().auth.orgRole === 'org:admin', 'the created organization active');

    await act(async () => latest().auth.signOut());
    await waitFor(() => latest().auth.isSignedIn === false, 'sign-out');
    assert.equal(latest().user.user, null);
    assert.equal(latest().list.userMemberships, null);
    await act(async () => root!.unmount());
    root = null;
  });
});
