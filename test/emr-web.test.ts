/**
 * The EMR example page (examples/emr-web) in Debian's Chromium against the real stack on
 * loopback: a cloud, the agent allowing the page's origin, and the doctor's phone played by the
 * test (@medsign/mobile). The doctor logs in by scanning the page's QR code (decoded from the
 * canvas pixels with jsQR), signs a progress note (checked by openssl cms), signs 50 nursing
 * records with one approval, and sees a tampered record and a revoked certificate flagged. The
 * same page served from an origin the agent does not allow cannot reach it.
 *
 * EMR_SCREENSHOTS=<absolute dir> saves emr-login.png, emr-signing.png, emr-batch.png,
 * emr-records.png there (docs/img holds the committed ones).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jsQRModule from 'jsqr';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../core/test/openssl-cli.js';
import { freePort } from '../agent/test/processes.js';
import { PIN, autoApprove, call, enrollDoctor, registrationToken, startCloudWithAdmin, startTestAgent } from '../agent/test/stack.js';
import { post } from '../cloud/test/phone.js';
import type { PendingSession } from '../mobile/src/index.js';
import { startEmrServer, type EmrServer } from '../examples/emr-web/server.mjs';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is a CommonJS bundle whose types say `export default`
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = process.env.EMR_SCREENSHOTS;
/** The page as the doctor sees it (the viewport, scrolled to the top). */
const shot = async (p: Page, name: string) => {
  if (!SHOTS) return;
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: join(SHOTS, name) });
};

let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
let agent: Awaited<ReturnType<typeof startTestAgent>>;
let emr: EmrServer;
let doctor: Awaited<ReturnType<typeof enrollDoctor>>;
let browser: Browser;
let page: Page;
let certId = '';
const cli = new OpensslCli();
const pageErrors: string[] = [];

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The statuses of the listed records, by id, once none is being checked. */
async function statuses(p: Page): Promise<Record<string, string>> {
  await p.waitForFunction(() => {
    const cells = Array.from(document.querySelectorAll('#records tr[data-id] td.status'));
    return cells.length > 0 && cells.every((c) => ['valid', 'revoked', 'tampered', 'other'].includes((c as HTMLElement).dataset.status ?? ''));
  }, undefined, { timeout: 30_000 });
  return p.$$eval('#records tr[data-id]', (trs) => Object.fromEntries(trs.map((tr) => [(tr as HTMLElement).dataset.id!, (tr.querySelector('td.status') as HTMLElement).dataset.status!])));
}

/** The verification codes #code has shown (recorded by a MutationObserver in the page). */
const shownCodes = (p: Page) => p.evaluate(() => (window as unknown as { shownCodes: string[] }).shownCodes);

beforeAll(async () => {
  // the page loads the SDK's IIFE builds: build them when missing or older than the source
  const built = ['medsign.iife.js', 'medsign-qr.iife.js'].map((f) => join(ROOT, 'sdk-js/dist', f));
  const newestSource = Math.max(...readdirSync(join(ROOT, 'sdk-js/src')).map((f) => statSync(join(ROOT, 'sdk-js/src', f)).mtimeMs));
  if (built.some((f) => !existsSync(f) || statSync(f).mtimeMs < newestSource)) {
    execFileSync('npm', ['run', 'build', '--silent', '-w', '@medsign/sdk'], { cwd: ROOT, stdio: 'ignore' });
  }
  s = await startCloudWithAdmin();
  const emrPort = await freePort();
  const origin = `http://127.0.0.1:${emrPort}`;
  [agent, doctor] = await Promise.all([
    registrationToken(s.cloud.url, s.admin).then((t) => startTestAgent([s.cloud.url], t, ['--allowed-origin', origin])),
    enrollDoctor(s.cloud.url, s.admin, 'rsa-2048', '林医生'), // RSA, so that openssl cms can check the CMS
  ]);
  emr = await startEmrServer({ port: emrPort, agentPort: agent.port });
  expect(emr.url).toBe(origin);
  cli.write('rsa-root.pem', await (await fetch(`${s.cloud.url}/pki/ca/rsa-root.pem`)).text());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1060 } });
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { shownCodes: string[] };
    w.shownCodes = [];
    addEventListener('DOMContentLoaded', () => {
      const el = document.getElementById('code')!;
      new MutationObserver(() => {
        const c = el.dataset.code;
        if (c && w.shownCodes[w.shownCodes.length - 1] !== c) w.shownCodes.push(c);
      }).observe(el, { attributes: true, attributeFilter: ['data-code'] });
    });
  });
  await page.goto(`${emr.url}/`);
});

