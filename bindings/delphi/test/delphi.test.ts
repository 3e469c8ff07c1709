/**
 * bindings/delphi/MedSign.pas:
 *  1. it is what the generator makes from the header today (no drift), every export of the
 *     header is declared with the matching Pascal types, and the constants have the header's values;
 *  2. a program using the unit (test/medsign_unit_test.dpr) is compiled with `fpc -Mdelphi`
 *     against native/build/libmedsign.so and run against the live stack (a cloud, the agent and
 *     an auto-approving RSA-2048 doctor, all in this process: the program runs with spawn, never
 *     spawnSync). openssl checks its signature over the UTF-8 bytes and its CMS.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { call } from '../../../agent/test/stack.js';
import { run, startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';
import { generate } from '../../gen-declarations.js';
import { CONSTANTS, EXPORTS, HEADER, ROOT } from './c-header.js';

const UNIT = `${ROOT}bindings/delphi/MedSign.pas`;

describe('MedSign.pas is generated from the header', () => {
  const unit = readFileSync(UNIT, 'utf8');

  it('equals the generator output for the current header (run npx tsx bindings/gen-declarations.ts)', () => {
    expect(unit).toBe(generate(HEADER)['bindings/delphi/MedSign.pas']);
    expect(unit.split('\n')[0]).toMatch(/^\{ generated from native\/include\/medsign\.h by bindings\/gen-declarations\.ts -- do not edit/);
  });

  it('declares every export with the C parameter types, stdcall on Windows, under its own name', () => {
    const pas: Record<string, string> = {
      'const char *': 'PAnsiChar',
      'char *': 'PAnsiChar',
      'const wchar_t *': 'PMSWideChar',
      'wchar_t *': 'PMSWideChar',
      long: 'MSLong',
      'long *': 'var MSLong',
    };
    const decls = new Map<string, string>();
    for (const m of unit.matchAll(/^function (\w+)(?:\((.*?)\))?: MSULong; \{\$IFDEF MSWINDOWS\}stdcall\{\$ELSE\}cdecl\{\$ENDIF\}; external MEDSIGN_LIB name '(\w+)';$/gm)) {
      expect(m[3]).toBe(m[1]);
      expect(decls.has(m[1]!)).toBe(false);
      decls.set(m[1]!, m[2] ?? '');
    }
    expect(decls.size).toBe(EXPORTS.length);
    for (const e of EXPORTS) {
      const params = decls.get(e.name);
      expect(params, e.name).toBeDefined();
      const got = params ? params.split('; ').map((p) => p.replace(/^(var )?\w+: (\w+)$/, '$1$2')) : [];
      expect(got, e.name).toEqual(e.params.map((p) => pas[p.type] ?? `?${p.type}`));
    }
    // C long is the platform's: 32-bit on Windows, 64-bit on LP64
    expect(unit).toMatch(/MSLong = \{\$IFDEF MSWINDOWS\}Longint\{\$ELSE\}\{\$IFDEF FPC\}PtrInt/);
    expect(unit).toMatch(/MEDSIGN_LIB = \{\$IFDEF MSWINDOWS\}'medsign\.dll'\{\$ELSE\}'libmedsign\.so'\{\$ENDIF\}/);
  });

  it('has every constant with the header value', () => {
    const pasConst = new Map<string, string>();
    for (const m of unit.matchAll(/^ {2}((?:SOR|SGD|MS)_\w+) = (\$[0-9A-F]+|\d+|\w+);/gm)) pasConst.set(m[1]!, m[2]!);
    expect([...pasConst.keys()].sort()).toEqual([...CONSTANTS.keys()].sort());
    for (const [name, value] of CONSTANTS) {
      const raw = pasConst.get(name)!;
      const v = raw.startsWith('$') ? parseInt(raw.slice(1), 16) : /^\d/.test(raw) ? Number(raw) : CONSTANTS.get(raw);
      expect(v, name).toBe(value);
    }
  });

  it('is ASCII (Delphi 7 reads source in the ANSI code page)', () => {
    expect(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(unit)).toBe(true);
  });
});

describe('a Free Pascal (-Mdelphi) program using MedSign.pas against the live agent', () => {
  const NAME = '王医生';
  const TEXT = '影像报告：胸部CT平扫未见明显异常。\r\n诊断医师签名 "q" \\ tab\tend';
  const cli = new OpensslCli();
  const build = mkdtempSync(join(tmpdir(), 'medsign-delphi-'));
  let live: LiveStack | undefined;

  beforeAll(async () => {
    const make = await run('make', ['-C', `${ROOT}native`]).catch((e: Error) => ({ code: -1, out: '', err: `make: ${e.message} (Debian: apt install gcc make)` }));
    if (make.code !== 0) throw new Error(`make -C native failed:\n${make.out}\n${make.err}`);
    const fpc = await run('fpc', ['-Mdelphi', `-Fu${ROOT}bindings/delphi`, `-Fl${ROOT}native/build`, `-k-rpath=${ROOT}native/build`, `-FU${build}`, `-o${build}/medsign_unit_test`, `${ROOT}bindings/delphi/test/medsign_unit_test.dpr`]).catch(
      (e: Error) => ({ code: -1, out: '', err: e.message }),
    );
    if (fpc.code !== 0) throw new Error(`fpc (Debian: apt install fpc) failed:\n${fpc.out}\n${fpc.err}`);
    live = await startLiveStack(NAME, cli);
  });

  afterAll(async () => {
    await live?.stop();
    cli.dispose();
    rmSync(build, { recursive: true, force: true });
  });

  it('signs and verifies through TMedSign, signs a CMS through a too-small buffer, raises EMedSign; openssl agrees', async () => {
    const { agent, certId, phoneCodes } = live!;
    const before = phoneCodes.length;
    const r = await run(`${build}/medsign_unit_test`, [String(agent.port), certId, NAME, TEXT], { timeoutMs: 90_000 });
    if (r.code !== 0) console.log(r.out, r.err);
    expect(r.out).not.toMatch(/^not ok/m);
    const plan = /^1\.\.(\d+)$/m.exec(r.out);
    expect(plan).not.toBeNull();
    expect(r.out.match(/^ok \d+ - /gm)).toHaveLength(Number(plan![1]));
    expect(Number(plan![1])).toBe(19);
    expect(r.code).toBe(0);
    const v = Object.fromEntries([...r.out.matchAll(/^# (\w+) (.*)$/gm)].map((m) => [m[1]!, m[2]!]));

    expect(v.version).toBe((await call(agent.url, 'getVersion')).json.version);
    // the error carries the library's message: Chinese, English in brackets
    expect(v.error).toMatch(/^SOF_SignData: SOR_CertNotFountErr \(0x0B000310\) .*[\u4e00-\u9fff].*\(.*[a-z].*\)/);

    // the raw signature, over exactly the UTF-8 bytes of the text
    cli.write('delphi.txt', Buffer.from(TEXT, 'utf8'));
    cli.write('delphi.sig', Buffer.from(v.signature!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'delphi.sig', 'delphi.txt'])).out).toMatch(/Verified OK/);
    cli.write('delphi-changed.txt', Buffer.from(TEXT.replace('未见', '可见'), 'utf8'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'delphi.sig', 'delphi-changed.txt'])).ok).toBe(false);

    // the attached CMS, by openssl cms, its content the UTF-8 text
    cli.write('delphi.p7', Buffer.from(v.cms!, 'base64'));
    const cms = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'delphi.p7', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'delphi.out']);
    expect(cms.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('delphi.out')).toString('utf8')).toBe(TEXT);

    // two approvals: SignData (size query + call) and SignMessage (too small + retry), once each
    expect(phoneCodes.length - before).toBe(2);
  });
});
