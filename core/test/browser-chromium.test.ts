/**
 * The phone's H5 path in a real browser: core's browser entry, bundled for the browser (so any
 * stray Node import fails the build), runs in Debian's Chromium on a loopback page. The page
 * plays the phone; this Node process plays the cloud; OpenSSL (node:crypto) checks the results.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudRsaSignRespond,
  cloudSignRespond,
  fromHex,
  pointFromHex,
  sm2Digest,
  sm2PublicKeyToSpki,
  toBase64Url,
  toHex,
  useRuntime,
  verificationCode,
  type CloudRsaShare,
} from '../src/api.js';
import { nodeRuntime } from '../src/runtime/node.js';

let server: Server;
let browser: Browser;
let page: Page;
let bundleBytes = 0;

beforeAll(async () => {
  useRuntime(nodeRuntime);
  const out = await build({
    entryPoints: [fileURLToPath(new URL('../src/browser.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'MedSignCore',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const script = out.outputFiles[0]!.text;
  bundleBytes = Buffer.byteLength(script);
  server = createServer((req, res) => {
    if (req.url === '/core.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>phone</title><script src="/core.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('core in Chromium (the H5 phone app path)', () => {
  it('the browser bundle has the portable runtime and no Node built-ins', async () => {
    expect(bundleBytes).toBeGreaterThan(10_000);
    const info = await page.evaluate(() => {
      const core = (window as unknown as { MedSignCore: { runtime(): { name: string; sm2: { backend: string } } } }).MedSignCore;
      return { name: core.runtime().name, backend: core.runtime().sm2.backend, secure: window.isSecureContext };
    });
    expect(info).toEqual({ name: 'portable', backend: 'noble', secure: true });
  });

  it('SM3 and the GB/T 32918.5 SM2 example check out inside the browser', async () => {
    const r = await page.evaluate(() => {
      const c = (window as any).MedSignCore;
      const P = c.pointFromHex(
        '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
      );
      const e = c.sm2Digest(P, c.utf8('message digest'));
      return {
        abc: c.toHex(c.sm3(c.utf8('abc'))),
        abcd16: c.toHex(c.sm3(c.utf8('abcd'.repeat(16)))),
        za: c.toHex(c.computeZa(P)),
        e: c.toHex(e),
        verifies: c.sm2VerifyDigest(P, e, {
          r: BigInt('0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3'),
          s: BigInt('0xb1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa'),
        }),
      };
    });
    expect(r).toEqual({
      abc: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
      abcd16: 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
      za: 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3',
      e: 'f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640',
      verifies: true,
    });
  });

  it('Chromium as the phone and Node as the cloud: SM2 key generation and a batch co-signature that OpenSSL accepts', async () => {
    const sessionId = 'chromium-kg-1';
    const cloudState = cloudKeygenOpen(sessionId);
    const hello = await page.evaluate((sid) => {
      const w = window as any;
      const s = w.MedSignCore.phoneKeygenStart(sid);
      w.kgState = s.state;
      return JSON.stringify(s.message);
    }, sessionId);
    const reply = cloudKeygenRespond(cloudState, JSON.parse(hello));
    const confirm = await page.evaluate((r) => {
      const w = window as any;
      const f = w.MedSignCore.phoneKeygenFinish(w.kgState, JSON.parse(r));
      w.share = f.share;
      return JSON.stringify(f.message);
    }, JSON.stringify(reply));
    const cloud = cloudKeygenConfirm(cloudState, JSON.parse(confirm));

    // the agent's side: messages and digests e = SM3(Z_A ‖ M), with OpenSSL's default (empty) ID for node:crypto
    const messages = ['病程记录 progress note', '手术记录 operation note', '护理记录 nursing note'].map((m) => new TextEncoder().encode(m));
    const P = pointFromHex(cloud.publicKey);
    const digests = messages.map((m) => toHex(sm2Digest(P, m, '')));
    const signId = 'chromium-sign-1';
    const commit = await page.evaluate(
      ([sid, ds]) => {
        const w = window as any;
        const s = w.MedSignCore.phoneSignStart({ sessionId: sid, digests: ds });
        w.signState = s.state;
        return { message: JSON.stringify(s.message), code: w.MedSignCore.verificationCode(ds.map(w.MedSignCore.fromHex)) };
      },
      [signId, digests] as const,
    );
    expect(commit.code).toBe(verificationCode(digests.map((d) => fromHex(d)))); // same code on both screens
    const cloudReply = cloudSignRespond(cloud, { sessionId: signId, digests, step: 'awaiting-phone-commit' }, JSON.parse(commit.message));
    const sigs = await page.evaluate((r) => {
      const w = window as any;
      return w.MedSignCore.phoneSignFinish(w.share, w.signState, JSON.parse(r)).map((s: { r: bigint; s: bigint }) =>
        w.MedSignCore.toHex(w.MedSignCore.encodeSm2SignatureDer(s)),
      );
    }, JSON.stringify(cloudReply));
    const pub = createPublicKey({ key: Buffer.from(sm2PublicKeyToSpki(P)), format: 'der', type: 'spki' });
    expect(sigs).toHaveLength(3);
    sigs.forEach((der: string, i: number) => expect(verify(null, messages[i]!, pub, fromHex(der))).toBe(true));
  });

  it('Chromium deals a mediated RSA-2048 key with WebCrypto and co-signs with Node', async () => {
    const dealt = await page.evaluate(async () => {
      const w = window as any;
      const shares = await w.MedSignCore.rsaDealerSplit(2048);
      w.rsaPhone = shares.phone;
      return JSON.stringify(shares.cloud);
    });
    const cloudShare = JSON.parse(dealt) as CloudRsaShare;
    const message = new TextEncoder().encode('检查报告 imaging report');
    const digest = createHash('sha256').update(message).digest('hex');
    const sessionId = 'chromium-rsa-1';
    const request = await page.evaluate(
      ([sid, d]) => {
        const w = window as any;
        const s = w.MedSignCore.phoneRsaSignStart({ sessionId: sid, hash: 'sha256', digests: [d] });
        w.rsaState = s.state;
        return JSON.stringify(s.message);
      },
      [sessionId, digest] as const,
    );
    const reply = cloudRsaSignRespond(cloudShare, { sessionId, hash: 'sha256', digests: [digest], step: 'awaiting-phone-request' }, JSON.parse(request));
    const sig = await page.evaluate((r) => {
      const w = window as any;
      return w.MedSignCore.toHex(w.MedSignCore.phoneRsaSignFinish(w.rsaPhone, w.rsaState, JSON.parse(r))[0]);
    }, JSON.stringify(reply));
    const pub = createPublicKey({ key: { kty: 'RSA', n: toBase64Url(fromHex(cloudShare.n)), e: toBase64Url(fromHex(cloudShare.e.padStart(6, '0'))) }, format: 'jwk' });
    expect(verify('sha256', message, pub, fromHex(sig))).toBe(true);
  });

  it('the browser verifies an SM2 CMS signature and reads its certificate (pure-TS path)', async () => {
    const { makeCa, issueStaff } = await import('./pki-fixtures.js');
    const { signMessage } = await import('../src/cms/signed-data.js');
    const ca = await makeCa('sm2', 'Browser Root');
    const staff = await issueStaff('sm2', ca);
    const content = new TextEncoder().encode('检验报告 lab report');
    const cms = await signMessage({ content, signer: staff.signer, certificate: staff.der, profile: 'gmt0010' });
    const result = await page.evaluate(
      ([cmsHex, caHex]) => {
        const c = (window as any).MedSignCore;
        const der = c.fromHex(cmsHex);
        const v = c.verifySignedMessage(der);
        const tampered = der.slice();
        tampered[der.length - 10] ^= 1; // inside the signature value
        const report = c.validateSignedMessage(der, { trustAnchors: [c.fromHex(caHex)] });
        return { valid: v.valid, subject: v.signerCertificate?.subjectText, tampered: c.verifySignedMessage(tampered).valid, indication: report.indication };
      },
      [toHex(cms), toHex(ca.der)] as const,
    );
    expect(result).toEqual({ valid: true, subject: staff.cert.subjectText, tampered: false, indication: 'TOTAL_PASSED' });
  });
});
