/**
 * The PACS example (PacsReport.dpr) built with `fpc -Mdelphi` against native/build/libmedsign.so
 * and run against the live stack (cloud, agent and an auto-approving RSA-2048 doctor, all in this
 * process: the program runs with spawn). It must write the report and its detached CMS, show the
 * verification code the phone showed, and verify; `openssl cms -verify` checks the files it left
 * on disk, and a changed report must fail there too.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { run, startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NAME = '赵医生';

describe('PACS imaging report signed from Free Pascal / Delphi', () => {
  const cli = new OpensslCli();
  const build = mkdtempSync(join(tmpdir(), 'medsign-pacs-'));
  const out = mkdtempSync(join(tmpdir(), 'medsign-pacs-out-'));
  const exe = join(build, 'PacsReport');
  let live: LiveStack | undefined;

  beforeAll(async () => {
    const make = await run('make', ['-C', `${ROOT}native`]).catch((e: Error) => ({ code: -1, out: '', err: `make: ${e.message} (Debian: apt install gcc make)` }));
    if (make.code !== 0) throw new Error(`make -C native failed:\n${make.out}\n${make.err}`);
    const fpc = await run('fpc', [
      '-Mdelphi',
      `-Fu${ROOT}bindings/delphi`,
      `-Fu${ROOT}examples/pacs-delphi`,
      `-Fl${ROOT}native/build`,
      `-k-rpath=${ROOT}native/build`,
      `-FU${build}`,
      `-o${exe}`,
      `${ROOT}examples/pacs-delphi/PacsReport.dpr`,
    ]).catch((e: Error) => ({ code: -1, out: '', err: e.message }));
    if (fpc.code !== 0) throw new Error(`fpc (Debian: apt install fpc) failed:\n${fpc.out}\n${fpc.err}`);
    live = await startLiveStack(NAME, cli);
  });

  afterAll(async () => {
    await live?.stop();
    cli.dispose();
    rmSync(build, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('writes the report and its CMS, shows the phone code, verifies; openssl cms agrees and rejects a changed report', async () => {
    const { agent, certId, phoneCodes } = live!;
    const before = phoneCodes.length;
    const r = await run(exe, [out, certId, String(agent.port)], { timeoutMs: 90_000 });
    if (r.code !== 0) console.log(r.out, r.err);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`报告医师 (physician): ${NAME} ${certId}`);
    expect(r.out).toMatch(/^验签通过 \(verified\): /m);
    expect(r.out).toMatch(/^篡改检测 \(tamper check\): /m);

    // the code shown while the worker thread waited is the one the phone showed; one approval
    const code = /^请核对手机上的验证码 \(verification code on the phone\): (\d{4})$/m.exec(r.out)?.[1];
    expect(code).toBeDefined();
    expect(phoneCodes.slice(before)).toEqual([code]);

    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    const [p7s, txt] = files as [string, string];
    expect(txt).toMatch(/^CT\d{8}0031\.txt$/);
    expect(p7s).toBe(txt.replace(/\.txt$/, '.p7s'));
    const report = readFileSync(join(out, txt)).toString('utf8');
    expect(report).toMatch(/^影像诊断报告 \(Imaging Report\)\r\n/);
    expect(report).toContain(`报告医师 Reporting physician: ${NAME}\r\n`);
    expect(report).toContain('诊断意见 Impression:\r\n  胸部CT平扫未见明显异常。\r\n');

    // the files as left on disk: a detached CMS over the report's bytes, by the doctor's certificate
    cli.write('report.txt', readFileSync(join(out, txt)));
    cli.write('report.p7s', readFileSync(join(out, p7s)));
    const ok = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'report.p7s', '-content', 'report.txt', '-binary', '-CAfile', 'rsa-root.pem', '-purpose', 'any', '-out', 'verified.txt', '-certsout', 'signer.pem']);
    expect(ok.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('verified.txt')).toString('utf8')).toBe(report);
    const signer = await cli.runAsync(['x509', '-in', 'signer.pem', '-noout', '-fingerprint', '-sha256']);
    const doctor = await cli.runAsync(['x509', '-in', 'cert.pem', '-noout', '-fingerprint', '-sha256']);
    expect(signer.out.trim()).toBe(doctor.out.trim());

    cli.write('changed.txt', Buffer.from(report.replace('未见明显异常', '见结节影'), 'utf8'));
    const bad = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', 'report.p7s', '-content', 'changed.txt', '-binary', '-CAfile', 'rsa-root.pem', '-purpose', 'any', '-out', 'changed.out']);
    expect(bad.ok).toBe(false);
  });
});
