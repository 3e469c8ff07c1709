/**
 * Login and sign sessions end to end: a real cloud, an agent over HTTP, phones built from core's
 * phone-side functions. Signatures are checked with openssl (SM2) and node:crypto (RSA).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRL_REASON, parseCertificate, publicKeyToSpki, sm2Digest, toHex, toPem, type ParsedCertificate } from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { adminToken, startTestCloud } from './cloud-fixture.js';
import { approve, enroll, pending, post, type Phone } from './phone.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
let cloud: Cloud;
let token: string;
let agent: { id: string; credential: string };
let cli: OpensslCli;
let staffCounter = 0;

const admin = (path: string, body?: unknown) => post(cloud.url, path, body ?? {}, { authorization: `Bearer ${token}` });
const agentPost = (path: string, body: unknown) => post(cloud.url, path, body, { authorization: `Bearer ${agent.credential}` });
async function agentGet(path: string) {
  const r = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${agent.credential}` } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string } };
}

interface User {
  employeeNo: string;
  phone: Phone;
  cert: ParsedCertificate;
  userSessionToken: string;
}

async function newUser(algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024'): Promise<User> {
  const employeeNo = `S${++staffCounter}`;
  const staff = await admin('/api/v1/admin/staff', { employeeNo, name: `医生${staffCounter}`, department: '内科' });
  const e = await admin('/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm });
  const phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, algorithm);
  // push login: the agent names the employee, the phone approves the challenge
  const login = await agentPost('/api/v1/agent/logins', { employeeNo, workstation: '门诊3诊室' });
  expect(login.status).toBe(200);
  const [p] = await pending(cloud.url, phone);
  expect(p).toMatchObject({ sessionId: login.json.sessionId, kind: 'login', workstation: '门诊3诊室', verificationCode: login.json.verificationCode });
  expect(p!.summaries[0]).toContain('challenge');
  expect((await approve(cloud.url, phone, p!)).status).toBe('OK');
  const done = await agentGet(`/api/v1/agent/sessions/${login.json.sessionId}?wait=5`);
  expect(done.json.status).toBe('OK');
  return { employeeNo, phone, cert: parseCertificate(new Uint8Array(Buffer.from(done.json.certificate as string, 'base64'))), userSessionToken: done.json.userSessionToken as string };
}

/** The agent's part of signing: digests of the documents for the user's key. */
function digestsFor(user: User, docs: Uint8Array[], hash: 'sha256' | 'sha1' | 'sm3' = 'sha256'): { hash: string; digests: string[] } {
  const pk = user.cert.publicKey;
  if (pk.algorithm === 'sm2') return { hash: 'sm3', digests: docs.map((d) => toHex(sm2Digest(pk.point, d))) };
  return { hash, digests: docs.map((d) => createHash(hash).update(d).digest('hex')) };
}

async function openSign(user: User, docs: Uint8Array[], hash?: 'sha256' | 'sha1' | 'sm3') {
  const { hash: h, digests } = digestsFor(user, docs, hash);
  return agentPost('/api/v1/agent/sessions', { userSessionToken: user.userSessionToken, hash: h, digests, app: 'EMR', summaries: docs.map((_, i) => `病历 ${i + 1}`), workstation: '门诊3诊室' });
}

const docsOf = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`病程记录 #${i} ${staffCounter}`));

beforeAll(async () => {
  cloud = await startTestCloud();
  token = await adminToken(cloud.url);
  const t = await admin('/api/v1/admin/agent-tokens', {});
  const reg = await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'WS-OPD-03' });
  agent = { id: reg.json.agentId as string, credential: reg.json.credential as string };
  // a registration token works once
  expect((await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'again' })).json.code).toBe('UNAUTHORIZED');
  cli = new OpensslCli();
});
afterAll(async () => {
  cli.dispose();
  await cloud.dispose();
});

