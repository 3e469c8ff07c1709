/**
 * The H5 app in Debian's Chromium: a doctor enrolls by pasting the activation QR payload, then
 * approves a login and a signature on the page (the signature over a real record is checked
 * with the openssl CLI), against a real cloud on loopback (CORS allowed
 * for the page's origin only). The vault is in the browser's IndexedDB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseCertificate, sm2Digest, toHex } from '@medsign/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startTestCloud } from '../../cloud/test/cloud-fixture.js';
import { post } from '../../cloud/test/phone.js';
// @ts-expect-error a plain .mjs build script
import { buildH5 } from '../scripts/build-h5.mjs';

/** One 4:2:0 Y4M frame showing `text` as a QR code (black on white, 6 px modules, quiet zone), for Chromium's fake camera. */
function qrFrame(text: string): Buffer {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const scale = 6;
  const side = Math.ceil(((size + 8) * scale) / 2) * 2;
  const y = Buffer.alloc(side * side, 255);
  const offset = Math.floor((side - size * scale) / 2);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
    if (!data[r * size + c]) continue;
    for (let dy = 0; dy < scale; dy++) y.fill(0, (offset + r * scale + dy) * side + offset + c * scale, (offset + r * scale + dy) * side + offset + (c + 1) * scale);
  }
  const chroma = Buffer.alloc((side / 2) * (side / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${side} H${side} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), y, chroma]);
}

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let server: Server;
let origin: string;
let browser: Browser;
let page: Page;
let admin: { authorization: string };
let agent: { authorization: string };

beforeAll(async () => {
  const dir: string = await buildH5();
  server = createServer((req, res) => {
    const file = req.url === '/app.js' ? 'app.js' : 'index.html';
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8' }).end(readFileSync(join(dir, file)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cloud = await startTestCloud(undefined, {}, ['--cors-origin', origin]);
  admin = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, admin);
  agent = { authorization: `Bearer ${(await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'H5-WS' })).json.credential}` };
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 420, height: 860 } });
  await page.goto(`${origin}/`);
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await cloud?.dispose();
});

