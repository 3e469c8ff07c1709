/**
 * Emergency certificates (应急证书, issue 7) end to end, with no phone anywhere: a dual-control
 * emergency workflow (two RA officers, neither the applicant) yields a grant and a one-time
 * password; the doctor logs in at the named workstation's agent and signs; the openssl CLI checks
 * the certificate (marker extension, ≤ 72 h), the raw signature and the CMS. Wrong passwords,
 * the lock, another agent, a second activation, early revocation (both ways), expiry (the cloud's
 * clock moved forward, no sleeping), the audit log (without the password) and the console list.
 */
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedMessage, toPem } from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { BouncyCastle } from '../../core/test/bouncycastle.js';
import { adminAccount } from '../../cloud/test/cloud-fixture.js';
import { post } from '../../cloud/test/phone.js';
import { loadConfig } from '../src/config.js';
import { startAgent, type RunningAgent } from '../src/agent.js';
import { call, registrationToken, startCloudWithAdmin, startTestAgent } from './stack.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
const EMERGENCY_OID = '2.25.190385213373104719302455126829584356114';
let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
let agentA: RunningAgent & { dataDir: string; dispose(): Promise<void> };
let agentB: Awaited<ReturnType<typeof startTestAgent>>;
let ra1: Record<string, string>, ra2: Record<string, string>, auditor: Record<string, string>;
const cli = new OpensslCli();
const b64 = (x: string) => Buffer.from(x, 'base64');
const get = async (path: string, headers: Record<string, string>) => {
  const r = await fetch(`${s.cloud.url}${path}`, { headers });
  return { status: r.status, json: (await r.json()) as Record<string, any> };
};
const passwords: string[] = [];

let n = 0;
async function staff(name: string) {
  const employeeNo = `EM${process.pid % 1000}${++n}`;
  const r = await post(s.cloud.url, '/api/v1/admin/staff', { employeeNo, name, department: '急诊科' }, s.admin);
  return { id: String(r.json.id), employeeNo };
}

/** An emergency request by the sysadmin, approved by the two RA officers: the grant and its password. */
async function grant(staffId: string, agentId: string, hours: number) {
  const req = (await post(s.cloud.url, '/api/v1/admin/requests', { operation: 'emergency', staffId, agentId, hours, algorithm: 'sm2', note: '系统故障应急' }, s.admin)) as { status: number; json: any };
  expect(req.status).toBe(200);
  expect(req.json.request.status).toBe('pending');
  expect(req.json.emergency).toBeUndefined();
  const id = (req.json.request as any).id as string;
  const first = await post(s.cloud.url, `/api/v1/admin/requests/${id}/approve`, {}, ra1);
  expect(first.json.emergency).toBeUndefined(); // one approval is not enough
  const second = (await post(s.cloud.url, `/api/v1/admin/requests/${id}/approve`, {}, ra2)) as { status: number; json: any };
  expect(second.status).toBe(200);
  expect(second.json.request.status).toBe('executed');
  passwords.push(second.json.emergency.password);
  return { requestId: id, ...(second.json.emergency as { grantId: string; password: string; validFrom: string; validTo: string }) };
}

const agentIdOf = (a: RunningAgent) => a.context.state.agentId!;

beforeAll(async () => {
  s = await startCloudWithAdmin();
  agentA = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin), ['--workstation', 'ER-WS-1']);
  agentB = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin), ['--workstation', 'ER-WS-2']);
  ra1 = await adminAccount(s.cloud.url, s.admin, 'em-ra-1', 'ra_officer');
  ra2 = await adminAccount(s.cloud.url, s.admin, 'em-ra-2', 'ra_officer');
  auditor = await adminAccount(s.cloud.url, s.admin, 'em-auditor', 'auditor');
  const wf = await post(s.cloud.url, '/api/v1/admin/workflows/emergency', { steps: [{ role: 'ra_officer', name: '医务处审核' }, { role: 'ra_officer', name: '信息科审核' }], autoApprove: false }, s.admin);
  expect(wf.status).toBe(200);
  for (const f of ['sm2-root', 'sm2-issuing']) cli.write(`${f}.pem`, await (await fetch(`${s.cloud.url}/pki/ca/${f}.pem`)).text());
}, 60_000);

