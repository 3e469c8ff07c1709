/**
 * The lifecycle through approval workflows, end to end with the phones of @medsign/mobile, a real
 * cloud and (for signing) a real workstation agent:
 *  - online renewal (在线更新): the phone's first attempt files a renew request and is told to
 *    wait; an RA officer approves; the next attempt re-keys (a new key, a new certificate; the old
 *    one stays valid until its end, its key retired) and uses the approval up; a rejected request makes the next attempt file a
 *    new one;
 *  - lost-phone replacement (丢失补办): the request puts the certificate on hold at once (the
 *    agent's signing fails), the approval revokes it and gives a new activation code, a new phone
 *    enrols with it and the doctor signs again through the agent; the old phone gets nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '@medsign/core';
import { adminAccount, adminToken, startTestCloud } from '../cloud/test/cloud-fixture.js';
import { post } from '../cloud/test/phone.js';
import { MedSignPhone, memoryStorage } from '../mobile/src/index.js';
import { PIN as AGENT_PIN, autoApprove, call, enrollDoctor, registrationToken, startTestAgent } from '../agent/test/stack.js';

const PIN = '246810';
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let sys: Record<string, string>;
let ra: Record<string, string>;

const renewRequests = async () => {
  const r = await fetch(`${cloud.url}/api/v1/admin/requests?operation=renew`, { headers: sys });
  return ((await r.json()) as { requests: { id: string; status: string; subject: string; applicant: string; result: Record<string, unknown> | null }[] }).requests;
};

beforeAll(async () => {
  cloud = await startTestCloud(undefined, {}, ['--renewal-days', '400']); // the renewal window is open
  sys = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  ra = await adminAccount(cloud.url, sys, 'ra-renew', 'ra_officer');
  const wf = await post(cloud.url, '/api/v1/admin/workflows/renew', { steps: [{ role: 'ra_officer', name: '证书更新审核' }], autoApprove: false }, sys);
  expect(wf.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await cloud?.dispose();
});

describe('online renewal through the renew workflow', () => {
  it('waits for an RA officer, then re-keys once; a rejection makes the next attempt file a new request', async () => {
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'RN1', name: '续期医生', department: '内科' }, sys);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, sys);
    const phone = await MedSignPhone.enroll(String(e.json.qr), PIN, { storage: memoryStorage(), pinIterations: 1000 });
    const old = parseCertificate(phone.certificate);

    // 1. the first attempt files the request; a second attempt while it waits files no other
    await expect(phone.renew(PIN)).rejects.toMatchObject({ code: 'RENEWAL_PENDING_APPROVAL' });
    await expect(phone.renew(PIN)).rejects.toMatchObject({ code: 'RENEWAL_PENDING_APPROVAL' });
    let requests = await renewRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 'pending', applicant: 'staff:RN1' });
    expect(requests[0]!.subject).toContain(old.serialNumber);
    expect(parseCertificate(phone.certificate).serialNumber).toBe(old.serialNumber);

    // 2. approved: the next attempt renews — a new key and certificate
    const approved = await post(cloud.url, `/api/v1/admin/requests/${requests[0]!.id}/approve`, {}, ra);
    expect(approved.json.request).toMatchObject({ status: 'executed' });
    const renewed = parseCertificate(await phone.renew(PIN));
    expect(renewed.serialNumber).not.toBe(old.serialNumber);
    expect(renewed.spki).not.toEqual(old.spki);
    // by default the old certificate stays valid until its own end; its key is retired (one key signs)
    const oldStatus = await fetch(`${cloud.url}/api/v1/admin/certificates/${old.serialNumber}`, { headers: sys });
    expect(((await oldStatus.json()) as { status: string }).status).toBe('good');
    expect(cloud.store.shares.getByCertificate(old.serialNumber)?.status).toBe('destroyed');
    requests = await renewRequests();
    expect(requests[0]!.result).toMatchObject({ approved: true, usedAt: expect.any(String) });

    // 3. the approval was used up: renewing the new certificate files a new request; rejected,
    //    the next attempt files yet another
    await expect(phone.renew(PIN)).rejects.toMatchObject({ code: 'RENEWAL_PENDING_APPROVAL' });
    requests = await renewRequests();
    expect(requests).toHaveLength(2);
    expect(requests[0]!.subject).toContain(renewed.serialNumber);
    const rejected = await post(cloud.url, `/api/v1/admin/requests/${requests[0]!.id}/reject`, { reason: '更新期未到，暂不更新' }, ra);
    expect((rejected.json.request as { status: string }).status).toBe('rejected');
    await expect(phone.renew(PIN)).rejects.toMatchObject({ code: 'RENEWAL_PENDING_APPROVAL' });
    expect((await renewRequests()).map((r) => r.status)).toEqual(['pending', 'rejected', 'executed']);
  }, 120_000);
});

describe('lost-phone replacement through the replace workflow', () => {
  it('hold at once, revoke and a new activation code on approval; the new phone signs through the agent, the old one gets nothing', async () => {
    const wf = await post(cloud.url, '/api/v1/admin/workflows/replace', { steps: [{ role: 'ra_officer', name: '丢失补办审核' }], autoApprove: false }, sys);
    expect(wf.status).toBe(200);
    const agent = await startTestAgent([cloud.url], await registrationToken(cloud.url, sys));
    const doctor = await enrollDoctor(cloud.url, sys, 'sm2', '丢机医生');
    let oldPhone = autoApprove(doctor.phone);
    try {
      const login = await call(agent.url, 'login', { employeeNo: doctor.employeeNo });
      expect(login.status).toBe(200);
      const certId = login.json.certId as string;
      expect((await call(agent.url, 'signData', { certId, text: '丢失前的病程记录' })).status).toBe(200);
      const oldSerial = parseCertificate(doctor.phone.certificate).serialNumber;

      // reported lost: on hold at once, so signing through the agent stops
      const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'replace', serial: oldSerial, note: '医生报告手机遗失' }, sys);
      expect((r.json.request as { status: string }).status).toBe('pending');
      const held = await call(agent.url, 'signData', { certId, text: '冻结后' });
      expect(held.status).toBeGreaterThanOrEqual(400);
      expect([held.status, held.json.code]).toEqual([409, 'CERT_REVOKED']); // the agent's code for revoked or on hold

      // approved: revoked (keyCompromise) and a new activation code
      const done = await post(cloud.url, `/api/v1/admin/requests/${(r.json.request as { id: string }).id}/approve`, {}, ra);
      const activation = done.json.activation as { qr: string };
      expect(activation.qr).toMatch(/^medsign:\/\/enroll\?/);
      const oldStatus = (await (await fetch(`${cloud.url}/api/v1/admin/certificates/${oldSerial}`, { headers: sys })).json()) as { status: string; reason: number };
      expect(oldStatus).toMatchObject({ status: 'revoked', reason: 1 });

      // the new phone enrols (a new key and certificate) and the doctor signs again through the agent
      await oldPhone.stop();
      const newPhone = await MedSignPhone.enroll(activation.qr, AGENT_PIN, { storage: memoryStorage(), pinIterations: 1000 });
      const fresh = parseCertificate(newPhone.certificate);
      expect(fresh.serialNumber).not.toBe(oldSerial);
      expect(fresh.subjectText).toContain('CN=丢机医生');
      oldPhone = autoApprove(newPhone);
      const relogin = await call(agent.url, 'login', { employeeNo: doctor.employeeNo });
      expect(relogin.status).toBe(200);
      const signed = await call(agent.url, 'signMessage', { certId: relogin.json.certId, text: '新手机签的病程记录' });
      expect(signed.status).toBe(200);
      const check = await call(agent.url, 'verifySignedMessage', { signedMessage: signed.json.signedMessage });
      expect(check.json).toMatchObject({ valid: true, indication: 'TOTAL_PASSED' });
      // the old phone is told nothing more: its pending list stays empty
      expect(await doctor.phone.pending().catch(() => [])).toEqual([]);
    } finally {
      await oldPhone.stop();
      await agent.dispose();
    }
  }, 120_000);
});

describe('the doctor reports the phone lost from a workstation (本人挂失)', () => {
  it('on hold at once, logged out, a replacement waiting for an RA officer even with auto-approval; the user is gone from the workstation', async () => {
    // the replace workflow auto-approves: a self-report still waits for an administrator
    expect((await post(cloud.url, '/api/v1/admin/workflows/replace', { steps: [], autoApprove: true }, sys)).status).toBe(200);
    const agent = await startTestAgent([cloud.url], await registrationToken(cloud.url, sys));
    const doctor = await enrollDoctor(cloud.url, sys, 'rsa-2048', '自挂失医生');
    const phone = autoApprove(doctor.phone);
    try {
      const certId = (await call(agent.url, 'login', { employeeNo: doctor.employeeNo })).json.certId as string;
      const serial = parseCertificate(doctor.phone.certificate).serialNumber;
      const r = await call(agent.url, 'reportLostPhone', { certId });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ serial, held: true, requestId: expect.any(String) });
      const cert = (await (await fetch(`${cloud.url}/api/v1/admin/certificates/${serial}`, { headers: sys })).json()) as { status: string };
      expect(cert.status).toBe('hold');
      // logged out here: signing now needs a login, which the held certificate cannot get
      expect((await call(agent.url, 'getUserList')).json.users).toEqual([]);
      const req = (await (await fetch(`${cloud.url}/api/v1/admin/requests/${r.json.requestId}`, { headers: sys })).json()) as { request: Record<string, any> };
      expect(req.request).toMatchObject({ operation: 'replace', status: 'pending', applicant: `staff:${doctor.employeeNo}`, steps: 1, nextStep: { role: 'ra_officer' }, payload: { selfReported: true } });
      // an RA officer completes it: revoked, a new activation code for the new phone
      const done = await post(cloud.url, `/api/v1/admin/requests/${r.json.requestId}/approve`, {}, ra);
      expect((done.json.request as { status: string }).status).toBe('executed');
      expect((done.json.activation as { qr: string }).qr).toMatch(/^medsign:\/\/enroll\?/);
      // not logged in any more: a second report is refused clearly, not a crash
      const again = await call(agent.url, 'reportLostPhone', { certId });
      expect(again.status).toBeGreaterThanOrEqual(400);
      expect(again.json.code).toBe('CERT_NOT_FOUND'); // the agent no longer knows the user
      expect((await call(agent.url, 'reportLostPhone', { certId: 42 })).json.code).toBe('BAD_PARAMS');
    } finally {
      await phone.stop();
      await agent.dispose();
    }
  }, 120_000);
});
