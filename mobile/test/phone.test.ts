/** The phone library against a real cloud: enrollment from the QR code, PIN vault, approval, wrong PINs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, phoneSignStart, scalarFromHex, signDeviceRequest, sm2Digest, sm2PublicKeyFromPrivate, toHex, type ParsedCertificate } from '@medsign/core';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { adminToken, startTestCloud } from '../../cloud/test/cloud-fixture.js';
import { post } from '../../cloud/test/phone.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MedSignPhone, MobileError, certificateStatus, memoryStorage, openShare, sealShare } from '../src/index.js';

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let admin: { authorization: string };
let agent: { authorization: string };
let n = 0;
const FAST = { pinIterations: 1000 }; // the default 600,000 is for phones, not for a test suite

async function enrollment(algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024') {
  const employeeNo = `M${++n}`;
  const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo, name: '手机测试', department: '儿科' }, admin);
  const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm }, admin);
  return { employeeNo, qr: String(e.json.qr) };
}

/** Log in through the agent API and return the user-session token. */
async function login(phone: MedSignPhone, employeeNo: string): Promise<string> {
  const l = await post(cloud.url, '/api/v1/agent/logins', { employeeNo, workstation: 'x' }, agent);
  const [s] = await phone.pending();
  expect(s!.kind).toBe('login');
  await phone.approve(s!, '123456');
  const r = await fetch(`${cloud.url}/api/v1/agent/sessions/${l.json.sessionId}?wait=5`, { headers: agent });
  return ((await r.json()) as { userSessionToken: string }).userSessionToken;
}

beforeAll(async () => {
  cloud = await startTestCloud();
  admin = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, admin);
  agent = { authorization: `Bearer ${(await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'MOBILE-TEST' })).json.credential}` };
});
afterAll(async () => cloud.dispose());

describe('PIN vault', () => {
  it('round-trips with the right PIN; a wrong PIN gives a different, well-formed share (no offline check)', async () => {
    for (const share of [
      { algorithm: 'sm2' as const, d1: 'ab'.repeat(32), publicKey: '04' + '11'.repeat(64) },
      { algorithm: 'rsa' as const, n: 'c3'.repeat(128), e: '10001', d1: '5a'.repeat(120) },
    ]) {
      const rec = await sealShare(share, '246810', 1000);
      expect(JSON.stringify(rec)).not.toContain(share.d1);
      expect(await openShare(rec, '246810')).toEqual(share);
      const wrong = await openShare(rec, '135790');
      expect(wrong.d1).not.toBe(share.d1);
      expect(wrong.d1).toMatch(/^[0-9a-f]+$/);
    }
    await expect(sealShare({ algorithm: 'sm2', d1: '01', publicKey: '' }, '12ab56')).rejects.toMatchObject({ code: 'PIN_FORMAT' });
  });
});

describe.each(['sm2', 'rsa-2048'] as const)('%s phone', (algorithm) => {
  it('enrolls from the QR code, logs in, approves a batch, and a wrong PIN signs nothing', async () => {
    const { employeeNo, qr } = await enrollment(algorithm);
    const storage = memoryStorage();
    const phone = await MedSignPhone.enroll(qr, '123456', { storage, ...FAST });
    const cert: ParsedCertificate = parseCertificate(phone.certificate);
    expect(cert.subjectText).toContain(`serialNumber=${employeeNo}`);
    expect(storage.value).toBeDefined();
    expect(storage.value).not.toMatch(/"d1"/);
    const reloaded = await MedSignPhone.load({ storage });
    const token = await login(reloaded, employeeNo);

    const docs = ['门诊病历', '处方', '检验申请'].map((d) => new TextEncoder().encode(d));
    const digests = docs.map((d) => (cert.publicKey.algorithm === 'sm2' ? toHex(sm2Digest(cert.publicKey.point, d)) : createHash('sha256').update(d).digest('hex')));
    const open = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests, app: 'HIS', summaries: ['a', 'b', 'c'], workstation: 'x' }, agent);
    const [s] = await reloaded.pending();
    expect(s).toMatchObject({ count: 3, app: 'HIS', verificationCode: open.json.verificationCode });
    // wrong PIN: refused on the phone, nothing released, the cloud counts it
    await expect(reloaded.approve(s!, '000000')).rejects.toMatchObject({ code: 'PIN_WRONG', zh: expect.stringContaining('还可尝试 4 次'), en: expect.stringContaining('4 attempts left') });
    const after = await fetch(`${cloud.url}/api/v1/agent/sessions/${open.json.sessionId}?wait=5`, { headers: agent });
    expect(((await after.json()) as { status: string }).status).toBe('USER_REFUSED');
    // right PIN on a fresh session
    const again = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests, app: 'HIS', summaries: ['a', 'b', 'c'], workstation: 'x' }, agent);
    const [s2] = await reloaded.pending();
    expect(await reloaded.approve(s2!, '123456')).toBe('OK');
    const ok = await fetch(`${cloud.url}/api/v1/agent/sessions/${again.json.sessionId}?wait=5`, { headers: agent });
    expect(((await ok.json()) as { status: string }).status).toBe('OK');
  });
});