afterAll(async () => {
  await agentA?.dispose();
  await agentB?.dispose();
  await s?.cloud.dispose();
  cli.dispose();
});

describe('an emergency certificate under dual control, used without a phone', () => {
  let doctor: { id: string; employeeNo: string };
  let g: Awaited<ReturnType<typeof grant>>;
  let certId = '';

  it('two approvers, neither the applicant, give a grant and a one-time password shown once', async () => {
    doctor = await staff('急诊医生');
    const req = (await post(s.cloud.url, '/api/v1/admin/requests', { operation: 'emergency', staffId: doctor.id, agentId: agentIdOf(agentA), hours: 8 }, s.admin)) as { status: number; json: any };
    const self = await post(s.cloud.url, `/api/v1/admin/requests/${req.json.request.id}/approve`, {}, s.admin);
    expect([self.status, self.json.code]).toEqual([403, 'SELF_APPROVAL']);
    await post(s.cloud.url, `/api/v1/admin/requests/${req.json.request.id}/approve`, {}, ra1);
    const twice = await post(s.cloud.url, `/api/v1/admin/requests/${req.json.request.id}/approve`, {}, ra1);
    expect([twice.status, twice.json.code]).toEqual([403, 'DUPLICATE_APPROVER']);
    const done = (await post(s.cloud.url, `/api/v1/admin/requests/${req.json.request.id}/approve`, {}, ra2)) as { status: number; json: any };
    expect(done.json.request.status).toBe('executed');
    g = { requestId: String(req.json.request.id), ...(done.json.emergency as any) };
    passwords.push(g.password);
    expect(g.password).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(Date.parse(g.validTo) - Date.parse(g.validFrom)).toBe(8 * 3_600_000);
    // the request keeps no password; a second live grant for the same doctor is refused
    const again = await get(`/api/v1/admin/requests/${g.requestId}`, s.admin);
    expect(JSON.stringify(again.json)).not.toContain(g.password);
    const dup = await post(s.cloud.url, '/api/v1/admin/requests', { operation: 'emergency', staffId: doctor.id, agentId: agentIdOf(agentA), hours: 8 }, s.admin);
    expect([dup.status, dup.json.code]).toEqual([409, 'EMERGENCY_EXISTS']);
  });

  it('the password does not work on another agent, and a wrong one is refused with the attempts left', async () => {
    const other = await call(agentB.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: g.password });
    expect([other.status, other.json.code]).toEqual([403, 'EMERGENCY_WRONG_AGENT']);
    const wrong = await call(agentA.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: 'AAAA-BBBB-CCCC' });
    expect([wrong.status, wrong.json.code]).toEqual([401, 'EMERGENCY_PASSWORD_INVALID']);
    expect(wrong.json.message).toContain('4');
    const bad = await call(agentA.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: g.password, extra: 1 });
    expect([bad.status, bad.json.code]).toEqual([400, 'BAD_PARAMS']);
    expect(JSON.stringify(bad.json)).not.toContain(g.password);
  });

  it('the doctor logs in with the password at the named workstation: activation, the emergency certificate', async () => {
    const r = await call(agentA.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: g.password.toLowerCase().replace(/-/g, ' ') });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'OK', name: '急诊医生', employeeNo: doctor.employeeNo, activated: true, emergency: true, validTo: g.validTo });
    certId = r.json.certId;
    expect((await call(agentA.url, 'getUserList')).json.userList).toContain(`急诊医生||${certId}&&&`);
    const cert = await call(agentA.url, 'exportUserCert', { certId });
    cli.write('em.pem', toPem(b64(cert.json.certificate), 'CERTIFICATE'));
    const text = cli.run(['x509', '-in', 'em.pem', '-noout', '-text']).out;
    expect(text).toContain(`${EMERGENCY_OID}:`);
    expect(text).toMatch(/emergency/);
    const dates = cli.run(['x509', '-in', 'em.pem', '-noout', '-startdate', '-enddate']).out;
    const nb = Date.parse(/notBefore=(.+)/.exec(dates)![1]!);
    const na = Date.parse(/notAfter=(.+)/.exec(dates)![1]!);
    expect(na - nb).toBeLessThanOrEqual(72 * 3_600_000);
    expect(na).toBe(Math.floor(Date.parse(g.validTo) / 1000) * 1000);
    // the issuing CA as the anchor (OpenSSL's chain check of our SM2 root → issuing needs the distid there; cloud/test/pki-endpoints does the same)
    expect(cli.run(['verify', '-partial_chain', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'sm2-issuing.pem', 'em.pem']).out.trim()).toBe('em.pem: OK');
    cli.write('em.pub.pem', createPublicKey(toPem(b64(cert.json.certificate), 'CERTIFICATE')).export({ type: 'spki', format: 'pem' }));
  });

  it('signs with no phone: a raw SM2 signature and a CMS, both verified by openssl', async () => {
    const text = '抢救记录：患者于 03:12 行气管插管';
    const raw = await call(agentA.url, 'signData', { certId, text });
    expect(raw.status).toBe(200);
    cli.write('em.msg', text);
    cli.write('em.sig', b64(raw.json.signature));
    expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'em.pub.pem', '-in', 'em.msg', '-sigfile', 'em.sig', '-pkeyopt', 'distid:1234567812345678']).out).toMatch(/Signature Verified Successfully/);
    cli.write('em.sig', Buffer.from('tampered'));
    expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'em.pub.pem', '-in', 'em.msg', '-sigfile', 'em.sig', '-pkeyopt', 'distid:1234567812345678']).ok).toBe(false);

    const cms = await call(agentA.url, 'signMessage', { certId, text, profile: 'rfc5652', detached: false });
    expect(cms.status).toBe(200);
    // OpenSSL 3.0 cannot verify SM2 CMS as a whole (no way to set the SM2 ID: docs/sm2-openssl.md), so:
    // openssl parses it, checks messageDigest = SM3(content) and the signature over the signed attributes,
    // and BouncyCastle (independent, standard ID) verifies the whole SignedData
    cli.write('em.p7', b64(cms.json.signedMessage));
    expect(cli.run(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'em.p7']).out).toMatch(/signedData/);
    const parsed = parseSignedMessage(b64(cms.json.signedMessage));
    expect(Buffer.from(parsed.content!).toString()).toBe(text);
    const sm3 = cli.run(['dgst', '-sm3', '-r', 'em.msg']).out.split(' ')[0];
    expect(Buffer.from(parsed.messageDigest!).toString('hex')).toBe(sm3);
    cli.write('em.attrs', parsed.signedAttributes);
    cli.write('em.attrsig', parsed.signature);
    expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'em.pub.pem', '-in', 'em.attrs', '-sigfile', 'em.attrsig', '-pkeyopt', 'distid:1234567812345678']).out).toMatch(/Signature Verified Successfully/);
    const bc = new BouncyCastle();
    expect(bc.run('cms', b64(cms.json.signedMessage)).out).toMatch(/^OK /);

    const batch = await call(agentA.url, 'signBatch', { certId, items: [{ text: '医嘱 1' }, { text: '医嘱 2' }] });
    expect(batch.json.results).toHaveLength(2);
  });

  it('a second activation is refused (one-time), but the password unlocks the key again after logout and restart', async () => {
    // the cloud refuses another key generation for this grant, even from its own agent
    const second = await fetch(`${s.cloud.url}/api/v1/agent/emergency/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentA.context.state.credential}` },
      body: JSON.stringify({ employeeNo: doctor.employeeNo, password: g.password, workstation: 'ER-WS-1', keygen: { sessionId: '00000000-0000-4000-8000-000000000001', hello: {} } }),
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as any).code).toBe('EMERGENCY_ALREADY_ACTIVATED');

    expect((await call(agentA.url, 'logout', { certId })).json).toEqual({ ok: true });
    expect((await call(agentA.url, 'signData', { certId, text: 'x' })).json.code).toBe('CERT_NOT_FOUND');
    const back = await call(agentA.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: g.password });
    expect(back.json).toMatchObject({ certId, activated: false });
    expect((await call(agentA.url, 'signData', { certId, text: '再次签名' })).status).toBe(200);

    // a restart ends the session: the share is sealed on disk, usable only with the password again
    const dataDir = agentA.dataDir;
    await agentA.close();
    const restarted = await startAgent(loadConfig({ argv: ['--port', '0', '--data-dir', dataDir, '--log-level', 'silent', '--cloud', s.cloud.url, '--workstation', 'ER-WS-1'], env: {} }), {});
    agentA = { ...restarted, dataDir, dispose: agentA.dispose };
    expect((await call(agentA.url, 'signData', { certId, text: 'x' })).json.code).toBe('CERT_NOT_FOUND');
    const after = await call(agentA.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: g.password });
    expect(after.json).toMatchObject({ certId, activated: false });
    expect((await call(agentA.url, 'signData', { certId, text: '重启后签名' })).status).toBe(200);
  });

  it('the console lists the grant; the audit log has every step and never the password', async () => {
    const list = await get('/api/v1/admin/emergency', auditor);
    expect(list.status).toBe(200);
    const mine = list.json.grants.find((x: any) => x.id === g.grantId);
    expect(mine).toMatchObject({ status: 'active', employeeNo: doctor.employeeNo, staffName: '急诊医生', agentId: agentIdOf(agentA), workstation: 'ER-WS-1', certificateSerial: certId, certificateStatus: 'good', validTo: g.validTo, requestId: g.requestId });
    const audit = async (action: string) => (await get(`/api/v1/admin/audit?action=${action}&limit=500`, auditor)).json.entries as any[];
    expect((await audit('emergency.grant')).some((e) => e.target === g.grantId)).toBe(true);
    const checks = await audit('emergency.password');
    expect(checks.some((e) => e.result === 'failed' && e.details.reason === 'EMERGENCY_WRONG_AGENT')).toBe(true);
    expect(checks.some((e) => e.result === 'failed' && e.details.reason === 'EMERGENCY_PASSWORD_INVALID')).toBe(true);
    expect(checks.some((e) => e.result === 'ok' && e.target === g.grantId)).toBe(true);
    expect((await audit('emergency.activate')).some((e) => e.target === g.grantId && e.details.certificate === certId)).toBe(true);
    expect((await audit('certificate.issue')).some((e) => e.target === certId && e.details.emergency === true)).toBe(true);
    const signs = await audit('emergency.sign');
    expect(signs.filter((e) => e.target === certId && e.result === 'OK').length).toBeGreaterThanOrEqual(5);
    expect(signs[0].details).toMatchObject({ agentId: agentIdOf(agentA), workstation: 'ER-WS-1', staffName: '急诊医生' });
    const all = JSON.stringify((await get('/api/v1/admin/audit?limit=500', auditor)).json);
    for (const p of passwords) {
      expect(all).not.toContain(p);
      expect(all).not.toContain(p.replace(/-/g, ''));
    }
    expect((await get('/api/v1/admin/audit/verify', auditor)).json.valid).toBe(true);
  });

  it('ended early by an administrator: the next signature fails with EMERGENCY_REVOKED and the share is dropped', async () => {
    const r = await post(s.cloud.url, `/api/v1/admin/emergency/${g.grantId}/revoke`, {}, s.admin);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'revoked', certificateStatus: 'revoked' });
    const sig = await call(agentA.url, 'signData', { certId, text: '终止后' });
    expect([sig.status, sig.json.code, sig.json.sor]).toEqual([409, 'EMERGENCY_REVOKED', 0x0b000408]);
    expect((await call(agentA.url, 'getUserList')).json.userList).not.toContain(certId);
    expect(agentA.context.emergency.held).toBe(0);
    const again = await call(agentA.url, 'emergencyLogin', { employeeNo: doctor.employeeNo, password: g.password });
    expect(again.status).toBeGreaterThanOrEqual(400);
    const ended = await post(s.cloud.url, `/api/v1/admin/emergency/${g.grantId}/revoke`, {}, s.admin);
    expect([ended.status, ended.json.code]).toEqual([409, 'EMERGENCY_ENDED']);
  });
});

