// Creates the bench's organization through the server's API (an owner user first, then the org).
import type { RunningServer } from './server.ts';

async function post(server: RunningServer, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  const json = JSON.parse(text) as { id?: unknown };
  if (typeof json.id !== 'string') throw new Error(`POST ${path} answered without an id: ${text}`);
  return { id: json.id };
}

/** A new owner user (unique address per call) and a new organization it created; returns the org id. */
export async function createBenchOrganization(server: RunningServer): Promise<string> {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const user = await post(server, '/v1/users', { email_address: [`owner-${tag}@example.com`], skip_password_requirement: true });
  const org = await post(server, '/v1/organizations', { name: 'Bench Org', created_by: user.id });
  return org.id;
}
