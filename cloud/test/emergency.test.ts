/**
 * Emergency grants (issue 7) at the cloud's API: what a request must name (a staff member, a
 * registered agent, 1–72 hours, SM2), the console list and its filters, roles, the early end
 * of a grant that was never activated, and the agent endpoints' refusals. The whole flow with a
 * real agent is agent/test/emergency.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAccount, adminToken, startTestCloud } from './cloud-fixture.js';
import { post as postJson } from './phone.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
const post = async (url: string, path: string, body: unknown, headers: Record<string, string> = {}) => (await postJson(url, path, body, headers)) as { status: number; json: Record<string, any> };
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let sys: Record<string, string>;
let agentId = '';
let agentCredential = '';
let staffId = '';
const get = async (path: string, headers: Record<string, string>) => {
  const r = await fetch(`${cloud.url}${path}`, { headers });
  return { status: r.status, json: (await r.json()) as Record<string, any> };
};

beforeAll(async () => {
  cloud = await startTestCloud();
  sys = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, sys);
  const reg = await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'ICU-WS-7' });
  agentId = reg.json.agentId;
  agentCredential = reg.json.credential;
  staffId = (await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'EMC-1', name: '应急医生', department: 'ICU' }, sys)).json.id;
}, 30_000);
afterAll(async () => cloud?.dispose());

describe('emergency requests', () => {
  it('refuse more than 72 hours, other algorithms, unknown agents and staff, wrong types and unknown fields', async () => {
    const base = { operation: 'emergency', staffId, agentId, hours: 8 };
    for (const [body, status] of [
      [{ ...base, hours: 73 }, 400],
      [{ ...base, hours: 0 }, 400],
      [{ ...base, hours: 1.5 }, 400],
      [{ ...base, hours: '8' }, 400],
      [{ ...base, algorithm: 'rsa-2048' }, 400],
      [{ ...base, agentId: 'not-a-uuid' }, 400],
      [{ ...base, extra: 1 }, 400],
      [{ ...base, note: 'x'.repeat(201) }, 400],
      [{ ...base, agentId: '00000000-0000-4000-8000-000000000000' }, 404],
      [{ ...base, staffId: '00000000-0000-4000-8000-000000000000' }, 404],
    ] as const) {
      const r = await post(cloud.url, '/api/v1/admin/requests', body, sys);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.message).toMatch(/[\u4e00-\u9fff].*\(.+\)/);
    }
  });

  it('auto-approved (the default workflow): the grant at once, listed for the console, ended early before any use', async () => {
    const r = await post(cloud.url, '/api/v1/admin/requests', { operation: 'emergency', staffId, agentId, hours: 72 }, sys);
    expect(r.status).toBe(200);
    expect(r.json.request.status).toBe('executed');
    const e = r.json.emergency;
    expect(Date.parse(e.validTo) - Date.parse(e.validFrom)).toBe(72 * 3_600_000);
    expect(r.json.request.result).toMatchObject({ grantId: e.grantId });
    expect(JSON.stringify(r.json.request)).not.toContain(e.password);
    const auditor = await adminAccount(cloud.url, sys, 'emc-auditor', 'auditor');
    const list = await get('/api/v1/admin/emergency?status=issued', auditor);
    expect(list.json.grants).toEqual([expect.objectContaining({ id: e.grantId, status: 'issued', workstation: 'ICU-WS-7', employeeNo: 'EMC-1', certificateSerial: null })]);
    expect((await get(`/api/v1/admin/workstations`, auditor)).json.workstations).toContainEqual(expect.objectContaining({ agentId, name: 'ICU-WS-7' }));
    // the auditor reads but does not end grants
    expect((await post(cloud.url, `/api/v1/admin/emergency/${e.grantId}/revoke`, {}, auditor)).status).toBe(403);
    const ended = await post(cloud.url, `/api/v1/admin/emergency/${e.grantId}/revoke`, {}, sys);
    expect(ended.json).toMatchObject({ status: 'revoked', endReason: 'ended by an administrator' });
    // the password of an ended grant opens nothing
    const login = await post(cloud.url, '/api/v1/agent/emergency/login', { employeeNo: 'EMC-1', password: e.password, workstation: 'ICU-WS-7' }, { authorization: `Bearer ${agentCredential}` });
    expect([login.status, login.json.code]).toEqual([403, 'EMERGENCY_PASSWORD_INVALID']);
  });

  it('the list refuses unknown and malformed query parameters; unknown grants are 404', async () => {
    expect((await get('/api/v1/admin/emergency?status=nope', sys)).status).toBe(400);
    expect((await get('/api/v1/admin/emergency?colour=red', sys)).status).toBe(400);
    expect((await get('/api/v1/admin/emergency?limit=501', sys)).status).toBe(400);
    expect((await get('/api/v1/admin/emergency/not-a-uuid', sys)).status).toBe(400);
    expect((await get('/api/v1/admin/emergency/00000000-0000-4000-8000-000000000000', sys)).status).toBe(404);
  });

  it('agent endpoints: an unknown token, grant or session is refused with a stable code', async () => {
    const a = { authorization: `Bearer ${agentCredential}` };
    const sign = await post(cloud.url, '/api/v1/agent/emergency/sign', { sessionToken: 'x'.repeat(40), sessionId: '00000000-0000-4000-8000-000000000001', digests: ['00'.repeat(32)], app: 'x', summaries: ['x'], workstation: 'x', commit: {} }, a);
    expect([sign.status, sign.json.code]).toEqual([401, 'EMERGENCY_SESSION_INVALID']);
    const act = await post(cloud.url, '/api/v1/agent/emergency/activate', { grantId: '00000000-0000-4000-8000-000000000000', keygenConfirm: {} }, a);
    expect([act.status, act.json.code]).toEqual([404, 'NOT_FOUND']);
    const done = await post(cloud.url, '/api/v1/agent/emergency/sign/00000000-0000-4000-8000-000000000000/complete', { sessionToken: 'x'.repeat(40), signatures: ['AAAA'] }, a);
    expect(done.status).toBe(404);
    const out = await post(cloud.url, '/api/v1/agent/emergency/logout', { sessionToken: 'x'.repeat(40) }, a);
    expect([out.status, out.json.code]).toEqual([401, 'EMERGENCY_SESSION_INVALID']);
    const nobody = await post(cloud.url, '/api/v1/agent/emergency/login', { employeeNo: 'NOBODY', password: 'AAAA-BBBB-CCCC', workstation: 'x' }, a);
    expect([nobody.status, nobody.json.code]).toEqual([403, 'EMERGENCY_PASSWORD_INVALID']);
  });
});
