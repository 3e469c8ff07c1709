import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { startCloud, type RunningCloud } from '../src/server.js';

export const ADMIN_PASSWORD = 'test-admin-password-42';

/** A real cloud on loopback with a temporary data directory. */
export async function startTestCloud(
  dataDir = mkdtempSync(join(tmpdir(), 'medsign-cloud-')),
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<RunningCloud & { dataDir: string; dispose(): Promise<void> }> {
  const config = loadConfig({ argv: ['--port', '0', '--data-dir', dataDir, '--log-level', 'silent', ...args], env: {} });
  const cloud = await startCloud(config, { MEDSIGN_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env });
  return {
    ...cloud,
    dataDir,
    async dispose() {
      await cloud.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function adminToken(url: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** Another administrator (created by a sysadmin), logged in with the initial password changed: its auth header. */
export async function adminAccount(url: string, sysadmin: Record<string, string>, username: string, role: string, departments?: string[]): Promise<Record<string, string>> {
  const initial = `initial-${username}-pw1`;
  const send = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const created = await send('/api/v1/admin/accounts', { username, role, password: initial, ...(departments ? { departments } : {}) }, sysadmin);
  if (created.status !== 200) throw new Error(`account ${username}: ${created.status} ${await created.text()}`);
  const token = ((await (await send('/api/v1/admin/login', { username, password: initial })).json()) as { token: string }).token;
  const h = { authorization: `Bearer ${token}` };
  const changed = await send('/api/v1/admin/me/password', { oldPassword: initial, newPassword: `changed-${username}-pw2` }, h);
  if (changed.status !== 200) throw new Error(`password change ${username}: ${changed.status}`);
  return h;
}