describe('the H5 app in Chromium', () => {
  it('enrolls, then approves a login and a signature with the PIN; a wrong PIN shows a bilingual error', async () => {
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'H5-1', name: '网页医生', department: '产科' }, admin);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, admin);
    await page.fill('#qr', String(e.json.qr));
    await page.fill('#new-pin', '135790');
    await page.click('#enroll-btn');
    await page.waitForSelector('#work:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#status')).toContain('已激活');
    expect(await page.textContent('#cert-who')).toMatch(/网页医生 · 工号 H5-1 · SM2/);
    expect(await page.textContent('#cert-state')).toMatch(/证书有效，至 \d{4}-\d{2}-\d{2}（剩余 36[45] 天）/);

    const login = await post(cloud.url, '/api/v1/agent/logins', { employeeNo: 'H5-1', workstation: '产房 2' }, agent);
    await page.waitForSelector(`[data-session="${login.json.sessionId}"]`, { timeout: 10_000 });
    expect(await page.textContent(`[data-session="${login.json.sessionId}"] .code`)).toBe(String(login.json.verificationCode));
    await page.fill('#pin', '135790');
    await page.click(`[data-session="${login.json.sessionId}"] button:not(.secondary)`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('已签名'), undefined, { timeout: 20_000 });
    const ls = (await (await fetch(`${cloud.url}/api/v1/agent/sessions/${login.json.sessionId}?wait=5`, { headers: agent })).json()) as { status: string; userSessionToken: string };
    expect(ls.status).toBe('OK');

    const sign = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: ['12'.repeat(32)], app: 'EMR', summaries: ['分娩记录 delivery record'], workstation: '产房 2' }, agent);
    await page.waitForSelector(`[data-session="${sign.json.sessionId}"]`, { timeout: 10_000 });
    expect(await page.textContent(`[data-session="${sign.json.sessionId}"]`)).toContain('分娩记录');
    await page.fill('#pin', '000000');
    await page.click(`[data-session="${sign.json.sessionId}"] button:not(.secondary)`);
    await page.waitForFunction(() => document.getElementById('status')?.className === 'error', undefined, { timeout: 20_000 });
    expect(await page.textContent('#status')).toMatch(/PIN 错误.*wrong PIN/);
    if (process.env.H5_SCREENSHOTS) await page.screenshot({ path: join(process.env.H5_SCREENSHOTS, 'h5-wrong-pin.png') }); // for people reviewing the UI (docs/img)

    // a real record this time: the digest is SM3(Z_A ‖ record), so openssl can check the signature over the record itself
    const record = new TextEncoder().encode('产程记录：宫口开全 10 cm，胎心 140 次/分。');
    const certDer = Buffer.from(String((ls as unknown as { certificate: string }).certificate), 'base64');
    const pub = parseCertificate(certDer).publicKey;
    if (pub.algorithm !== 'sm2') throw new Error('expected an SM2 certificate');
    const sign2 = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: [toHex(sm2Digest(pub.point, record))], app: 'EMR', summaries: ['产程记录'], workstation: '产房 2' }, agent);
    await page.waitForSelector(`[data-session="${sign2.json.sessionId}"]`, { timeout: 10_000 });
    // this time the PIN goes in on the on-screen PIN pad (a slip, corrected with ⌫)
    await page.fill('#pin', '');
    for (const k of ['1', '3', '5', '8', 'back', '7', '9', '0']) await page.click(`#pinpad [data-key="${k}"]`);
    expect(await page.inputValue('#pin')).toBe('135790');
    await page.click(`[data-session="${sign2.json.sessionId}"] button:not(.secondary)`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('已签名'), undefined, { timeout: 20_000 });
    const done = (await (await fetch(`${cloud.url}/api/v1/agent/sessions/${sign2.json.sessionId}?wait=5`, { headers: agent })).json()) as { status: string; signatures: string[] };
    expect(done.status).toBe('OK');
    const dir = mkdtempSync(join(tmpdir(), 'h5-sig-'));
    writeFileSync(join(dir, 'cert.pem'), `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64')}\n-----END CERTIFICATE-----\n`);
    writeFileSync(join(dir, 'pub.pem'), execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout']));
    writeFileSync(join(dir, 'record.txt'), record);
    writeFileSync(join(dir, 'sig.der'), Buffer.from(done.signatures[0]!, 'base64'));
    const check = (file: string) =>
      spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', join(dir, 'pub.pem'), '-in', join(dir, file), '-sigfile', join(dir, 'sig.der'), '-pkeyopt', 'distid:1234567812345678'], { encoding: 'utf8' });
    expect(check('record.txt').stdout).toContain('Signature Verified Successfully');
    writeFileSync(join(dir, 'altered.txt'), Buffer.concat([Buffer.from(record), Buffer.from(' ')]));
    expect(check('altered.txt').stdout).not.toContain('Signature Verified Successfully');

    // 授权免密: approve once with the PIN and "30 minutes", then the next one from EMR needs no PIN
    const signFor = async (app: string, hex: string) => {
      const r = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: ls.userSessionToken, digests: [hex.repeat(32)], app, summaries: ['护理记录'], workstation: '产房 2' }, agent);
      await page.waitForSelector(`[data-session="${r.json.sessionId}"]`, { timeout: 10_000 });
      return String(r.json.sessionId);
    };
    const finalStatus = async (id: string) => ((await (await fetch(`${cloud.url}/api/v1/agent/sessions/${id}?wait=5`, { headers: agent })).json()) as { status: string }).status;
    const w1 = await signFor('EMR', '56');
    await page.fill('#pin', '135790');
    await page.check(`[data-session="${w1}"] .window-30`);
    await page.click(`[data-session="${w1}"] button:not(.secondary)`);
    expect(await finalStatus(w1)).toBe('OK');
    await page.waitForSelector('#window:not([hidden])');
    expect(await page.textContent('#window-text')).toContain('免密中：EMR');
    const w2 = await signFor('EMR', '78');
    expect(await page.textContent(`[data-session="${w2}"] button:not(.secondary)`)).toContain('免密确认');
    expect(await page.inputValue('#pin')).toBe(''); // no PIN typed
    await page.click(`[data-session="${w2}"] button:not(.secondary)`);
    expect(await finalStatus(w2)).toBe('OK');
    const other = await signFor('LIS', '9a'); // another app is not covered
    expect(await page.textContent(`[data-session="${other}"] button:not(.secondary)`)).not.toContain('免密');
    await page.click(`[data-session="${other}"] button.secondary`);
    expect(await finalStatus(other)).toBe('USER_REFUSED');
    await page.click('#window-end');
    await page.waitForSelector('#window', { state: 'hidden' });
    const w3 = await signFor('EMR', 'bc');
    expect(await page.textContent(`[data-session="${w3}"] button:not(.secondary)`)).not.toContain('免密');
    if (process.env.H5_SCREENSHOTS) await page.screenshot({ path: join(process.env.H5_SCREENSHOTS, 'h5-home.png'), fullPage: true });

    // change the PIN on the page (checked online), then sign with the new one
    await page.fill('#old-pin', '135790');
    await page.fill('#next-pin', '975310');
    await page.click('#change-pin-btn');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('PIN 已修改'), undefined, { timeout: 20_000 });
    await page.fill('#pin', '975310');
    await page.click(`[data-session="${w3}"] button:not(.secondary)`);
    expect(await finalStatus(w3)).toBe('OK');
    // the vault is in IndexedDB, sealed: no share in clear
    const stored = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const r = indexedDB.open('medsign', 1);
          r.onsuccess = () => {
            const g = r.result.transaction('vault').objectStore('vault').get('phone');
            g.onsuccess = () => resolve(String(g.result));
          };
        }),
    );
    expect(JSON.parse(stored).vault.sealedShare).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain('"d1"');
  });

  it('the cloud serves the H5 app at /m/ (same origin: no CORS needed) under a strict CSP, and nothing else from there', async () => {
    const dir: string = await buildH5();
    const own = await startTestCloud(undefined, {}, ['--h5-dir', dir, '--renewal-days', '400']); // renewal always open here
    try {
      const index = await fetch(`${own.url}/m/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(index.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await fetch(`${own.url}/m`, { redirect: 'manual' })).headers.get('location')).toBe('/m/');
      expect((await fetch(`${own.url}/m/app.js`)).headers.get('content-type')).toMatch(/javascript/);
      for (const bad of ['/m/nothing.js', '/m/..%2fkek.key', '/m/%2e%2e/medsign.db', '/m/.hidden']) {
        const r = await fetch(`${own.url}${bad}`);
        expect(r.status, bad).toBeGreaterThanOrEqual(400);
        expect(r.status, bad).toBeLessThan(500);
        expect(await r.text(), bad).not.toContain('SQLite');
      }
      expect((await fetch(`${cloud.url}/m/`)).status).toBe(404); // not configured: not served

      // a phone opens the page from the cloud itself and enrolls: the app works under the CSP
      const a = `Bearer ${await adminToken(own.url)}`;
      const staff = await post(own.url, '/api/v1/admin/staff', { employeeNo: 'H5-M', name: '同源医生', department: '急诊' }, { authorization: a });
      const e = await post(own.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, { authorization: a });
      const p2 = await browser.newPage({ viewport: { width: 420, height: 860 } });
      const violations: string[] = [];
      p2.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
      await p2.goto(`${own.url}/m/`);
      await p2.fill('#qr', String(e.json.qr));
      await p2.fill('#new-pin', '246810');
      await p2.click('#enroll-btn');
      await p2.waitForSelector('#work:not([hidden])', { timeout: 60_000 });
      expect(await p2.textContent('#status')).toContain('已激活');
      expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);
      // in the renewal window the page offers online renewal; it re-keys and shows the new serial
      await p2.waitForSelector('#renew-box:not([hidden])');
      const before = await p2.textContent('#cert-state');
      await p2.fill('#pin', '246810');
      await p2.click('#renew-btn');
      await p2.waitForFunction(() => document.getElementById('status')?.textContent?.includes('证书已更新'), undefined, { timeout: 60_000 });
      const after = await p2.textContent('#cert-state');
      expect(/serial (\w+)/.exec(after!)![1]).not.toBe(/serial (\w+)/.exec(before!)![1]);
      // issue 7: the cloud's expiry reminder shows on the phone (a 366-day threshold: this certificate is due), once
      const put = await fetch(`${own.url}/api/v1/admin/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: a }, body: JSON.stringify({ reminderDays: [366] }) });
      expect(put.status).toBe(200);
      expect((await post(own.url, '/api/v1/admin/notifications/run', {}, { authorization: a })).json.created).toBeGreaterThanOrEqual(1);
      await p2.reload();
      await p2.waitForSelector('#notices:not([hidden])', { timeout: 30_000 });
      expect(await p2.textContent('#notices')).toMatch(/到期.*expires/);
      await p2.reload();
      await p2.waitForSelector('#notices[data-loaded="yes"]', { state: 'attached', timeout: 30_000 });
      expect(await p2.isHidden('#notices')).toBe(true); // read now
      await p2.close();
    } finally {
      await own.dispose();
    }
  });

  it('scans the activation QR code and then a login QR code with the camera (Chromium plays a QR frame as its fake camera)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h5-cam-'));
    const profile = join(dir, 'profile'); // one browser profile: the IndexedDB vault survives the relaunch
    const launch = async (payload: string, name: string) => {
      const y4m = join(dir, `${name}.y4m`);
      writeFileSync(y4m, qrFrame(payload));
      const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        viewport: { width: 420, height: 860 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
      });
      const p = ctx.pages()[0] ?? (await ctx.newPage());
      await p.goto(`${origin}/`);
      return { ctx, p };
    };
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'H5-CAM', name: '扫码医生', department: '门诊' }, admin);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, admin);
    let { ctx, p } = await launch(String(e.json.qr), 'enroll');
    try {
      await p.click('#scan-enroll');
      await p.waitForFunction(() => (document.getElementById('qr') as HTMLTextAreaElement).value.startsWith('medsign://enroll'), undefined, { timeout: 30_000 });
      expect(await p.inputValue('#qr')).toBe(String(e.json.qr));
      expect(await p.isHidden('#scanner')).toBe(true); // the camera is closed again
      await p.fill('#new-pin', '864200');
      await p.click('#enroll-btn');
      await p.waitForSelector('#work:not([hidden])', { timeout: 60_000 });
    } finally {
      await ctx.close();
    }
    // a QR login (no employee number): the agent shows the QR code, the phone scans and claims it
    const login = await post(cloud.url, '/api/v1/agent/logins', { workstation: '门诊 3' }, agent);
    ({ ctx, p } = await launch(String(login.json.qr), 'login'));
    try {
      await p.waitForSelector('#work:not([hidden])');
      await p.click('#scan-login');
      await p.waitForSelector(`[data-session="${login.json.sessionId}"]`, { timeout: 30_000 });
      await p.fill('#pin', '864200');
      await p.click(`[data-session="${login.json.sessionId}"] button:not(.secondary)`);
      const r = (await (await fetch(`${cloud.url}/api/v1/agent/sessions/${login.json.sessionId}?wait=10`, { headers: agent })).json()) as { status: string; certificate: string };
      expect(r.status).toBe('OK');
      expect(parseCertificate(Buffer.from(r.certificate, 'base64')).subjectText).toContain('serialNumber=H5-CAM');
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('the cloud sends CORS headers to the H5 origin only', async () => {
    const ok = await fetch(`${cloud.url}/api/v1/mobile/transport-key`, { headers: { origin } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    const evil = await fetch(`${cloud.url}/api/v1/mobile/transport-key`, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${cloud.url}/api/v1/mobile/pending`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-medsign-signature' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-medsign-signature');
  });
});
