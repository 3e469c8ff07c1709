/**
 * The Windows medsign.dll (mingw-w64), x86 and x64.
 *
 *  1. static, both DLLs: `make dll32 dll64`; objdump -p shows the machine (i386 / x86-64), every
 *     MS_API function of include/medsign.h exported undecorated (no `@N`, no leading `_`), and
 *     imports from system DLLs only (no libgcc_s, libwinpthread); medsign.def matches the header;
 *  2. under wine (x64 only: wine32 is not installable here), build/win64/test_medsign.exe against
 *     a live cloud + agent + auto-approving RSA-2048 doctor, with the Windows ANSI code page 936
 *     (LC_ALL=zh_CN.UTF-8: wine takes the code page from the locale name), so that the A
 *     variants get GBK text; its signature is checked by the openssl CLI over the UTF-8 bytes,
 *     and the same text signed over HTTP and through the JS SDK gives the same signature.
 *     The wine process is spawned asynchronously: the cloud and the agent run in this process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { run, startLiveStack, type LiveStack } from './live-stack.js';
import { WebSocket } from 'ws';
import { MedSignClient } from '../../sdk-js/src/index.js';
import { freePort } from '../../agent/test/processes.js';
import { call } from '../../agent/test/stack.js';

const NATIVE = fileURLToPath(new URL('..', import.meta.url));
const NAME = '李医生';
// the texts test_medsign.c signs through A, by code page: 936 (GBK) lacks 𝄞 and Ünïcödé
const TEXT_FULL = '病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 "q" \\ tab\tend';
const TEXT_GBK = '病程记录：患者今日查房，生命体征平稳。 "q" \\ tab\tend';


const have = async (cmd: string, arg = '--version') => (await run(cmd, [arg], { stdout: 'latin1' }).catch(() => undefined))?.code === 0;

// the MS_API functions of the header, in its order
const headerNames = () => [...readFileSync(`${NATIVE}include/medsign.h`, 'utf8').matchAll(/^MS_API unsigned long MS_CALL (\w+)\(/gm)].map((m) => m[1]!);

function exportsOf(objdumpP: string): string[] {
  const table = objdumpP.split('[Ordinal/Name Pointer] Table')[1] ?? '';
  return [...table.matchAll(/^\s*\[\s*\d+\] (\S+)$/gm)].map((m) => m[1]!);
}

beforeAll(async () => {
  for (const cc of ['x86_64-w64-mingw32-gcc', 'i686-w64-mingw32-gcc'])
    if (!(await have(cc))) throw new Error(`${cc} is required for the Windows DLLs (Debian: apt install mingw-w64)`);
  const make = await run('make', ['-C', NATIVE, 'medsign.def', 'dll32', 'dll64', 'win-tests', 'win-tests32'], { timeoutMs: 120_000, stdout: 'latin1' });
  if (make.code !== 0) throw new Error(`make -C native dll32 dll64 win-tests failed:\n${make.out}\n${make.err}`);
}, 150_000);

describe('medsign.dll, static checks (objdump -p)', () => {
  const names = headerNames();

  it('medsign.def lists every MS_API function of the header, undecorated', () => {
    expect(names.length).toBe(74);
    const def = readFileSync(`${NATIVE}medsign.def`, 'utf8');
    const listed = def.split('EXPORTS')[1]!.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(listed).toEqual(names);
  });

  for (const [arch, dir, objdump, format] of [
    ['x86', 'win32', 'i686-w64-mingw32-objdump', 'pei-i386'],
    ['x64', 'win64', 'x86_64-w64-mingw32-objdump', 'pei-x86-64'],
  ] as const) {
    it(`${arch}: machine, undecorated exports, system imports only`, async () => {
      for (const file of ['medsign.dll', 'test_medsign.exe']) {
        const r = await run(objdump, ['-p', `${NATIVE}build/${dir}/${file}`]);
        expect(r.code).toBe(0);
        expect(r.out).toContain(`file format ${format}`);
        expect(r.out).toMatch(arch === 'x86' ? /^Magic\s+010b\s+\(PE32\)$/m : /^Magic\s+020b\s+\(PE32\+\)$/m);
        const dlls = [...r.out.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!.toLowerCase());
        const allowed = (d: string) => ['kernel32.dll', 'ws2_32.dll', 'msvcrt.dll', 'ucrtbase.dll'].includes(d) || d.startsWith('api-ms-win-') || (file !== 'medsign.dll' && d === 'medsign.dll');
        expect(dlls.filter((d) => !allowed(d))).toEqual([]);
        if (file === 'medsign.dll') {
          expect(dlls).toContain('ws2_32.dll');
          const ex = exportsOf(r.out);
          expect(ex.filter((e) => /@\d+$/.test(e) || e.startsWith('_'))).toEqual([]);
          expect([...ex].sort()).toEqual([...names].sort());
        }
      }
    });
  }
});

// ---- under wine ----
let wine = '';
const wineReady = (async () => {
  for (const w of ['wine64', 'wine']) if (await have(w)) return (wine = w);
  return '';
})();

describe('medsign.dll x64 under wine, against the live agent', () => {
  let live: LiveStack;
  let agent: LiveStack['agent'];
  let certId = '';
  const cli = new OpensslCli();
  let phoneCodes: string[] = [];
  let phoneSummaries: string[] = [];
  const prefix = mkdtempSync(join(tmpdir(), 'medsign-wine-'));

  beforeAll(async () => {
    await wineReady;
    if (!wine) throw new Error('wine is required to run the Windows test program (Debian: apt install wine64)');
    live = await startLiveStack(NAME, cli);
    ({ agent, certId, phoneCodes, phoneSummaries } = live);
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    cli.dispose();
    // the wineserver of this prefix quits by itself 3 s after its last process
    rmSync(prefix, { recursive: true, force: true });
  });

  it('test_medsign.exe passes every check with code page 936; openssl verifies its signatures', async () => {
    const dead = await freePort();
    const sessionsBefore = phoneCodes.length;
    const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', LC_ALL: 'zh_CN.UTF-8', DISPLAY: '' };
    const t0 = Date.now();
    const r = await run(wine, [`${NATIVE}build/win64/test_medsign.exe`, String(agent.port), certId, `hex:${Buffer.from(NAME).toString('hex')}`, String(dead)], { timeoutMs: 80_000, env, stdout: 'latin1' });
    const took = Date.now() - t0;
    const tap = r.out;
    if (r.code !== 0 || process.env.NATIVE_TAP) console.log(tap, r.err);
    console.log(`# wine run (prefix created on first start) ${took} ms`);
    const plan = /^1\.\.(\d+)$/m.exec(tap);
    expect(plan).not.toBeNull();
    expect(tap).not.toMatch(/^not ok/m);
    const oks = tap.match(/^ok \d+ - /gm) ?? [];
    expect(oks.length).toBe(Number(plan![1]));
    expect(oks.length).toBeGreaterThanOrEqual(45);
    expect(r.code).toBe(0);

    const v: Record<string, string> = {};
    for (const m of tap.matchAll(/^# ([a-z-]+) (.*)$/gm)) v[m[1]!] = m[2]!;
    // wine gave the program the Chinese ANSI code page, so the A calls had GBK text
    expect(v.acp).toBe('936');
    expect(v['a-text']).toBe('chinese-gbk');
    // SOF_GetUserList (A) returned the name in GBK (stdout was read as latin1: the raw bytes)
    expect(new TextDecoder('gbk').decode(Buffer.from(v.userlist!, 'latin1'))).toContain(`${NAME}||${certId}&&&`);
    // the A call (GBK in) signed the UTF-8 bytes of the text, and W gave the same signature (checked in C)
    const text = Buffer.from(v['text-hex']!, 'hex').toString('utf8');
    expect(text).toBe(TEXT_GBK);
    cli.write('text.bin', Buffer.from(text, 'utf8'));
    cli.write('text.sig', Buffer.from(v.signature!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'text.sig', 'text.bin'])).out).toMatch(/Verified OK/);
    // the full text (𝄞 is a surrogate pair in UTF-16) through W
    cli.write('full.bin', Buffer.from(TEXT_FULL, 'utf8'));
    cli.write('full.sig', Buffer.from(v['w-signature']!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'full.sig', 'full.bin'])).out).toMatch(/Verified OK/);
    // the attached PKCS#7 (A, GBK in): content = the UTF-8 text
    cli.write('msg.p7', Buffer.from(v['signed-message']!, 'base64'));
    const cms = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'msg.p7', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'msg.out']);
    expect(cms.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('msg.out')).toString('utf8')).toBe(text);
    expect(phoneCodes).toContain(v['verification-code']);
    expect(phoneCodes.length - sessionsBefore).toBe(Number(v['phone-sessions']));
    // MS_SetSignSummary (A, GBK in): the phone showed it, in Unicode, for that one signing call
    const summary = Buffer.from(v['summary-hex']!, 'hex').toString('utf8');
    expect(summary).toBe('医嘱 #1024 张三：阿司匹林 100 mg 口服');
    expect(phoneSummaries.slice(sessionsBefore).filter((x) => x === summary)).toHaveLength(1);

    // the same text through the agent's HTTP API and through the JS SDK: the same bytes are
    // signed (its UTF-8), so RSA PKCS#1 v1.5 gives the same signature as A (GBK in) and W
    const http = await call(agent.url, 'signData', { certId, text: TEXT_GBK });
    expect(http.status).toBe(200);
    expect(http.json.signature).toBe(v.signature);
    const sdk = new MedSignClient({ ports: [agent.port], WebSocket });
    try {
      const r = await sdk.signData({ certId, text: TEXT_GBK });
      expect('signature' in r && r.signature).toBe(v.signature);
    } finally {
      sdk.close();
    }
  }, 90_000);
});
