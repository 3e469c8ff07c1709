/**
 * The administrator console (管理控制台, /admin/) in Debian's Chromium against a real cloud on
 * loopback: login and the forced password change, the dashboard against the reports API, the
 * CSV import (a bad file imports nobody), a two-step apply workflow decided by a department head
 * and a second RA officer in their own browser contexts (self-approval refused on the page), the
 * one-time activation code (checked by enrolling a phone with it), a rejection with its reason,
 * a CSV export, the audit chain, the strict CSP and no request to another origin.
 * Screenshots for docs/img: ADMIN_SCREENSHOTS=docs/img npx vitest run cloud/test/admin-console.test.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '@medsign/core';
import * as jsQRModule from 'jsqr';
import { ADMIN_CONSOLE_CSP } from '../src/http/app.js';
import { ADMIN_PASSWORD, adminAccount, adminToken, startTestCloud } from './cloud-fixture.js';
import { enroll, post } from './phone.js';
// @ts-expect-error a plain .mjs build script
import { buildAdminUi } from '../admin-ui/build.mjs';

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let browser: Browser;
let sys: Record<string, string>;
const contexts: BrowserContext[] = [];
/** every URL any console page asked for, and every CSP complaint on the console */
const requested: string[] = [];
const cspViolations: string[] = [];
/** the bearer tokens the console sent (in the authorization header, where they belong) */
const tokensSeen: string[] = [];
const shots = process.env.ADMIN_SCREENSHOTS;
// jsqr is CommonJS with `export default` types: take whichever the loader gives
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;
const RA_PW = (u: string) => `changed-${u}-pw2`; // adminAccount's changed password

const api = async <T = Record<string, unknown>>(path: string, headers = sys): Promise<T> => {
  const r = await fetch(`${cloud.url}${path}`, { headers });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};

/** A fresh browser context (its own sessionStorage) logged in as `username`. */
async function open(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('request', (r) => {
    requested.push(r.url());
    const auth = r.headers().authorization;
    if (auth?.startsWith('Bearer ') && !tokensSeen.includes(auth.slice(7))) tokensSeen.push(auth.slice(7));
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(`${cloud.url}/admin/`);
  return page;
}

async function login(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-btn');
}

async function loggedIn(username: string, password: string): Promise<Page> {
  const page = await open();
  await login(page, username, password);
  await page.waitForSelector('#nav:not([hidden])');
  await page.waitForSelector('#counts');
  return page;
}

const message = (page: Page) => page.textContent('#message');
async function waitMessage(page: Page, re: RegExp): Promise<string> {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('message')?.textContent ?? ''), re.source, { timeout: 15_000 });
  return (await message(page)) ?? '';
}

beforeAll(async () => {
  await buildAdminUi(); // cloud/admin-ui/dist, which the cloud serves at /admin/
  cloud = await startTestCloud();
  sys = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  // two certificates through the phone protocol: one valid, one on hold (the dashboard shows both)
  for (const [no, hold] of [['CARD-1', false], ['CARD-2', true]] as const) {
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: no, name: `医生${no}`, department: '心内科' }, sys);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, sys);
    const phone = await enroll(cloud.url, String(e.json.enrollmentId), String(e.json.activationCode), 'sm2');
    if (hold) expect((await post(cloud.url, `/api/v1/admin/certificates/${parseCertificate(phone.certificate).serialNumber}/hold`, {}, sys)).status).toBe(200);
  }
  await adminAccount(cloud.url, sys, 'ra1', 'ra_officer');
  await adminAccount(cloud.url, sys, 'ra2', 'ra_officer');
  await adminAccount(cloud.url, sys, 'head', 'dept_approver', ['心内科']);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await cloud?.dispose();
});

