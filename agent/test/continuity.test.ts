/**
 * Business continuity (业务连续性), with real processes killed with SIGKILL:
 *  - deferred signing (补签) across a cloud outage and an agent kill -9 and restart;
 *  - failover between two cloud processes sharing one data directory (SQLite in WAL mode is
 *    safe for several processes on one host; see docs/agent.md for a standby on another host).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SOR, parseSignedMessage, toPem } from '@medsign/core';
import { MedSignPhone } from '../../mobile/src/index.js';
import { adminToken } from '../../cloud/test/cloud-fixture.js';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { freePort, spawnAgent, spawnCloud, type Proc } from './processes.js';
import { RpcClient, autoApprove, call, enrollDoctor, registrationToken, startTestAgent } from './stack.js';

const cli = new OpensslCli();
const procs: Proc[] = [];
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const p of procs) await p.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  cli.dispose();
});

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('deferred signing (补签)', () => {
  it('journals while the cloud is down, survives kill -9 of the agent, and signs as one batch when the cloud is back', async () => {
    const cloudDir = tmp('medsign-cloud-');
    const port = await freePort();
    let cloud = await spawnCloud(cloudDir, port);
    procs.push(cloud);
    const admin = { authorization: `Bearer ${await adminToken(cloud.url)}` };
    const d = await enrollDoctor(cloud.url, admin, 'rsa-2048', '补签医生');
    const agentDir = tmp('medsign-agent-');
    let agent = await spawnAgent(['--cloud', cloud.url, '--registration-token', await registrationToken(cloud.url, admin), '--data-dir', agentDir]);
    procs.push(agent);
    const login = autoApprove(d.phone);
    const l = await call(agent.url, 'login', { employeeNo: d.employeeNo });
    const certId = l.json.certId as string;
    const before = await call(agent.url, 'signMessage', { certId, text: '断网前签的病历' });
    await login.stop();
    const certPem = toPem(Buffer.from((await call(agent.url, 'exportUserCert', { certId })).json.certificate, 'base64'), 'CERTIFICATE');

    await cloud.kill();
    const offline = await until(() => call(agent.url, 'getStatus'), (r) => r.json.cloud.online === false, 10_000);
    expect(offline.json.cloud.online).toBe(false);

    // local verification works offline: cached CA certificates and CRLs
    const offlineCheck = await call(agent.url, 'verifySignedMessage', { signedMessage: before.json.signedMessage });
    expect(offlineCheck.json).toMatchObject({ valid: true, indication: 'TOTAL_PASSED' });
    expect((await call(agent.url, 'validateCert', { certId })).json.code).toBe(0);

    const raw = await call(agent.url, 'signData', { certId, text: '急诊病历（断网）', deferred: true });
    expect(raw.json).toMatchObject({ deferred: true, ticket: expect.any(String) });
    const cms = await call(agent.url, 'signMessage', { certId, text: '急诊医嘱（断网）', deferred: true, detached: true });
    expect(cms.json.deferred).toBe(true);
    const refused = await call(agent.url, 'signData', { certId, text: '未要求补签' });
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ code: 'CLOUD_UNREACHABLE', retryable: true });
    expect((await call(agent.url, 'getDeferredResult', { ticket: raw.json.ticket })).json.status).toBe('PENDING');
    // the journal is sealed on disk: the text is not readable there
    expect(readFileSync(join(agentDir, 'deferred.journal'), 'utf8')).not.toContain('急诊');

    await agent.kill();
    agent = await spawnAgent(['--cloud', cloud.url, '--data-dir', agentDir]);
    procs.push(agent);
    expect((await call(agent.url, 'getStatus')).json.deferred).toBe(2);
    expect((await call(agent.url, 'getDeferredResult', { ticket: cms.json.ticket })).json.status).toBe('PENDING');

    const rpc = await RpcClient.connect(agent.url, null); // a native WebSocket client hears the results too
    const auto = autoApprove(d.phone);
    cloud = await spawnCloud(cloudDir, port);
    procs.push(cloud);
    const done = await until(() => call(agent.url, 'getDeferredResult', { ticket: cms.json.ticket }), (r) => r.json.status !== 'PENDING', 30_000);
    await auto.stop();
    expect(done.json, agent.output().slice(-2000)).toMatchObject({ status: 'OK' });
    const first = await call(agent.url, 'getDeferredResult', { ticket: raw.json.ticket });
    expect(first.json.status).toBe('OK');
    expect(auto.codes).toHaveLength(1); // both items in one session: one approval
    const heard = await until(async () => rpc.events.filter((e) => e.method === 'deferredResult'), (e) => e.length >= 2, 5000);
    expect(heard.map((e) => e.params.ticket).sort()).toEqual([raw.json.ticket, cms.json.ticket].sort());
    expect(heard.every((e) => e.params.status === 'OK' && e.params.result)).toBe(true);
    rpc.close();

    cli.write('d.pem', certPem);
    cli.write('d.pub', createPublicKey(certPem).export({ type: 'spki', format: 'pem' }));
    cli.write('d.msg', '急诊病历（断网）');
    cli.write('d.sig', Buffer.from(first.json.result.signature, 'base64'));
    expect(cli.run(['dgst', '-sha256', '-verify', 'd.pub', '-signature', 'd.sig', 'd.msg']).out).toMatch(/Verified OK/);
    cli.write('d.p7', Buffer.from(done.json.result.signedMessage, 'base64'));
    cli.write('d.txt', '急诊医嘱（断网）');
    cli.write('root.pem', await (await fetch(`${cloud.url}/pki/ca/rsa-root.pem`)).text());
    expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'd.p7', '-content', 'd.txt', '-binary', '-CAfile', 'root.pem', '-purpose', 'any', '-out', 'd.out']).out).toMatch(/Verification successful/);
    expect(parseSignedMessage(Buffer.from(done.json.result.signedMessage, 'base64')).content).toBeUndefined();
    expect((await call(agent.url, 'getStatus')).json.deferred).toBe(0);
    // a restarted agent still knows the outcome
    await agent.kill();
    agent = await spawnAgent(['--cloud', cloud.url, '--data-dir', agentDir]);
    procs.push(agent);
    expect((await call(agent.url, 'getDeferredResult', { ticket: raw.json.ticket })).json).toMatchObject({ status: 'OK', result: { signature: first.json.result.signature } });
  });
});

describe('failover', () => {
  it('two cloud processes on one data directory: the agent moves to the standby within 5 s; the call in flight fails retryably and is not resent', async () => {
    const dataDir = tmp('medsign-shared-');
    const [p1, p2] = [await freePort(), await freePort()];
    const primary = await spawnCloud(dataDir, p1);
    procs.push(primary);
    const standby = await spawnCloud(dataDir, p2);
    procs.push(standby);
    const admin = { authorization: `Bearer ${await adminToken(primary.url)}` };
    const d = await enrollDoctor(primary.url, admin, 'sm2', '容灾医生');
    const agent = await startTestAgent([primary.url, standby.url], await registrationToken(primary.url, admin));
    try {
      const login = autoApprove(d.phone);
      const certId = (await call(agent.url, 'login', { employeeNo: d.employeeNo })).json.certId as string;
      await login.stop();
      expect((await call(agent.url, 'getStatus')).json.cloud.active).toBe(primary.url);

      const ignoring = autoApprove(d.phone, () => 'ignore');
      const inFlight = await call(agent.url, 'signData', { certId, text: '进行中', wait: false });
      expect(inFlight.json.status).toBe('PENDING');
      await until(async () => ignoring.codes.length, (n) => n === 1, 5000); // the phone shows it
      const killedAt = Date.now();
      await primary.kill();
      const moved = await until(() => call(agent.url, 'getStatus'), (r) => r.json.cloud.active === standby.url, 10_000);
      const failoverMs = Date.now() - killedAt;
      expect(moved.json.cloud.active).toBe(standby.url);
      expect(failoverMs).toBeLessThan(5000);
      const lost = await call(agent.url, 'getStatus', { operationId: inFlight.json.operationId, wait: 30 });
      expect(lost.json.operation).toMatchObject({ status: 'FAILED', error: { code: 'CLOUD_UNREACHABLE', retryable: true, sor: SOR.UnknownErr } });
      await ignoring.stop();
      const first = ignoring.sessions[0]!.sessionId;

      // the phone reaches the cloud through the standby too (in production: one name, a load balancer)
      d.storage.value = d.storage.value!.replaceAll(primary.url, standby.url);
      const phone = await MedSignPhone.load({ storage: d.storage });
      // not resent: the standby holds only the first session (still pending), no copy of it
      expect((await phone.pending()).map((p) => p.sessionId)).toEqual([first]);
      const auto = autoApprove(phone, (p) => (p.sessionId === first ? 'ignore' : 'approve'));
      const r = await call(agent.url, 'signData', { certId, text: '切换后签名' });
      await auto.stop();
      expect(r.status).toBe(200);
      expect(auto.sessions.map((p) => p.sessionId).filter((id) => id !== first)).toHaveLength(1);
      const certPem = toPem(Buffer.from((await call(agent.url, 'exportUserCert', { certId })).json.certificate, 'base64'), 'CERTIFICATE');
      cli.write('f.pub', createPublicKey(certPem).export({ type: 'spki', format: 'pem' }));
      cli.write('f.msg', '切换后签名');
      cli.write('f.sig', Buffer.from(r.json.signature, 'base64'));
      expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'f.pub', '-in', 'f.msg', '-sigfile', 'f.sig', '-pkeyopt', 'distid:1234567812345678']).out).toMatch(/Signature Verified Successfully/);
      console.log(`failover took ${failoverMs} ms`);
    } finally {
      await agent.dispose();
    }
  });
});
