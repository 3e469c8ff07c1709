/**
 * The IIFE builds as a page without a bundler loads them: each defines its global and nothing
 * breaks at load; the main bundle stays within 15 KB min+gzip (the QR helper is optional).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

const dist = (f: string) => readFileSync(fileURLToPath(new URL(`../dist/${f}`, import.meta.url)));

it('medsign.iife.js defines window.MedSign with the client, errors, the SOF facade and every method, in ≤ 15 KB min+gzip', () => {
  const code = dist('medsign.iife.js');
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`medsign.iife.js: ${code.length} bytes min, ${gz} bytes min+gzip`);
  expect(gz).toBeLessThanOrEqual(15 * 1024);
  const window: Record<string, any> = {};
  runInNewContext(code.toString(), Object.assign(window, { window, self: window, globalThis: window, setTimeout, clearTimeout }));
  const M = window.MedSign;
  expect(typeof M.MedSignClient).toBe('function');
  expect(typeof M.installSof).toBe('function');
  const client = new M.MedSignClient({ ports: [1] });
  for (const m of M.METHODS) expect(typeof client[m], m).toBe('function');
  const target: Record<string, unknown> = {};
  M.installSof(client, target);
  expect(Object.keys(target).filter((k) => k.startsWith('SOF_')).length).toBeGreaterThanOrEqual(23);
});

it('medsign-qr.iife.js defines window.MedSignQr.qrLogin', () => {
  const window: Record<string, any> = {};
  runInNewContext(dist('medsign-qr.iife.js').toString(), Object.assign(window, { window, self: window, globalThis: window }));
  expect(typeof window.MedSignQr.qrLogin).toBe('function');
});
