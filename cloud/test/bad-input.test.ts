/**
 * Every endpoint against malformed JSON, wrong types, unknown fields, oversized bodies and wrong
 * authentication: always a 4xx with a stable code and a bilingual message, never a 500, and the
 * server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/http/api.js';
import { defineRoutes, type Services } from '../src/http/routes.js';
import { signDeviceRequest } from '@medsign/core';
import { adminToken, startTestCloud } from './cloud-fixture.js';
import { enroll, post, type Phone } from './phone.js';

// the route table, built without services: only its declarations are used here
const registry = defineRoutes({} as Services);
let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let token: string;
let someSerial: string;
let phone: Phone;
let agentCredential: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  token = await adminToken(cloud.url);
  someSerial = cloud.pki.caCertificate('rsa-tsa').serialNumber; // a serial the store does not hold as a staff certificate
  const auth = { authorization: `Bearer ${token}` };
  const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'BAD-1', name: '测试', department: '测试科' }, auth);
  const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, auth);
  phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, 'sm2');
  const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, auth);
  agentCredential = (await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'BAD-WS' })).json.credential as string;
});
afterAll(async () => cloud.dispose());

async function send(method: string, path: string, init: { body?: string | Buffer; type?: string; auth?: string | null; device?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (init.type) headers['content-type'] = init.type;
  if (init.auth !== null) headers.authorization = `Bearer ${init.auth ?? token}`;
  if (init.device) {
    const bytes = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : new Uint8Array(init.body ?? []);
    Object.assign(headers, signDeviceRequest({ id: phone.device.id, privateKey: phone.device.privateKey, publicKey: phone.device.publicKey }, method, path, bytes));
  }
  const r = await fetch(`${cloud.url}${path}`, { method: method.toUpperCase(), headers, ...(init.body !== undefined ? { body: init.body as BodyInit } : {}) });
  const text = await r.text();
  let json: { code?: string; message?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* binary answers */
  }
  return { status: r.status, json, text };
}

function expectClientError(r: { status: number; json: { code?: string; message?: string } }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.json.code).toBe(code);
  expect(r.json.message).toMatch(/[\u4e00-\u9fff].*\(.+\)/); // Chinese, with English in brackets
}

