import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startCloud } from '../src/server.js';

describe('configuration', () => {
  it('defaults, then file, then environment, then flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medsign-cfg-'));
    const file = join(dir, 'cloud.json');
    writeFileSync(file, JSON.stringify({ port: 18000, organization: '市第一人民医院', sessionTimeoutSeconds: 60 }));
    const d = loadConfig({ argv: [], env: {} });
    expect(d).toMatchObject({ host: '127.0.0.1', port: 17900, sessionTimeoutSeconds: 120, publicUrl: 'http://127.0.0.1:17900' });
    expect(d.dataDir).toMatch(/data\/cloud$/);
    const c = loadConfig({ argv: ['--config', file, '--port', '18002'], env: { MEDSIGN_PORT: '18001', MEDSIGN_DATA_DIR: dir } });
    expect(c).toMatchObject({ port: 18002, organization: '市第一人民医院', sessionTimeoutSeconds: 60, dataDir: dir, publicUrl: 'http://127.0.0.1:18002' });
    expect(loadConfig({ argv: [], env: { MEDSIGN_CLOUD_CONFIG: file } }).port).toBe(18000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad values and unknown flags with a clear message', () => {
    expect(() => loadConfig({ argv: ['--port', '99999'], env: {} })).toThrow(/配置错误.*port/);
    expect(() => loadConfig({ argv: ['--frobnicate', '1'], env: {} })).toThrow(/未知参数.*--frobnicate/);
    expect(() => loadConfig({ argv: ['--config', '/nonexistent.json'], env: {} })).toThrow(/配置文件无法读取/);
    expect(() => loadConfig({ argv: [], env: { MEDSIGN_LOG_LEVEL: 'chatty' } })).toThrow(/logLevel/);
  });
});

describe('first start', () => {
  it('prints a generated administrator password once, uses WAL, and a short MEDSIGN_ADMIN_PASSWORD is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medsign-first-'));
    const config = loadConfig({ argv: ['--port', '0', '--data-dir', dir, '--log-level', 'silent'], env: {} });
    const first = await startCloud(config, {});
    expect(first.generatedAdminPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const login = await fetch(`${first.url}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: first.generatedAdminPassword }) });
    expect(login.status).toBe(200);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'medsign.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT max(version) AS v FROM schema_migration').get() as { v: number }).v).toBeGreaterThanOrEqual(3);
    db.close();
    await first.close();
    const second = await startCloud(config, {});
    expect(second.generatedAdminPassword).toBeUndefined();
    await second.close();
    const dir2 = mkdtempSync(join(tmpdir(), 'medsign-first-'));
    await expect(startCloud(loadConfig({ argv: ['--port', '0', '--data-dir', dir2, '--log-level', 'silent'], env: {} }), { MEDSIGN_ADMIN_PASSWORD: 'short' })).rejects.toThrow(/至少 12 位/);
    rmSync(dir, { recursive: true, force: true });
    rmSync(dir2, { recursive: true, force: true });
  });
});