describe.each(['sm2', 'rsa-2048'] as const)('changing the PIN (%s)', (algorithm) => {
  it('checks the old PIN online first (counted, with attempts left), then re-seals under the new one', async () => {
    const { employeeNo, qr } = await enrollment(algorithm);
    const storage = memoryStorage();
    const phone = await MedSignPhone.enroll(qr, '123456', { storage, ...FAST });
    const token = await login(phone, employeeNo);
    const sign = async () => {
      await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests: ['cd'.repeat(32)], app: 'EMR', summaries: ['x'], workstation: 'x' }, agent);
      return (await phone.pending())[0]!;
    };
    const before = storage.value;
    await expect(phone.changePin('123456', '12ab56')).rejects.toMatchObject({ code: 'PIN_FORMAT' });
    await expect(phone.changePin('123456', '123456')).rejects.toMatchObject({ code: 'PIN_SAME' });
    // a wrong old PIN: the cloud counted it (the format errors above were not), nothing was re-sealed
    await expect(phone.changePin('000000', '654321')).rejects.toMatchObject({ code: 'PIN_WRONG', zh: expect.stringContaining('还可尝试 4 次') });
    expect(storage.value).toBe(before);
    await phone.changePin('123456', '654321');
    expect(storage.value).not.toBe(before);
    expect(storage.value).not.toMatch(/"d1"/);
    // the new PIN signs, in this object and after a reload; the old one is now a wrong PIN (and the count restarted)
    expect(await phone.approve(await sign(), '654321')).toBe('OK');
    const reloaded = await MedSignPhone.load({ storage });
    await expect(reloaded.approve(await sign(), '123456')).rejects.toMatchObject({ code: 'PIN_WRONG', zh: expect.stringContaining('还可尝试 4 次') });
    expect(await reloaded.approve(await sign(), '654321')).toBe('OK');
  });
});

