/**
 * Queries, statistics, exports, the monthly PDF and the expiry reminders (issue 7) against a real
 * cloud: phones enrolled in three departments with SM2 and RSA, sessions signed from two apps,
 * one certificate revoked, one held, times moved in the store. Exports are read back with our own
 * RFC 4180 parser and with exceljs; the PDF with pdftotext (Debian poppler-utils).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, sm2Digest, toHex, type ParsedCertificate } from '@medsign/core';
import { createHash } from 'node:crypto';
import { ADMIN_PASSWORD, startTestCloud } from './cloud-fixture.js';
import { approve, deviceGet, devicePost, enroll, pending, post, type Phone } from './phone.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
const HOSPITAL = '测试市第一人民医院';
const DAY = 86_400_000;
let cloud: Cloud;
let token: string;
let configFile: string;
let agent: string;
let db: Database.Database;

interface User {
  staffId: string;
  employeeNo: string;
  name: string;
  department: string;
  phone: Phone;
  cert: ParsedCertificate;
  serial: string;
  userSessionToken: string;
}
const users: Record<string, User> = {};
let pendingStaffId = '';

const auth = () => ({ authorization: `Bearer ${token}` });
const admin = (path: string, body?: unknown) => post(cloud.url, path, body ?? {}, auth());
async function get(path: string, bearer: string | null = token) {
  const r = await fetch(`${cloud.url}${path}`, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
  const buf = Buffer.from(await r.arrayBuffer());
  let json: Record<string, unknown> & { code?: string } = {};
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch {
    /* a binary answer */
  }
  return { status: r.status, type: r.headers.get('content-type') ?? '', disposition: r.headers.get('content-disposition') ?? '', buf, json };
}
const agentPost = (path: string, body: unknown) => post(cloud.url, path, body, { authorization: `Bearer ${agent}` });
async function agentGet(path: string) {
  const r = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${agent}` } });
  return (await r.json()) as Record<string, unknown>;
}

async function newUser(key: string, employeeNo: string, name: string, department: string, algorithm: 'sm2' | 'rsa-2048'): Promise<User> {
  const staff = await admin('/api/v1/admin/staff', { employeeNo, name, department });
  expect(staff.status).toBe(200);
  const e = await admin('/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm });
  const phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, algorithm);
  const login = await agentPost('/api/v1/agent/logins', { employeeNo, workstation: '门诊1诊室' });
  const [p] = await pending(cloud.url, phone);
  expect((await approve(cloud.url, phone, p!)).status).toBe('OK');
  const done = await agentGet(`/api/v1/agent/sessions/${login.json.sessionId}?wait=5`);
  const cert = parseCertificate(new Uint8Array(Buffer.from(done.certificate as string, 'base64')));
  const u = { staffId: staff.json.id as string, employeeNo, name, department, phone, cert, serial: cert.serialNumber, userSessionToken: done.userSessionToken as string };
  users[key] = u;
  return u;
}

/** Open a sign session of n documents from `app`; approve it (OK) or refuse it. */
async function sign(u: User, app: string, n: number, outcome: 'ok' | 'refuse' | 'leave' = 'ok') {
  const docs = Array.from({ length: n }, (_, i) => new TextEncoder().encode(`${app} 病历 ${i} ${u.employeeNo} ${Math.random()}`));
  const pk = u.cert.publicKey;
  const digests = pk.algorithm === 'sm2' ? docs.map((d) => toHex(sm2Digest(pk.point, d))) : docs.map((d) => createHash('sha256').update(d).digest('hex'));
  const opened = await agentPost('/api/v1/agent/sessions', { userSessionToken: u.userSessionToken, hash: pk.algorithm === 'sm2' ? 'sm3' : 'sha256', digests, app, summaries: docs.map((_, i) => `记录 ${i}`), workstation: '门诊1诊室' });
  expect(opened.status).toBe(200);
  const id = opened.json.sessionId as string;
  const [p] = await pending(cloud.url, u.phone);
  if (outcome === 'ok') expect((await approve(cloud.url, u.phone, p!)).status).toBe('OK');
  if (outcome === 'refuse') expect((await devicePost(cloud.url, u.phone.device, `/api/v1/mobile/sessions/${id}/reject`, {})).status).toBe(200);
  return id;
}

/** RFC 4180 reader (quoted fields, doubled quotes, CRLF), our own: the export is checked against it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += ch;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

const local = (iso: string | null) => (iso === null ? '' : new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
const thisMonth = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
const pdfText = (pdf: Buffer) => {
  const f = join(cloud.dataDir, `r-${Math.random()}.pdf`);
  writeFileSync(f, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medsign-reports-'));
  configFile = join(dir, 'cloud.json');
  writeFileSync(configFile, JSON.stringify({ hospitalName: HOSPITAL, utcOffsetMinutes: 480 }));
  cloud = await startTestCloud(undefined, {}, ['--config', configFile]);
  const t = await post(cloud.url, '/api/v1/admin/login', { username: 'admin', password: ADMIN_PASSWORD });
  token = t.json.token as string;
  const reg = await admin('/api/v1/admin/agent-tokens', {});
  agent = (await post(cloud.url, '/api/v1/agent/register', { registrationToken: reg.json.registrationToken, name: 'WS-REPORT' })).json.credential as string;

  const u1 = await newUser('u1', 'R001', '李明', '心内科', 'sm2');
  const u2 = await newUser('u2', 'R002', '=1+2', '心内科', 'rsa-2048'); // a formula-looking name (CSV injection guard)
  const u3 = await newUser('u3', 'R003', '王"芳,主任', '放射科', 'sm2'); // quote and comma (RFC 4180 quoting)
  const u4 = await newUser('u4', 'R004', '赵强', '放射科', 'sm2');
  const u5 = await newUser('u5', 'R005', '陈静', '心内科', 'rsa-2048');
  const s6 = await admin('/api/v1/admin/staff', { employeeNo: 'R006', name: '周杰', department: '检验科' });
  pendingStaffId = s6.json.id as string;
  expect((await admin('/api/v1/admin/enrollments', { staffId: pendingStaffId, algorithm: 'sm2' })).status).toBe(200);

  // signatures: EMR 3 + 2 (+ a refusal), PACS 1 + 1, one session that times out
  await sign(u1, 'EMR', 3);
  await sign(u1, 'PACS', 1);
  await sign(u2, 'EMR', 2);
  await sign(u2, 'EMR', 1, 'refuse');
  await sign(u3, 'PACS', 1);
  const left = await sign(u3, 'PACS', 2, 'leave');

  expect((await admin(`/api/v1/admin/certificates/${u4.serial}/revoke`, { reason: 1 })).status).toBe(200);
  for (const action of ['hold', 'release', 'hold']) expect((await admin(`/api/v1/admin/certificates/${u5.serial}/${action}`)).status).toBe(200);

  // move times in the store: u1 expires in 5 days, u2 in 45, u3 has just expired (after it was issued); the left session timed out
  db = new Database(join(cloud.dataDir, 'medsign.db'));
  const now = Date.now();
  const setNotAfter = db.prepare('UPDATE certificate SET not_after = ? WHERE serial = ?');
  setNotAfter.run(now + 5 * DAY, u1.serial);
  setNotAfter.run(now + 45 * DAY, u2.serial);
  setNotAfter.run(now - 1, u3.serial);
  db.prepare("UPDATE cosign_session SET status = 'TIMEOUT', ended_at = ? WHERE id = ?").run(now, left);
}, 240_000);

afterAll(async () => {
  db?.close();
  await cloud?.dispose();
});

type CertRow = { serial: string | null; employeeNo: string; name: string; department: string; algorithm: string; state: string; templateId: string | null; notAfter: string | null; daysLeft: number | null; enrollmentId: string | null };
const certs = async (query: string) => {
  const r = await get(`/api/v1/admin/reports/certificates${query}`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as { total: number; rows: CertRow[] };
};
const nos = (rows: { employeeNo: string }[]) => rows.map((r) => r.employeeNo).sort();

describe('certificate and staff queries', () => {
  it('by status: valid, expiring in 30/60/90 days, expired, revoked, on hold, pending', async () => {
    expect(nos((await certs('?status=valid')).rows)).toEqual(['R001', 'R002']);
    expect(nos((await certs('?status=expiring30')).rows)).toEqual(['R001']);
    expect(nos((await certs('?status=expiring60')).rows)).toEqual(['R001', 'R002']);
    expect(nos((await certs('?status=expiring90')).rows)).toEqual(['R001', 'R002']);
    expect(nos((await certs('?status=expired')).rows)).toEqual(['R003']);
    expect(nos((await certs('?status=revoked')).rows)).toEqual(['R004']);
    expect(nos((await certs('?status=hold')).rows)).toEqual(['R005']);
    const p = await certs('?status=pending');
    expect(nos(p.rows)).toEqual(['R006']);
    expect(p.rows[0]).toMatchObject({ serial: null, state: 'pending', algorithm: 'sm2' });
    expect(p.rows[0]!.enrollmentId).toMatch(/^[0-9a-f-]{36}$/);
    const all = await certs('');
    expect(all.total).toBe(6);
    const u1 = all.rows.find((r) => r.employeeNo === 'R001')!;
    expect(u1).toMatchObject({ serial: users.u1!.serial, state: 'expiring', daysLeft: 5, department: '心内科', algorithm: 'sm2' });
  });

  it('by department, algorithm, template, issue and expiry dates, with paging', async () => {
    expect(nos((await certs(`?department=${encodeURIComponent('心内科')}`)).rows)).toEqual(['R001', 'R002', 'R005']);
    expect(nos((await certs('?algorithm=rsa-2048')).rows)).toEqual(['R002', 'R005']);
    expect(nos((await certs(`?algorithm=sm2&department=${encodeURIComponent('放射科')}`)).rows)).toEqual(['R003', 'R004']);
    const all = await certs('');
    const template = all.rows.find((r) => r.templateId)?.templateId;
    if (template) {
      const byTemplate = await certs(`?template=${encodeURIComponent(template)}`);
      expect(byTemplate.total).toBe(all.rows.filter((r) => r.templateId === template).length);
      expect(byTemplate.rows.every((r) => r.templateId === template)).toBe(true);
    }
    expect((await certs('?template=no-such-template')).total).toBe(0);
    const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(nos((await certs(`?expiresFrom=${day(Date.now() + 4 * DAY)}&expiresTo=${day(Date.now() + 6 * DAY)}`)).rows)).toEqual(['R001']);
    expect((await certs(`?issuedFrom=${day(Date.now())}`)).rows.filter((r) => r.serial).length).toBe(5);
    expect((await certs(`?issuedTo=${day(Date.now() - 2 * DAY)}`)).rows.filter((r) => r.serial).length).toBe(0);
    const page1 = await get('/api/v1/admin/reports/certificates?pageSize=2&page=1');
    const page3 = await get('/api/v1/admin/reports/certificates?pageSize=2&page=3');
    expect(page1.json).toMatchObject({ total: 6, page: 1, pageSize: 2 });
    expect((page1.json.rows as CertRow[]).length).toBe(2);
    expect((page3.json.rows as CertRow[]).length).toBe(2);
    expect((page1.json.rows as CertRow[])[0]).not.toEqual((page3.json.rows as CertRow[])[0]);
  });

  it('staff by the state of their newest certificate', async () => {
    const r = await get('/api/v1/admin/reports/staff');
    const rows = r.json.rows as { employeeNo: string; state: string; certificates: number; pendingEnrollments: number }[];
    const state = Object.fromEntries(rows.filter((x) => x.employeeNo.startsWith('R')).map((x) => [x.employeeNo, x.state]));
    expect(state).toEqual({ R001: 'expiring', R002: 'valid', R003: 'expired', R004: 'revoked', R005: 'hold', R006: 'pending' });
    expect(rows.find((x) => x.employeeNo === 'R006')).toMatchObject({ certificates: 0, pendingEnrollments: 1 });
    expect(nos((await get('/api/v1/admin/reports/staff?status=pending')).json.rows as CertRow[])).toEqual(['R006']);
    expect(nos((await get(`/api/v1/admin/reports/staff?status=expiring30&department=${encodeURIComponent('心内科')}`)).json.rows as CertRow[])).toEqual(['R001']);
    expect(nos((await get(`/api/v1/admin/reports/staff?q=${encodeURIComponent('赵')}`)).json.rows as CertRow[])).toEqual(['R004']);
  });

  it('the certificate history of a staff member, in order', async () => {
    const h = await get(`/api/v1/admin/reports/staff/${users.u5!.staffId}/history`);
    expect(h.status).toBe(200);
    const events = h.json.events as { event: string; serial: string | null; at: string; label: string }[];
    expect(events.map((e) => e.event)).toEqual(['applied', 'issued', 'hold', 'release', 'hold']);
    expect(events.slice(1).every((e) => e.serial === users.u5!.serial)).toBe(true);
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort());
    expect(events[2]!.label).toContain('冻结');
    const revoked = await get(`/api/v1/admin/reports/staff/${users.u4!.staffId}/history`);
    expect((revoked.json.events as { event: string; reason: number | null }[]).map((e) => [e.event, e.reason])).toEqual([
      ['applied', null],
      ['issued', null],
      ['revoked', 1],
    ]);
    const expired = await get(`/api/v1/admin/reports/staff/${users.u3!.staffId}/history`);
    expect((expired.json.events as { event: string }[]).map((e) => e.event)).toEqual(['applied', 'issued', 'expired']);
  });
});

describe('signature statistics', () => {
  const stats = async (q: string) => (await get(`/api/v1/admin/reports/signatures${q}`)).json as { rows: { key: string; label: string; signatures: number; sessions: number; refused: number; timeout: number; employeeNo: string | null }[]; totals: Record<string, number> };

  it('by user, department, app and day; refused and timed-out sessions counted apart', async () => {
    const byUser = await stats('?groupBy=user');
    expect(byUser.totals).toEqual({ signatures: 7, sessions: 4, refused: 1, timeout: 1, failed: 0 });
    const u = Object.fromEntries(byUser.rows.map((r) => [r.employeeNo, [r.signatures, r.sessions, r.refused, r.timeout]]));
    expect(u).toEqual({ R001: [4, 2, 0, 0], R002: [2, 1, 1, 0], R003: [1, 1, 0, 1] });
    expect(byUser.rows[0]!.label).toBe('李明'); // most signatures first
    const dept = await stats('?groupBy=department');
    expect(Object.fromEntries(dept.rows.map((r) => [r.key, r.signatures]))).toEqual({ 心内科: 6, 放射科: 1 });
    const app = await stats('?groupBy=app');
    expect(Object.fromEntries(app.rows.map((r) => [r.key, r.signatures]))).toEqual({ EMR: 5, PACS: 2 });
    const day = await stats('?groupBy=day');
    expect(day.rows).toHaveLength(1);
    expect(day.rows[0]).toMatchObject({ key: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10), signatures: 7 });
    const filtered = await stats(`?groupBy=app&department=${encodeURIComponent('心内科')}&app=EMR`);
    expect(filtered.rows).toEqual([expect.objectContaining({ key: 'EMR', signatures: 5, refused: 1 })]);
    expect((await stats('?groupBy=user&from=2020-01-01&to=2020-01-31')).rows).toEqual([]);
  });
});

describe('exports keep the filter', () => {
  it('CSV: BOM, Chinese (English) headers, RFC 4180 quoting, the formula-injection guard', async () => {
    const q = `status=valid&department=${encodeURIComponent('心内科')}`;
    const json = await certs(`?${q}`);
    const r = await get(`/api/v1/admin/reports/certificates/export?${q}&format=csv`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv/);
    expect(r.disposition).toMatch(/attachment; filename="?certificates-\d{4}-\d{2}-\d{2}\.csv"?/);
    expect([...r.buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(r.buf.subarray(3).toString('utf8'));
    expect(rows[0]!.slice(0, 4)).toEqual(['工号 (employee no.)', '姓名 (name)', '科室 (department)', '状态 (state)']);
    expect(rows.length - 1).toBe(json.total);
    expect(rows.slice(1).map((x) => x[0])).toEqual(json.rows.map((x) => x.employeeNo));
    const injected = rows.find((x) => x[0] === 'R002')!;
    expect(injected[1]).toBe("'=1+2");
    const notAfterCol = rows[0]!.indexOf('到期时间 (not after)');
    expect(injected[notAfterCol]).toBe(local(json.rows.find((x) => x.employeeNo === 'R002')!.notAfter));
    // the raw text quotes the field with a quote and a comma
    const radiology = await get(`/api/v1/admin/reports/certificates/export?department=${encodeURIComponent('放射科')}&format=csv`);
    expect(radiology.buf.toString('utf8')).toContain('"王""芳,主任"');
    expect(parseCsv(radiology.buf.subarray(3).toString('utf8')).map((x) => x[1])).toContain('王"芳,主任');
  });

  it('XLSX: Chinese header row, frozen, typed cells, rows equal the JSON query', async () => {
    const q = 'status=expiring60';
    const json = await certs(`?${q}`);
    const r = await get(`/api/v1/admin/reports/certificates/export?${q}&format=xlsx`);
    expect(r.status).toBe(200);
    expect(r.type).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.buf as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 5)).toEqual(['工号', '姓名', '科室', '状态', '证书序列号']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.rowCount - 1).toBe(json.total);
    const col = (name: string) => header.indexOf(name) + 1;
    json.rows.forEach((row, i) => {
      const x = ws.getRow(i + 2);
      expect(x.getCell(col('工号')).value).toBe(row.employeeNo);
      expect(x.getCell(col('证书序列号')).value).toBe(row.serial);
      const notAfter = x.getCell(col('到期时间')).value as Date;
      expect(notAfter).toBeInstanceOf(Date);
      expect(notAfter.getTime()).toBe(Date.parse(row.notAfter!) + 8 * 3_600_000);
      expect(x.getCell(col('剩余天数')).value).toBe(row.daysLeft);
    });
    expect(ws.getColumn(col('证书序列号')).width).toBeGreaterThan(20);
  });

  it('signature statistics and a history export the same rows', async () => {
    const json = (await get('/api/v1/admin/reports/signatures?groupBy=user&app=EMR')).json as { rows: { employeeNo: string; signatures: number; refused: number }[] };
    const r = await get('/api/v1/admin/reports/signatures/export?groupBy=user&app=EMR&format=xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.buf as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['工号', '姓名', '科室', '签名数', '成功会话', '拒绝', '超时', '其他失败']);
    const rows = ws.getSheetValues().slice(2).map((v) => (v as unknown[]).slice(1));
    expect(rows.map((x) => [x[0], x[3], x[5]])).toEqual(json.rows.map((x) => [x.employeeNo, x.signatures, x.refused]));
    expect(typeof rows[0]![3]).toBe('number');
    const h = await get(`/api/v1/admin/reports/staff/${users.u5!.staffId}/history/export?format=csv`);
    const lines = parseCsv(h.buf.subarray(3).toString('utf8'));
    expect(lines[0]![0]).toBe('时间 (time)');
    expect(lines.slice(1).map((x) => x[1])).toEqual(['发放激活码 (activation code issued)', '签发 (issued)', '冻结 (on hold)', '解冻 (released)', '冻结 (on hold)']);
  });
});

describe('monthly PDF report', () => {
  const expectCounts = (text: string) => {
    expect(text).toContain(HOSPITAL);
    expect(text).toContain(thisMonth());
    for (const line of ['新签发证书 (issued): 5', '吊销证书 (revoked): 1', '冻结证书 (held): 2', '本月到期 (expired): 1', '30 天内到期 (expiring within 30 days): 1', '签名总数 (signatures): 7', '用户拒绝 (refused): 1', '超时 (timed out): 1']) {
      expect(text).toContain(line);
    }
    for (const word of ['心内科', '放射科', 'EMR', 'PACS', '李明', '每日签名数']) expect(text).toContain(word);
  };

  it('GET …/reports/monthly?month= answers a PDF with the counts in Chinese', async () => {
    const r = await get(`/api/v1/admin/reports/monthly?month=${thisMonth()}`);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    expect(r.buf.subarray(0, 5).toString()).toBe('%PDF-');
    expectCounts(pdfText(r.buf));
    const empty = pdfText((await get('/api/v1/admin/reports/monthly?month=2020-02')).buf);
    expect(empty).toContain('签名总数 (signatures): 0');
    expect(empty).toContain('2020-02-29'); // a leap February's last day
  });

  it('medsign-cloud report monthly writes the same report from the data directory', () => {
    const out = join(cloud.dataDir, 'cli-report.pdf');
    const main = join(import.meta.dirname, '../src/main.ts');
    const r = execFileSync('npx', ['tsx', main, 'report', 'monthly', '--month', thisMonth(), '--out', out, '--data-dir', cloud.dataDir, '--config', configFile], { encoding: 'utf8', timeout: 60_000 });
    expect(r).toContain(out);
    expectCounts(pdfText(readFileSync(out)));
  }, 90_000);
});

describe('expiry reminders', () => {
  it('one notification per certificate and threshold, however often the job runs', async () => {
    const first = await admin('/api/v1/admin/notifications/run');
    expect(first.json.created).toBe(1); // u1 (5 days: the 7-day threshold); u2 is 45 days out
    expect((await admin('/api/v1/admin/notifications/run')).json.created).toBe(0);
    expect(cloud.services.reporting.reminders.run()).toEqual([]);
    // one day left: the 1-day threshold goes out once too
    db.prepare('UPDATE certificate SET not_after = ? WHERE serial = ?').run(Date.now() + DAY / 2, users.u1!.serial);
    expect(cloud.services.reporting.reminders.run().map((n) => n.thresholdDays)).toEqual([1]);
    expect(cloud.services.reporting.reminders.run()).toEqual([]);
    const list = (await get('/api/v1/admin/notifications')).json.notifications as { id: string; serial: string; thresholdDays: number; read: boolean; title: string; employeeNo: string }[];
    expect(list.map((n) => [n.serial, n.thresholdDays]).sort()).toEqual([
      [users.u1!.serial, 1],
      [users.u1!.serial, 7],
    ]);
    expect(list[0]!.title).toMatch(/证书将于 1 天内到期 \(certificate expires within 1 day\)/);
    expect(list[0]!.employeeNo).toBe('R001');
    const read = await admin('/api/v1/admin/notifications/read', { ids: [list[0]!.id] });
    expect(read.json.updated).toBe(1);
    expect(((await get('/api/v1/admin/notifications?unread=1')).json.notifications as unknown[]).length).toBe(1);
  });

  it('the phone reads its own reminders with a device-signed request', async () => {
    const mine = await deviceGet(cloud.url, users.u1!.phone.device, '/api/v1/mobile/notifications');
    expect(mine.status).toBe(200);
    const list = mine.json.notifications as { id: string; serial: string; thresholdDays: number; read: boolean; message: string }[];
    expect(list.map((n) => n.thresholdDays).sort()).toEqual([1, 7]);
    expect(list.every((n) => n.serial === users.u1!.serial && !n.read)).toBe(true);
    expect(list[0]!.message).toContain('在线更新');
    const other = await deviceGet(cloud.url, users.u2!.phone.device, '/api/v1/mobile/notifications');
    expect(other.json.notifications).toEqual([]);
    // another phone cannot mark them; this one can
    expect((await devicePost(cloud.url, users.u2!.phone.device, '/api/v1/mobile/notifications/read', { ids: list.map((n) => n.id) })).json.updated).toBe(0);
    expect((await devicePost(cloud.url, users.u1!.phone.device, '/api/v1/mobile/notifications/read', { ids: list.map((n) => n.id) })).json.updated).toBe(2);
    expect((await deviceGet(cloud.url, users.u1!.phone.device, '/api/v1/mobile/notifications?unread=1')).json.notifications).toEqual([]);
    expect((await fetch(`${cloud.url}/api/v1/mobile/notifications`)).status).toBe(401);
  });
});

describe('roles, scope and bad input', () => {
  async function account(username: string, role: string, departments?: string[]) {
    const password = `initial-${username}-pw`;
    const created = await admin('/api/v1/admin/accounts', { username, role, password, ...(departments ? { departments } : {}) });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const first = await post(cloud.url, '/api/v1/admin/login', { username, password });
    const next = `changed-${username}-pw`;
    await post(cloud.url, '/api/v1/admin/me/password', { oldPassword: password, newPassword: next }, { authorization: `Bearer ${first.json.token}` });
    return (await post(cloud.url, '/api/v1/admin/login', { username, password: next })).json.token as string;
  }

  it('an auditor reads and exports but does not mark notifications; a dept_approver sees only their departments', async () => {
    const auditor = await account('rep-auditor', 'auditor');
    expect((await get('/api/v1/admin/reports/certificates', auditor)).status).toBe(200);
    expect((await get('/api/v1/admin/reports/signatures/export?format=csv', auditor)).status).toBe(200);
    expect((await get(`/api/v1/admin/reports/monthly?month=${thisMonth()}`, auditor)).status).toBe(200);
    expect((await post(cloud.url, '/api/v1/admin/notifications/read', { ids: ['00000000-0000-4000-8000-000000000000'] }, { authorization: `Bearer ${auditor}` })).status).toBe(403);
    const approver = await account('rep-approver', 'dept_approver', ['放射科']);
    const seen = (await get('/api/v1/admin/reports/certificates', approver)).json as { rows: CertRow[] };
    expect(new Set(seen.rows.map((r) => r.department))).toEqual(new Set(['放射科']));
    expect((await get(`/api/v1/admin/reports/certificates?department=${encodeURIComponent('心内科')}`, approver)).json.code).toBe('FORBIDDEN');
    expect((await get(`/api/v1/admin/reports/staff/${users.u1!.staffId}/history`, approver)).status).toBe(403);
    const csv = parseCsv((await get('/api/v1/admin/reports/certificates/export?format=csv', approver)).buf.subarray(3).toString('utf8'));
    expect(new Set(csv.slice(1).map((x) => x[2]))).toEqual(new Set(['放射科']));
    const stats = (await get('/api/v1/admin/reports/signatures?groupBy=department', approver)).json as { rows: { key: string }[] };
    expect(stats.rows.map((r) => r.key)).toEqual(['放射科']);
  });

  it('unauthenticated or a wrong token → 401 on every new endpoint, binary ones included', async () => {
    const paths = [
      '/api/v1/admin/reports/certificates',
      '/api/v1/admin/reports/staff',
      `/api/v1/admin/reports/staff/${users.u1!.staffId}/history`,
      '/api/v1/admin/reports/signatures',
      '/api/v1/admin/notifications',
      '/api/v1/admin/reports/certificates/export?format=csv',
      '/api/v1/admin/reports/staff/export?format=xlsx',
      `/api/v1/admin/reports/staff/${users.u1!.staffId}/history/export?format=csv`,
      '/api/v1/admin/reports/signatures/export?format=csv',
      `/api/v1/admin/reports/monthly?month=${thisMonth()}`,
    ];
    for (const p of paths) {
      for (const bearer of [null, 'not-a-token']) {
        const r = await get(p, bearer);
        expect(r.status, p).toBe(401);
        expect(r.json.code).toBe('UNAUTHORIZED');
      }
    }
  });

  it('malformed, oversized, wrong-typed and unknown filters, bad months → 400 with a Chinese (English) message', async () => {
    const bad = [
      '/api/v1/admin/reports/certificates?status=bogus',
      '/api/v1/admin/reports/certificates?colour=red',
      '/api/v1/admin/reports/certificates?page=0',
      '/api/v1/admin/reports/certificates?pageSize=5000',
      '/api/v1/admin/reports/certificates?page=abc',
      `/api/v1/admin/reports/certificates?department=${'x'.repeat(65)}`,
      '/api/v1/admin/reports/certificates?status=valid&status=expired',
      '/api/v1/admin/reports/certificates?issuedFrom=2026-02-30',
      '/api/v1/admin/reports/certificates?expiresTo=tomorrow',
      '/api/v1/admin/reports/certificates?algorithm=rsa-4096',
      '/api/v1/admin/reports/certificates?format=csv',
      '/api/v1/admin/reports/staff?status=expiring45',
      '/api/v1/admin/reports/staff/not-a-uuid/history',
      `/api/v1/admin/reports/staff/${users.u1!.staffId}/history?x=1`,
      '/api/v1/admin/reports/signatures?groupBy=week',
      '/api/v1/admin/reports/signatures?from=2026-05-01&to=2026-04-01',
      '/api/v1/admin/reports/signatures?from=2020-01-01&to=2026-01-01',
      '/api/v1/admin/reports/signatures?staffId=7',
      '/api/v1/admin/notifications?limit=100000',
      '/api/v1/admin/reports/certificates/export?format=pdf',
      '/api/v1/admin/reports/certificates/export',
      '/api/v1/admin/reports/certificates/export?format=csv&status=bogus',
      '/api/v1/admin/reports/signatures/export?format=xlsx&groupBy=hour',
      '/api/v1/admin/reports/monthly',
      '/api/v1/admin/reports/monthly?month=2026-13',
      '/api/v1/admin/reports/monthly?month=2026-1',
      '/api/v1/admin/reports/monthly?month=2026-11&extra=1',
      `/api/v1/admin/reports/monthly?month=${'9'.repeat(5000)}`,
    ];
    for (const p of bad) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      expect(r.json.code, p).toBe('BAD_REQUEST');
      expect(r.json.message as string, p).toMatch(/[\u4e00-\u9fff].*\(.+\)/);
    }
    expect((await get('/api/v1/admin/reports/staff/00000000-0000-4000-8000-000000000000/history')).status).toBe(404);
    expect((await admin('/api/v1/admin/notifications/read', { ids: ['x'] })).status).toBe(400);
    expect((await admin('/api/v1/admin/notifications/read', { ids: [] })).status).toBe(400);
    expect((await admin('/api/v1/admin/notifications/read', { ids: Array(501).fill('00000000-0000-4000-8000-000000000000') })).status).toBe(400);
    expect((await admin('/api/v1/admin/notifications/read', { ids: ['00000000-0000-4000-8000-000000000000'], all: true })).status).toBe(400);
  });
});