/** A valid body for each route, to which the tests add one wrong thing. */
const VALID: Record<string, Record<string, unknown>> = {
  '/api/v1/admin/login': { username: 'admin', password: 'x' },
  '/api/v1/admin/certificates/{serial}/revoke': { reason: 1 },
  '/api/v1/admin/staff': { employeeNo: 'X1', name: 'x', department: 'y' },
  '/api/v1/admin/enrollments': { staffId: '00000000-0000-4000-8000-000000000000', algorithm: 'sm2' },
  '/api/v1/mobile/enroll/start': { enrollmentId: '00000000-0000-4000-8000-000000000000', activationCode: 'AAAAA-BBBBB', devicePublicKey: 'AAAA', keygen: { type: 'sm2', hello: {} } },
  '/api/v1/mobile/enroll/finish': { enrollmentId: '00000000-0000-4000-8000-000000000000', csrInfo: 'AAAA', commit: {} },
  '/api/v1/mobile/enroll/complete': { enrollmentId: '00000000-0000-4000-8000-000000000000', csr: 'AAAA' },
  '/api/v1/admin/agent-tokens': { ttlHours: 1 },
  '/api/v1/mobile/enroll/lookup': { activationCode: 'AAAAA-BBBBB' },
  '/api/v1/agent/register': { registrationToken: 'x'.repeat(20), name: 'ws' },
  '/api/v1/agent/logins': { employeeNo: 'BAD-1', workstation: 'ws' },
  '/api/v1/agent/logout': { userSessionToken: 'x'.repeat(20) },
  '/api/v1/agent/lost': { userSessionToken: 'x'.repeat(20) },
  '/api/v1/agent/sessions': { userSessionToken: 'x'.repeat(20), digests: ['00'.repeat(32)], app: 'x', summaries: ['x'], workstation: 'x' },
  '/api/v1/mobile/sessions/{id}/commit': { commit: {} },
  '/api/v1/mobile/sessions/{id}/complete': { signatures: ['AAAA'] },
  '/api/v1/mobile/pin-check': { checkId: '00000000-0000-4000-8000-000000000000', nonce: '00'.repeat(32), commit: {} },
  '/api/v1/mobile/pin-check/{id}/finish': { signature: 'AAAA' },
  '/api/v1/mobile/renew/open': { pinCheckId: '00000000-0000-4000-8000-000000000000' },
  '/api/v1/mobile/renew/start': { enrollmentId: '00000000-0000-4000-8000-000000000000', keygen: { type: 'sm2', hello: {} } },
  // issue 7, administrators and settings
  '/api/v1/admin/me/password': { oldPassword: 'x', newPassword: 'y'.repeat(12) },
  '/api/v1/admin/me/totp/confirm': { code: '123456' },
  '/api/v1/admin/me/totp/disable': { code: '123456' },
  '/api/v1/admin/accounts': { username: 'bad-input', role: 'auditor', password: 'x'.repeat(12) },
  '/api/v1/admin/accounts/{username}/role': { role: 'auditor' },
  '/api/v1/admin/accounts/{username}/password': { password: 'x'.repeat(12) },
  '/api/v1/admin/settings': { hospitalName: 'x' },
  // issue 7, reports and notifications
  '/api/v1/admin/notifications/read': { ids: ['00000000-0000-4000-8000-000000000000'] },
  '/api/v1/mobile/notifications/read': { ids: ['00000000-0000-4000-8000-000000000000'] },
  // issue 7, certificate templates
  '/api/v1/admin/templates': { id: 'bad-input', definition: { name: 'x', allowedAlgorithms: ['sm2'], subjectDn: 'CN={name}', keyUsage: ['digitalSignature'] } },
  '/api/v1/admin/templates/{id}/versions': { definition: { name: 'x', allowedAlgorithms: ['sm2'], subjectDn: 'CN={name}', keyUsage: ['digitalSignature'] } },
  '/api/v1/admin/templates/{id}/preview': { staffId: '00000000-0000-4000-8000-000000000000' },
  // issue 7, workflows and requests
  '/api/v1/admin/workflows/{operation}': { steps: [{ role: 'ra_officer' }], autoApprove: false },
  '/api/v1/admin/requests': { operation: 'hold', serial: 'AB' },
  '/api/v1/admin/requests/{id}/approve': { comment: 'x' },
  '/api/v1/admin/requests/{id}/reject': { reason: 'x' },
  '/api/v1/admin/requests/{id}/cancel': { reason: 'x' },
  '/api/v1/admin/staff/import': { csv: '工号,姓名,科室' },
  // issue 7, emergency certificates
  '/api/v1/admin/emergency/{id}/revoke': { reason: 5 },
  '/api/v1/agent/emergency/login': { employeeNo: 'BAD-1', password: 'AAAA-BBBB-CCCC', workstation: 'ws' },
  '/api/v1/agent/emergency/activate': { grantId: '00000000-0000-4000-8000-000000000000', keygenConfirm: {} },
  '/api/v1/agent/emergency/sign': { sessionToken: 'x'.repeat(20), sessionId: '00000000-0000-4000-8000-000000000000', digests: ['00'.repeat(32)], app: 'x', summaries: ['x'], workstation: 'x', commit: {} },
  '/api/v1/agent/emergency/sign/{id}/complete': { sessionToken: 'x'.repeat(20), signatures: ['AAAA'] },
  '/api/v1/agent/emergency/logout': { sessionToken: 'x'.repeat(20) },
};

