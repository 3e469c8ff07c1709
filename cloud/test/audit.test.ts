/**
 * The tamper-evident audit log (issue 7) on a real cloud: admin, lifecycle, login and signature
 * entries through the API; `audit verify` on copies of the data directory, each tampered with
 * directly in SQLite (triggers dropped first, as an attacker with the file would); checkpoint
 * tokens checked with `openssl ts -verify`; roles and bad input on the new endpoints.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRL_REASON, parseCertificate, sm2Digest, toHex } from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { hashPassword } from '../src/domain/admins.js';
import { canonicalJson, chainHash } from '../src/domain/audit.js';
import { runAuditCli } from '../src/cli/audit.js';
import { ADMIN_PASSWORD, startTestCloud } from './cloud-fixture.js';
import { approve, devicePost, enroll, pending, post, type Phone } from './phone.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
interface Entry {
  seq: number;
  time: string;
  actorType: string;
  actor: string;
  action: string;
  target: string | null;
  result: string;
  details: Record<string, unknown>;
  alg: string;
  prev: string;
  hash: string;
}

const WRONG_PASSWORD = 'Wrong-Secret-Passw0rd-9b7c';
const OTHER_PASSWORD = 'role-test-password-1234';
let cloud: Cloud;
let baseDir: string; // the stopped cloud's data directory, copied for each tampering case
const scratch: string[] = [];
let token: string;
const secrets: string[] = [];
const flow = { serial: '', staffId: '', employeeNo: 'A1001', agentId: '', signDigests: [] as string[], checkpoint: { seq: 0, hash: '', token: '' } };
const tokens: Record<'auditor' | 'ra' | 'dept', string> = { auditor: '', ra: '', dept: '' };

async function call(method: 'GET' | 'POST', path: string, bearer?: string, body?: unknown) {
  const r = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string } };
}
const admin = (path: string, body: unknown = {}) => call('POST', path, token, body);

async function login(username: string, password: string) {
  const r = await post(cloud.url, '/api/v1/admin/login', { username, password });
  return { status: r.status, token: r.json.token as string };
}

async function auditEntries(query = 'order=asc&limit=500', bearer = token): Promise<{ total: number; entries: Entry[] }> {
  const r = await call('GET', `/api/v1/admin/audit?${query}`, bearer);
  expect(r.status).toBe(200);
  return r.json as unknown as { total: number; entries: Entry[] };
}

beforeAll(async () => {
  // a checkpoint every 5 entries, so that the flow below leaves several
  cloud = await startTestCloud(undefined, { MEDSIGN_AUDIT_CHECKPOINT_ENTRIES: '5' });
  secrets.push(ADMIN_PASSWORD, WRONG_PASSWORD, OTHER_PASSWORD);

  // administrators of the other roles, written straight into the table (accounts are another module's API)
  const db = new Database(join(cloud.dataDir, 'medsign.db'));
  const add = db.prepare('INSERT INTO admin (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)');
  for (const [u, role] of [['auditor1', 'auditor'], ['ra1', 'ra_officer'], ['dept1', 'dept_approver']] as const) add.run(u, hashPassword(OTHER_PASSWORD), role, Date.now());
  db.close();

  expect((await login('admin', WRONG_PASSWORD)).status).toBe(401); // recorded as failed, without the password
  token = (await login('admin', ADMIN_PASSWORD)).token;
  tokens.auditor = (await login('auditor1', OTHER_PASSWORD)).token;
  tokens.ra = (await login('ra1', OTHER_PASSWORD)).token;
  tokens.dept = (await login('dept1', OTHER_PASSWORD)).token;
  secrets.push(token, ...Object.values(tokens));

  // an agent, a staff member, an enrollment, a phone
  const t = await admin('/api/v1/admin/agent-tokens', {});
  const reg = await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'WS-ICU-07' });
  flow.agentId = reg.json.agentId as string;
  const credential = reg.json.credential as string;
  secrets.push(t.json.registrationToken as string, credential);
  const agentPost = (path: string, body: unknown) => post(cloud.url, path, body, { authorization: `Bearer ${credential}` });
  const agentGet = async (path: string) => (await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${credential}` } })).json() as Promise<Record<string, unknown>>;

  const staff = await admin('/api/v1/admin/staff', { employeeNo: flow.employeeNo, name: '李审计', department: '重症医学科', idNumber: '11010519491231002X' });
  flow.staffId = staff.json.id as string;
  const e = await admin('/api/v1/admin/enrollments', { staffId: flow.staffId, algorithm: 'sm2' });
  secrets.push(e.json.activationCode as string);
  const phone: Phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, 'sm2');
  const cert = parseCertificate(phone.certificate);
  flow.serial = cert.serialNumber;

  // login, then a signature of two documents, then one the doctor refuses
  const lg = await agentPost('/api/v1/agent/logins', { employeeNo: flow.employeeNo, workstation: 'ICU-床旁-07' });
  expect((await approve(cloud.url, phone, (await pending(cloud.url, phone))[0]!)).status).toBe('OK');
  const loggedIn = await agentGet(`/api/v1/agent/sessions/${lg.json.sessionId}?wait=5`);
  const userSessionToken = loggedIn.userSessionToken as string;
  secrets.push(userSessionToken);
  const pk = cert.publicKey as { algorithm: 'sm2'; point: Parameters<typeof sm2Digest>[0] };
  flow.signDigests = ['护理记录 1', '护理记录 2'].map((d) => toHex(sm2Digest(pk.point, new TextEncoder().encode(d))));
  const open = await agentPost('/api/v1/agent/sessions', { userSessionToken, digests: flow.signDigests, app: 'NIS', summaries: ['护理记录 1', '护理记录 2'], workstation: 'ICU-床旁-07' });
  expect(open.status).toBe(200);
  expect((await approve(cloud.url, phone, (await pending(cloud.url, phone))[0]!)).status).toBe('OK');
  const refused = await agentPost('/api/v1/agent/sessions', { userSessionToken, digests: [flow.signDigests[0]], app: 'NIS', summaries: ['护理记录 3'], workstation: 'ICU-床旁-07' });
  expect(refused.status).toBe(200);
  expect((await devicePost(cloud.url, phone.device, `/api/v1/mobile/sessions/${refused.json.sessionId}/reject`, {})).status).toBe(200);

  // revocation, and a second one that is refused
  expect((await admin(`/api/v1/admin/certificates/${flow.serial}/revoke`, { reason: CRL_REASON.keyCompromise })).status).toBe(200);
  expect((await admin(`/api/v1/admin/certificates/${flow.serial}/revoke`, { reason: CRL_REASON.keyCompromise })).status).toBe(409);

  const cp = await admin('/api/v1/admin/audit/checkpoint');
  expect(cp.status).toBe(200);
  flow.checkpoint = { seq: cp.json.seq as number, hash: cp.json.hash as string, token: cp.json.token as string };
}, 60_000);

afterAll(async () => {
  await cloud.close().catch(() => undefined);
  for (const d of [cloud.dataDir, ...scratch]) rmSync(d, { recursive: true, force: true });
});

describe('what the log records', () => {
  it('admin, lifecycle, login and signature entries, with who, certificate, app, workstation, digests and result', async () => {
    const { entries } = await auditEntries();
    const find = (action: string, result?: string) => entries.find((e) => e.action === action && (result === undefined || e.result === result));
    expect(find('admin.login', 'failed')).toMatchObject({ actorType: 'admin', actor: 'admin', details: { code: 'UNAUTHORIZED' } });
    expect(find('admin.login', 'ok')).toMatchObject({ actor: 'admin', details: { role: 'sysadmin' } });
    expect(find('agent.token.create')).toMatchObject({ actor: 'admin', result: 'ok' });
    expect(find('agent.register')).toMatchObject({ actorType: 'agent', actor: flow.agentId, details: { name: 'WS-ICU-07' } });
    expect(find('staff.create')).toMatchObject({ actor: 'admin', target: flow.employeeNo, details: { staffId: flow.staffId, department: '重症医学科' } });
    expect(find('staff.create')!.details).not.toHaveProperty('idNumber'); // personal data stays out
    expect(find('enrollment.create')).toMatchObject({ target: flow.staffId, details: { algorithm: 'sm2' } });
    expect(find('enrollment.activate')).toMatchObject({ actorType: 'device', details: { staffId: flow.staffId } });
    expect(find('certificate.issue')).toMatchObject({ actorType: 'device', target: flow.serial, details: { employeeNo: flow.employeeNo, algorithm: 'sm2' } });
    expect(find('session.login', 'OK')).toMatchObject({ actorType: 'staff', actor: flow.employeeNo, target: flow.serial, details: { workstation: 'ICU-床旁-07', agentId: flow.agentId, agentName: 'WS-ICU-07' } });
    expect(find('session.sign', 'OK')).toMatchObject({
      actor: flow.employeeNo,
      target: flow.serial,
      details: { certificate: flow.serial, app: 'NIS', workstation: 'ICU-床旁-07', count: 2, digests: flow.signDigests, hash: 'sm3', staffName: '李审计' },
    });
    expect(find('session.sign', 'USER_REFUSED')).toMatchObject({ details: { count: 1, digests: [flow.signDigests[0]] } });
    expect(find('certificate.revoke', 'ok')).toMatchObject({ actorType: 'admin', actor: 'admin', target: flow.serial, details: { reason: CRL_REASON.keyCompromise, was: 'good' } });
    expect(find('certificate.revoke', 'failed')).toMatchObject({ target: flow.serial, details: { code: 'CERT_REVOKED' } });
    expect(find('audit.checkpoint')).toMatchObject({ actor: 'admin', target: String(flow.checkpoint.seq) });
    // sequence numbers are 1..n, each entry linked to the previous
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.slice(1).every((e, i) => e.prev === entries[i]!.hash)).toBe(true);
    expect(entries.every((e) => e.alg === 'sha256')).toBe(true);
  });

  it('never stores a password, token, credential or activation code', async () => {
    const { entries } = await auditEntries();
    const text = JSON.stringify(entries);
    for (const s of secrets) expect(text).not.toContain(s);
    const db = new Database(join(cloud.dataDir, 'medsign.db'), { readonly: true });
    const rows = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
    db.close();
    for (const s of secrets) expect(rows).not.toContain(s);
    expect(rows).not.toContain('11010519491231002X');
  });

  it('filters by action, actor, target and time; pages; newest first by default', async () => {
    const signs = await auditEntries(`action=session.sign`);
    expect(signs.total).toBe(2);
    expect(signs.entries.map((e) => e.result)).toEqual(['USER_REFUSED', 'OK']); // newest first
    const mine = await auditEntries(`actor=${flow.employeeNo}&order=asc`);
    expect(mine.entries.map((e) => e.action)).toEqual(['session.login', 'session.sign', 'session.sign']);
    const byCert = await auditEntries(`target=${flow.serial}&order=asc`);
    expect(byCert.entries.map((e) => e.action)).toEqual(['certificate.issue', 'session.login', 'session.sign', 'session.sign', 'certificate.revoke', 'certificate.revoke']);
    const all = await auditEntries('order=asc&limit=500');
    const page = await auditEntries('order=asc&limit=3&offset=2');
    expect(page.total).toBe(all.total);
    expect(page.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    const future = await auditEntries(`from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.total).toBe(0);
    const past = await auditEntries(`to=${Date.now() - 3_600_000}`);
    expect(past.total).toBe(0);
  });
});

describe('roles and bad input', () => {
  const endpoints = [
    ['GET', '/api/v1/admin/audit'],
    ['GET', '/api/v1/admin/audit/verify'],
    ['POST', '/api/v1/admin/audit/checkpoint'],
  ] as const;

  it('auditor and sysadmin read and verify; only sysadmin checkpoints; others get 403, no token 401', async () => {
    expect((await call('GET', '/api/v1/admin/audit', tokens.auditor)).status).toBe(200);
    const v = await call('GET', '/api/v1/admin/audit/verify', tokens.auditor);
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ valid: true, firstBroken: null });
    expect((v.json.checkpoints as { valid: number }).valid).toBeGreaterThan(1);
    expect((await call('POST', '/api/v1/admin/audit/checkpoint', tokens.auditor)).json.code).toBe('FORBIDDEN');
    for (const [method, path] of endpoints) {
      expect((await call(method, path, tokens.ra)).status).toBe(403);
      expect((await call(method, path, tokens.dept)).status).toBe(403);
      const anon = await call(method, path);
      expect(anon.status).toBe(401);
      expect(anon.json.code).toBe('UNAUTHORIZED');
      expect((await call(method, path, 'not-a-token-0123456789')).status).toBe(401);
    }
  });

  it('refuses malformed query parameters', async () => {
    for (const q of ['limit=501', 'limit=0', 'limit=abc', 'limit=1.5', 'offset=-1', 'from=yesterday', 'to=2025-13-45T00:00:00Z', 'order=sideways', 'action=Bad%20Action', 'actor=a&actor=b', 'unknown=1', `target=${'x'.repeat(129)}`]) {
      const r = await call('GET', `/api/v1/admin/audit?${q}`, token);
      expect(r.status, q).toBe(400);
      expect(r.json.code, q).toBe('BAD_REQUEST');
    }
  });

  it('the triggers refuse updates, deletes and out-of-sequence inserts on the live database', () => {
    const db = new Database(join(cloud.dataDir, 'medsign.db'));
    try {
      expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
      expect(() => db.prepare('INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_checkpoint').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('concurrent administrator actions each get their own sequence number; the chain stays valid', async () => {
    const before = (await auditEntries('limit=1')).entries[0]!.seq;
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => admin('/api/v1/admin/staff', { employeeNo: `C${i}`, name: `并发${i}`, department: '检验科' })));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    const created = (await auditEntries('action=staff.create&order=asc')).entries.filter((e) => e.seq > before);
    expect(created.map((e) => e.target).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `C${i}`).sort());
    expect((await call('GET', '/api/v1/admin/audit/verify', token)).json.valid).toBe(true);
  });
});

describe('checkpoints', () => {
  it('the checkpoint token verifies with openssl ts -verify against the RSA TSA chain', () => {
    const cli = new OpensslCli();
    try {
      cli.write('cp.tst', Buffer.from(flow.checkpoint.token, 'base64'));
      cli.write('rsa-root.pem', cloud.pki.caPem('rsa-root'));
      cli.write('rsa-issuing.pem', cloud.pki.caPem('rsa-issuing'));
      const ok = cli.run(['ts', '-verify', '-digest', flow.checkpoint.hash, '-token_in', '-in', 'cp.tst', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']);
      expect(ok.out).toMatch(/Verification: OK/);
      // and it stamps that hash, not another one
      const other = cli.run(['ts', '-verify', '-digest', '00'.repeat(32), '-token_in', '-in', 'cp.tst', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']);
      expect(other.ok).toBe(false);
    } finally {
      cli.dispose();
    }
  });
});

describe('medsign-cloud audit verify on a copy of the data directory', () => {
  beforeAll(async () => {
    await cloud.close(); // stamps the head at shutdown
    baseDir = cloud.dataDir;
  });

  const copy = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'medsign-audit-'));
    scratch.push(dir);
    cpSync(baseDir, dir, { recursive: true });
    return dir;
  };
  /** A copy tampered with as an attacker with the file would: triggers dropped, rows changed. */
  const tampered = (change: (db: Database.Database) => void): string => {
    const dir = copy();
    const db = new Database(join(dir, 'medsign.db'));
    for (const t of ['audit_log_append', 'audit_log_no_update', 'audit_log_no_delete', 'audit_checkpoint_no_update', 'audit_checkpoint_no_delete']) db.exec(`DROP TRIGGER ${t}`);
    change(db);
    db.close();
    return dir;
  };
  const verify = (dir: string) => {
    let out = '';
    let err = '';
    const code = runAuditCli(['verify', '--data-dir', dir, '--json'], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
    return { code, result: out ? (JSON.parse(out) as { valid: boolean; firstBroken: { seq: number; reason: string; message: string } | null; entries: number; unstamped: number; checkpoints: { valid: number } }) : undefined, err };
  };
  const seqOf = (dir: string, action: string, result: string): number => {
    const db = new Database(join(dir, 'medsign.db'), { readonly: true });
    const r = db.prepare('SELECT seq FROM audit_log WHERE action = ? AND result = ?').get(action, result) as { seq: number };
    db.close();
    return r.seq;
  };

  it('the untouched copy is valid, every entry under a checkpoint (the real command exits 0)', () => {
    const { code, result } = verify(copy());
    expect(code).toBe(0);
    expect(result).toMatchObject({ valid: true, firstBroken: null, unstamped: 0 });
    expect(result!.entries).toBeGreaterThan(20);
    const bin = fileURLToPath(new URL('../bin/medsign-cloud.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'audit', 'verify', '--data-dir', copy()], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/审计日志完整 \(audit log intact\)/);
  });

  it('an edited entry: EDITED at its sequence number, whether or not the attacker also fixed the hashed text', () => {
    const seq = seqOf(baseDir, 'session.sign', 'OK');
    const naive = tampered((db) => db.prepare("UPDATE audit_log SET details = replace(details, '\"count\":2', '\"count\":1') WHERE seq = ?").run(seq));
    expect(verify(naive)).toMatchObject({ code: 1, result: { valid: false, firstBroken: { seq, reason: 'EDITED' } } });
    const careful = tampered((db) => {
      const row = db.prepare('SELECT entry FROM audit_log WHERE seq = ?').get(seq) as { entry: string };
      const fields = JSON.parse(row.entry) as { details: Record<string, unknown> };
      fields.details.app = 'HIS';
      db.prepare('UPDATE audit_log SET details = ?, entry = ? WHERE seq = ?').run(canonicalJson(fields.details), canonicalJson(fields), seq);
    });
    const r = verify(careful);
    expect(r).toMatchObject({ code: 1, result: { firstBroken: { seq, reason: 'EDITED' } } });
    expect(r.result!.firstBroken!.message).toMatch(/内容被修改.*edited content/);
  });

  it('a deleted entry: DELETED at the missing sequence number', () => {
    const seq = seqOf(baseDir, 'certificate.revoke', 'ok');
    const dir = tampered((db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq));
    expect(verify(dir)).toMatchObject({ code: 1, result: { firstBroken: { seq, reason: 'DELETED' } } });
    // the real command says so too, and exits 1
    const bin = fileURLToPath(new URL('../bin/medsign-cloud.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'audit', 'verify', '--data-dir', dir], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`first broken entry ${seq}) [DELETED]`);
  });

  it('two entries swapped: REORDERED at the first of them', () => {
    const seq = seqOf(baseDir, 'session.login', 'OK');
    const dir = tampered((db) => {
      db.prepare('UPDATE audit_log SET seq = 999999 WHERE seq = ?').run(seq);
      db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq, seq + 1);
      db.prepare('UPDATE audit_log SET seq = ? WHERE seq = 999999').run(seq + 1);
    });
    expect(verify(dir)).toMatchObject({ code: 1, result: { firstBroken: { seq, reason: 'REORDERED' } } });
  });

  it('the tail truncated: DELETED (a checkpoint stamped entries that are gone)', () => {
    const last = (verify(copy()).result as unknown as { head: { seq: number } }).head.seq;
    const dir = tampered((db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(last));
    expect(verify(dir)).toMatchObject({ code: 1, result: { firstBroken: { seq: last, reason: 'DELETED' } } });
  });

  it('a chain rewritten from the edit onwards passes the chain checks but not the checkpoints', () => {
    const seq = seqOf(baseDir, 'session.sign', 'OK');
    const dir = tampered((db) => {
      const rows = db.prepare('SELECT seq, entry, prev, alg FROM audit_log WHERE seq >= ? ORDER BY seq').all(seq) as { seq: number; entry: string; prev: string; alg: 'sha256' }[];
      let prev = rows[0]!.prev;
      for (const row of rows) {
        const fields = JSON.parse(row.entry) as { details: Record<string, unknown> };
        if (row.seq === seq) fields.details.workstation = '别处 elsewhere';
        const entry = canonicalJson(fields);
        const hash = chainHash(row.alg, prev, entry);
        db.prepare('UPDATE audit_log SET details = ?, entry = ?, prev = ?, hash = ? WHERE seq = ?').run(canonicalJson(fields.details), entry, prev, hash, row.seq);
        prev = hash;
      }
    });
    const r = verify(dir);
    const firstCheckpointAfter = (() => {
      const db = new Database(join(dir, 'medsign.db'), { readonly: true });
      const c = db.prepare('SELECT min(seq) AS s FROM audit_checkpoint WHERE seq >= ?').get(seq) as { s: number };
      db.close();
      return c.s;
    })();
    expect(r).toMatchObject({ code: 1, result: { firstBroken: { seq: firstCheckpointAfter, reason: 'CHECKPOINT_MISMATCH' } } });
  });

  it('an altered checkpoint: CHECKPOINT_MISMATCH when it is moved to another entry, CHECKPOINT_INVALID when its signature is broken', () => {
    const moved = tampered((db) => {
      const cp = db.prepare('SELECT id, seq FROM audit_checkpoint ORDER BY id DESC LIMIT 1').get() as { id: number; seq: number };
      const before = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(cp.seq - 1) as { hash: string };
      db.prepare('UPDATE audit_checkpoint SET seq = ?, hash = ? WHERE id = ?').run(cp.seq - 1, before.hash, cp.id);
    });
    const movedSeq = (() => {
      const db = new Database(join(moved, 'medsign.db'), { readonly: true });
      const c = db.prepare('SELECT seq FROM audit_checkpoint ORDER BY id DESC LIMIT 1').get() as { seq: number };
      db.close();
      return c.seq;
    })();
    expect(verify(moved)).toMatchObject({ code: 1, result: { firstBroken: { seq: movedSeq, reason: 'CHECKPOINT_MISMATCH' } } });

    let brokenSeq = 0;
    const broken = tampered((db) => {
      const cp = db.prepare('SELECT id, seq, token FROM audit_checkpoint ORDER BY id LIMIT 1').get() as { id: number; seq: number; token: Buffer };
      brokenSeq = cp.seq;
      const t = Buffer.from(cp.token);
      t[t.length - 10]! ^= 0x01; // inside the TSA's signature value, at the end of the token
      db.prepare('UPDATE audit_checkpoint SET token = ? WHERE id = ?').run(t, cp.id);
    });
    expect(verify(broken)).toMatchObject({ code: 1, result: { firstBroken: { seq: brokenSeq, reason: 'CHECKPOINT_INVALID' } } });
  });

  it('usage and I/O errors exit 2', () => {
    const io = () => {
      let err = '';
      return { io: { stdout: () => undefined, stderr: (s: string) => (err += s), env: {} }, err: () => err };
    };
    const a = io();
    expect(runAuditCli(['verify', '--bogus'], a.io)).toBe(2);
    expect(a.err()).toMatch(/用法 \(usage\)/);
    expect(runAuditCli(['frobnicate'], io().io)).toBe(2);
    const b = io();
    expect(runAuditCli(['verify', '--data-dir', join(tmpdir(), 'medsign-no-such-dir-4711')], b.io)).toBe(2);
    expect(b.err()).toMatch(/no database/);
  });

  it('the database file never held the passwords', () => {
    const bytes = readFileSync(join(baseDir, 'medsign.db'));
    for (const s of [ADMIN_PASSWORD, WRONG_PASSWORD, OTHER_PASSWORD]) expect(bytes.includes(Buffer.from(s))).toBe(false);
  });
});