describe('the PIN check cannot be used to guess offline', () => {
  it('counts an answered check even when the phone never reports back: the sixth is refused as LOCKED', async () => {
    const { qr } = await enrollment('sm2');
    const storage = memoryStorage();
    await MedSignPhone.enroll(qr, '123456', { storage, ...FAST });
    const stored = JSON.parse(storage.value!) as { deviceId: string; deviceKey: string };
    const privateKey = scalarFromHex(stored.deviceKey);
    const device = { id: stored.deviceId, privateKey, publicKey: sm2PublicKeyFromPrivate(privateKey) };
    const attempt = async () => {
      const checkId = randomUUID();
      const body = JSON.stringify({ checkId, nonce: toHex(randomBytes(32)), commit: phoneSignStart({ sessionId: checkId, digests: ['ef'.repeat(32)] }).message });
      const path = '/api/v1/mobile/pin-check';
      const r = await fetch(`${cloud.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signDeviceRequest(device, 'POST', path, new TextEncoder().encode(body)) }, body });
      return { status: r.status, json: (await r.json()) as { code?: string; reply?: unknown } };
    };
    for (let i = 0; i < 5; i++) expect((await attempt()).json.reply).toBeDefined(); // answered, never finished
    expect(await attempt()).toMatchObject({ status: 423, json: { code: 'LOCKED' } });
  });
});

describe('online renewal (在线更新)', () => {
  it('is refused before the renewal window opens, with the date it opens', async () => {
    const { qr } = await enrollment('sm2');
    const phone = await MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST });
    await expect(phone.renew('123456')).rejects.toMatchObject({ code: 'RENEWAL_NOT_OPEN', zh: expect.stringMatching(/\d{4}-\d{2}-\d{2} 起可在线更新/) });
  });

  it.each(['sm2', 'rsa-2048'] as const)('%s: re-keys with the PIN checked online; the new key replaces the old (the old certificate superseded by policy, else valid until its end), and signs', async (algorithm) => {
    const own = await startTestCloud(undefined, {}, ['--renewal-days', '400']); // the window is always open here
    try {
      const a = { authorization: `Bearer ${await adminToken(own.url)}` };
      // the policy: by default the old certificate stays valid until its end (its key retired);
      // the RSA case turns on revokeOnRenewal, which revokes it as superseded
      const revokes = algorithm === 'rsa-2048';
      if (revokes) expect((await fetch(`${own.url}/api/v1/admin/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', ...a }, body: JSON.stringify({ revokeOnRenewal: true }) })).status).toBe(200);
      const t = await post(own.url, '/api/v1/admin/agent-tokens', {}, a);
      const ag = { authorization: `Bearer ${(await post(own.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'RENEW' })).json.credential}` };
      const staff = await post(own.url, '/api/v1/admin/staff', { employeeNo: 'R1', name: '更新医生', department: '内科' }, a);
      const e = await post(own.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm }, a);
      const storage = memoryStorage();
      const phone = await MedSignPhone.enroll(String(e.json.qr), '123456', { storage, ...FAST });
      const old = parseCertificate(phone.certificate);

      await expect(phone.renew('000000')).rejects.toMatchObject({ code: 'PIN_WRONG' });
      expect(parseCertificate(phone.certificate).serialNumber).toBe(old.serialNumber);
      const renewed = parseCertificate(await phone.renew('123456'));
      expect(renewed.serialNumber).not.toBe(old.serialNumber);
      expect(renewed.subjectText).toBe(old.subjectText);
      expect(renewed.spki).not.toEqual(old.spki); // a new key, not a re-certified one
      const oldView = await fetch(`${own.url}/api/v1/admin/certificates/${old.serialNumber}`, { headers: a });
      expect(await oldView.json()).toMatchObject(revokes ? { status: 'revoked', reason: 4 } : { status: 'good', revokedAt: null }); // superseded, or valid until its end
      expect(own.store.shares.getByCertificate(old.serialNumber)?.status).toBe('destroyed'); // either way only the new key signs
      if (algorithm === 'rsa-2048') {
        // openssl, against the chain and the CRL the cloud serves: the new one verifies, the old one is revoked
        const dir = mkdtempSync(join(tmpdir(), 'renew-'));
        const get = async (path: string) => Buffer.from(await (await fetch(`${own.url}${path}`)).arrayBuffer());
        writeFileSync(join(dir, 'root.pem'), await get('/pki/ca/rsa-root.pem'));
        writeFileSync(join(dir, 'issuing.pem'), await get('/pki/ca/rsa-issuing.pem'));
        writeFileSync(join(dir, 'issuing.crl'), await get('/pki/crl/rsa-issuing.crl'));
        execFileSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'issuing.crl'), '-out', join(dir, 'crl.pem')]);
        const pem = (der: Uint8Array, name: string) => (writeFileSync(join(dir, name), `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`), join(dir, name));
        const verify = (cert: string) => spawnSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'issuing.pem'), '-CRLfile', join(dir, 'crl.pem'), '-crl_check', cert], { encoding: 'utf8' });
        expect(verify(pem(renewed.der, 'new.pem')).stdout).toContain(': OK');
        expect(verify(pem(old.der, 'old.pem')).stdout + verify(pem(old.der, 'old.pem')).stderr).toMatch(/certificate revoked/);
      }
      const reloaded = await MedSignPhone.load({ storage });
      expect(parseCertificate(reloaded.certificate).serialNumber).toBe(renewed.serialNumber);

      // log in and sign with the new key and the same PIN; the cloud checks against the new certificate
      const l = await post(own.url, '/api/v1/agent/logins', { employeeNo: 'R1', workstation: 'x' }, ag);
      expect(await reloaded.approve((await reloaded.pending())[0]!, '123456')).toBe('OK');
      const ls = (await (await fetch(`${own.url}/api/v1/agent/sessions/${l.json.sessionId}?wait=5`, { headers: ag })).json()) as { status: string; userSessionToken: string; certificate?: string };
      expect(ls.status).toBe('OK');
      const s = await post(own.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: ['77'.repeat(32)], app: 'EMR', summaries: ['x'], workstation: 'x' }, ag);
      expect(await reloaded.approve((await reloaded.pending())[0]!, '123456')).toBe('OK');
      const done = (await (await fetch(`${own.url}/api/v1/agent/sessions/${s.json.sessionId}?wait=5`, { headers: ag })).json()) as { status: string };
      expect(done.status).toBe('OK');
      // a second renewal works from the renewed state, and supersedes the first renewal's certificate
      const again = parseCertificate(await phone.renew('123456'));
      expect(again.serialNumber).not.toBe(renewed.serialNumber);
      expect(await (await fetch(`${own.url}/api/v1/admin/certificates/${renewed.serialNumber}`, { headers: a })).json()).toMatchObject(revokes ? { status: 'revoked', reason: 4 } : { status: 'good' });
      expect(own.store.shares.getByCertificate(renewed.serialNumber)?.status).toBe('destroyed');
    } finally {
      await own.dispose();
    }
  });
});