const jsonRoutes = () => registry.json.map((r) => [r.method, r.path, r] as const);
const concrete = (path: string) => path.replace('{serial}', someSerial).replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{username}', 'no-such-admin').replace('{operation}', 'apply');
const credentialFor = (auth: string) => (auth === 'agent' ? agentCredential : undefined);

describe('every JSON endpoint', () => {
  it('is listed in the OpenAPI document with its schema', () => {
    const doc = openApiDocument(registry) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    for (const r of registry.json) {
      expect(doc.paths[r.path]?.[r.method], r.path).toBeDefined();
      if (r.body) expect(doc.paths[r.path]![r.method]!.requestBody, r.path).toBeDefined();
    }
    for (const r of registry.raw) expect(doc.paths[r.path]?.[r.method], r.path).toBeDefined();
  });

  it.each(jsonRoutes())('%s %s refuses malformed, oversized, wrong-typed and unknown-field bodies', async (method, path, route) => {
    const p = concrete(path);
    const device = route.auth === 'device'; // signed correctly, so the body check is what answers
    const a = credentialFor(route.auth);
    const opts = { type: 'application/json', device, ...(a ? { auth: a } : {}) };
    if (method === 'post' || method === 'put') {
      expectClientError(await send(method, p, { ...opts, body: '{"username": "adm' }), 400, 'BAD_REQUEST');
      expectClientError(await send(method, p, { ...opts, body: JSON.stringify({ pad: 'x'.repeat(1100 * 1024) }) }), 413, 'PAYLOAD_TOO_LARGE');
      if (route.body) {
        expect(VALID[path], `a valid body for ${path}`).toBeDefined();
        expectClientError(await send(method, p, { ...opts, body: '[]' }), 400, 'BAD_REQUEST');
        const wrongTypes = { username: 42, password: ['x'], reason: 'one', employeeNo: 7, staffId: 1, activationCode: false, enrollmentId: 3, csr: 5, keygen: 'sm2', digests: 'x', commit: 1, signatures: {}, userSessionToken: 9, registrationToken: [], ttlHours: 'x' };
        expectClientError(await send(method, p, { ...opts, body: JSON.stringify(wrongTypes) }), 400, 'BAD_REQUEST');
        const unknownField = { ...VALID[path], extra: true };
        expectClientError(await send(method, p, { ...opts, body: JSON.stringify(unknownField) }), 400, 'BAD_REQUEST');
        expectClientError(await send(method, p, { ...opts, body: 'username=admin', type: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
  });

  it.each(jsonRoutes().filter(([, , r]) => r.auth === 'device'))('%s %s refuses unsigned and wrongly signed requests', async (method, path) => {
    const p = concrete(path);
    const body = method === 'post' ? { body: JSON.stringify(VALID[path] ?? {}), type: 'application/json' } : {};
    expectClientError(await send(method, p, body), 401, 'UNAUTHORIZED');
    const r = await fetch(`${cloud.url}${p}`, {
      method: method.toUpperCase(),
      headers: { 'content-type': 'application/json', 'x-medsign-device': phone.device.id, 'x-medsign-time': String(Date.now()), 'x-medsign-nonce': '0'.repeat(32), 'x-medsign-signature': 'MEUCIQ==' },
      ...(method === 'post' ? { body: body.body } : {}),
    });
    expectClientError({ status: r.status, json: (await r.json()) as { code?: string; message?: string } }, 401, 'UNAUTHORIZED');
  });

  it.each(jsonRoutes().filter(([, , r]) => r.auth === 'admin' || r.auth === 'agent'))('%s %s refuses a missing or wrong bearer credential', async (method, path) => {
    const p = concrete(path);
    const body = method === 'post' || method === 'put' ? { body: JSON.stringify(VALID[path] ?? {}), type: 'application/json' } : {};
    expectClientError(await send(method, p, { ...body, auth: null }), 401, 'UNAUTHORIZED');
    expectClientError(await send(method, p, { ...body, auth: 'not-a-token' }), 401, 'UNAUTHORIZED');
  });

  it('logout ends the token', async () => {
    const t = await adminToken(cloud.url);
    expect((await send('post', '/api/v1/admin/logout', { auth: t })).status).toBe(200);
    expectClientError(await send('get', `/api/v1/admin/certificates/${someSerial}`, { auth: t }), 401, 'UNAUTHORIZED');
  });

  it('path parameters are validated and unknown objects are 404', async () => {
    expectClientError(await send('get', '/api/v1/admin/certificates/not-hex!'), 400, 'BAD_REQUEST');
    expectClientError(await send('get', `/api/v1/admin/certificates/${'A'.repeat(41)}`), 400, 'BAD_REQUEST');
    expectClientError(await send('get', '/api/v1/admin/certificates/ABCDEF'), 404, 'NOT_FOUND');
    expectClientError(await send('post', '/api/v1/admin/certificates/ABCDEF/revoke', { body: JSON.stringify({ reason: 1 }), type: 'application/json' }), 404, 'NOT_FOUND');
    expectClientError(await send('post', '/api/v1/admin/certificates/ABCDEF/revoke', { body: JSON.stringify({ reason: 6 }), type: 'application/json' }), 400, 'BAD_REQUEST');
    expectClientError(await send('get', '/api/v1/nothing-here'), 404, 'NOT_FOUND');
  });

  it('wrong passwords are refused without saying whether the user exists', async () => {
    const a = await send('post', '/api/v1/admin/login', { body: JSON.stringify({ username: 'admin', password: 'wrong' }), type: 'application/json', auth: null });
    const b = await send('post', '/api/v1/admin/login', { body: JSON.stringify({ username: 'nobody', password: 'wrong' }), type: 'application/json', auth: null });
    expectClientError(a, 401, 'UNAUTHORIZED');
    expect(b).toEqual(a);
    expect(a.text).not.toContain('wrong"');
  });
});

describe('the binary PKI endpoints', () => {
  it('refuse the wrong content type, empty and oversized bodies; unknown names are 404', async () => {
    for (const path of ['/pki/ocsp', '/pki/tsa']) {
      expectClientError(await send('post', path, { body: '{}', type: 'application/json', auth: null }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      const type = path === '/pki/ocsp' ? 'application/ocsp-request' : 'application/timestamp-query';
      expectClientError(await send('post', path, { body: Buffer.alloc(0), type, auth: null }), 400, 'BAD_REQUEST');
      expectClientError(await send('post', path, { body: Buffer.alloc(64 * 1024, 0x30), type, auth: null }), 413, 'PAYLOAD_TOO_LARGE');
    }
    for (const path of ['/pki/ca/nope.pem', '/pki/ca/..%2F..%2Fetc%2Fpasswd', '/pki/crl/rsa-tsa.crl', '/pki/crl/x.pem', '/pki/ca/RSA-ROOT.pem']) {
      expectClientError(await send('get', path, { auth: null }), 404, 'NOT_FOUND');
    }
    expectClientError(await send('get', '/pki/ocsp/%%%%', { auth: null }), 400, 'BAD_REQUEST');
    expectClientError(await send('get', '/api/v1/admin/certificates/%E0%A4%A'), 400, 'BAD_REQUEST');
  });

  it('a garbage TSA request gets an RFC 3161 rejection (HTTP 200)', async () => {
    const r = await fetch(`${cloud.url}/pki/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from('garbage') });
    expect(r.status).toBe(200);
    const { parseTimeStampResponse } = await import('@medsign/core');
    expect(parseTimeStampResponse(new Uint8Array(await r.arrayBuffer())).status).toBe('rejection');
  });

  it('still serves after all that', async () => {
    expect((await send('get', '/pki/ca/sm2-root.pem', { auth: null })).status).toBe(200);
  });
});