afterAll(async () => {
  await browser?.close();
  await emr?.close();
  await agent?.dispose();
  await s?.cloud.dispose();
  cli.dispose();
});

describe('the EMR example page in Chromium', () => {
  it('the server: content types, no-store, config.js with the agent port; no traversal, no dot files, no server source', async () => {
    const index = await fetch(`${emr.url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-store');
    expect(index.headers.get('content-security-policy')).toContain(`connect-src ws://127.0.0.1:${agent.port}`);
    expect(await (await fetch(`${emr.url}/config.js`)).text()).toBe(`window.EMR_CONFIG = {"agentPorts":[${agent.port}]};\n`);
    expect((await fetch(`${emr.url}/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const sdk = await fetch(`${emr.url}/sdk/medsign.iife.js`);
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const bad of ['/server.mjs', '/README.md', '/../package.json', '/%2e%2e/package.json', '/sdk/..%2f..%2fpackage.json', '/sdk/%2e%2e/src/client.ts', '/.git/config', '/sdk/index.d.ts', '/%ZZ', '/nothing.js']) {
      const r = await fetch(`${emr.url}${bad}`);
      expect(r.status, bad).toBeGreaterThanOrEqual(400);
      expect(r.status, bad).toBeLessThan(500);
    }
    expect((await fetch(`${emr.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it('logs in by QR: the test reads the QR off the canvas, the phone claims and approves it', async () => {
    await page.waitForSelector('#agent-state[data-state="on"]');
    expect(await page.isHidden('#agent-missing')).toBe(true);
    expect(await page.textContent('#doctor')).toContain('未登录');
    await page.click('#login-qr');
    await page.waitForSelector('#qr canvas');
    await shot(page, 'emr-login.png');
    const img = await page.evaluate(() => {
      const c = document.querySelector('#qr canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      return { width: d.width, height: d.height, data: Array.from(d.data) };
    });
    const qr = jsQR(Uint8ClampedArray.from(img.data), img.width, img.height);
    expect(qr?.data).toBeTruthy();
    const session = await doctor.phone.claimLogin(qr!.data);
    // the page shows the code the phone shows, before the doctor approves
    await page.waitForFunction((code) => document.getElementById('code')?.dataset.code === code, session.verificationCode, { timeout: 10_000 });
    expect(await page.textContent('#code')).toContain(`请核对手机上的校验码 Check the code on the phone: ${session.verificationCode}`);
    await doctor.phone.approve(session, PIN);
    await page.waitForFunction(() => document.getElementById('doctor')?.textContent === '林医生', undefined, { timeout: 20_000 });
    expect(await shownCodes(page)).toEqual([session.verificationCode]);
    certId = String(await page.getAttribute('#doctor', 'data-cert-id'));
    expect(certId).toMatch(/^[0-9A-F]+$/);
    expect(await page.inputValue('#users')).toBe(certId);
    expect(await page.textContent('#login-hint')).toBe('已登录 Logged in: 林医生');
    expect(await page.isHidden('#qr canvas')).toBe(true);
  });

  it('signs a progress note: the page shows the phone’s code; the stored CMS is valid, and openssl cms agrees', async () => {
    const text = '病程记录：患者今日查房，生命体征平稳。\n继续目前治疗，明日复查心电图。';
    await page.fill('#patient-name', '李秀英');
    await page.fill('#patient-id', 'ZY2024-0318');
    await page.fill('#note', text);
    await page.click('#sign');
    const [session] = await until(() => doctor.phone.pending(), (p) => p.length > 0, 'the signing session on the phone');
    expect(session!.summaries).toEqual(['李秀英 病程记录']);
    expect(session!.app).toBe('EMR 电子病历');
    await page.waitForFunction((code) => document.getElementById('code')?.dataset.code === code, session!.verificationCode, { timeout: 10_000 });
    expect(await page.textContent('#code')).toContain(`请核对手机上的校验码 Check the code on the phone: ${session!.verificationCode}`);
    expect(await page.isDisabled('#sign')).toBe(true); // no second request while the phone decides
    await shot(page, 'emr-signing.png');
    await doctor.phone.approve(session!, PIN);
    expect(Object.values(await statuses(page))).toEqual(['valid']);
    const [record] = await page.evaluate(() => JSON.parse(localStorage.getItem('medsign-emr-records')!));
    expect(record).toMatchObject({ patient: '李秀英（ZY2024-0318）', kind: 'note', text, signer: '林医生', signedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(await page.getAttribute(`#records tr[data-id="${record.id}"] td.status`, 'data-status')).toBe('valid');
    // independently: openssl checks the detached CMS over the text, up to the RSA root
    cli.write('note.p7', Buffer.from(record.signedMessage, 'base64'));
    cli.write('note.txt', text);
    const out = cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'note.p7', '-content', 'note.txt', '-binary', '-CAfile', 'rsa-root.pem', '-purpose', 'any', '-out', 'note.out']);
    expect(out.out).toMatch(/Verification successful/);
    cli.write('other.txt', `${text} `);
    expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'note.p7', '-content', 'other.txt', '-binary', '-CAfile', 'rsa-root.pem', '-purpose', 'any', '-out', 'other.out']).ok).toBe(false);
  });

  it('signs 50 nursing records in one batch: one approval, progress to 50/50, 50 records valid', async () => {
    let held: PendingSession | undefined;
    const auto = autoApprove(doctor.phone, (x) => {
      held = x;
      return 'ignore'; // the test approves, after a look at the page
    });
    try {
      await page.fill('#nursing-count', '50');
      await page.click('#make-nursing');
      expect(await page.textContent('#unsigned-count')).toBe('50');
      await page.evaluate(() => {
        const w = window as unknown as { batchTexts: string[] };
        w.batchTexts = [];
        const el = document.getElementById('batch-text')!;
        new MutationObserver(() => w.batchTexts.push(`${el.textContent} [${(document.getElementById('batch-progress') as HTMLProgressElement).value}/${(document.getElementById('batch-progress') as HTMLProgressElement).max}]`)).observe(el, { childList: true, characterData: true, subtree: true });
      });
      await page.click('#sign-all');
      await until(async () => held, (h) => !!h, 'the batch on the phone');
      expect(held!.count).toBe(50);
      expect(held!.summaries).toHaveLength(50);
      expect(held!.summaries[0]).toMatch(/床 .+ 护理记录$/);
      await page.waitForFunction((code) => document.getElementById('code')?.dataset.code === code, held!.verificationCode, { timeout: 10_000 });
      await page.waitForFunction(() => document.getElementById('batch-text')?.textContent?.includes('等待手机确认'), undefined, { timeout: 10_000 });
      await shot(page, 'emr-batch.png');
      await doctor.phone.approve(held!, PIN);
      await page.waitForFunction(() => document.getElementById('batch-text')?.textContent?.startsWith('已签名'), undefined, { timeout: 30_000 });
      expect(auto.codes).toEqual([held!.verificationCode]); // exactly one approval for the 50
    } finally {
      await auto.stop();
    }
    const bar = await page.$eval('#batch-progress', (b) => ({ value: (b as HTMLProgressElement).value, max: (b as HTMLProgressElement).max }));
    expect(bar).toEqual({ value: 50, max: 50 });
    const texts = await page.evaluate(() => (window as unknown as { batchTexts: string[] }).batchTexts);
    expect(texts).toContain('等待手机确认 Waiting for the phone 0/50 [0/50]');
    expect(texts).toContain('生成签名 Assembling 50/50 [50/50]'); // the agent's progress events drove the bar
    expect(await page.textContent('#unsigned-count')).toBe('0');
    const st = await statuses(page);
    expect(Object.keys(st)).toHaveLength(51);
    expect(Object.values(st).every((x) => x === 'valid')).toBe(true);
    const nursing = await page.evaluate(() => JSON.parse(localStorage.getItem('medsign-emr-records')!).filter((r: { kind: string }) => r.kind === 'nursing'));
    expect(nursing).toHaveLength(50);
    expect(new Set(nursing.map((r: { signedMessage: string }) => r.signedMessage)).size).toBe(50);
    expect(await shownCodes(page)).toContain(held!.verificationCode);
  });

  it('a record changed in storage is flagged tampered on re-verification; the others stay valid', async () => {
    const id = await page.evaluate(() => {
      const list = JSON.parse(localStorage.getItem('medsign-emr-records')!);
      const r = list[7];
      r.text = r.text.replace(/T \d\d\.\d℃/, 'T 38.9℃');
      localStorage.setItem('medsign-emr-records', JSON.stringify(list));
      return r.id as string;
    });
    await page.click('#verify-all');
    const st = await statuses(page);
    expect(st[id]).toBe('tampered');
    expect(Object.entries(st).filter(([k]) => k !== id).every(([, v]) => v === 'valid')).toBe(true);
    expect(await page.textContent(`#records tr[data-id="${id}"] td.status`)).toContain('已篡改');
    expect(await page.textContent('#verify-summary')).toBe('有效 valid 50 · 已篡改 tampered 1');
    await shot(page, 'emr-records.png');
  });

  it('after the certificate is revoked at the cloud, re-verification flags every record revoked (the agent asks OCSP live)', async () => {
    const rev = await post(s.cloud.url, `/api/v1/admin/certificates/${certId}/revoke`, { reason: 1 }, s.admin);
    expect(rev.status).toBe(200);
    await page.click('#verify-all');
    const st = await statuses(page);
    const tampered = Object.entries(st).filter(([, v]) => v === 'tampered');
    expect(tampered).toHaveLength(1); // changed content stays "tampered": that is checked first
    expect(Object.values(st).filter((v) => v === 'revoked')).toHaveLength(50);
    expect(await page.textContent('#records tr[data-status="revoked"] td.status')).toContain('已吊销');
  });

  it('a doctor already logged in on the agent (push login, SM2) is offered in the list, and signs from a fresh browser profile', async () => {
    const sm2 = await enrollDoctor(s.cloud.url, s.admin, 'sm2', '周医生');
    const auto = autoApprove(sm2.phone);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1060 } });
    try {
      const login = await call(agent.url, 'login', { employeeNo: sm2.employeeNo }); // as HIS would, natively
      expect(login.json.status).toBe('OK');
      const p = await ctx.newPage();
      await p.goto(`${emr.url}/`);
      await p.waitForSelector(`#users option[value="${login.json.certId}"]`, { state: 'attached' });
      expect(await p.$$eval('#users option', (os) => os.map((o) => o.textContent))).toEqual(['— 请选择 choose —', expect.stringMatching(/^林医生（工号 \w+，RSA）$/), expect.stringMatching(/^周医生（工号 \w+，SM2）$/)]);
      expect(await p.textContent('#doctor')).toBe('林医生'); // the first, with nothing remembered in this profile
      await p.selectOption('#users', login.json.certId);
      await p.waitForFunction(() => document.getElementById('doctor')?.textContent === '周医生');
      await p.fill('#note', '病程记录：SM2 医生查房记录。');
      await p.click('#sign');
      expect(Object.values(await statuses(p))).toEqual(['valid']);
      expect(auto.codes).toHaveLength(2); // the push login, then the note
      expect(await p.textContent('#records tbody')).toContain('周医生');
    } finally {
      await ctx.close();
      await auto.stop();
    }
  });

  it('the same page from an origin the agent does not allow: the WebSocket is refused, the page says so, and the agent ran nothing for it', async () => {
    const other = await startEmrServer({ port: 0, agentPort: agent.port });
    const p2 = await browser.newPage();
    try {
      const sockets: string[] = [];
      p2.on('websocket', (ws) => sockets.push(ws.url()));
      const before = agent.context.recent.length;
      await p2.goto(`${other.url}/`);
      await p2.waitForSelector('#agent-missing', { state: 'visible', timeout: 10_000 });
      // the SDK tells a refused origin from no agent at all
      expect(await p2.textContent('#agent-missing-title')).toBe(`医签助手未允许本网页调用，请联系信息科把本网页地址加入医签助手的允许列表 (the agent does not allow this page's origin ${other.url}: ask IT to add it) [ORIGIN_REFUSED]`);
      expect(sockets).toContain(`ws://127.0.0.1:${agent.port}/v1/ws`); // it tried, and was refused
      expect(agent.context.recent.filter((r) => r.client === other.url.toLowerCase())).toEqual([]);
      expect(agent.context.recent.slice(before).filter((r) => r.client !== emr.url)).toEqual([]);
      // a click on a signing button says the same, in the error area
      await p2.click('#login-qr');
      await p2.waitForSelector('#error', { state: 'visible' });
      expect(await p2.textContent('#error-text')).toContain('医签助手未允许本网页调用');
      expect(agent.context.recent.filter((r) => r.client === other.url.toLowerCase())).toEqual([]);
    } finally {
      await p2.close();
      await other.close();
    }
  });

  it('the page raised no script error and no CSP violation', () => {
    expect(pageErrors).toEqual([]);
  });
});
