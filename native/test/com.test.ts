/**
 * The COM automation server medsign_com.dll (ProgID MedSign.SOF), x86 and x64.
 *
 *  1. static, both DLLs (`make com32 com64`, widl + windres + mingw-w64): the machine, exactly the
 *     five COM exports (DllInstall: per-user registration), system imports only, widl's type
 *     library embedded;
 *  2. under wine (x64 only: wine32 is not installable here), in a fresh WINEPREFIX:
 *     `regsvr32` registers it (the ProgID, the CLSID's InprocServer32, the type library); then
 *     - build/win64/com_client.exe (C) creates MedSign.SOF by ProgID and calls it through
 *       IDispatch::GetIDsOfNames/Invoke and through the dual vtable;
 *     - wine's cscript runs native/test/com_test.vbs, as a VB6/ASP page would, and the shipped
 *       sample bindings/vb6/com-sample.vbs;
 *     both against a live cloud + agent + auto-approving RSA-2048 doctor, and the openssl CLI
 *     checks what they signed; `regsvr32 /u` removes the registration again.
 * Wine is spawned asynchronously: the cloud and the agent run in this process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { freePort } from '../../agent/test/processes.js';
import { run, startLiveStack, type LiveStack } from './live-stack.js';

const NATIVE = fileURLToPath(new URL('..', import.meta.url));
const NAME = '赵医生';
const TEXT = '出院小结：患者恢复良好，准予出院。 "q" \\ Ünïcödé 𝄞';
const VBS_TEXT = '护理记录：体温 36.8℃，患者安睡。Ünïcödé 𝄞';
const CLSID = '{16BF4ED0-A3FE-40F5-BC7A-2C73D8D5B9CA}';
const COM_IMPORTS = ['kernel32.dll', 'ws2_32.dll', 'msvcrt.dll', 'ole32.dll', 'oleaut32.dll', 'advapi32.dll'];

const have = async (cmd: string, arg = '--version') => (await run(cmd, [arg]).catch(() => undefined))?.code === 0;
const winPath = (p: string) => `Z:${p.replace(/\//g, '\\')}`;
const tap = (out: string) => {
  const plan = /^1\.\.(\d+)$/m.exec(out);
  const oks = out.match(/^ok \d+ - /gm) ?? [];
  const values: Record<string, string> = {};
  for (const m of out.matchAll(/^# ([a-z-]+) (.*?)\r?$/gm)) values[m[1]!] = m[2]!;
  return { planned: plan ? Number(plan[1]) : -1, ok: oks.length, notOk: out.match(/^not ok .*$/gm) ?? [], values };
};

beforeAll(async () => {
  for (const tool of ['x86_64-w64-mingw32-widl', 'i686-w64-mingw32-widl'])
    if (!(await have(tool, '-V'))) throw new Error(`${tool} is required for the COM server's type library (Debian: apt install mingw-w64-tools)`);
  const make = await run('make', ['-C', NATIVE, 'com32', 'com64'], { timeoutMs: 120_000 });
  if (make.code !== 0) throw new Error(`make -C native com32 com64 failed (oaidl.idl comes from Debian libwine-dev):\n${make.out}\n${make.err}`);
}, 150_000);

describe('medsign_com.dll, static checks (objdump -p)', () => {
  for (const [arch, dir, objdump, format] of [
    ['x86', 'win32', 'i686-w64-mingw32-objdump', 'pei-i386'],
    ['x64', 'win64', 'x86_64-w64-mingw32-objdump', 'pei-x86-64'],
  ] as const) {
    it(`${arch}: machine, the five COM exports, system imports, the type library embedded`, async () => {
      const dll = `${NATIVE}build/${dir}/medsign_com.dll`;
      const r = await run(objdump, ['-p', dll]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`file format ${format}`);
      const table = r.out.split('[Ordinal/Name Pointer] Table')[1] ?? '';
      const exported = [...table.matchAll(/^\s*\[\s*\d+\] (\S+)$/gm)].map((m) => m[1]!);
      expect(exported.sort()).toEqual(['DllCanUnloadNow', 'DllGetClassObject', 'DllInstall', 'DllRegisterServer', 'DllUnregisterServer']);
      const dlls = [...r.out.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!.toLowerCase());
      expect(dlls.filter((d) => !COM_IMPORTS.includes(d))).toEqual([]);
      expect(dlls).toEqual(expect.arrayContaining(['ole32.dll', 'oleaut32.dll', 'ws2_32.dll']));
      // widl's type library for this architecture is in the DLL's resources, byte for byte
      const tlb = readFileSync(`${NATIVE}build/${dir}/com/medsign_com.tlb`);
      expect(tlb.subarray(0, 4).toString('latin1')).toBe('MSFT');
      expect(readFileSync(dll).indexOf(tlb)).toBeGreaterThan(0);
    });
  }
});

describe('MedSign.SOF x64 under wine: regsvr32, a C IDispatch client, cscript', () => {
  let wine = '';
  let live: LiveStack;
  let certId = '';
  const cli = new OpensslCli();
  const prefix = mkdtempSync(join(tmpdir(), 'medsign-com-'));
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', LC_ALL: 'zh_CN.UTF-8', DISPLAY: '' };
  const dll = winPath(`${NATIVE}build/win64/medsign_com.dll`);

  beforeAll(async () => {
    for (const w of ['wine64', 'wine']) if (!wine && (await have(w))) wine = w;
    if (!wine) throw new Error('wine is required to run the COM server (Debian: apt install wine64)');
    live = await startLiveStack(NAME, cli);
    certId = live.certId;
    cli.write('text.bin', Buffer.from(TEXT, 'utf8'));
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    cli.dispose();
    rmSync(prefix, { recursive: true, force: true });
  });

  it('regsvr32 registers the ProgID, the CLSID and the type library', async () => {
    const r = await run(wine, ['regsvr32', dll], { env, timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    const progId = await run(wine, ['reg', 'query', 'HKCR\\MedSign.SOF\\CLSID'], { env });
    expect(progId.out).toContain(CLSID);
    const inproc = await run(wine, ['reg', 'query', `HKCR\\CLSID\\${CLSID}\\InprocServer32`], { env });
    expect(inproc.out).toContain('medsign_com.dll');
    expect(inproc.out).toMatch(/ThreadingModel\s+REG_SZ\s+Both/);
    const typelib = await run(wine, ['reg', 'query', 'HKCR\\TypeLib\\{6C59B42F-E7EF-4FDC-AD70-E0C21E4687D7}\\1.0'], { env });
    expect(typelib.code).toBe(0);
    expect(typelib.out).toContain('MedSign SOF 1.0 Type Library');
  }, 120_000);

  it('a C client through IDispatch::Invoke and the vtable: every check passes, openssl verifies', async () => {
    const dead = await freePort();
    const before = live.phoneCodes.length;
    const r = await run(wine, [`${NATIVE}build/win64/com_client.exe`, String(live.agent.port), certId, Buffer.from(TEXT).toString('hex'), String(dead)], { env, timeoutMs: 90_000 });
    const t = tap(r.out);
    if (r.code !== 0) console.log(r.out, r.err);
    expect(t.notOk).toEqual([]);
    expect(t.ok).toBe(t.planned);
    expect(t.ok).toBeGreaterThanOrEqual(26);
    expect(r.code).toBe(0);
    // the raw signature, over the UTF-8 bytes of the text (the BSTR went in as UTF-16)
    cli.write('com.sig', Buffer.from(t.values.signature!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'com.sig', 'text.bin'])).out).toMatch(/Verified OK/);
    // phone approvals: login, SignData (IDispatch), SignData (vtable), SignMessage, SignBatch
    expect(live.phoneCodes.length - before).toBe(5);
    // MS_SetSignSummary before SignMessage: the phone showed it for that call only
    expect(live.phoneSummaries.slice(before)[3]).toBe('出院小结 #77');
    expect(live.phoneSummaries.slice(before).filter((x) => x === '出院小结 #77')).toHaveLength(1);
    // the same text over the agent's HTTP API gives the same RSA PKCS#1 v1.5 signature
    const http = await fetch(`${live.agent.url}/v1/signData`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ certId, text: TEXT }) });
    expect(((await http.json()) as { signature: string }).signature).toBe(t.values.signature);
    // the attached PKCS#7: content = the UTF-8 text
    cli.write('com.p7', Buffer.from(t.values['signed-message']!, 'base64'));
    const cms = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'com.p7', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'com.out']);
    expect(cms.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('com.out')).toString('utf8')).toBe(TEXT);
    // the batch: three signatures over 医嘱 1..3, one phone approval for all
    const batch = t.values.batch!.split('|');
    expect(batch).toHaveLength(3);
    cli.write('b3.bin', Buffer.from('医嘱 3', 'utf8'));
    cli.write('b3.sig', Buffer.from(batch[2]!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'b3.sig', 'b3.bin'])).out).toMatch(/Verified OK/);
    // the agent's message for the unknown certId reached the client, Chinese and English
    expect(t.values.errmsg).toMatch(/[\u4e00-\u9fff].*\(.*[A-Za-z]/);
  }, 120_000);

  it('wine cscript runs a VBScript client (CreateObject, SOF_SignData, SOF_GetLastError)', async () => {
    // the text goes in as a command-line argument: wine converts it from UTF-8 with a UTF-8 locale
    // (zh_CN.UTF-8 is not installed on the host, and then wine's conversion loses characters);
    // no quotes or backslashes, which the Windows command-line quoting would change
    const text = VBS_TEXT;
    cli.write('vbs.bin', Buffer.from(text, 'utf8'));
    const r = await run(wine, ['cscript', '//nologo', winPath(`${NATIVE}test/com_test.vbs`), String(live.agent.port), certId, text], { env: { ...env, LC_ALL: 'C.UTF-8' }, timeoutMs: 90_000 });
    const t = tap(r.out);
    if (r.code !== 0 || t.planned < 0) console.log(r.out, r.err);
    expect(t.notOk).toEqual([]);
    expect(t.ok).toBe(t.planned);
    expect(t.ok).toBeGreaterThanOrEqual(13);
    expect(r.code).toBe(0);
    cli.write('vbs.sig', Buffer.from(t.values.signature!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'vbs.sig', 'vbs.bin'])).out).toMatch(/Verified OK/);
    cli.write('vbs.p7', Buffer.from(t.values.detached!, 'base64'));
    const cms = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'vbs.p7', '-content', 'vbs.bin', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any']);
    expect(cms.out).toMatch(/Verification successful/);
  }, 120_000);

  it('the VB6/VBScript sample of the bindings (bindings/vb6/com-sample.vbs) runs as shipped', async () => {
    const text = VBS_TEXT;
    const r = await run(wine, ['cscript', '//nologo', winPath(`${NATIVE}../bindings/vb6/com-sample.vbs`), certId, text, String(live.agent.port)], { env: { ...env, LC_ALL: 'C.UTF-8' }, timeoutMs: 90_000 });
    if (r.code !== 0) console.log(r.out, r.err);
    expect(r.code).toBe(0);
    const line = (name: string) => new RegExp(`^${name} (.*?)\r?$`, 'm').exec(r.out)?.[1];
    expect(line('verified')).toBe('True');
    expect(line('lasterror')).toBe('0');
    expect(line('users')).toContain(`${certId}&&&`);
    cli.write('sample.sig', Buffer.from(line('signature')!, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sample.sig', 'vbs.bin'])).out).toMatch(/Verified OK/);
  }, 120_000);

  it('regsvr32 /n /i:user registers for this user only (HKCU\\Software\\Classes, no administrator), /u /n /i:user removes it; another /i: argument is refused', async () => {
    const user = 'HKCU\\Software\\Classes';
    expect((await run(wine, ['regsvr32', '/n', '/i:user', dll], { env, timeoutMs: 60_000 })).code).toBe(0);
    expect((await run(wine, ['reg', 'query', `${user}\\MedSign.SOF\\CLSID`], { env })).out).toContain(CLSID);
    const inproc = await run(wine, ['reg', 'query', `${user}\\CLSID\\${CLSID}\\InprocServer32`], { env });
    expect(inproc.out).toContain('medsign_com.dll');
    expect(inproc.out).toMatch(/ThreadingModel\s+REG_SZ\s+Both/);
    expect((await run(wine, ['regsvr32', '/n', '/i:machine', dll], { env, timeoutMs: 60_000 })).code).not.toBe(0);
    expect((await run(wine, ['regsvr32', '/u', '/n', '/i:user', dll], { env, timeoutMs: 60_000 })).code).toBe(0);
    expect((await run(wine, ['reg', 'query', `${user}\\MedSign.SOF`], { env })).code).not.toBe(0);
    expect((await run(wine, ['reg', 'query', `${user}\\CLSID\\${CLSID}`], { env })).code).not.toBe(0);
    // (wine 8 does not merge HKCU\Software\Classes into HKCR as Windows does, so creating the
    // object from the per-user keys alone is not run here; the machine registration above is)
  }, 120_000);

  it('regsvr32 /u removes the registration', async () => {
    const r = await run(wine, ['regsvr32', '/u', dll], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect((await run(wine, ['reg', 'query', 'HKCR\\MedSign.SOF'], { env })).code).not.toBe(0);
    expect((await run(wine, ['reg', 'query', `HKCR\\CLSID\\${CLSID}`], { env })).code).not.toBe(0);
  }, 90_000);
});