describe.each(['sm2', 'rsa-2048', 'rsa-1024'] as const)('%s: enroll → login → sign → batch of 1,000 → verify', (algorithm) => {
  it('single and batch signatures, each checked by an independent verifier', async () => {
    const user = await newUser(algorithm);
    for (const n of [1, 1000]) {
      const docs = docsOf(n);
      const opened = await openSign(user, docs);
      expect(opened.status).toBe(200);
      expect(opened.json.verificationCode).toMatch(/^\d{4}$/);
      const [p] = await pending(cloud.url, user.phone);
      expect(p).toMatchObject({ sessionId: opened.json.sessionId, app: 'EMR', count: n });
      expect((await approve(cloud.url, user.phone, p!)).status).toBe('OK'); // one approval for the whole batch
      const result = await agentGet(`/api/v1/agent/sessions/${opened.json.sessionId}?wait=5`);
      expect(result.json.status).toBe('OK');
      const sigs = (result.json.signatures as string[]).map((s) => Buffer.from(s, 'base64'));
      expect(sigs).toHaveLength(n);
      if (algorithm === 'sm2') {
        cli.write('pub.pem', toPem(publicKeyToSpki(user.cert.publicKey), 'PUBLIC KEY'));
        for (const i of [0, n - 1]) {
          cli.write('doc.bin', docs[i]!);
          cli.write('sig.der', sigs[i]!);
          expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'pub.pem', '-in', 'doc.bin', '-sigfile', 'sig.der', '-pkeyopt', 'distid:1234567812345678']).out).toMatch(/Verified Successfully/);
        }
      } else {
        const key = createPublicKey({ key: Buffer.from(publicKeyToSpki(user.cert.publicKey)), format: 'der', type: 'spki' });
        expect(sigs.every((sig, i) => verify('sha256', docs[i]!, key, sig))).toBe(true);
      }
    }
  });
});

