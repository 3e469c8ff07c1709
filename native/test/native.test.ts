/**
 * libmedsign (native/) against the live stack: a cloud and an agent in this process, and an
 * RSA-2048 doctor whose phone (@medsign/mobile) approves every session after a short pause
 * (long enough for MS_GetVerificationCode to see the code).
 *
 *  1. `make -C native` builds build/libmedsign.so and build/test_medsign (gcc is required);
 *  2. build/test_medsign runs as a child process (spawn, never spawnSync: the cloud and the
 *     agent live in this process's event loop) and must print only `ok` lines and exit 0; the
 *     signature it printed is checked by the openssl CLI over the UTF-8 bytes of the text, its
 *     PKCS#7 by `openssl cms -verify`;
 *  3. the same .so driven from Node with koffi. Calls that talk to the agent use koffi's async
 *     form (a worker thread): a synchronous call would block this event loop, and with it the
 *     agent the C code is waiting for (deadlock).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { call } from '../../agent/test/stack.js';
import { run, startLiveStack, type LiveStack } from './live-stack.js';
import { freePort } from '../../agent/test/processes.js';

const NATIVE = fileURLToPath(new URL('..', import.meta.url));
const LIB = `${NATIVE}build/libmedsign.so`;
// NATIVE_TEST_BIN: another build of the test program, e.g. with sanitizers (see README)
const TEST_BIN = process.env.NATIVE_TEST_BIN ?? `${NATIVE}build/test_medsign`;
// the text test_medsign.c signs through SOF_SignData (A) and SOF_SignDataW: byte for byte the same literal
const TEXT = '病程记录：患者今日查房，生命体征平稳。Ünïcödé 𝄞 "q" \\ tab\tend';
const NAME = '李医生';


let live: LiveStack;
let agent: LiveStack['agent'];
let certId = '';
const cli = new OpensslCli();
let phoneCodes: string[] = [];
let phoneSummaries: string[] = [];

beforeAll(async () => {
  const gcc = await run('gcc', ['--version']).catch(() => undefined);
  if (!gcc || gcc.code !== 0) throw new Error('gcc is required to build native/ (Debian: apt install gcc make); it was not found on the PATH');
  const make = await run('make', ['-C', NATIVE]).catch((e: Error) => ({ code: -1, out: '', err: `make: ${e.message}` }));
  if (make.code !== 0) throw new Error(`make -C native failed:\n${make.out}\n${make.err}`);

  // Free Pascal in Delphi mode, for the Delphi-style test below (built here: one make at a time)
  mkdirSync(`${NATIVE}build/fpc`, { recursive: true });
  const fpc = await run('fpc', ['-Mdelphi', `-Fl${NATIVE}build`, `-k-rpath=${NATIVE}build`, `-FU${NATIVE}build/fpc`, `-o${NATIVE}build/medsign_fpc`, `${NATIVE}test/pascal/medsign_fpc.pas`]).catch((e: Error) => ({ code: -1, out: '', err: e.message }));
  if (fpc.code !== 0) throw new Error(`fpc (Debian: apt install fpc) failed:\n${fpc.out}\n${fpc.err}`);
  live = await startLiveStack(NAME, cli);
  ({ agent, certId, phoneCodes, phoneSummaries } = live);
});

afterAll(async () => {
  await live?.stop();
  cli.dispose();
});

const values = (out: string) => {
  const v: Record<string, string> = {};
  for (const m of out.matchAll(/^# ([a-z-]+) (.*)$/gm)) v[m[1]!] = m[2]!;
  return v;
};

let cSignature = '';

describe('test_medsign (C, gcc) against the live agent', () => {
  it('passes every check, and openssl verifies what it signed', async () => {
    const dead = await freePort();
    const sessionsBefore = phoneCodes.length;
    const r = await run(TEST_BIN, [String(agent.port), certId, NAME, String(dead)], { timeoutMs: 90_000 });
    const tap = r.out;
    if (r.code !== 0 || process.env.NATIVE_TAP) console.log(tap, r.err);
    expect(r.err).toBe('');
    const plan = /^1\.\.(\d+)$/m.exec(tap);
    expect(plan).not.toBeNull();
    const oks = tap.match(/^ok \d+ - /gm) ?? [];
    expect(tap).not.toMatch(/^not ok/m);
    expect(oks.length).toBe(Number(plan![1]));
    expect(oks.length).toBeGreaterThanOrEqual(45);
    expect(r.code).toBe(0);

    const v = values(tap);
    // the bytes signed for text: exactly its UTF-8 encoding
    expect(Buffer.from(v['text-hex']!, 'hex').toString('utf8')).toBe(TEXT);
    cSignature = v.signature!;
    cli.write('text.bin', Buffer.from(TEXT, 'utf8'));
    cli.write('text.sig', Buffer.from(cSignature, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'text.sig', 'text.bin'])).out).toMatch(/Verified OK/);
    cli.write('changed.bin', Buffer.from(TEXT + ' ', 'utf8'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'text.sig', 'changed.bin'])).ok).toBe(false);
    // the attached PKCS#7 from SOF_SignMessage, by openssl cms
    cli.write('msg.p7', Buffer.from(v['signed-message']!, 'base64'));
    const cms = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'msg.p7', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'msg.out']);
    expect(cms.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('msg.out')).toString('utf8')).toBe(TEXT);
    // MS_GetVerificationCode showed the code the phone showed
    expect(phoneCodes).toContain(v['verification-code']);
    // each approval the program asked for reached the phone once: the retry after
    // MS_BUFFER_TOO_SMALL did not ask again
    expect(phoneCodes.length - sessionsBefore).toBe(Number(v['phone-sessions']));
    // MS_SetSignSummary: the phone showed the summary for the next signing call only
    const summary = Buffer.from(v['summary-hex']!, 'hex').toString('utf8');
    expect(summary).toBe('医嘱 #1024 张三：阿司匹林 100 mg 口服');
    const shown = phoneSummaries.slice(sessionsBefore);
    expect(shown.filter((x) => x === summary)).toHaveLength(1);
    expect(shown[shown.indexOf(summary) + 1]).not.toBe(summary);
  });
});

describe('the HTTP client (test_medsign --fake) against a scripted server', () => {
  it('Content-Length, chunked, reconnect after the server closed an idle connection, error and broken replies', async () => {
    const requests: { head: string; conn: number }[] = [];
    let conns = 0;
    const replies: ((sock: Socket) => void)[] = [
      (k) => {
        const body = '{"version":"fake-1","apiVersion":"1.0"}';
        k.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      },
      (k) => {
        // chunked, split inside the escapes; then the server drops the idle connection without a word
        const parts = ['{"version":"fake-2 \\u5206', '\\u5757 \\ud834', '\\udd1e"}'];
        k.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        for (const p of parts) k.write(`${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`);
        k.write('0\r\n\r\n');
        setTimeout(() => k.destroy(), 20);
      },
      (k) => {
        const body = '{"version":"fake-3"}';
        k.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      },
      (k) => {
        const body = JSON.stringify({ code: 'USER_REFUSED', sor: 0x0b000409, message: '医生在手机上拒绝了签名 (the doctor refused on the phone)', retryable: false });
        k.write(`HTTP/1.1 409 Conflict\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      },
      (k) => k.write('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!'),
    ];
    const server = createServer((sock) => {
      const conn = ++conns;
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString();
          const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buf.length < end + 4 + len) return;
          buf = buf.subarray(end + 4 + len);
          requests.push({ head, conn });
          replies[requests.length - 1]?.(sock);
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await run(TEST_BIN, ['--fake', String(port)], { timeoutMs: 30_000 });
      if (r.code !== 0 || process.env.NATIVE_TAP) console.log(r.out, r.err);
      expect(r.out).not.toMatch(/^not ok/m);
      expect(r.out.match(/^ok /gm)).toHaveLength(5);
      expect(r.code).toBe(0);
      expect(requests).toHaveLength(5);
      // two connections: 1-2 kept alive on the first, 3-5 on the second
      expect(requests.map((q) => q.conn)).toEqual([1, 1, 2, 2, 2]);
      for (const q of requests) {
        expect(q.head).toMatch(/^POST \/v1\/getVersion HTTP\/1\.1\r\n/);
        expect(q.head).toContain(`\r\nHost: 127.0.0.1:${port}\r\n`);
        expect(q.head.toLowerCase()).not.toContain('origin:');
        // the program names itself, so the agent keeps its sign method and codes apart from other apps'
        expect(q.head).toContain('\r\nX-MedSign-App: test_medsign\r\n');
      }
    } finally {
      server.close();
    }
  });
});

describe('Free Pascal in Delphi mode (fpc -Mdelphi), as a Delphi 7 client calls it', () => {
  it('version, user list, a too-small buffer, sign and verify, SOF_GetLastError; openssl checks the signature', async () => {
    const text = '出院小结：患者病情稳定，准予出院。';
    const before = phoneCodes.length;
    const r = await run(`${NATIVE}build/medsign_fpc`, [String(agent.port), certId, NAME, text]);
    expect(r.out).not.toMatch(/^not ok/m);
    expect(r.out.match(/^ok \d+/gm)).toHaveLength(9);
    expect(r.out).toMatch(/^1\.\.9$/m);
    expect(r.code).toBe(0);
    const sig = /^# signature (\S+)$/m.exec(r.out)![1]!;
    cli.write('fpc.msg', Buffer.from(text, 'utf8'));
    cli.write('fpc.sig', Buffer.from(sig, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'fpc.sig', 'fpc.msg'])).out).toMatch(/Verified OK/);
    expect(phoneCodes.length - before).toBe(1); // one approval: the size query and the real call are one signing
  });
});

describe('the same library from Node through koffi', () => {
  it('SOF_GetVersion and SOF_SignData (async calls on a worker thread)', async () => {
    expect(existsSync(LIB)).toBe(true);
    let koffi: any;
    try {
      koffi = createRequire(import.meta.url)('koffi');
    } catch {
      throw new Error('koffi is not installed: add it to the root devDependencies (npm install -D koffi@^2)');
    }
    const lib = koffi.load(LIB);
    const SetAgentPort = lib.func('unsigned long MS_SetAgentPort(long port)');
    const GetVersion = lib.func('unsigned long SOF_GetVersion(_Out_ uint8_t *out, _Inout_ long *outLen)');
    const SignData = lib.func('unsigned long SOF_SignData(const char *certId, const char *inData, _Out_ uint8_t *out, _Inout_ long *outLen)');
    const GetLastError = lib.func('unsigned long SOF_GetLastError(void)');
    const async = (f: any, ...args: unknown[]): Promise<number> => new Promise((resolve, reject) => f.async(...args, (err: unknown, res: number) => (err ? reject(err) : resolve(res))));
    const str = (buf: Buffer, len: number) => buf.subarray(0, len).toString('utf8');

    expect(SetAgentPort(agent.port)).toBe(0); // no I/O: a synchronous call is fine
    const vbuf = Buffer.alloc(256);
    const vlen = [vbuf.length];
    expect(await async(GetVersion, vbuf, vlen)).toBe(0);
    const version = (await call(agent.url, 'getVersion')).json.version;
    expect(str(vbuf, vlen[0]!)).toBe(version);

    // too small: the documented code and the size needed, NUL included
    const small = [4];
    expect(await async(GetVersion, Buffer.alloc(4), small)).toBe(0x0b000100);
    expect(small[0]).toBe(Buffer.byteLength(version) + 1);

    const sbuf = Buffer.alloc(4096);
    const slen = [sbuf.length];
    expect(await async(SignData, certId, TEXT, sbuf, slen)).toBe(0);
    const sig = str(sbuf, slen[0]!);
    // RSA PKCS#1 v1.5 is deterministic: the same bytes as the C program's A and W calls
    if (cSignature) expect(sig).toBe(cSignature);
    cli.write('text.bin', Buffer.from(TEXT, 'utf8'));
    cli.write('koffi.sig', Buffer.from(sig, 'base64'));
    expect((await cli.runAsync(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'koffi.sig', 'text.bin'])).out).toMatch(/Verified OK/);

    // the error path: the agent's SOR code (GetLastError is per thread, so read it on a worker too)
    expect(await async(SignData, 'ABCDEF', 'x', sbuf, [sbuf.length])).toBe(0x0b000310);
    expect(typeof GetLastError()).toBe('number');
  });
});
