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
