/**
 * The .NET client (bindings/dotnet) against the live stack: a cloud and the agent in this
 * process, and an RSA-2048 doctor whose phone approves every session after 250 ms.
 *
 *  1. `make -C bindings/dotnet` builds build/MedSign.dll (mcs, .NET Framework 4.0 reference
 *     assemblies) and the TAP test runner build/MedSign.Tests.exe; Mono is required;
 *  2. the runner runs under mono as a child process (spawn through run(), never spawnSync: the
 *     cloud and the agent live in this process's event loop) and must print only `ok` lines,
 *     as many as its plan;
 *  3. what it signed is checked by the openssl CLI, not by the agent: raw signatures with
 *     `openssl dgst -verify`, the CMS with `openssl cms -verify` against the RSA root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { freePort } from '../../../agent/test/processes.js';
import { run, startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';

const DOTNET = fileURLToPath(new URL('..', import.meta.url));
const NAME = '检验科李医生';
const TEXT = '病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 "q" \\ tab\tend\r\n';

const cli = new OpensslCli();
let live: LiveStack;
let tap = '';
let elapsedMs = 0;

async function need(cmd: string, args: string[], hint: string) {
  const r = await run(cmd, args).catch(() => undefined);
  if (!r || r.code !== 0) throw new Error(`${cmd} is required for bindings/dotnet (${hint}); it was not found on the PATH`);
}

beforeAll(async () => {
  await need('mcs', ['--version'], 'Debian: apt install mono-devel');
  await need('mono', ['--version'], 'Debian: apt install mono-devel');
  const make = await run('make', ['-C', DOTNET], { timeoutMs: 120_000 }).catch((e: Error) => ({ code: -1, out: '', err: `make: ${e.message}` }));
  if (make.code !== 0) throw new Error(`make -C bindings/dotnet failed:\n${make.out}\n${make.err}`);
  live = await startLiveStack(NAME, cli);
  const started = Date.now();
  const r = await run('mono', [join(DOTNET, 'build/MedSign.Tests.exe')], {
    timeoutMs: 150_000,
    env: {
      ...process.env,
      MEDSIGN_AGENT_PORT: String(live.agent.port),
      MEDSIGN_DEAD_PORT: String(await freePort()),
      MEDSIGN_CERT_ID: live.certId,
      MEDSIGN_NAME: NAME,
      MEDSIGN_OUT_DIR: join(cli.dir, 'out'),
    },
  });
  elapsedMs = Date.now() - started;
  tap = r.out;
  if (r.code !== 0 || process.env.DOTNET_TAP) console.log(r.out, r.err);
  if (r.err) console.log(r.err);
}, 300_000);

afterAll(async () => {
  await live?.stop();
  cli.dispose();
});

const value = (key: string) => new RegExp(`^# ${key} (\\S+)$`, 'm').exec(tap)?.[1];
const out = (name: string) => `out/${name}`;
const dgst = (hash: string, sig: string, data: string) => cli.runAsync(['dgst', `-${hash}`, '-verify', 'pub.pem', '-signature', out(sig), out(data)]);

describe('MedSign.Tests.exe (mono) against the live agent', () => {
  it('prints a TAP plan and only ok lines, as many as planned', () => {
    const plan = /^1\.\.(\d+)$/m.exec(tap);
    expect(plan, tap).not.toBeNull();
    expect(tap).not.toMatch(/^not ok/m);
    const oks = tap.match(/^ok \d+ - /gm) ?? [];
    expect(oks.length).toBe(Number(plan![1]));
    expect(oks.length).toBeGreaterThanOrEqual(28);
    console.log(`MedSign.Tests.exe: ${oks.length} ok in ${elapsedMs} ms`);
  });

  it('the verification codes it saw are the codes the phone showed', () => {
    expect(live.phoneCodes).toContain(value('verification-code'));
    expect(live.phoneCodes).toContain(value('login-code'));
  });

  it('the exported certificate is the doctor\'s', () => {
    const pem = readFileSync(join(cli.dir, 'out/cert.der')).toString('base64');
    expect(live.certPem.replace(/-----[A-Z ]+-----|\s/g, '')).toBe(pem);
  });
});

describe('openssl checks what the .NET client signed', () => {
  it('raw signatures: text (its UTF-8 bytes), binary, SHA-1, a batch', async () => {
    expect(readFileSync(join(cli.dir, 'out/text.bin'), 'utf8')).toBe(TEXT);
    expect((await dgst('sha256', 'text.sig', 'text.bin')).out).toMatch(/Verified OK/);
    expect((await dgst('sha256', 'binary.sig', 'binary.bin')).out).toMatch(/Verified OK/);
    expect((await dgst('sha1', 'sha1.sig', 'text.bin')).out).toMatch(/Verified OK/);
    for (let i = 0; i < 5; i++) expect((await dgst('sha256', `batch-${i}.sig`, `batch-${i}.bin`)).out).toMatch(/Verified OK/);
    // the other way round: openssl refuses a signature over other bytes
    expect((await dgst('sha256', 'text.sig', 'binary.bin')).ok).toBe(false);
    expect((await dgst('sha256', 'binary.sig', 'text.bin')).ok).toBe(false);
  });

  it('CMS: attached (content = the text), detached over binary data, batch cms; the tampered one fails', async () => {
    const cms = (args: string[]) => cli.runAsync(['cms', '-verify', '-inform', 'DER', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', ...args]);
    const attached = await cms(['-in', out('attached.p7'), '-out', out('attached.out'), '-signer', out('signer.pem')]);
    expect(attached.out).toMatch(/Verification successful/);
    expect(readFileSync(join(cli.dir, 'out/attached.out'), 'utf8')).toBe(TEXT);
    // the signer is the doctor
    expect(readFileSync(join(cli.dir, 'out/signer.pem'), 'utf8').trim()).toBe(live.certPem.trim());
    expect((await cms(['-in', out('detached.p7'), '-content', out('detached.bin'), '-out', out('detached.out')])).out).toMatch(/Verification successful/);
    expect((await cms(['-in', out('detached.p7'), '-content', out('text.bin'), '-out', out('x.out')])).ok).toBe(false);
    expect((await cms(['-in', out('batch-cms-0.p7'), '-out', out('batch.out')])).out).toMatch(/Verification successful/);
    expect(readFileSync(join(cli.dir, 'out/batch.out'))).toEqual(readFileSync(join(cli.dir, 'out/batch-cms-0.bin')));
    const tampered = await cms(['-in', out('attached-tampered.p7'), '-out', out('t.out')]);
    expect(tampered.ok).toBe(false);
    expect(tampered.out).toMatch(/digest failure|verification failure/i);
  });

  it('the timestamp reply parses in openssl ts and answers the request', async () => {
    const r = await cli.runAsync(['ts', '-reply', '-in', out('ts.tsr'), '-text']);
    expect(r.ok).toBe(true);
    expect(r.out).toMatch(/Status: Granted/);
    const q = await cli.runAsync(['ts', '-query', '-in', out('ts.tsq'), '-text']);
    const nonce = /Nonce: (0x[0-9A-F]+)/i.exec(q.out)?.[1];
    expect(nonce).toBeDefined();
    expect(r.out).toContain(`Nonce: ${nonce}`);
  });
});