describe('an expired certificate', () => {
  it('opens no session and cannot be renewed online (CERT_EXPIRED, in Chinese and English)', async () => {
    const { employeeNo, qr } = await enrollment('sm2');
    const storage = memoryStorage();
    const phone = await MedSignPhone.enroll(qr, '123456', { storage, ...FAST });
    const after = parseCertificate(phone.certificate).notAfter.getTime() + 1000;
    const agentId = cloud.services.sessions.authenticateAgent(agent.authorization.slice('Bearer '.length)).id;
    const deviceId = (JSON.parse(storage.value!) as { deviceId: string }).deviceId;
    // the domain services take the time as a parameter; the HTTP routes use the clock
    expect(() => cloud.services.sessions.openLogin(agentId, employeeNo, 'x', after)).toThrow(expect.objectContaining({ code: 'CERT_EXPIRED', message: expect.stringMatching(/已过期.*\(.*expired/) }));
    expect(() => cloud.services.enrollment.renewOpen(deviceId, after)).toThrow(expect.objectContaining({ code: 'CERT_EXPIRED' }));
    // the same key one second before the end still works
    expect(cloud.services.sessions.openLogin(agentId, employeeNo, 'x', after - 2000).status).toBe('PENDING');
    expect(certificateStatus(phone.certificate, new Date(after)).level).toBe('expired');
  });
});

describe('errors the doctor sees', () => {
  it('network down, and a revoked certificate, each in Chinese and English with a stable code', async () => {
    const { qr } = await enrollment('sm2');
    const storage = memoryStorage();
    const phone = await MedSignPhone.enroll(qr, '123456', { storage, ...FAST });
    const offline = memoryStorage();
    await offline.save(JSON.stringify({ ...JSON.parse(storage.value!), cloud: 'http://127.0.0.1:9' })); // nothing listens there
    await expect((await MedSignPhone.load({ storage: offline })).pending()).rejects.toMatchObject({ code: 'NETWORK', zh: expect.stringContaining('网络不可用'), en: expect.stringContaining('network') });
    const serial = parseCertificate(phone.certificate).serialNumber;
    expect((await post(cloud.url, `/api/v1/admin/certificates/${serial}/revoke`, { reason: 1 }, admin)).status).toBe(200);
    // revocation destroys the cloud's share, so the person has no usable key any more
    await expect(phone.changePin('123456', '654321')).rejects.toMatchObject({ code: 'NO_ACTIVE_KEY', zh: expect.stringContaining('证书已吊销'), en: expect.stringContaining('revoked') });
    await expect(phone.renew('123456')).rejects.toMatchObject({ code: 'NO_ACTIVE_KEY' });
    // put on hold instead, the key is still there but unusable: CERT_REVOKED
    const { qr: qr2 } = await enrollment('sm2');
    const held = await MedSignPhone.enroll(qr2, '123456', { storage: memoryStorage(), ...FAST });
    expect((await post(cloud.url, `/api/v1/admin/certificates/${parseCertificate(held.certificate).serialNumber}/hold`, {}, admin)).status).toBe(200);
    await expect(held.changePin('123456', '654321')).rejects.toMatchObject({ code: 'CERT_REVOKED', zh: expect.stringContaining('冻结'), en: expect.stringContaining('on hold') });
  });
});

describe('certificate status on the home screen', () => {
  it('names the holder, the algorithm and the end date (as openssl reads them), and warns 30 days before the end', async () => {
    const { employeeNo, qr } = await enrollment('rsa-1024');
    const phone = await MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST });
    const st = certificateStatus(phone.certificate);
    expect(st).toMatchObject({ name: '手机测试', employeeNo, algorithm: 'RSA-1024', level: 'ok' });
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(phone.certificate).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const out = execFileSync('openssl', ['x509', '-noout', '-enddate', '-serial'], { input: pem }).toString();
    expect(new Date(/notAfter=(.*)/.exec(out)![1]!).getTime()).toBe(st.notAfter.getTime());
    expect(/serial=(\w+)/.exec(out)![1]).toBe(st.serialNumber);
    expect(st.daysLeft).toBeGreaterThanOrEqual(364);
    const day = 86_400_000;
    expect(certificateStatus(phone.certificate, new Date(st.notAfter.getTime() - 10 * day))).toMatchObject({ level: 'renew-soon', daysLeft: 10, zh: expect.stringContaining('10 天后') });
    expect(certificateStatus(phone.certificate, new Date(st.notAfter.getTime() - 130 * day)).level).toBe('ok'); // the window opens at 2/3 of the lifetime
    expect(certificateStatus(phone.certificate, new Date(st.notAfter.getTime() - 31 * day), 30).level).toBe('ok'); // or renewalDays before the end
    expect(certificateStatus(phone.certificate, new Date(st.notAfter.getTime() - 29 * day), 30).level).toBe('renew-soon');
    expect(certificateStatus(phone.certificate, new Date(st.notAfter.getTime() + 1000))).toMatchObject({ level: 'expired', en: expect.stringContaining('expired') });
    expect(certificateStatus(phone.certificate, new Date(Date.now() - 3 * day)).level).toBe('not-yet-valid');
  });
});

