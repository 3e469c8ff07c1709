/**
 * bindings/java (com.medsign:medsign-client) against the live stack: a cloud and the agent in
 * this process, an RSA-2048 doctor whose simulated phone approves every session after 250 ms.
 *
 *  1. `mvn test -Dtest=JsonTest` first (on a fresh machine it fetches the plugins, JUnit and
 *     surefire's provider), before the stack starts;
 *  2. `mvn test` as a child process (run(), never spawnSync: the agent lives in this event loop)
 *     with the agent's port, the doctor's certId, the text to sign and an output directory in
 *     its environment; the surefire XML reports must show every @Test run and none failed;
 *  3. what the Java tests signed is verified here with the openssl CLI: raw signatures with
 *     `openssl dgst -verify` over the bytes, CMS with `openssl cms -verify` to the RSA root, the
 *     timestamp with `openssl ts -verify`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';
import { countJavaTests, mvn, requireMavenAndJava, surefireTotals } from './maven.js';

const JAVA = fileURLToPath(new URL('..', import.meta.url));
const POM = join(JAVA, 'pom.xml');
const REPORTS = join(JAVA, 'target', 'surefire-reports');
// multi-byte, astral, quotes, backslash, tab and a CRLF: the bytes signed must be exactly its UTF-8
const TEXT = '门诊病历：患者主诉头痛三天。Ünïcödé 𝄞 "q" \\ tab\tend\r\n第二行';

let live: LiveStack;
const cli = new OpensslCli();
const OUT = join(cli.dir, 'java');

beforeAll(async () => {
  await requireMavenAndJava();
  // compiles, and on a fresh machine fetches the plugins, JUnit and surefire's JUnit provider,
  // before the stack starts (JsonTest needs no agent)
  const compile = await mvn(['-f', POM, 'test', '-Dtest=JsonTest'], { timeoutMs: 300_000 });
  if (!compile.ok) throw new Error(compile.log);
  mkdirSync(OUT, { recursive: true });
  live = await startLiveStack('赵医生', cli);
  cli.write('rsa-issuing.pem', await (await fetch(`${live.cloud.url}/pki/ca/rsa-issuing.pem`)).text());
}, 360_000);

afterAll(async () => {
  await live?.stop();
  cli.dispose();
});

const ok = async (args: string[]) => {
  const r = await cli.runAsync(args);
  return r;
};

describe('medsign-client (Java 8) against the live agent', () => {
  it('mvn test: every JUnit test runs and passes (sign, verify, CMS, batch, timestamps, errors, OpenAPI drift)', async () => {
    rmSync(REPORTS, { recursive: true, force: true });
    const sessionsBefore = live.phoneCodes.length;
    const started = Date.now();
    const r = await mvn(['-f', POM, 'test', '-Dsurefire.printSummary=false'], {
      timeoutMs: 150_000,
      env: {
        ...process.env,
        MEDSIGN_AGENT_PORT: String(live.agent.port),
        MEDSIGN_CERT_ID: live.certId,
        MEDSIGN_OUT_DIR: OUT,
        MEDSIGN_TEST_TEXT: TEXT,
      },
    });
    const totals = surefireTotals(REPORTS);
    if (!r.ok || totals.failures || totals.errors) console.log(r.log);
    const written = countJavaTests(join(JAVA, 'src', 'test', 'java'));
    expect(written).toBeGreaterThanOrEqual(23);
    expect(totals.files).toBe(5);
    expect(totals.tests).toBeGreaterThanOrEqual(written);
    expect(totals.failures).toBe(0);
    expect(totals.errors).toBe(0);
    expect(totals.skipped).toBe(0);
    expect(totals.testcases).toContain('com.medsign.OpenApiDriftTest.everyMethodTheClientCallsExistsWithItsParameters');
    expect(totals.testcases).toContain('com.medsign.ErrorsTest.noAgentListeningIsAgentUnreachable');
    expect(r.code).toBe(0);
    // the phone was really asked: text, data, signHash, CMS ×2, batch ×2, wait=false, … (≥ 8 approvals)
    expect(live.phoneCodes.length - sessionsBefore).toBeGreaterThanOrEqual(8);
    console.log(`mvn test: ${totals.tests} JUnit tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 170_000);

  it('openssl dgst verifies the raw signatures over the text (UTF-8) and the binary data; tampered input fails', async () => {
    cli.write('text.txt', Buffer.from(TEXT, 'utf8'));
    expect((await ok(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'java/text.sig', 'text.txt'])).out).toMatch(/Verified OK/);
    cli.write('text-changed.txt', Buffer.from(TEXT.replace('\r\n', '\n'), 'utf8'));
    expect((await ok(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'java/text.sig', 'text-changed.txt'])).ok).toBe(false);

    const data = readFileSync(join(OUT, 'data.bin'));
    expect(data.length).toBe(1256);
    expect([...data.subarray(0, 256)]).toEqual([...Array(256).keys()]);
    expect((await ok(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'java/data.sig', 'java/data.bin'])).out).toMatch(/Verified OK/);
    const changed = Buffer.from(data);
    changed[1000] = changed[1000]! ^ 0xff;
    cli.write('data-changed.bin', changed);
    expect((await ok(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'java/data.sig', 'data-changed.bin'])).ok).toBe(false);

    for (let i = 0; i < 3; i++) {
      expect(readFileSync(join(OUT, `batch-${i}.txt`), 'utf8')).toBe(`护理记录 ${i + 1}：${TEXT}`);
      expect((await ok(['dgst', '-sha256', '-verify', 'pub.pem', '-signature', `java/batch-${i}.sig`, `java/batch-${i}.txt`])).out).toMatch(/Verified OK/);
    }
  });

  it('openssl cms verifies the attached and detached SignedData to the RSA root; a changed content fails', async () => {
    const att = await ok(['cms', '-verify', '-inform', 'DER', '-in', 'java/attached.p7', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'attached.out']);
    expect(att.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('attached.out')).toString('utf8')).toBe(TEXT);

    const det = await ok(['cms', '-verify', '-inform', 'DER', '-in', 'java/detached.p7', '-content', 'java/detached.bin', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', '/dev/null']);
    expect(det.out).toMatch(/Verification successful/);
    expect(readFileSync(join(OUT, 'detached.bin'), 'utf8')).toBe(`检验报告 ${TEXT}`);
    cli.write('detached-changed.bin', Buffer.from(`检验报告 ${TEXT}.`, 'utf8'));
    const bad = await ok(['cms', '-verify', '-inform', 'DER', '-in', 'java/detached.p7', '-content', 'detached-changed.bin', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', '/dev/null']);
    expect(bad.ok).toBe(false);
    expect(bad.out).not.toMatch(/Verification successful/);

    const batch = await ok(['cms', '-verify', '-inform', 'DER', '-in', 'java/batch-cms-0.p7', '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'batch-cms.out']);
    expect(batch.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('batch-cms.out')).toString('utf8')).toBe('医嘱 A');
  });

  it('openssl ts verifies the timestamp response against the Java request', async () => {
    expect(existsSync(join(OUT, 'ts.tsr'))).toBe(true);
    const v = await ok(['ts', '-verify', '-queryfile', 'java/ts.tsq', '-in', 'java/ts.tsr', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']);
    expect(v.out).toMatch(/Verification: OK/);
    cli.write('text.txt', Buffer.from(TEXT, 'utf8'));
    const data = await ok(['ts', '-verify', '-data', 'text.txt', '-in', 'java/ts.tsr', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']);
    expect(data.out).toMatch(/Verification: OK/);
  });
});