describe('the administrator console in Chromium', () => {
  it('is served at /admin/ under a strict CSP with no inline script, and nothing else from there', async () => {
    const index = await fetch(`${cloud.url}/admin/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(ADMIN_CONSOLE_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await index.text();
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="app\.js"/); // every script is a file
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/\son[a-z]+=|style=/i); // no inline handlers or style attributes
    expect((await fetch(`${cloud.url}/admin`, { redirect: 'manual' })).headers.get('location')).toBe('/admin/');
    const js = await fetch(`${cloud.url}/admin/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('content-security-policy')).toBe(ADMIN_CONSOLE_CSP);
    for (const bad of ['/admin/nothing.js', '/admin/..%2fkek.key', '/admin/%2e%2e/medsign.db', '/admin/.hidden']) {
      const r = await fetch(`${cloud.url}${bad}`);
      expect(r.status, bad).toBe(404);
    }
  });

  it('logs in; a wrong password shows the server message; a new account must change its password first', async () => {
    const page = await open();
    await login(page, 'admin', 'not-the-password');
    expect(await waitMessage(page, /UNAUTHORIZED/)).toContain('用户名或密码错误');
    expect(await page.isVisible('#nav')).toBe(false);

    expect((await post(cloud.url, '/api/v1/admin/accounts', { username: 'newbie', role: 'auditor', password: 'initial-newbie-pw1' }, sys)).status).toBe(200);
    await login(page, 'newbie', 'initial-newbie-pw1');
    await page.waitForSelector('#change-password-btn');
    expect(await page.isVisible('#nav')).toBe(false);
    await page.fill('#old-password', 'initial-newbie-pw1');
    await page.fill('#new-password', 'short');
    await page.fill('#new-password-again', 'short');
    await page.click('#change-password-btn');
    expect(await waitMessage(page, /密码至少 12 位.*\[BAD_REQUEST\]/)).toContain('at least 12 characters'); // the server's rule and code
    await page.fill('#new-password', 'newbie-chosen-pw-99');
    await page.fill('#new-password-again', 'newbie-chosen-pw-99');
    await page.click('#change-password-btn');
    await page.waitForSelector('#counts');
    expect(await page.textContent('#who')).toContain('auditor');
    // the auditor sees the audit page and no account management; the token lives in sessionStorage only
    expect(await page.isVisible('#nav a[data-page="audit"]')).toBe(true);
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([1, 0, '']);
    const me = await fetch(`${cloud.url}/api/v1/admin/me`, { headers: { authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('medsign.admin.token'))}` } });
    expect(((await me.json()) as { mustChangePassword: boolean }).mustChangePassword).toBe(false);
    await page.click('#logout');
    await page.waitForSelector('#login-btn');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('shows the dashboard numbers the reports API answers', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    const total = async (status: string) => (await api<{ total: number }>(`/api/v1/admin/reports/certificates?status=${status}&pageSize=1`)).total;
    const expected = { valid: await total('valid'), expiring30: await total('expiring30'), hold: await total('hold'), revoked: await total('revoked') };
    expect(expected.valid).toBe(1);
    expect(expected.hold).toBe(1);
    for (const [k, v] of Object.entries(expected)) expect(await page.textContent(`#count-${k} .n`), k).toBe(String(v));
    const day = new Date();
    const today = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const sig = await api<{ totals: { signatures: number } }>(`/api/v1/admin/reports/signatures?groupBy=day&from=${today}&to=${today}`);
    expect(await page.textContent('#count-sig-today .n')).toBe(String(sig.totals.signatures));
    // the emergency-certificate panel appears because this cloud's OpenAPI document lists the endpoint
    const doc = await api<{ paths: Record<string, unknown> }>('/api/v1/openapi.json');
    if (doc.paths['/api/v1/admin/emergency']) {
      const live = (await api<{ grants: { status: string }[] }>('/api/v1/admin/emergency')).grants.filter((g) => !['revoked', 'expired'].includes(g.status));
      await page.waitForSelector('#emergency');
      expect(await page.textContent('#emergency h3')).toContain(`(${live.length})`);
    } else expect(await page.isVisible('#emergency')).toBe(false);
  });

  it('imports staff from CSV: a bad row shows row-level errors and imports nobody; the fixed file imports all', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.click('#nav a[data-page="staff"]');
    const bad = '工号,姓名,科室\nIMP-1,张三,心内科\nbad no!,李四,心内科\nIMP-1,王五,心内科\n';
    await page.setInputFiles('#import-file', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.click('#import-submit');
    await page.waitForSelector('#import-errors');
    const rows = await page.$$eval('#import-errors tbody tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
    expect(rows).toContainEqual(expect.arrayContaining(['3', 'employeeNo', 'INVALID']));
    expect(rows.some((r) => r[0] === '4' && r[2] === 'DUPLICATE_IN_FILE')).toBe(true);
    expect(await page.textContent('#import-rejected')).toContain('未导入任何人员');
    expect((await api<{ total: number }>('/api/v1/admin/reports/staff?q=IMP')).total).toBe(0);
    if (shots) await page.screenshot({ path: join(shots, 'admin-import-errors.png'), fullPage: true });

    const good = '\uFEFF工号,姓名,科室,职称\nIMP-1,张三,心内科,主治医师\nIMP-2,"李,四",心内科,\n';
    await page.setInputFiles('#import-file', { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.click('#import-submit');
    await page.waitForSelector('#import-count');
    expect(await page.getAttribute('#import-count', 'data-imported')).toBe('2');
    expect(await page.isVisible('#import-errors')).toBe(false);
    expect((await api<{ total: number }>('/api/v1/admin/reports/staff?q=IMP')).total).toBe(2);
  });

  it('configures a two-step apply workflow: department head, then an RA officer', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.click('#nav a[data-page="system"]');
    await page.waitForSelector('#wf-save');
    await page.selectOption('#wf-operation', 'apply');
    await page.uncheck('#wf-auto');
    await page.click('#wf-add-step');
    await page.click('#wf-add-step');
    const steps = page.locator('#wf-steps .wf-step');
    await steps.nth(0).locator('.wf-role').selectOption('dept_approver');
    await steps.nth(0).locator('.wf-scope').check();
    await steps.nth(0).locator('.wf-name').fill('科室主任审核');
    await steps.nth(1).locator('.wf-role').selectOption('ra_officer');
    await steps.nth(1).locator('.wf-name').fill('RA 审核');
    await page.click('#wf-save');
    expect(await waitMessage(page, /流程已保存/)).toContain('科室主任审核');
    const wf = (await api<{ workflows: { operation: string; autoApprove: boolean; steps: { role: string; departmentScope: boolean; name?: string }[] }[] }>('/api/v1/admin/workflows')).workflows.find((w) => w.operation === 'apply')!;
    expect(wf.autoApprove).toBe(false);
    expect(wf.steps).toEqual([
      { role: 'dept_approver', departmentScope: true, name: '科室主任审核' },
      { role: 'ra_officer', departmentScope: false, name: 'RA 审核' },
    ]);
    expect(await page.textContent('#workflow-table [data-operation="apply"]')).toContain('科室主任审核');
  });

  it('an RA officer applies, the department head and another RA officer approve in their own contexts; the code is shown once', async () => {
    const ra1 = await loggedIn('ra1', RA_PW('ra1'));
    await ra1.click('#nav a[data-page="requests"]');
    await ra1.selectOption('#new-op', 'apply');
    await ra1.fill('#new-employeeNo', 'IMP-1');
    await ra1.click('#new-submit');
    await ra1.waitForSelector('#new-request-link');
    const id = (await ra1.textContent('#new-request-link'))!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ra1.isVisible('#activation')).toBe(false); // pending: no code yet
    // step 1 is a dept_approver's: the RA officer's approve button is disabled
    await ra1.goto(`${cloud.url}/admin/#/requests/${id}`);
    await ra1.waitForSelector('#approve-btn');
    expect(await ra1.isDisabled('#approve-btn')).toBe(true);

    const head = await loggedIn('head', RA_PW('head'));
    await head.waitForSelector(`#my-pending [data-request="${id}"]`);
    if (shots) await head.screenshot({ path: join(shots, 'admin-dashboard.png'), fullPage: true });
    await head.click(`#my-pending [data-request="${id}"]`);
    await head.waitForSelector('#approve-btn:not([disabled])');
    await head.click('#approve-btn');
    await waitMessage(head, /已通过/);
    await head.waitForSelector('#decisions tbody tr:nth-child(1) >> text=head');
    expect(await head.isVisible('#activation')).toBe(false); // one step left
    expect(await head.isDisabled('#approve-btn')).toBe(true); // step 2 is an RA officer's

    // the applicant is an RA officer too: the page lets them try step 2, the server refuses
    await ra1.reload();
    await ra1.waitForSelector('#approve-btn:not([disabled])');
    await ra1.click('#approve-btn');
    const refusal = await waitMessage(ra1, /SELF_APPROVAL/);
    expect(refusal).toContain('不能审批自己提交的申请');
    expect((await api<{ request: { status: string; step: number } }>(`/api/v1/admin/requests/${id}`)).request).toMatchObject({ status: 'pending', step: 1 });

    const ra2 = await loggedIn('ra2', RA_PW('ra2'));
    await ra2.goto(`${cloud.url}/admin/#/requests/${id}`);
    await ra2.waitForSelector('#approve-btn:not([disabled])');
    await ra2.click('#approve-btn');
    await ra2.waitForSelector('#activation');
    expect(await ra2.getAttribute('#request-detail', 'data-status')).toBe('executed');
    const code = (await ra2.textContent('#activation-code'))!;
    const payload = (await ra2.textContent('#activation-payload'))!;
    expect(await ra2.textContent('#activation')).toContain('只显示这一次');
    expect(payload).toMatch(/^medsign:\/\/enroll\?/);
    expect(new URL(payload).searchParams.get('code')).toBe(code);
    expect(Number(await ra2.getAttribute('#activation-qr', 'data-modules'))).toBeGreaterThanOrEqual(21); // a QR symbol was drawn
    // an independent decoder (jsQR, the phone app's) reads the drawn symbol back as the payload
    const pixels = await ra2.$eval('#activation-qr', (c) => {
      const canvas = c as HTMLCanvasElement;
      return { w: canvas.width, h: canvas.height, data: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data) };
    });
    expect(jsQR(Uint8ClampedArray.from(pixels.data), pixels.w, pixels.h)?.data).toBe(payload);
    if (shots) await ra2.screenshot({ path: join(shots, 'admin-requests.png'), fullPage: true });
    // the code is the real one: a phone enrolls with it
    const phone = await enroll(cloud.url, new URL(payload).searchParams.get('enrollment')!, code, 'sm2');
    expect(JSON.stringify(parseCertificate(phone.certificate).subject)).toContain('张三');
    // shown once: back on the request, the code is gone
    await ra2.click('#nav a[data-page="dashboard"]');
    await ra2.waitForSelector('#counts');
    await ra2.goto(`${cloud.url}/admin/#/requests/${id}`);
    await ra2.waitForSelector('#request-detail[data-status="executed"]');
    expect(await ra2.isVisible('#activation')).toBe(false);
    expect(await ra2.content()).not.toContain(code);
  });

  it('the department head rejects another request only with a reason', async () => {
    const ra1 = await loggedIn('ra1', RA_PW('ra1'));
    await ra1.click('#nav a[data-page="requests"]');
    await ra1.fill('#new-employeeNo', 'IMP-2');
    await ra1.click('#new-submit');
    await ra1.waitForSelector('#new-request-link');
    const id = (await ra1.textContent('#new-request-link'))!;

    const head = await loggedIn('head', RA_PW('head'));
    await head.goto(`${cloud.url}/admin/#/requests/${id}`);
    await head.waitForSelector('#reject-btn:not([disabled])');
    await head.click('#reject-btn');
    expect(await waitMessage(head, /原因/)).toContain('reason is required');
    expect((await api<{ request: { status: string } }>(`/api/v1/admin/requests/${id}`)).request.status).toBe('pending');
    await head.fill('#decision-comment', '该医生尚未完成岗前培训 (training not completed)');
    await head.click('#reject-btn');
    await head.waitForSelector('#request-detail[data-status="rejected"]');
    expect(await head.textContent('#decisions')).toContain('尚未完成岗前培训');
    const d = await api<{ request: { status: string }; decisions: { decision: string; reason: string }[] }>(`/api/v1/admin/requests/${id}`);
    expect(d.request.status).toBe('rejected');
    expect(d.decisions[0]).toMatchObject({ decision: 'reject', reason: '该医生尚未完成岗前培训 (training not completed)' });
  });

  it('runs a report and downloads its CSV with the same filter', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.click('#nav a[data-page="reports"]');
    await page.selectOption('#report-kind', 'certificates');
    await page.fill('#report-department', '心内科');
    await page.click('#report-run');
    await page.waitForSelector('#report-table');
    const expected = await api<{ total: number }>('/api/v1/admin/reports/certificates?department=%E5%BF%83%E5%86%85%E7%A7%91&pageSize=500');
    expect(await page.textContent('#report-total')).toContain(`共 ${expected.total} 条`);
    expect(await page.locator('#report-table tbody tr').count()).toBe(expected.total);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const text = readFileSync((await download.path())!, 'utf8');
    const [first, ...rest] = text.split('\r\n').filter(Boolean);
    expect(first!.startsWith('\uFEFF工号 (employee no.),姓名 (name),科室 (department)')).toBe(true);
    expect(rest).toHaveLength(expected.total); // the filter went with the export
    const direct = await (await fetch(`${cloud.url}/api/v1/admin/reports/certificates/export?department=%E5%BF%83%E5%86%85%E7%A7%91&format=csv`, { headers: sys })).text();
    expect(direct.split('\r\n')[0]).toBe(first!.replace(/^\uFEFF/, '')); // fetch's text() drops the BOM
    expect(await waitMessage(page, /已下载/)).toMatch(/\.csv/);
  });

  it('verifies the audit chain; a 401 returns to the login page', async () => {
    const page = await loggedIn('admin', ADMIN_PASSWORD);
    await page.click('#nav a[data-page="audit"]');
    await page.waitForSelector('#audit-entries');
    expect(await page.textContent('#audit-entries')).toContain('request.');
    await page.click('#verify-btn');
    await page.waitForSelector('#verify-result[data-valid]');
    const v = await api<{ valid: boolean; entries: number }>('/api/v1/admin/audit/verify');
    expect(v.valid).toBe(true);
    expect(await page.getAttribute('#verify-result', 'data-valid')).toBe('true');
    expect(await page.textContent('#verify-result')).toContain('完整 (intact)');

    // the token ends (logged out elsewhere): the next call lands on the login page with the reason
    const token = await page.evaluate(() => sessionStorage.getItem('medsign.admin.token'));
    expect((await post(cloud.url, '/api/v1/admin/logout', {}, { authorization: `Bearer ${token}` })).status).toBe(200);
    await page.click('#nav a[data-page="requests"]');
    await page.waitForSelector('#login-btn');
    expect(await message(page)).toMatch(/重新登录.*\[UNAUTHORIZED\]/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('made no request to another origin, put no token in a URL, and met no CSP refusal', () => {
    expect(requested.length).toBeGreaterThan(50);
    const origin = new URL(cloud.url).origin;
    const foreign = requested.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith(`blob:${origin}/`));
    expect(foreign).toEqual([]);
    const secrets = [ADMIN_PASSWORD, 'initial-newbie-pw1', 'newbie-chosen-pw-99', RA_PW('ra1'), RA_PW('head'), RA_PW('ra2'), ...tokensSeen];
    expect(requested.filter((u) => /token|password|bearer/i.test(new URL(u).search) || secrets.some((x) => u.includes(x)))).toEqual([]);
    expect(tokensSeen.length).toBeGreaterThan(3);
    expect(cspViolations).toEqual([]);
  });
});