describe('lock, revocation by serial, expiry', () => {
  it('five wrong passwords lock the grant; then even the right one is refused', async () => {
    const d = await staff('锁定医生');
    const g = await grant(d.id, agentIdOf(agentA), 4);
    for (let i = 1; i <= 4; i++) {
      const r = await call(agentA.url, 'emergencyLogin', { employeeNo: d.employeeNo, password: `WRNG-PASS-000${i}` });
      expect(r.json.code).toBe('EMERGENCY_PASSWORD_INVALID');
      expect(r.json.message).toContain(String(5 - i));
    }
    const fifth = await call(agentA.url, 'emergencyLogin', { employeeNo: d.employeeNo, password: 'WRNG-PASS-0005' });
    expect([fifth.status, fifth.json.code]).toEqual([423, 'EMERGENCY_LOCKED']);
    const right = await call(agentA.url, 'emergencyLogin', { employeeNo: d.employeeNo, password: g.password });
    expect(right.json.code).toBe('EMERGENCY_LOCKED');
    expect((await get(`/api/v1/admin/emergency/${g.grantId}`, s.admin)).json).toMatchObject({ status: 'locked', failures: 5, certificateSerial: null });
  });

  it('revoking the certificate through the existing endpoint ends the grant too', async () => {
    const d = await staff('吊销医生');
    const g = await grant(d.id, agentIdOf(agentA), 6);
    const login = await call(agentA.url, 'emergencyLogin', { employeeNo: d.employeeNo, password: g.password });
    expect((await call(agentA.url, 'signData', { certId: login.json.certId, text: 'ok' })).status).toBe(200);
    const rv = await post(s.cloud.url, `/api/v1/admin/certificates/${login.json.certId}/revoke`, { reason: 5 }, s.admin);
    expect(rv.status).toBe(200);
    const sig = await call(agentA.url, 'signData', { certId: login.json.certId, text: 'no' });
    expect(sig.json.code).toBe('EMERGENCY_REVOKED');
    expect((await get(`/api/v1/admin/emergency/${g.grantId}`, s.admin)).json.status).toBe('revoked');
  });

  it('at its end the cloud refuses co-signing (cloud clock moved past a 1-hour grant)', async () => {
    const d = await staff('到期医生');
    const g = await grant(d.id, agentIdOf(agentA), 1);
    const login = await call(agentA.url, 'emergencyLogin', { employeeNo: d.employeeNo, password: g.password });
    expect(login.json.activated).toBe(true);
    expect((await call(agentA.url, 'signData', { certId: login.json.certId, text: 'before' })).status).toBe(200);
    const emergency = s.cloud.services.emergency;
    emergency.clock = () => Date.now() + 61 * 60_000;
    try {
      const sig = await call(agentA.url, 'signData', { certId: login.json.certId, text: 'after' });
      expect([sig.status, sig.json.code, sig.json.sor]).toEqual([410, 'EMERGENCY_EXPIRED', 0x0b000407]);
      const view = (await get(`/api/v1/admin/emergency?status=expired`, s.admin)).json.grants.find((x: any) => x.id === g.grantId);
      expect(view).toMatchObject({ status: 'expired', endReason: 'validTo reached' });
      const entries = (await get('/api/v1/admin/audit?action=emergency.expire&limit=50', auditor)).json.entries as any[];
      expect(entries.some((e) => e.target === g.grantId)).toBe(true);
    } finally {
      emergency.clock = () => Date.now();
    }
  });
});