describe('lock after five wrong PINs (decision #11)', () => {
  it('counts down on the phone, locks on the fifth, refuses while locked, and works again after an administrator unlocks', async () => {
    const { employeeNo, qr } = await enrollment('sm2');
    const phone = await MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST });
    const token = await login(phone, employeeNo);
    const sign = async () => {
      await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests: ['ab'.repeat(32)], app: 'EMR', summaries: ['x'], workstation: 'x' }, agent);
      const [s] = await phone.pending();
      return s!;
    };
    for (const left of [4, 3, 2, 1]) {
      await expect(phone.approve(await sign(), '654321')).rejects.toMatchObject({ code: 'PIN_WRONG', zh: expect.stringContaining(`还可尝试 ${left} 次`) });
    }
    await expect(phone.approve(await sign(), '654321')).rejects.toMatchObject({ code: 'LOCKED', zh: expect.stringContaining('已锁定') });
    // locked: the cloud refuses to open a session at all, so the phone has nothing to approve
    const refused = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests: ['ab'.repeat(32)], app: 'EMR', summaries: ['x'], workstation: 'x' }, agent);
    expect(refused).toMatchObject({ status: 423, json: { code: 'LOCKED' } });
    expect(await phone.pending()).toEqual([]);
    const serial = parseCertificate(phone.certificate).serialNumber;
    expect((await post(cloud.url, `/api/v1/admin/certificates/${serial}/unlock`, {}, admin)).status).toBe(200);
    expect(await phone.approve(await sign(), '123456')).toBe('OK');
  });
});

