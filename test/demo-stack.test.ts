/**
 * npm start: the demo stack comes up on a fresh data directory, the demo doctor is logged in
 * and signs through the agent (the phone simulator approving), Ctrl-C stops every process,
 * and a second start reuses the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { toPem } from '@medsign/core';
import { OpensslCli } from '../core/test/openssl-cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = mkdtempSync(join(tmpdir(), 'medsign-demo-'));
const AGENT = 'http://127.0.0.1:17990';
const cli = new OpensslCli();
afterAll(() => {
  rmSync(DATA, { recursive: true, force: true });
  cli.dispose();
});

function startDemo(): { child: ChildProcess; output: () => string; ready: Promise<void>; stop(): Promise<number | null> } {
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, MEDSIGN_DATA_DIR: DATA }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not ready: ${out}`)), 110_000);
    const check = () => {
      if (out.includes('已就绪')) {
        clearTimeout(t);
        resolve();
      } else if (out.includes('demo failed')) {
        clearTimeout(t);
        reject(new Error(out));
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
  });
  return {
    child,
    output: () => out,
    ready,
    // Ctrl-C: SIGINT to the whole process group, as a terminal sends it
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        process.kill(-child.pid!, 'SIGINT');
      }),
  };
}

const post = async (method: string, body: unknown) => (await fetch(`${AGENT}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, any>>;

it('npm start: the demo doctor signs through the agent; Ctrl-C stops it all; a second start reuses the data', async () => {
  const first = startDemo();
  await first.ready;
  expect(first.output()).toContain('first start');
  const users = await post('getUserList', {});
  expect(users.userList).toMatch(/^王医生\|\|[0-9A-F]+&&&$/);
  const certId = users.users[0].certId;
  const text = '病程记录：患者今日查房，生命体征平稳。';
  const signed = await post('signData', { certId, text });
  expect(first.output()).toMatch(/\[phone\] 校验码 code \d{4}/);
  const cert = await post('exportUserCert', { certId });
  cli.write('pub.pem', createPublicKey(toPem(Buffer.from(cert.certificate, 'base64'), 'CERTIFICATE')).export({ type: 'spki', format: 'pem' }));
  cli.write('msg', text);
  cli.write('sig', Buffer.from(signed.signature, 'base64'));
  expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'pub.pem', '-in', 'msg', '-sigfile', 'sig', '-pkeyopt', 'distid:1234567812345678']).out).toMatch(/Signature Verified Successfully/);
  // the EMR example is served, with the SDK, from the origin the agent allows
  expect(first.output()).toContain('http://127.0.0.1:17980/');
  const page = await fetch('http://127.0.0.1:17980/');
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('medsign.iife.js');
  expect((await fetch('http://127.0.0.1:17980/sdk/medsign.iife.js')).status).toBe(200);
  const cors = await fetch(`${AGENT}/v1/getVersion`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:17980' }, body: '{}' });
  expect(cors.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:17980');
  await first.stop();
  await expect(fetch(`${AGENT}/`)).rejects.toThrow(); // the agent is gone
  await expect(fetch('http://127.0.0.1:17900/api/v1/health')).rejects.toThrow(); // and the cloud
  await expect(fetch('http://127.0.0.1:17980/')).rejects.toThrow(); // and the page

  const second = startDemo();
  await second.ready;
  expect(second.output()).toContain('reusing the data');
  expect((await post('getUserList', {})).users[0].certId).toBe(certId);
  await second.stop();
});
