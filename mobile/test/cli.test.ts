/** medsign-mobile as a process against a real cloud: enroll, login, approve, wrong PIN, reject, QR login. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startTestCloud } from '../../cloud/test/cloud-fixture.js';
import { post } from '../../cloud/test/phone.js';

const BIN = fileURLToPath(new URL('../bin/medsign-mobile.mjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'medsign-mobile-'));
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let admin: { authorization: string };
let agent: { authorization: string };

/** Async, so the in-process cloud keeps serving while the CLI runs. */
function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MEDSIGN_MOBILE_HOME: home } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const agentGet = async (path: string) => (await (await fetch(`${cloud.url}${path}`, { headers: agent })).json()) as Record<string, unknown>;

beforeAll(async () => {
  cloud = await startTestCloud(undefined, {}, ['--renewal-days', '400']); // the renewal window is open for these certificates
  admin = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, admin);
  agent = { authorization: `Bearer ${(await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'CLI-WS' })).json.credential}` };
});
afterAll(async () => cloud.dispose());

describe('medsign-mobile', () => {
  it('enrolls with a typed code, approves a login and a signature, refuses a wrong PIN, rejects, and logs in by QR', async () => {
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'CLI1', name: '命令行', department: '放射科' }, admin);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, admin);
    const enrolled = await cli('enroll', '--cloud', cloud.url, '--code', String(e.json.activationCode), '--pin', '123456', '--pin-iterations', '1000', '--profile', 'dr-li');
    expect(enrolled.code, enrolled.err).toBe(0);
    expect(enrolled.out).toMatch(/已激活 enrolled/);
    const reused = await cli('enroll', '--cloud', cloud.url, '--code', String(e.json.activationCode), '--pin', '123456', '--profile', 'other');
    expect(reused.code).toBe(1);
    expect(reused.err).toMatch(/激活码已使用.*already been used/);

    const login = await post(cloud.url, '/api/v1/agent/logins', { employeeNo: 'CLI1', workstation: 'CT 室' }, agent);
    const listed = await cli('pending', '--profile', 'dr-li');
    expect(listed.out).toContain(String(login.json.verificationCode));
    expect((await cli('approve', '--all', '--pin', '123456', '--profile', 'dr-li')).code).toBe(0);
    const ls = await agentGet(`/api/v1/agent/sessions/${login.json.sessionId}?wait=5`);
    expect(ls.status).toBe('OK');

    const sign = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: ['ab'.repeat(32)], app: 'PACS', summaries: ['CT 报告'], workstation: 'CT 室' }, agent);
    const wrong = await cli('approve', String(sign.json.sessionId), '--pin', '000000', '--profile', 'dr-li');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/PIN 错误.*wrong PIN/);
    expect((await agentGet(`/api/v1/agent/sessions/${sign.json.sessionId}?wait=5`)).status).toBe('USER_REFUSED');

    const sign2 = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: ['cd'.repeat(32)], app: 'PACS', summaries: ['MR 报告'], workstation: 'CT 室' }, agent);
    expect((await cli('approve', String(sign2.json.sessionId), '--pin', '123456', '--profile', 'dr-li')).code).toBe(0);
    expect((await agentGet(`/api/v1/agent/sessions/${sign2.json.sessionId}?wait=5`)).status).toBe('OK');

    const sign3 = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: ['ef'.repeat(32)], app: 'PACS', summaries: ['X 光'], workstation: 'CT 室' }, agent);
    expect((await cli('reject', String(sign3.json.sessionId), '--profile', 'dr-li')).code).toBe(0);
    expect((await agentGet(`/api/v1/agent/sessions/${sign3.json.sessionId}?wait=5`)).status).toBe('USER_REFUSED');

    const qr = await post(cloud.url, '/api/v1/agent/logins', { workstation: '护士站' }, agent);
    const byQr = await cli('login', '--qr', String(qr.json.qr), '--pin', '123456', '--profile', 'dr-li');
    expect(byQr.code, byQr.err).toBe(0);
    expect((await agentGet(`/api/v1/agent/sessions/${qr.json.sessionId}?wait=5`)).status).toBe('OK');
  });

  it('status, and auto approves sessions as they arrive, showing their codes', async () => {
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'CLI2', name: '自动', department: '检验科' }, admin);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'rsa-1024' }, admin);
    expect((await cli('enroll', '--qr', String(e.json.qr), '--pin', '654321', '--pin-iterations', '1000', '--profile', 'auto')).code).toBe(0);
    const st = await cli('status', '--profile', 'auto');
    expect(st.out).toMatch(/serialNumber=CLI2/);
    expect(st.out).toMatch(/有效期至 valid until: .*\((36[45]) 天 days\)/);
    expect(st.out).toMatch(/RSA-1024/);
    expect(st.out).toMatch(/状态 state: 证书将于 36[45] 天后/); // renewal-days 400: already in the window
    expect(st.out).not.toContain('通知 notice');
    // issue 7: the cloud's expiry reminder reaches the phone (a 366-day threshold: this certificate is due)
    const settings = await fetch(`${cloud.url}/api/v1/admin/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ reminderDays: [366] }) });
    expect(settings.status).toBe(200);
    expect(((await post(cloud.url, '/api/v1/admin/notifications/run', {}, admin)).json.created as number)).toBeGreaterThanOrEqual(1);
    const noticed = await cli('status', '--profile', 'auto');
    expect(noticed.out).toMatch(/通知 notice: .+/);
    expect((await cli('status', '--profile', 'auto')).out).not.toContain('通知 notice'); // read now
    // change the PIN: a wrong current PIN is refused with the attempts left, the right one works
    const wrong = await cli('change-pin', '--pin', '111111', '--new-pin', '222222', '--profile', 'auto');
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toMatch(/PIN 错误.*还可尝试 4 次.*4 attempts left/);
    expect((await cli('change-pin', '--pin', '654321', '--new-pin', '246802', '--profile', 'auto')).out).toContain('PIN 已修改');
    // online renewal through the binary: a new serial and key
    expect((await cli('status', '--profile', 'auto')).out).toMatch(/可以在线更新/);
    const oldSerial = /serial (\w+)\)/.exec(st.out)![1];
    const renewed = await cli('renew', '--pin', '246802', '--profile', 'auto');
    expect(renewed.code, renewed.err).toBe(0);
    const newSerial = /已更新 renewed: serial (\w+)/.exec(renewed.out)![1];
    expect(newSerial).not.toBe(oldSerial);
    // the old certificate stays valid until its end (revokeOnRenewal is off by default); its key is retired
    expect(await (await fetch(`${cloud.url}/api/v1/admin/certificates/${oldSerial}`, { headers: admin })).json()).toMatchObject({ status: 'good' });
    expect(cloud.store.shares.getByCertificate(oldSerial!)?.status).toBe('destroyed');
    const auto = cli('auto', '--pin', '246802', '--window', '15s', '--profile', 'auto');
    const login = await post(cloud.url, '/api/v1/agent/logins', { employeeNo: 'CLI2', workstation: '检验科' }, agent);
    const ls = await agentGet(`/api/v1/agent/sessions/${login.json.sessionId}?wait=15`);
    expect(ls.status).toBe('OK');
    const sign = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: ['01'.repeat(32), '02'.repeat(32)], app: 'LIS', summaries: ['血常规', '生化'], workstation: '检验科' }, agent);
    expect((await agentGet(`/api/v1/agent/sessions/${sign.json.sessionId}?wait=15`)).status).toBe('OK');
    const out = await auto;
    expect(out.code).toBe(0);
    expect(out.out).toContain(`校验码 code ${String(sign.json.verificationCode)}`);
    expect(out.out).toMatch(/已停止 stopped/);
  }, 60_000);

  it('bad usage and missing profiles exit 2 with a bilingual message and no stack trace', async () => {
    for (const args of [['auto', '--pin', '123456', '--window', 'soon', '--profile', 'dr-li'], ['approve', '--pin', '123456', '--profile', 'dr-li'], ['enroll', '--pin', '123456'], ['pending', '--profile', 'nobody'], ['pending', '--profile', '../etc'], ['frobnicate']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect((await cli('pending', '--profile', 'nobody')).err).toMatch(/尚未激活.*not enrolled/);
  });
});
