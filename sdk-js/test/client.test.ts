/**
 * The SDK in Node (the `ws` WebSocket) against the real agent, cloud and phone: typed calls,
 * events, port probing, reconnect (an in-flight call fails retryably and is never resent),
 * version negotiation, typed errors; and the generated types against the agent's registry.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SOR } from '@medsign/core';
import { MedSignClient, MedSignError, createSofFacade } from '../src/index.js';
import { freePort } from '../../agent/test/processes.js';
import { autoApprove, enrollDoctor, registrationToken, startCloudWithAdmin, startTestAgent } from '../../agent/test/stack.js';

let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
let agent: Awaited<ReturnType<typeof startTestAgent>>;
let doctor: Awaited<ReturnType<typeof enrollDoctor>>;
let auto: ReturnType<typeof autoApprove>;
// the `ws` package's class goes in as it is (no cast)
const client = (ports: number[], extra = {}) => new MedSignClient({ ports, WebSocket, connectTimeoutMs: 500, ...extra });

beforeAll(async () => {
  s = await startCloudWithAdmin();
  agent = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin));
  doctor = await enrollDoctor(s.cloud.url, s.admin, 'sm2', 'SDK医生');
  auto = autoApprove(doctor.phone);
});
afterAll(async () => {
  await auto?.stop();
  await agent?.dispose();
  await s?.cloud.dispose();
});

describe('MedSignClient', () => {
  it('tries the ports in order, checks the version, and signs with events', async () => {
    const dead = await freePort();
    const c = client([dead, agent.port]);
    const states: string[] = [];
    c.on('connection', (e) => states.push(e.state));
    const v = await c.connect();
    expect(v.apiVersion).toBe('1.0');
    expect(states).toEqual(['connecting', 'open']);
    const login = await c.login({ employeeNo: doctor.employeeNo });
    expect(login).toMatchObject({ status: 'OK', name: 'SDK医生' });
    const codes: string[] = [];
    c.on('verificationCode', (e) => codes.push(e.verificationCode));
    const progress: string[] = [];
    c.on('progress', (e) => progress.push(e.stage));
    const r = await c.signBatch({ certId: login.certId!, items: Array.from({ length: 20 }, (_, i) => ({ text: `护理记录 ${i}` })) });
    expect('results' in r && r.results).toHaveLength(20);
    expect(codes).toEqual([auto.codes.at(-1)]);
    expect(progress).toContain('waiting-for-phone');
    c.close();
  });

  it('typed errors carry the agent’s code, SOR code and Chinese + English message', async () => {
    const c = client([agent.port]);
    const err = await c.signData({ certId: 'ABCDEF', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MedSignError);
    expect(err).toMatchObject({ code: 'CERT_NOT_FOUND', sor: SOR.CertNotFountErr, retryable: false });
    expect((err as Error).message).toMatch(/没有这个证书.*\(no such certificate/);
    const bad = await c.call('genRandom', { length: -1 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'BAD_PARAMS', sor: SOR.IndataErr });
    c.close();
  });

  it('isAvailable() is false when no agent listens (the page shows 请安装并启动医签助手)', async () => {
    const c = client([await freePort()], { reconnect: false });
    expect(await c.isAvailable()).toBe(false);
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AGENT_UNAVAILABLE', message: expect.stringContaining('请安装并启动医签助手') });
  });

  it('a dropped connection: the call in flight fails with CONNECTION_LOST (retryable, not resent); the client reconnects by itself', async () => {
    // a stand-in agent that accepts, answers getVersion, then drops the socket on signData
    const port = await freePort();
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const received: string[] = [];
    wss.on('connection', (ws) =>
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString());
        received.push(m.method);
        if (m.method === 'getVersion') ws.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { version: '0.1.0', apiVersion: '1.0', product: 'stand-in' } }));
        if (m.method === 'signData') ws.terminate();
      }),
    );
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    const c = client([port]);
    const states: string[] = [];
    c.on('connection', (e) => states.push(e.state));
    await c.connect();
    const err = await c.signData({ certId: 'AB', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(states).toContain('reconnecting');
    expect(c.state).toBe('open');
    expect(received.filter((m) => m === 'signData')).toHaveLength(1); // never resent
    expect(received.filter((m) => m === 'getVersion').length).toBeGreaterThanOrEqual(2); // reconnected and re-checked
    c.close();
    wss.close();
    server.close();
  });

  it('version negotiation says which side to update', async () => {
    for (const [apiVersion, says] of [
      ['2.0', /update the SDK/],
      ['0.9', /update the agent/],
    ] as const) {
      const port = await freePort();
      const server = createServer();
      const wss = new WebSocketServer({ server });
      wss.on('connection', (ws) => ws.on('message', (raw) => ws.send(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(raw.toString()).id, result: { version: 'x', apiVersion, product: 'old' } }))));
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      const err = await client([port]).connect().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'VERSION_MISMATCH', message: expect.stringMatching(says) });
      wss.close();
      server.close();
    }
  });
});

describe('SOF facade', () => {
  it('GM/T 0020 argument order and strings, Promise and callback forms, SOF_GetLastError', async () => {
    const c = client([agent.port]);
    const sof = createSofFacade(c);
    expect(await sof.SOF_GetVersion()).toBe('0.1.0');
    expect(await sof.SOF_SetSignMethod(0x00010002)).toBe(true); // SGD_SHA1_RSA, for this application
    expect(await sof.SOF_GetSignMethod()).toBe(0x00010002);
    expect(await sof.SOF_SetSignMethod(0x12345)).toBe(false);
    expect(sof.SOF_GetLastError()).toBe(SOR.IndataErr);
    const list = await sof.SOF_GetUserList();
    const [name, certId] = list.split('&&&')[0]!.split('||');
    expect(name).toBe('SDK医生');
    const cert = await sof.SOF_ExportUserCert(certId!);
    const viaCallback = await new Promise<string>((resolve) => void sof.SOF_SignData(certId!, '病历文本', resolve));
    expect(await sof.SOF_VerifySignedData(cert, '病历文本', viaCallback)).toBe(true);
    expect(await sof.SOF_VerifySignedData(cert, '病历文本!', viaCallback)).toBe(false);
    const p7 = await sof.SOF_SignMessage(1, certId!, '出院小结');
    expect(await sof.SOF_VerifySignedMessage(p7, '出院小结')).toBe(true);
    expect(Buffer.from(await sof.SOF_GetInfoFromSignedMessage(p7, 2), 'base64').toString('base64')).toBe(cert);
    expect(await sof.SOF_GetCertInfo(cert, 0x31)).toBe('SDK医生');
    expect(await sof.SOF_ValidateCert(cert)).toBe(0);
    const req = await sof.SOF_CreateTimeStampRequest('时间戳');
    const resp = await sof.SOF_CreateTimeStampResponse(req);
    expect(await sof.SOF_VerifyTimeStamp('时间戳', resp)).toBe(true);
    expect(Buffer.from(await sof.SOF_GenRandom(16), 'base64')).toHaveLength(16);
    expect(sof.SOF_GetLastError()).toBe(0);
    // SOF_Logout, then SOF_Login(certId) pushes to the same doctor's phone (the password is ignored)
    expect(await sof.SOF_Logout(certId!)).toBe(true);
    expect(await sof.SOF_GetUserList()).toBe('');
    expect(await sof.SOF_Login(certId!, 'ignored')).toBe(true);
    expect(await sof.SOF_GetUserList()).toBe(list);
    // a callback that throws does not turn into an unhandled rejection
    expect(await sof.SOF_GenRandom(8, () => { throw new Error('page bug'); })).toHaveLength(12);
    // failures: "" or false, and the code behind it
    expect(await sof.SOF_SignData('FFFF', 'x')).toBe('');
    expect(sof.SOF_GetLastError()).toBe(SOR.CertNotFountErr);
    expect(sof.SOF_GetLastErrMsg()).toMatch(/没有这个证书/);
    c.close();
  });
});
