/**
 * Online renewal (在线更新) through an approval workflow, end to end with the phone of
 * @medsign/mobile against a real cloud: the phone's first renewal attempt files a renew request
 * and is told to wait; an RA officer approves; the phone's next attempt re-keys (a new key, a new
 * certificate, the old one superseded) and uses the approval up; a rejected request makes the
 * next attempt file a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '@medsign/core';
import { adminAccount, adminToken, startTestCloud } from '../cloud/test/cloud-fixture.js';
import { post } from '../cloud/test/phone.js';
import { MedSignPhone, memoryStorage } from '../mobile/src/index.js';

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

    // 2. approved: the next attempt renews — a new key and certificate, the old one superseded
    const approved = await post(cloud.url, `/api/v1/admin/requests/${requests[0]!.id}/approve`, {}, ra);
    expect(approved.json.request).toMatchObject({ status: 'executed' });
    const renewed = parseCertificate(await phone.renew(PIN));
    expect(renewed.serialNumber).not.toBe(old.serialNumber);
    expect(renewed.spki).not.toEqual(old.spki);
    const oldStatus = await fetch(`${cloud.url}/api/v1/admin/certificates/${old.serialNumber}`, { headers: sys });
    expect(((await oldStatus.json()) as { status: string; reason: number }).reason).toBe(4); // superseded
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
