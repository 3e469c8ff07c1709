/** The push channel: phones hear of new sessions, agents of results, without polling. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pointFromHex, signDeviceRequest, sm2Digest, toHex } from '@medsign/core';
import { adminToken, startTestCloud } from './cloud-fixture.js';
import { approve, enroll, pending, post, type Phone } from './phone.js';

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let phone: Phone;
let agentAuth: { authorization: string };
let userSessionToken: string;

function connect(): Promise<{ ws: WebSocket; messages: unknown[]; next: () => Promise<Record<string, unknown>>; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${cloud.url.replace('http', 'ws')}/api/v1/events`);
    const messages: Record<string, unknown>[] = [];
    const waiters: ((m: Record<string, unknown>) => void)[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Record<string, unknown>;
      const w = waiters.shift();
      if (w) w(m);
      else messages.push(m);
    });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        next: () => new Promise((r) => (messages.length ? r(messages.shift()!) : waiters.push(r))),
      }),
    );
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  cloud = await startTestCloud();
  const token = await adminToken(cloud.url);
  const admin = { authorization: `Bearer ${token}` };
  const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'WS1', name: '推送', department: '外科' }, admin);
  const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, admin);
  phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, 'sm2');
  const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, admin);
  const reg = await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'WS-PUSH' });
  agentAuth = { authorization: `Bearer ${reg.json.credential}` };
  const login = await post(cloud.url, '/api/v1/agent/logins', { employeeNo: 'WS1', workstation: 'x' }, agentAuth);
  await approve(cloud.url, phone, (await pending(cloud.url, phone))[0]!);
  const r = await fetch(`${cloud.url}/api/v1/agent/sessions/${login.json.sessionId}`, { headers: agentAuth });
  userSessionToken = ((await r.json()) as { userSessionToken: string }).userSessionToken;
});
afterAll(async () => cloud.dispose());

describe('/api/v1/events', () => {
  it('pushes a new sign session to the phone and the result to the agent', async () => {
    const phoneWs = await connect();
    const auth = signDeviceRequest({ id: phone.device.id, privateKey: phone.device.privateKey, publicKey: phone.device.publicKey }, 'GET', '/api/v1/events', new Uint8Array(0));
    phoneWs.ws.send(JSON.stringify({ type: 'auth', device: auth['x-medsign-device'], time: auth['x-medsign-time'], nonce: auth['x-medsign-nonce'], signature: auth['x-medsign-signature'] }));
    expect(await phoneWs.next()).toEqual({ type: 'ready' });
    const agentWs = await connect();
    agentWs.ws.send(JSON.stringify({ type: 'auth', agent: agentAuth.authorization.slice(7) }));
    expect(await agentWs.next()).toEqual({ type: 'ready' });

    // a push login reaches the phone at once
    await post(cloud.url, '/api/v1/agent/logins', { employeeNo: 'WS1', workstation: 'y' }, agentAuth);
    const loginPush = await phoneWs.next();
    expect(loginPush).toMatchObject({ type: 'session', session: { kind: 'login' } });
    expect(await agentWs.next()).toMatchObject({ type: 'session-status', status: 'PENDING' });

    const pk = pointFromHex((phone.share as { publicKey: string }).publicKey);
    const digest = toHex(sm2Digest(pk, new TextEncoder().encode('手术记录')));
    const opened = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken, digests: [digest], app: 'EMR', summaries: ['手术记录'], workstation: 'OR-2' }, agentAuth);
    const push = await phoneWs.next();
    expect(push).toMatchObject({ type: 'session', session: { sessionId: opened.json.sessionId, app: 'EMR', workstation: 'OR-2', verificationCode: opened.json.verificationCode, digests: [digest] } });
    expect(await agentWs.next()).toMatchObject({ type: 'session-status', sessionId: opened.json.sessionId, status: 'PENDING' });
    await approve(cloud.url, phone, (push as { session: never }).session);
    expect(await agentWs.next()).toMatchObject({ sessionId: opened.json.sessionId, status: 'COSIGNING' });
    expect(await agentWs.next()).toMatchObject({ sessionId: opened.json.sessionId, status: 'OK' });
    expect(await phoneWs.next()).toMatchObject({ type: 'session-status', sessionId: opened.json.sessionId, status: 'OK' });
    phoneWs.ws.close();
    agentWs.ws.close();
  });

  it('closes sockets with bad, malformed or missing authentication, and refuses other paths', async () => {
    const a = await connect();
    a.ws.send(JSON.stringify({ type: 'auth', agent: 'x'.repeat(20) }));
    expect(await a.closed).toBe(4401);
    const b = await connect();
    b.ws.send('not json');
    expect(await b.closed).toBe(4400);
    const c = await connect();
    c.ws.send(JSON.stringify({ type: 'auth', device: '00000000-0000-4000-8000-000000000000', time: String(Date.now()), nonce: '0'.repeat(32), signature: 'MEUCIQ==' }));
    expect(await c.closed).toBe(4401);
    const d = await connect();
    d.ws.send('x'.repeat(20_000)); // over maxPayload
    expect(await d.closed).toBe(1009);
    await expect(new Promise((resolve, reject) => {
      const ws = new WebSocket(`${cloud.url.replace('http', 'ws')}/api/v1/elsewhere`);
      ws.on('open', () => resolve('opened'));
      ws.on('error', reject);
    })).rejects.toThrow(/404/);
  });
});