describe('session endings', () => {
  let user: User;
  beforeAll(async () => {
    user = await newUser('sm2');
  });

  it('reject → USER_REFUSED, cancel → CANCELLED, timeout → TIMEOUT', async () => {
    const a = await openSign(user, docsOf(1));
    const [p] = await pending(cloud.url, user.phone);
    const { devicePost } = await import('./phone.js');
    expect((await devicePost(cloud.url, user.phone.device, `/api/v1/mobile/sessions/${p!.sessionId}/reject`, {})).status).toBe(200);
    expect((await agentGet(`/api/v1/agent/sessions/${a.json.sessionId}`)).json.status).toBe('USER_REFUSED');

    const b = await openSign(user, docsOf(1));
    expect((await agentPost(`/api/v1/agent/sessions/${b.json.sessionId}/cancel`, {})).status).toBe(200);
    expect((await agentGet(`/api/v1/agent/sessions/${b.json.sessionId}`)).json.status).toBe('CANCELLED');
    expect((await agentPost(`/api/v1/agent/sessions/${b.json.sessionId}/cancel`, {})).json.code).toBe('SESSION_FINISHED');

    const c = await openSign(user, docsOf(1));
    cloud.services.sessions.sweep(Date.now() + 121_000); // the default 120 s have passed
    expect((await agentGet(`/api/v1/agent/sessions/${c.json.sessionId}`)).json.status).toBe('TIMEOUT');
    expect(await pending(cloud.url, user.phone)).toEqual([]);
  });

  it('a long-poll returns as soon as the phone approves', async () => {
    const s = await openSign(user, docsOf(3));
    const poll = agentGet(`/api/v1/agent/sessions/${s.json.sessionId}?wait=20`);
    const [p] = await pending(cloud.url, user.phone);
    const t0 = Date.now();
    await approve(cloud.url, user.phone, p!);
    const r = await poll;
    expect(r.json.status).toBe('OK');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('five approvals with a wrong PIN lock the key; an administrator unlocks it', async () => {
    const u = await newUser('sm2');
    for (let i = 0; i < 5; i++) {
      await openSign(u, docsOf(1));
      const [p] = await pending(cloud.url, u.phone);
      expect((await approve(cloud.url, u.phone, p!, { wrongPin: true })).status).toBe('phone-check-failed');
    }
    const locked = await openSign(u, docsOf(1));
    expect(locked.status).toBe(423);
    expect(locked.json.code).toBe('LOCKED');
    expect(String(locked.json.message)).toMatch(/锁定.*locked/);
    expect((await admin(`/api/v1/admin/certificates/${u.cert.serialNumber}/unlock`)).status).toBe(200);
    const again = await openSign(u, docsOf(1));
    const [p] = await pending(cloud.url, u.phone);
    expect(p!.sessionId).toBe(again.json.sessionId);
    expect((await approve(cloud.url, u.phone, p!)).status).toBe('OK');
  });

  it('forged signatures are refused by the cloud and count as failures', async () => {
    const u = await newUser('rsa-1024');
    const s = await openSign(u, docsOf(2));
    const [p] = await pending(cloud.url, u.phone);
    const { devicePost } = await import('./phone.js');
    const { phoneRsaSignStart } = await import('@medsign/core');
    const st = phoneRsaSignStart({ sessionId: p!.sessionId, hash: 'sha256', digests: p!.digests });
    await devicePost(cloud.url, u.phone.device, `/api/v1/mobile/sessions/${p!.sessionId}/commit`, { commit: st.message });
    const forged = Buffer.alloc(128, 1).toString('base64');
    const r = await devicePost(cloud.url, u.phone.device, `/api/v1/mobile/sessions/${p!.sessionId}/complete`, { signatures: [forged, forged] });
    expect(r.json.status).toBe('ERROR');
    expect((await agentGet(`/api/v1/agent/sessions/${s.json.sessionId}`)).json.status).toBe('ERROR');
  });
});

describe('revocation and hold during sessions', () => {
  it('revoked mid-flow: the session ends CERT_REVOKED, the share is destroyed, new sessions are refused', async () => {
    const u = await newUser('sm2');
    const s = await openSign(u, docsOf(1));
    const [p] = await pending(cloud.url, u.phone);
    expect((await admin(`/api/v1/admin/certificates/${u.cert.serialNumber}/revoke`, { reason: CRL_REASON.keyCompromise })).status).toBe(200);
    expect((await agentGet(`/api/v1/agent/sessions/${s.json.sessionId}`)).json.status).toBe('CERT_REVOKED');
    expect((await approve(cloud.url, u.phone, p!)).status).toBe('commit-refused');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${cloud.dataDir}/medsign.db`, { readonly: true });
    const row = db.prepare('SELECT sealed_share, status FROM key_share WHERE certificate_serial = ?').get(u.cert.serialNumber) as { sealed_share: Buffer | null; status: string };
    db.close();
    expect(row).toEqual({ sealed_share: null, status: 'destroyed' });
    expect((await openSign(u, docsOf(1))).json.code).toMatch(/CERT_REVOKED|USER_SESSION_INVALID|NO_ACTIVE_KEY/);
  });

  it('hold makes the key unusable; release restores it', async () => {
    const u = await newUser('rsa-2048');
    expect((await admin(`/api/v1/admin/certificates/${u.cert.serialNumber}/hold`)).status).toBe(200);
    expect((await openSign(u, docsOf(1))).json.code).toBe('CERT_REVOKED');
    expect((await admin(`/api/v1/admin/certificates/${u.cert.serialNumber}/release`)).status).toBe(200);
    const s = await openSign(u, docsOf(1));
    const [p] = await pending(cloud.url, u.phone);
    expect((await approve(cloud.url, u.phone, p!)).status).toBe('OK');
    expect((await agentGet(`/api/v1/agent/sessions/${s.json.sessionId}`)).json.status).toBe('OK');
  });
});

describe('QR login', () => {
  it('the agent shows a QR code; the phone that scans it claims, checks the challenge, and co-signs', async () => {
    const u = await newUser('rsa-1024'); // enrolled (and logged in once) already
    const opened = await agentPost('/api/v1/agent/logins', { workstation: '病房护士站' });
    expect(opened.status).toBe(200);
    const qr = new URL(String(opened.json.qr));
    expect(qr.protocol).toBe('medsign:');
    const sessionId = qr.searchParams.get('session')!;
    const challenge = qr.searchParams.get('challenge')!;
    expect(sessionId).toBe(opened.json.sessionId);
    const { devicePost } = await import('./phone.js');
    const claimed = await devicePost(cloud.url, u.phone.device, `/api/v1/mobile/logins/${sessionId}/claim`, {});
    expect(claimed.status).toBe(200);
    expect((claimed.json.summaries as string[])[0]).toContain(`challenge ${challenge}`); // the phone signs what it scanned
    expect(claimed.json.workstation).toBe('病房护士站');
    expect((await approve(cloud.url, u.phone, claimed.json as never)).status).toBe('OK');
    const done = await agentGet(`/api/v1/agent/sessions/${sessionId}?wait=5`);
    expect(done.json.status).toBe('OK');
    expect(parseCertificate(new Uint8Array(Buffer.from(done.json.certificate as string, 'base64'))).serialNumber).toBe(u.cert.serialNumber);
    // a QR login is claimed once
    expect((await devicePost(cloud.url, u.phone.device, `/api/v1/mobile/logins/${sessionId}/claim`, {})).json.code).toMatch(/CONFLICT|SESSION_FINISHED/);
  });
});

describe('agents and user sessions', () => {
  it('a wrong agent credential, another agent or a logged-out user cannot use a session', async () => {
    const u = await newUser('sm2');
    expect((await post(cloud.url, '/api/v1/agent/logins', { employeeNo: u.employeeNo, workstation: 'x' }, { authorization: 'Bearer nope' })).json.code).toBe('UNAUTHORIZED');
    const t = await admin('/api/v1/admin/agent-tokens', {});
    const other = await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'WS-2' });
    const s = await openSign(u, docsOf(1));
    const peek = await fetch(`${cloud.url}/api/v1/agent/sessions/${s.json.sessionId}`, { headers: { authorization: `Bearer ${other.json.credential}` } });
    expect(peek.status).toBe(404);
    expect((await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: u.userSessionToken, digests: ['00'.repeat(32)], app: 'x', summaries: ['x'], workstation: 'x' }, { authorization: `Bearer ${other.json.credential}` })).json.code).toBe('USER_SESSION_INVALID');
    expect((await agentPost('/api/v1/agent/logout', { userSessionToken: u.userSessionToken })).status).toBe(200);
    expect((await openSign(u, docsOf(1))).json.code).toBe('USER_SESSION_INVALID');
  });

  it('at most 20 sessions may wait on one phone', async () => {
    const u = await newUser('sm2');
    const codes = [];
    for (let i = 0; i < 20; i++) codes.push((await openSign(u, docsOf(1))).status);
    expect(codes.every((c) => c === 200)).toBe(true);
    const over = await openSign(u, docsOf(1));
    expect(over.status).toBe(429);
    expect(over.json.code).toBe('TOO_MANY_SESSIONS');
    const [first] = await pending(cloud.url, u.phone);
    await approve(cloud.url, u.phone, first!);
    expect((await openSign(u, docsOf(1))).status).toBe(200);
  });

  it('bad digests: wrong length, wrong count, wrong hash for SM2, too many', async () => {
    const u = await newUser('sm2');
    const base = { userSessionToken: u.userSessionToken, app: 'EMR', workstation: 'x' };
    expect((await agentPost('/api/v1/agent/sessions', { ...base, digests: ['ab'], summaries: ['x'] })).json.code).toBe('BAD_REQUEST');
    expect((await agentPost('/api/v1/agent/sessions', { ...base, digests: ['00'.repeat(32)], summaries: ['x', 'y'] })).json.code).toBe('BAD_REQUEST');
    expect((await agentPost('/api/v1/agent/sessions', { ...base, hash: 'sha256', digests: ['00'.repeat(32)], summaries: ['x'] })).json.code).toBe('BAD_REQUEST');
    const many = Array.from({ length: 1001 }, () => '00'.repeat(32));
    expect((await agentPost('/api/v1/agent/sessions', { ...base, digests: many, summaries: many.map(() => 'x') })).json.code).toBe('BAD_REQUEST');
  });
});

describe('restart and concurrency', () => {
  it('a session opened before a restart is approved after it', async () => {
    const u = await newUser('sm2');
    const s = await openSign(u, docsOf(2));
    const dir = cloud.dataDir;
    await cloud.close();
    cloud = { ...(await startTestCloud(dir)), dataDir: dir } as Cloud;
    token = await adminToken(cloud.url);
    const [p] = await pending(cloud.url, u.phone);
    expect(p!.sessionId).toBe(s.json.sessionId);
    expect((await approve(cloud.url, u.phone, p!)).status).toBe('OK');
    expect((await agentGet(`/api/v1/agent/sessions/${s.json.sessionId}`)).json.status).toBe('OK');
  });

  it('50 simultaneous sign sessions from 10 users all end OK with valid signatures', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser('sm2')));
    const opened = await Promise.all(users.flatMap((u) => Array.from({ length: 5 }, async () => ({ u, docs: docsOf(2), r: await openSign(u, docsOf(2)) }))));
    expect(opened.every((o) => o.r.status === 200)).toBe(true);
    // every phone approves its five sessions at once
    await Promise.all(users.map(async (u) => Promise.all((await pending(cloud.url, u.phone)).map((p) => approve(cloud.url, u.phone, p)))));
    const results = await Promise.all(opened.map((o) => agentGet(`/api/v1/agent/sessions/${o.r.json.sessionId}?wait=10`)));
    expect(results.map((r) => r.json.status)).toEqual(Array(50).fill('OK'));
    const { verifyDigestSignature } = await import('@medsign/core');
    for (const [i, r] of results.entries()) {
      const { u } = opened[i]!;
      const sigs = (r.json.signatures as string[]).map((s) => new Uint8Array(Buffer.from(s, 'base64')));
      const { digests } = digestsFor(u, docsOf(2));
      expect(sigs.every((sig, k) => verifyDigestSignature('sm2-with-sm3', u.cert.publicKey, Buffer.from(digests[k]!, 'hex'), sig))).toBe(true);
    }
  });
});
