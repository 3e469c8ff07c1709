/**
 * Configurable workflows (issue 7) on a real cloud: every path of a request — approved through
 * a department-scoped step and an RA step (then the phone enrols with the activation code it
 * produced), rejected with a reason, expired, self-approval and duplicate approvers refused,
 * the department scope and the roles enforced — the direct endpoints closed while a workflow
 * needs approval, revocation and PIN unlock through requests, the events, the bulk CSV import
 * (400 staff at once; bad rows reported, nothing half-imported), and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '@medsign/core';
import { adminAccount, adminToken, startTestCloud } from './cloud-fixture.js';
import { enroll, post as postJson } from './phone.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
const post = async (url: string, path: string, body: unknown, headers: Record<string, string> = {}) => (await postJson(url, path, body, headers)) as { status: number; json: Record<string, any> };

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
let cloud: Cloud;
let sys: Record<string, string>;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const get = async (path: string, headers: Record<string, string>) => {
  const r = await fetch(`${cloud.url}${path}`, { headers });
  return { status: r.status, json: (await r.json()) as Record<string, any> };
};

const account = (username: string, role: string, departments?: string[]) => adminAccount(cloud.url, sys, username, role, departments);

async function staff(employeeNo: string, department: string, name = `医生${employeeNo}`) {
  const r = await post(cloud.url, '/api/v1/admin/staff', { employeeNo, name, department }, sys);
  expect(r.status).toBe(200);
  return r.json.id as string;
}

let headCardio: Record<string, string>, headOrtho: Record<string, string>, ra1: Record<string, string>, ra2: Record<string, string>, auditor: Record<string, string>;

beforeAll(async () => {
  cloud = await startTestCloud();
  sys = auth(await adminToken(cloud.url));
  headCardio = await account('head-cardio', 'dept_approver', ['心内科']);
  headOrtho = await account('head-ortho', 'dept_approver', ['骨科']);
  ra1 = await account('ra-one', 'ra_officer');
  ra2 = await account('ra-two', 'ra_officer');
  auditor = await account('auditor-1', 'auditor');
}, 60_000);

afterAll(async () => {
  await cloud?.dispose();
});

describe('workflow definitions', () => {
  it('every operation has one; by default it auto-approves (the direct endpoints work); only a sysadmin changes them', async () => {
    const r = await get('/api/v1/admin/workflows', auditor);
    expect(r.status).toBe(200);
    expect(r.json.workflows.map((w: { operation: string }) => w.operation).sort()).toEqual(['apply', 'emergency', 'hold', 'pin_unlock', 'release', 'renew', 'replace', 'revoke']);
    expect(r.json.workflows.every((w: { autoApprove: boolean }) => w.autoApprove)).toBe(true);
    const byRa = await post(cloud.url, '/api/v1/admin/workflows/apply', { steps: [{ role: 'ra_officer' }], autoApprove: false }, ra1);
    expect(byRa.status).toBe(403);
    expect(byRa.json.code).toBe('FORBIDDEN');
  });

  it('refuses a workflow without steps and without auto-approval, an auditor step, unknown operations and fields', async () => {
    for (const [path, body] of [
      ['/api/v1/admin/workflows/apply', { steps: [], autoApprove: false }],
      ['/api/v1/admin/workflows/apply', { steps: [{ role: 'auditor' }], autoApprove: false }],
      ['/api/v1/admin/workflows/apply', { steps: [{ role: 'ra_officer', extra: 1 }], autoApprove: false }],
      ['/api/v1/admin/workflows/apply', { steps: 'ra_officer', autoApprove: false }],
      ['/api/v1/admin/workflows/apply', { steps: [{ role: 'ra_officer' }], autoApprove: 'no' }],
      ['/api/v1/admin/workflows/apply', { steps: Array(6).fill({ role: 'ra_officer' }), autoApprove: false }],
      ['/api/v1/admin/workflows/apply', { steps: [{ role: 'ra_officer' }], autoApprove: false, expiryHours: 0 }],
      ['/api/v1/admin/workflows/teleport', { steps: [{ role: 'ra_officer' }], autoApprove: false }],
    ] as const) {
      const r = await post(cloud.url, path, body, sys);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.code).toBe('BAD_REQUEST');
    }
  });
});

describe('an application through a department head and an RA officer', () => {
  let staffId = '';
  let requestId = '';

  beforeAll(async () => {
    const d = await post(cloud.url, '/api/v1/admin/workflows/apply', { steps: [{ role: 'dept_approver', departmentScope: true, name: '科室主任审核' }, { role: 'ra_officer', name: 'RA 审核' }], autoApprove: false, expiryHours: 48 }, sys);
    expect(d.status).toBe(200);
    staffId = await staff('W1001', '心内科', '周医生');
  });

  it('closes the direct endpoint: WORKFLOW_REQUIRED', async () => {
    const r = await post(cloud.url, '/api/v1/admin/enrollments', { staffId, algorithm: 'sm2' }, sys);
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('WORKFLOW_REQUIRED');
  });

  it('a request waits at the first step; the auditor cannot make one', async () => {
    expect((await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId, algorithm: 'sm2' }, auditor)).status).toBe(403);
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId, algorithm: 'sm2' }, ra1);
    expect(r.status).toBe(200);
    const req = r.json.request as Record<string, any>;
    expect(req).toMatchObject({ operation: 'apply', status: 'pending', applicant: 'ra-one', department: '心内科', step: 0, steps: 2, nextStep: { role: 'dept_approver', departmentScope: true } });
    expect(req.subject).toContain('周医生');
    expect(r.json.activation).toBeUndefined();
    requestId = req.id;
  });

  it('refuses the applicant (self-approval), another department, the wrong role and the auditor', async () => {
    const approve = (h: Record<string, string>) => post(cloud.url, `/api/v1/admin/requests/${requestId}/approve`, {}, h);
    const self = await approve(ra1);
    expect([self.status, self.json.code]).toEqual([403, 'SELF_APPROVAL']);
    const other = await approve(headOrtho);
    expect(other.status).toBe(404); // a dept_approver does not even see other departments' requests
    const role = await approve(ra2);
    expect([role.status, role.json.code]).toEqual([403, 'FORBIDDEN']);
    expect((await approve(auditor)).status).toBe(403);
    expect((await get(`/api/v1/admin/requests/${requestId}`, sys)).json.request.step).toBe(0);
  });

  it('the department head approves step 1, cannot approve step 2 too; the RA officer approves and gets the activation code; the phone enrols with it', async () => {
    const first = await post(cloud.url, `/api/v1/admin/requests/${requestId}/approve`, { comment: '同意' }, headCardio);
    expect(first.status).toBe(200);
    expect(first.json.request).toMatchObject({ status: 'pending', step: 1, nextStep: { role: 'ra_officer' } });
    const twice = await post(cloud.url, `/api/v1/admin/requests/${requestId}/approve`, {}, headCardio);
    expect(twice.status).toBe(403);
    const last = await post(cloud.url, `/api/v1/admin/requests/${requestId}/approve`, {}, ra2);
    expect(last.status).toBe(200);
    expect(last.json.request).toMatchObject({ status: 'executed', step: 2 });
    const activation = last.json.activation as { enrollmentId: string; activationCode: string; qr: string };
    expect(activation.activationCode.length).toBeGreaterThan(8);
    expect(activation.qr).toContain(activation.enrollmentId);
    // the code is not kept: the request's stored result has no secret
    const stored = await get(`/api/v1/admin/requests/${requestId}`, sys);
    expect(JSON.stringify(stored.json)).not.toContain(activation.activationCode);
    expect(stored.json.decisions.map((d: { admin: string; decision: string }) => `${d.admin}:${d.decision}`)).toEqual(['head-cardio:approve', 'ra-two:approve']);
    // end to end: the phone redeems the code and gets its certificate
    const phone = await enroll(cloud.url, activation.enrollmentId, activation.activationCode, 'sm2');
    expect(parseCertificate(phone.certificate).subjectText).toContain('CN=周医生');
  }, 60_000);

  it('a closed request cannot be decided again', async () => {
    const r = await post(cloud.url, `/api/v1/admin/requests/${requestId}/approve`, {}, ra1);
    expect([r.status, r.json.code]).toEqual([409, 'REQUEST_CLOSED']);
  });

  it('one rejection, with its reason, rejects the request', async () => {
    const other = await staff('W1002', '心内科');
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId: other, algorithm: 'rsa-2048' }, ra1);
    const id = r.json.request.id as string;
    const noReason = await post(cloud.url, `/api/v1/admin/requests/${id}/reject`, {}, headCardio);
    expect(noReason.status).toBe(400);
    const rejected = await post(cloud.url, `/api/v1/admin/requests/${id}/reject`, { reason: '信息不全，请补充执业证号' }, headCardio);
    expect(rejected.status).toBe(200);
    expect(rejected.json.request.status).toBe('rejected');
    const later = await post(cloud.url, `/api/v1/admin/requests/${id}/approve`, {}, ra2);
    expect(later.json.code).toBe('REQUEST_CLOSED');
    const events = await get('/api/v1/admin/workflow-events?after=0&limit=500', sys);
    const mine = events.json.events.filter((e: { requestId: string }) => e.requestId === id);
    expect(mine.map((e: { type: string }) => e.type)).toEqual(['created', 'rejected']);
    expect(mine[1].data.reason).toBe('信息不全，请补充执业证号');
  });

  it('a department head lists only their department; other lists are filtered as asked', async () => {
    const ortho = await staff('W2001', '骨科');
    await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId: ortho, algorithm: 'sm2' }, ra1);
    const cardio = await get('/api/v1/admin/requests?operation=apply', headCardio);
    expect(cardio.status).toBe(200);
    expect(cardio.json.requests.length).toBeGreaterThanOrEqual(2);
    expect(cardio.json.requests.every((r: { department: string }) => r.department === '心内科')).toBe(true);
    const pendingOrtho = await get('/api/v1/admin/requests?status=pending&department=%E9%AA%A8%E7%A7%91', sys);
    expect(pendingOrtho.json.requests.map((r: { subject: string }) => r.subject)).toEqual([expect.stringContaining('W2001')]);
  });

  it('an undecided request expires after the workflow\'s hours', async () => {
    const s = await staff('W1003', '心内科');
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId: s, algorithm: 'sm2' }, ra1);
    const id = r.json.request.id as string;
    expect(cloud.services.workflows.sweep(Date.now() + 49 * 3_600_000)).toBeGreaterThanOrEqual(1);
    expect((await get(`/api/v1/admin/requests/${id}`, sys)).json.request.status).toBe('expired');
    const late = await post(cloud.url, `/api/v1/admin/requests/${id}/approve`, {}, headCardio);
    expect(late.json.code).toBe('REQUEST_CLOSED');
  });
});

describe('revocation and PIN unlock through requests', () => {
  let serial = '';
  beforeAll(async () => {
    await post(cloud.url, '/api/v1/admin/workflows/apply', { steps: [], autoApprove: true }, sys);
    const s = await staff('W3001', '急诊科');
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId: s, algorithm: 'sm2' }, ra1);
    expect(r.json.request.status).toBe('executed'); // auto-approved: runs at once
    const phone = await enroll(cloud.url, r.json.activation.enrollmentId, r.json.activation.activationCode, 'sm2');
    serial = parseCertificate(phone.certificate).serialNumber;
  }, 60_000);

  it('revoke with two RA officers (dual control): the certificate is revoked only after the second', async () => {
    expect((await post(cloud.url, '/api/v1/admin/workflows/revoke', { steps: [{ role: 'ra_officer' }, { role: 'ra_officer' }], autoApprove: false }, sys)).status).toBe(200);
    expect((await post(cloud.url, `/api/v1/admin/certificates/${serial}/revoke`, { reason: 1 }, sys)).json.code).toBe('WORKFLOW_REQUIRED');
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'revoke', serial, reason: 1 }, sys);
    expect(r.json.request).toMatchObject({ status: 'pending', department: '急诊科' });
    await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/approve`, {}, ra1);
    expect((await get(`/api/v1/admin/certificates/${serial}`, sys)).json.status).toBe('good');
    const done = await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/approve`, {}, ra2);
    expect(done.json.request).toMatchObject({ status: 'executed', result: { serial, was: 'good' } });
    const cert = await get(`/api/v1/admin/certificates/${serial}`, sys);
    expect(cert.json).toMatchObject({ status: 'revoked', reason: 1 });
  });

  it('PIN unlock needs the identity check it records; renew is not requested by administrators (the phone files it)', async () => {
    const missing = await post(cloud.url, '/api/v1/admin/requests', { operation: 'pin_unlock', serial }, ra1);
    expect(missing.status).toBe(400);
    const ok = await post(cloud.url, '/api/v1/admin/requests', { operation: 'pin_unlock', serial, identityCheck: '核对工牌与身份证' }, ra1);
    expect(ok.status).toBe(200);
    expect(ok.json.request.status === 'executed' || ok.json.request.status === 'failed').toBe(true);
    const planned = await post(cloud.url, '/api/v1/admin/requests', { operation: 'renew' }, ra1);
    expect([planned.status, planned.json.code]).toEqual([501, 'NOT_SUPPORTED']);
  });
});

describe('lost-phone replacement (丢失补办)', () => {
  const enrolled = async (employeeNo: string, algorithm: 'sm2' | 'rsa-2048') => {
    const s = await staff(employeeNo, '急诊科', `补办${employeeNo}`);
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId: s, algorithm }, ra1);
    const phone = await enroll(cloud.url, r.json.activation.enrollmentId, r.json.activation.activationCode, algorithm);
    return parseCertificate(phone.certificate).serialNumber;
  };
  beforeAll(async () => {
    // the replacement needs an RA officer's approval
    expect((await post(cloud.url, '/api/v1/admin/workflows/replace', { steps: [{ role: 'ra_officer' }], autoApprove: false }, sys)).status).toBe(200);
  });

  it('the request puts the certificate on hold at once; approved, it is revoked (keyCompromise) and a new phone enrols with a new key', async () => {
    const serial = await enrolled('L1001', 'rsa-2048');
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'replace', serial }, ra1);
    expect(r.status).toBe(200);
    expect(r.json.request.status).toBe('pending');
    expect((await get(`/api/v1/admin/certificates/${serial}`, sys)).json.status).toBe('hold');
    const done = await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/approve`, {}, ra2);
    expect(done.json.request).toMatchObject({ status: 'executed', result: { revoked: serial, revocationReason: 1, replacedBy: { algorithm: 'rsa-2048' } } });
    expect((await get(`/api/v1/admin/certificates/${serial}`, sys)).json).toMatchObject({ status: 'revoked', reason: 1 });
    const phone = await enroll(cloud.url, done.json.activation.enrollmentId, done.json.activation.activationCode, 'rsa-2048');
    const fresh = parseCertificate(phone.certificate);
    expect(fresh.serialNumber).not.toBe(serial);
    expect(fresh.subjectText).toContain('CN=补办L1001');
    expect(done.json.request.result.replacedBy.enrollmentId).toBe(done.json.activation.enrollmentId);
  }, 90_000);

  it('the phone was found: the applicant withdraws the request and the hold is released; others cannot withdraw it', async () => {
    const serial = await enrolled('L1002', 'sm2');
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'replace', serial, revocationReason: 4 }, ra1);
    expect((await get(`/api/v1/admin/certificates/${serial}`, sys)).json.status).toBe('hold');
    const byOther = await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/cancel`, { reason: '找到了' }, ra2);
    expect(byOther.status).toBe(403);
    expect((await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/cancel`, {}, ra1)).status).toBe(400);
    const cancelled = await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/cancel`, { reason: '手机已找回 (phone found)' }, ra1);
    expect(cancelled.json.request.status).toBe('cancelled');
    expect((await get(`/api/v1/admin/certificates/${serial}`, sys)).json.status).toBe('good');
    expect((await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/approve`, {}, ra2)).json.code).toBe('REQUEST_CLOSED');
    const events = (await get('/api/v1/admin/workflow-events?after=0&limit=500', sys)).json.events.filter((e: { requestId: string }) => e.requestId === r.json.request.id);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['created', 'cancelled']);
  }, 90_000);

  it('a revoked certificate cannot be replaced twice; wrong reasons are refused', async () => {
    const serial = await enrolled('L1003', 'sm2');
    expect((await post(cloud.url, '/api/v1/admin/requests', { operation: 'replace', serial, revocationReason: 6 }, ra1)).status).toBe(400);
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'replace', serial }, ra1);
    // revoked meanwhile (the revoke workflow of this file needs two approvals: set it directly)
    await cloud.services.pki.setRevocation(serial, { action: 'revoke', reason: 4 });
    const done = await post(cloud.url, `/api/v1/admin/requests/${r.json.request.id}/approve`, {}, ra2);
    expect(done.json.request).toMatchObject({ status: 'failed', error: 'CERT_REVOKED' });
    const again = await post(cloud.url, '/api/v1/admin/requests', { operation: 'replace', serial }, ra1);
    expect([again.status, again.json.code]).toEqual([409, 'CERT_REVOKED']);
  }, 90_000);
});

describe('bulk import of staff from CSV', () => {
  const header = '工号,姓名,科室,职称,执业证号,身份证号,手机';
  const line = (i: number) => `B${String(i).padStart(4, '0')},"医生${i}",${['内科', '外科', '儿科', '妇产科'][i % 4]},主治医师,LIC${i},11010519800101${String(1000 + (i % 9000)).slice(0, 3)}X,1380000${String(i).padStart(4, '0')}`;

  it('400 staff in one file, in one transaction', async () => {
    const csv = `\uFEFF${header}\r\n${Array.from({ length: 400 }, (_, i) => line(i + 1)).join('\r\n')}\r\n`;
    const t0 = Date.now();
    const r = await post(cloud.url, '/api/v1/admin/staff/import', { csv }, ra1);
    expect(r.status).toBe(200);
    expect(r.json.errors).toEqual([]);
    expect(r.json.imported).toBe(400);
    console.log(`# imported 400 staff in ${Date.now() - t0} ms`);
    expect(cloud.store.staff.getByEmployeeNo('B0400')?.department).toBe('内科');
  });

  it('bad rows are reported by line and field; nothing of the file is imported', async () => {
    const rows = [header, 'C0001,张三,内科,,,,', 'C0002,李四,外科,,,12345,', 'C0001,王五,儿科,,,,', 'B0001,赵六,内科,,,,', 'C0005,"钱七, 主任",骨科,,,,', 'C0006,孙八'];
    const r = await post(cloud.url, '/api/v1/admin/staff/import', { csv: rows.join('\n') }, ra1);
    expect(r.status).toBe(200);
    expect(r.json.imported).toBe(0);
    const errs = r.json.errors as { row: number; field: string | null; code: string }[];
    expect(errs.map((e) => `${e.row}:${e.code}`)).toEqual(['3:INVALID', '4:DUPLICATE_IN_FILE', '5:ALREADY_REGISTERED', '7:BAD_CSV']);
    expect(errs[0]!.field).toBe('idNumber');
    // the valid rows were not imported either
    expect(cloud.store.staff.getByEmployeeNo('C0001')).toBeUndefined();
    expect(cloud.store.staff.getByEmployeeNo('C0005')).toBeUndefined();
    // the same file without its bad rows goes in, the quoted comma kept
    const fixed = await post(cloud.url, '/api/v1/admin/staff/import', { csv: [header, rows[1], rows[5]].join('\n') }, ra1);
    expect(fixed.json.imported).toBe(2);
    expect(cloud.store.staff.getByEmployeeNo('C0005')?.name).toBe('钱七, 主任');
  });

  it('with apply: an application per person, each with its activation code when auto-approved', async () => {
    const csv = [header, 'D0001,甲医生,内科,,,,', 'D0002,乙医生,外科,,,,'].join('\n');
    const r = await post(cloud.url, '/api/v1/admin/staff/import', { csv, apply: { algorithm: 'sm2' } }, ra1);
    expect(r.json.imported).toBe(2);
    expect(r.json.requests.map((x: { employeeNo: string; request: { status: string } }) => `${x.employeeNo}:${x.request.status}`)).toEqual(['D0001:executed', 'D0002:executed']);
    expect(r.json.requests.every((x: { activation?: { activationCode: string } }) => (x.activation?.activationCode.length ?? 0) > 8)).toBe(true);
  });

  it('refuses unknown and missing columns, an unterminated quote, and a file without rows', async () => {
    const cases: [string, string][] = [
      ['工号,姓名,科室,血型\nE1,a,b,O', 'UNKNOWN_COLUMN'],
      ['工号,姓名\nE1,a', 'MISSING_COLUMN'],
      ['工号,姓名,科室\nE1,"a,b', 'BAD_CSV'],
      ['工号,姓名,科室\n', 'BAD_CSV'],
    ];
    for (const [csv, code] of cases) {
      const r = await post(cloud.url, '/api/v1/admin/staff/import', { csv }, ra1);
      expect(r.json.imported, csv).toBe(0);
      expect(r.json.errors.map((e: { code: string }) => e.code), csv).toContain(code);
    }
  });
});

describe('bad input on the workflow endpoints', () => {
  it('malformed, wrong-typed, oversized, unknown and unauthenticated requests get clear codes', async () => {
    const raw = await fetch(`${cloud.url}/api/v1/admin/requests`, { method: 'POST', headers: { 'content-type': 'application/json', ...ra1 }, body: '{"operation": "apply",' });
    expect(raw.status).toBe(400);
    for (const body of [{ operation: 'apply', staffId: 'not-a-uuid', algorithm: 'sm2' }, { operation: 'apply', staffId: 42 }, { operation: 'revoke', serial: 'XYZ', reason: 1 }, { operation: 'revoke', serial: 'AB', reason: 7 }, { operation: 'nope' }, [], 'apply']) {
      const r = await post(cloud.url, '/api/v1/admin/requests', body, ra1);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const unknownStaff = await post(cloud.url, '/api/v1/admin/requests', { operation: 'apply', staffId: '00000000-0000-4000-8000-000000000000', algorithm: 'sm2' }, ra1);
    expect([unknownStaff.status, unknownStaff.json.code]).toEqual([404, 'NOT_FOUND']);
    const huge = await post(cloud.url, '/api/v1/admin/staff/import', { csv: 'x'.repeat(1_100_000) }, ra1);
    expect(huge.status).toBe(413);
    const tooLong = await post(cloud.url, '/api/v1/admin/staff/import', { csv: 'x'.repeat(950_000) }, ra1);
    expect(tooLong.status).toBe(400);
    for (const q of ['limit=0', 'limit=abc', 'status=lost', 'offset=-1', 'colour=red']) expect((await get(`/api/v1/admin/requests?${q}`, sys)).status, q).toBe(400);
    expect((await get('/api/v1/admin/requests/not-a-uuid', sys)).status).toBe(400);
    expect((await get('/api/v1/admin/requests/00000000-0000-4000-8000-000000000000', sys)).status).toBe(404);
    expect((await get('/api/v1/admin/workflow-events?after=x', sys)).status).toBe(400);
    expect((await get('/api/v1/admin/requests', {})).status).toBe(401);
    expect((await post(cloud.url, '/api/v1/admin/requests', { operation: 'hold', serial: 'AB' }, {})).status).toBe(401);
  });
});
