/**
 * What the user must see clearly when signing does not happen: the doctor refuses, the phone
 * never answers, the certificate is revoked while the phone is deciding, the login expired.
 * Each error carries a stable code, the GM/T 0020 SOR code, and a Chinese + English message.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOR } from '@medsign/core';
import { post } from '../../cloud/test/phone.js';
import { ORIGIN, RpcClient, autoApprove, call, enrollDoctor, registrationToken, startCloudWithAdmin, startTestAgent } from './stack.js';

let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
let agent: Awaited<ReturnType<typeof startTestAgent>>;

beforeAll(async () => {
  // a 5-second session timeout, so that "the phone never answered" is quick to test
  const cfg = join(mkdtempSync(join(tmpdir(), 'medsign-cfg-')), 'cloud.json');
  // and 20-day certificates, so that the expiry warning shows at login
  writeFileSync(cfg, JSON.stringify({ sessionTimeoutSeconds: 5, certificateDays: 20 }));
  s = await startCloudWithAdmin(['--config', cfg]);
  agent = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin));
});
afterAll(async () => {
  await agent?.dispose();
  await s?.cloud.dispose();
});

async function loggedIn(alg: 'sm2' | 'rsa-2048', decide: Parameters<typeof autoApprove>[1]) {
  const d = await enrollDoctor(s.cloud.url, s.admin, alg);
  const login = autoApprove(d.phone);
  const r = await call(agent.url, 'login', { employeeNo: d.employeeNo });
  await login.stop();
  expect(r.status).toBe(200);
  return { ...d, certId: r.json.certId as string, auto: autoApprove(d.phone, decide) };
}

describe('failures the user sees', () => {
  it('the doctor refuses on the phone: USER_REFUSED, SOR_SignDataErr, in Chinese and English', async () => {
    const d = await loggedIn('sm2', () => 'reject');
    const r = await call(agent.url, 'signData', { certId: d.certId, text: '医嘱' });
    await d.auto.stop();
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ code: 'USER_REFUSED', sor: SOR.SignDataErr, retryable: false });
    expect(r.json.message).toMatch(/拒绝.*\(the doctor refused/);
  });

  it('the phone never answers: TIMEOUT, SOR_TimeoutErr, retryable', async () => {
    const d = await loggedIn('rsa-2048', () => 'ignore');
    const waiting = call(agent.url, 'signData', { certId: d.certId, text: '会诊记录' });
    // meanwhile an HTTP caller (a C/S app) reads the code to show from getStatus: the phone's code
    while (d.auto.codes.length === 0) await new Promise((r) => setTimeout(r, 50));
    const st = await call(agent.url, 'getStatus');
    expect(st.json.pending).toEqual([expect.objectContaining({ method: 'signData', certId: d.certId, verificationCode: d.auto.codes[0] })]);
    // another application (a browser page) sees neither that code nor that operation
    const page = await call(agent.url, 'getStatus', {}, { origin: ORIGIN });
    expect(page.json.pending).toEqual([]);
    // nor does a native application that names itself (X-MedSign-App): it is not the anonymous native client
    expect((await call(agent.url, 'getStatus', {}, { 'x-medsign-app': 'LIS.exe' })).json.pending).toEqual([]);
    expect((await call(agent.url, 'getStatus', { operationId: st.json.pending[0].operationId }, { origin: ORIGIN })).json.code).toBe('OPERATION_NOT_FOUND');
    const r = await waiting;
    await d.auto.stop();
    expect(r.json).toMatchObject({ code: 'TIMEOUT', sor: SOR.TimeoutErr, retryable: true });
  });

  it('the certificate is revoked while the phone is deciding: CERT_REVOKED; validateCert then says −3 (OCSP, live)', async () => {
    const d = await loggedIn('sm2', () => 'ignore');
    const pending = await call(agent.url, 'signData', { certId: d.certId, text: '手术同意书', wait: false });
    expect(pending.json.status).toBe('PENDING');
    const before = await call(agent.url, 'validateCert', { certId: d.certId });
    expect(before.json.code).toBe(0);
    const rev = await post(s.cloud.url, `/api/v1/admin/certificates/${d.certId}/revoke`, { reason: 1 }, s.admin);
    expect(rev.status).toBe(200);
    const st = await call(agent.url, 'getStatus', { operationId: pending.json.operationId, wait: 20 });
    await d.auto.stop();
    expect(st.json.operation).toMatchObject({ status: 'FAILED', error: { code: 'CERT_REVOKED', sor: SOR.CertRevokedErr } });
    // the agent's cached CRL predates the revocation; the live OCSP answer finds it
    const after = await call(agent.url, 'validateCert', { certId: d.certId });
    expect(after.json).toMatchObject({ code: -3, valid: false });
    // the revocation destroyed the cloud's key share: no further signing at all
    const again = await call(agent.url, 'signData', { certId: d.certId, text: '再签' });
    expect(again.json).toMatchObject({ code: 'NO_ACTIVE_KEY', sor: SOR.KeyNotFountErr });
  });

  it('a login ended at the cloud: NOT_LOGGED_IN, and the user leaves the list', async () => {
    const d = await loggedIn('sm2', () => 'approve');
    const users = agent.context.state.users().filter((u) => u.certId === d.certId);
    // end the user session at the cloud behind the agent's back (as an expiry would)
    await s.cloud.services.sessions.logout(agent.context.state.agentId!, users[0]!.userSessionToken);
    const r = await call(agent.url, 'signData', { certId: d.certId, text: '过期' });
    await d.auto.stop();
    expect(r.json).toMatchObject({ code: 'NOT_LOGGED_IN', sor: SOR.NotInitializeErr });
    expect(r.json.message).toMatch(/重新登录/);
    expect((await call(agent.url, 'getUserList')).json.userList).not.toContain(d.certId);
  });

  it('a login over the WebSocket: loginStatus events, and certExpiring for a certificate ending within 30 days', async () => {
    const d = await enrollDoctor(s.cloud.url, s.admin, 'sm2');
    const auto = autoApprove(d.phone);
    const rpc = await RpcClient.connect(agent.url);
    const r = await rpc.send('login', { employeeNo: d.employeeNo });
    await auto.stop();
    expect(r.result).toMatchObject({ status: 'OK', certId: expect.any(String) });
    const statuses = rpc.events.filter((e) => e.method === 'loginStatus').map((e) => e.params.status);
    expect(statuses[0]).toBe('PENDING');
    expect(statuses.at(-1)).toBe('OK');
    const expiring = rpc.events.find((e) => e.method === 'certExpiring');
    expect(expiring?.params).toMatchObject({ certId: r.result.certId, daysLeft: expect.any(Number) });
    expect(expiring!.params.daysLeft).toBeLessThanOrEqual(20);
    rpc.close();
  });

  it('a QR login over the WebSocket: the code reaches the workstation when the phone scans, before it approves', async () => {
    const d = await enrollDoctor(s.cloud.url, s.admin, 'sm2');
    const rpc = await RpcClient.connect(agent.url);
    const r = await rpc.send('login', {});
    const session = await d.phone.claimLogin(r.result.qr);
    const end = Date.now() + 5000;
    while (!rpc.events.some((e) => e.method === 'loginStatus' && e.params.verificationCode) && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    const codeEvent = rpc.events.find((e) => e.method === 'loginStatus' && e.params.verificationCode);
    expect(codeEvent?.params).toMatchObject({ operationId: r.result.operationId, status: 'PENDING', verificationCode: session.verificationCode });
    await d.phone.approve(session, '123456');
    while (!rpc.events.some((e) => e.method === 'loginStatus' && e.params.status === 'OK') && Date.now() < end + 5000) await new Promise((res) => setTimeout(res, 20));
    const oks = rpc.events.filter((e) => e.method === 'loginStatus' && e.params.status === 'OK');
    expect(oks).toHaveLength(1);
    expect(oks[0]!.params).toMatchObject({ certId: expect.any(String), name: expect.any(String) });
    rpc.close();
  });

  it('a certId nobody is logged in with: CERT_NOT_FOUND (SOR_CertNotFountErr)', async () => {
    const r = await call(agent.url, 'signMessage', { certId: 'ABCDEF0123', text: 'x' });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 'CERT_NOT_FOUND', sor: SOR.CertNotFountErr });
  });
});
