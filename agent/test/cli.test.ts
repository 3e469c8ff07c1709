/**
 * The agent as IT staff meet it: the single-file executable (Node SEA), `medsign-agent doctor`,
 * and its logs, which must never carry the registration token, the credential, a user-session
 * token or the data being signed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealedFile } from '../src/sealed-store.js';
import { freePort, spawnAgent } from './processes.js';
import { autoApprove, call, enrollDoctor, registrationToken, startCloudWithAdmin } from './stack.js';

const AGENT_DIR = fileURLToPath(new URL('..', import.meta.url));
const EXE = join(AGENT_DIR, 'dist', process.platform === 'win32' ? 'medsign-agent.exe' : 'medsign-agent');
let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'medsign-cli-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  s = await startCloudWithAdmin();
});
afterAll(async () => {
  await s?.cloud.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Run a command without blocking this process's event loop (the cloud runs in it). */
function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('single-file executable (Node SEA)', () => {
  it('npm run build:exe builds it; it starts with no Node install around it and answers getVersion', async () => {
    execFileSync('npm', ['run', 'build:exe', '--silent'], { cwd: AGENT_DIR, stdio: 'pipe' });
    expect(existsSync(EXE)).toBe(true);
    const child = spawn(EXE, ['--port', '0', '--data-dir', tmp(), '--cloud', 'http://127.0.0.1:9', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/nonexistent' } });
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no start: ${out}`)), 30_000);
        const check = () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        };
        child.stderr.on('data', check);
        child.stdout.on('data', check);
      });
      const v = await call(url, 'getVersion');
      expect(v.json).toMatchObject({ version: '0.1.0', product: expect.stringContaining('医签助手') });
      expect((await fetch(`${url}/`)).status).toBe(200);
      expect(out).not.toMatch(/Warning/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('medsign-agent doctor', () => {
  it('says what to fix: no credential, an unreachable standby; exit 1', async () => {
    const port = await freePort();
    const r = await run(EXE, ['doctor', '--port', String(port), '--data-dir', tmp(), '--cloud', s.cloud.url, '--cloud', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`✔ 云端 cloud ${s.cloud.url}`);
    expect(r.out).toMatch(/✘ 云端 cloud http:\/\/127\.0\.0\.1:9: 不可达 unreachable/);
    expect(r.out).toMatch(/✘ 本机凭据 stored credential: 未注册 not registered\n {4}→ .*注册令牌/);
    expect(r.out).toMatch(/时钟偏差 clock skew .*: -?\d+ ms/);
    expect(r.out).toContain(`✔ 端口 port ${port}: 空闲 free`);
    expect(r.out).toMatch(/2 项需要处理 \(2 to fix\)/);
  });

  it('all good once registered, and it recognises the running agent on its port', async () => {
    const dataDir = tmp();
    const agent = await spawnAgent(['--cloud', s.cloud.url, '--registration-token', await registrationToken(s.cloud.url, s.admin), '--data-dir', dataDir]);
    try {
      const port = new URL(agent.url).port;
      const r = await run(EXE, ['doctor', '--port', port, '--data-dir', dataDir, '--cloud', s.cloud.url, '--allowed-origin', 'https://emr.example']);
      expect(r.out).toContain('✔ 本机凭据 stored credential: 已注册 registered');
      expect(r.out).toContain(`✔ 端口 port ${port}: 医签助手正在运行 the agent is running`);
      expect(r.out).toContain('全部正常 (all good)');
      expect(r.code).toBe(0);
    } finally {
      await agent.kill();
    }
  });
});

describe('logs', () => {
  it('debug logs of a registration, a login and a signing carry no token, credential or signed data', async () => {
    const dataDir = tmp();
    const token = await registrationToken(s.cloud.url, s.admin);
    const agent = await spawnAgent(['--cloud', s.cloud.url, '--registration-token', token, '--data-dir', dataDir, '--log-level', 'debug']);
    const d = await enrollDoctor(s.cloud.url, s.admin, 'sm2', '日志医生');
    const auto = autoApprove(d.phone);
    try {
      const certId = (await call(agent.url, 'login', { employeeNo: d.employeeNo })).json.certId;
      const secretText = '患者隐私：HIV 检测阳性';
      expect((await call(agent.url, 'signData', { certId, text: secretText })).status).toBe(200);
      expect((await call(agent.url, 'signData', { certId: 'FFFF', text: secretText })).status).toBe(404);
    } finally {
      await auto.stop();
      await agent.kill();
    }
    const state = new SealedFile<{ credential: string; users: { userSessionToken: string }[] }>(join(dataDir, 'agent-state.enc'), readFileSync(join(dataDir, 'agent.key')), 'medsign-agent-state').read()!;
    const log = agent.output();
    expect(log).toMatch(/"msg":"login"/); // the log is not empty
    expect(log).toMatch(/"method":"signData"/);
    for (const secret of [token, state.credential, state.users[0]!.userSessionToken, '患者隐私', Buffer.from('患者隐私').toString('base64').slice(0, 12)]) expect(log).not.toContain(secret);
    // and the state file itself is sealed
    expect(readFileSync(join(dataDir, 'agent-state.enc'), 'utf8')).not.toContain(state.credential);
  });
});
