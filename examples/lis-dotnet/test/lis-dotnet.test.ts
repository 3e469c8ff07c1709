/**
 * examples/lis-dotnet: the lab-report release (检验报告审核发布) as a .NET program under mono,
 * against the live stack (a cloud and the agent in this process; an RSA-2048 reviewing doctor
 * whose phone approves after 250 ms). It builds with mcs (`make -C examples/lis-dotnet`, which
 * compiles its own MedSign.dll from bindings/dotnet/src), runs through run() (never spawnSync: the stack lives in this
 * process), and what it stored is checked by the openssl CLI: the detached CMS over the
 * released text, signed by the doctor, chaining to the RSA root, with a timestamp token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { freePort } from '../../../agent/test/processes.js';
import { run, startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const EXE = join(EXAMPLE, 'build/lis-dotnet.exe');
const NAME = '赵主任';

const cli = new OpensslCli();
let live: LiveStack;

beforeAll(async () => {
  for (const cmd of ['mcs', 'mono']) {
    const r = await run(cmd, ['--version']).catch(() => undefined);
    if (!r || r.code !== 0) throw new Error(`${cmd} is required for examples/lis-dotnet (Debian: apt install mono-devel); it was not found on the PATH`);
  }
  const make = await run('make', ['-C', EXAMPLE], { timeoutMs: 120_000 }).catch((e: Error) => ({ code: -1, out: '', err: `make: ${e.message}` }));
  if (make.code !== 0) throw new Error(`make -C examples/lis-dotnet failed:\n${make.out}\n${make.err}`);
  live = await startLiveStack(NAME, cli);
}, 180_000);

afterAll(async () => {
  await live?.stop();
  cli.dispose();
});

describe('lis-dotnet: 检验报告审核发布 against the live agent', () => {
  it('builds, signs, stores and verifies a lab report; openssl verifies the stored CMS', async () => {
    const store = join(cli.dir, 'store');
    const sessions = live.phoneCodes.length;
    const r = await run('mono', [EXE, '--port', String(live.agent.port), '--cert-id', live.certId, '--store', store], { timeoutMs: 120_000 });
    if (r.code !== 0 || process.env.DOTNET_TAP) console.log(r.out, r.err);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const v = (k: string) => new RegExp(`^# ${k} (.+)$`, 'm').exec(r.out)?.[1];
    expect(r.out).toMatch(/^\[5\/5\] 发布前验证 Verified before release: TOTAL_PASSED, 签名人 signer 赵主任$/m);
    expect(r.out).toMatch(/^篡改检测 Tamper check: ALT 88 → 38: TOTAL_FAILED$/m);
    // one approval on the phone, and the program showed the code the phone showed
    expect(live.phoneCodes.length - sessions).toBe(1);
    expect(live.phoneCodes).toContain(v('verification-code'));

    // the stored row holds the report and the same CMS as the .p7s file
    const row = JSON.parse(readFileSync(v('row')!, 'utf8'));
    expect(row.report.reportNo).toBe(v('report-no'));
    expect(row.report.reviewer).toBe(NAME);
    expect(row.report.reviewerCertId).toBe(live.certId);
    expect(Buffer.from(row.cms, 'base64')).toEqual(readFileSync(v('cms')!));

    // the released text carries the results as stored
    const content = readFileSync(v('content')!, 'utf8');
    expect(content).toContain(`报告编号 Report no: ${row.report.reportNo}\n`);
    expect(content).toContain('ALT\t谷丙转氨酶\t88\tU/L\t9-50\t↑\n');
    expect(content).toContain('ALB\t白蛋白\t36.5\tg/L\t40-55\t↓\n');
    expect(content).toContain(`审核者 Reviewer: ${NAME} (certId ${live.certId})\n`);
    expect(content).not.toContain('\r');

    // openssl, independently: valid over the text, signed by the doctor's certificate
    const verify = (contentFile: string) => cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', v('cms')!, '-content', contentFile, '-binary', '-CAfile', 'rsa-root.pem', '-purpose', 'any', '-signer', 'signer.pem', '-out', 'content.out']);
    const ok = await verify(v('content')!);
    expect(ok.out).toMatch(/Verification successful/);
    expect(readFileSync(join(cli.dir, 'signer.pem'), 'utf8').trim()).toBe(live.certPem.trim());
    // detached: the content is not inside the CMS
    expect(readFileSync(v('cms')!).includes(Buffer.from('谷丙转氨酶'))).toBe(false);
    // a changed result fails in openssl too
    const changed = cli.write('changed.txt', content.replace('ALT\t谷丙转氨酶\t88', 'ALT\t谷丙转氨酶\t38'));
    expect(changed).not.toBe(v('content'));
    expect((await verify(changed)).ok).toBe(false);
    // the signer info carries an RFC 3161 timestamp token (unsigned attribute)
    const printed = await cli.runAsync(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', v('cms')!]);
    expect(printed.out).toMatch(/id-smime-aa-timeStampToken/);
  });

  it('without a logged-in doctor for that certId it stops with a Chinese/English message and exit code 3', async () => {
    const r = await run('mono', [EXE, '--port', String(live.agent.port), '--cert-id', 'ABCDEF0123', '--store', join(cli.dir, 'store2')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/审核医生未登录.*\(the reviewing doctor is not logged in/);
  });

  it('with no agent on the port it reports AGENT_UNREACHABLE and exit code 3', async () => {
    const r = await run('mono', [EXE, '--port', String(await freePort()), '--store', join(cli.dir, 'store3')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/AGENT_UNREACHABLE \(SOR 0x0B000011\): 医签助手未运行/);
  });
});