describe('time-window authorisation (授权免密)', () => {
  it('approves one agent + app without a PIN until the window ends or is closed; the cloud caps its length', async () => {
    const { employeeNo, qr } = await enrollment('sm2');
    const phone = await MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST });
    const token = await login(phone, employeeNo);
    const open = async (app: string) => {
      await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests: [toHex(new Uint8Array(32).fill(app.length))], app, summaries: ['x'], workstation: 'x' }, agent);
      return (await phone.pending()).find((s) => s.app === app)!;
    };
    const first = await open('EMR');
    await expect(phone.openWindow(first.agentId, 'EMR', 481, '123456')).rejects.toMatchObject({ code: 'WINDOW_TOO_LONG' });
    const w = await phone.openWindow(first.agentId, 'EMR', 30, '123456');
    expect(w.until).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await phone.approve(first)).toBe('OK'); // no PIN
    const other = await open('NURSING');
    await expect(phone.approve(other)).rejects.toMatchObject({ code: 'PIN_REQUIRED' }); // another app
    await phone.reject(other.sessionId);
    phone.closeWindow();
    await expect(phone.approve(await open('EMR'))).rejects.toMatchObject({ code: 'PIN_REQUIRED' });
    // an expired window covers nothing
    await phone.openWindow(first.agentId, 'EMR', 1, '123456', Date.now() - 120_000);
    expect(phone.approvalWindow).toBeUndefined();
  });

  it('a tampered digest list is caught by the verification-code check', async () => {
    const { employeeNo, qr } = await enrollment('sm2');
    const phone = await MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST });
    const token = await login(phone, employeeNo);
    await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: token, digests: ['aa'.repeat(32), 'bb'.repeat(32)], app: 'EMR', summaries: ['1', '2'], workstation: 'x' }, agent);
    const [s] = await phone.pending();
    const tampered = { ...s!, digests: [s!.digests[0]!, 'cc'.repeat(32)] };
    await expect(phone.approve(tampered, '123456')).rejects.toMatchObject({ code: 'CODE_MISMATCH' });
  });
});

describe('errors people read', () => {
  it('a tampered QR code, a reused code and an untrusted cloud key are refused in Chinese and English', async () => {
    await expect(MedSignPhone.enroll('https://example.invalid', '123456', { storage: memoryStorage(), ...FAST })).rejects.toMatchObject({ code: 'QR_INVALID' });
    const { qr } = await enrollment('sm2');
    const badTk = qr.replace(/tk=[0-9a-f]+/, `tk=${'0'.repeat(64)}`);
    const err = await MedSignPhone.enroll(badTk, '123456', { storage: memoryStorage(), ...FAST }).catch((e: MobileError) => e);
    expect(err).toBeInstanceOf(MobileError);
    expect((err as MobileError).code).toBe('CLOUD_UNTRUSTED');
    expect((err as MobileError).message).toMatch(/[\u4e00-\u9fff].*\(.+\)/);
    await MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST });
    await expect(MedSignPhone.enroll(qr, '123456', { storage: memoryStorage(), ...FAST })).rejects.toMatchObject({ code: 'ACTIVATION_USED', zh: expect.stringContaining('激活码已使用') });
    await expect(MedSignPhone.load({ storage: memoryStorage() })).rejects.toMatchObject({ code: 'NOT_ENROLLED' });
  });
});
