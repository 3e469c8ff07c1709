/**
 * examples/his-java against the live stack: the binding is installed into the local Maven
 * repository (built in a temporary directory, so it never races bindings/java's own test over
 * target/), the example is packaged, then `java -jar target/his-java.jar sign` signs a
 * prescription and stores its CMS, `openssl cms -verify` checks what was stored, and `verify`
 * accepts it — and refuses it once the stored order is changed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpensslCli } from '../../../core/test/openssl-cli.js';
import { run, startLiveStack, type LiveStack } from '../../../native/test/live-stack.js';
import { freePort } from '../../../agent/test/processes.js';
import { mvn, requireMavenAndJava } from '../../../bindings/java/test/maven.js';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const BINDING_POM = fileURLToPath(new URL('../../../bindings/java/pom.xml', import.meta.url));
const JAR = join(EXAMPLE, 'target', 'his-java.jar');
const DOCTOR = '钱医生';

let live: LiveStack;
const cli = new OpensslCli();
const work = mkdtempSync(join(tmpdir(), 'medsign-his-java-'));
const store = join(work, 'store');

beforeAll(async () => {
  await requireMavenAndJava();
  const install = await mvn(['-f', BINDING_POM, '-DskipTests', `-Dmedsign.buildDir=${join(work, 'binding-build')}`, 'install'], { timeoutMs: 300_000 });
  if (!install.ok) throw new Error(install.log);
  const pkg = await mvn(['-f', join(EXAMPLE, 'pom.xml'), 'package'], { timeoutMs: 300_000 });
  if (!pkg.ok) throw new Error(pkg.log);
  live = await startLiveStack(DOCTOR, cli);
}, 420_000);

afterAll(async () => {
  await live?.stop();
  cli.dispose();
  rmSync(work, { recursive: true, force: true });
});

const his = (args: string[]) => run('java', ['-jar', JAR, ...args], { timeoutMs: 60_000 });

describe('HIS doctor\'s order signing (Java console)', () => {
  let orderId = '';

  it('signs a prescription: shows the code the phone showed, stores the order and its CMS', async () => {
    const before = live.phoneCodes.length;
    const r = await his(['sign', '--port', String(live.agent.port), '--store', store]);
    if (r.code !== 0) console.log(r.out, r.err);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`签名医生 (signer) ${DOCTOR}`);
    orderId = /^orderId=(RX-\d{8}-[0-9A-F]{8})$/m.exec(r.out)![1]!;
    const code = /^verificationCode=(\d{4})$/m.exec(r.out)![1]!;
    expect(live.phoneCodes.slice(before)).toEqual([code]); // one approval, and its code was shown first
    expect(r.out.indexOf('校验码 (verification code)')).toBeLessThan(r.out.indexOf('已签名并保存'));
    const index = readFileSync(join(store, 'signatures.tsv'), 'utf8').trim().split('\t');
    expect(index[0]).toBe(orderId);
    expect(index[1]!.toUpperCase()).toBe(live.certId.toUpperCase());
    expect(index[2]).toBe(DOCTOR);
  });

  it('openssl cms -verify accepts the stored CMS, and its content is the stored order', async () => {
    const p7 = join(store, 'orders', `${orderId}.p7s`);
    const v = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', p7, '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'order.out']);
    expect(v.out).toMatch(/Verification successful/);
    const stored = readFileSync(join(store, 'orders', `${orderId}.json`));
    expect(Buffer.from(cli.read('order.out')).equals(stored)).toBe(true);
    const order = JSON.parse(stored.toString('utf8'));
    expect(order).toMatchObject({ orderId, doctor: DOCTOR, patient: { name: '张三' } });
    expect(order.items).toHaveLength(2);
    // the signer in the CMS is the logged-in doctor's certificate
    const signer = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', p7, '-noverify', '-binary', '-signer', 'signer.pem', '-out', '/dev/null']);
    expect(signer.ok).toBe(true);
    expect(Buffer.from(cli.read('signer.pem')).toString().replace(/\r/g, '').trim()).toBe(live.certPem.replace(/\r/g, '').trim());
  });

  it('verify accepts the stored order, and refuses it once the dose is changed', async () => {
    const ok = await his(['verify', '--port', String(live.agent.port), '--store', store, '--order-id', orderId]);
    expect(ok.out).toContain('验签通过 (signature valid)');
    expect(ok.out).toContain(DOCTOR);
    expect(ok.code).toBe(0);

    const file = join(store, 'orders', `${orderId}.json`);
    const original = readFileSync(file, 'utf8');
    expect(original).toContain('"dose":"5mg"');
    writeFileSync(file, original.replace('"dose":"5mg"', '"dose":"50mg"'));
    const bad = await his(['verify', '--port', String(live.agent.port), '--store', store, '--order-id', orderId]);
    expect(bad.out).toContain('保存的医嘱与签名内容不一致');
    expect(bad.code).toBe(2);
  });

  it('--order signs the HIS own order file byte for byte', async () => {
    const text = '{"orderId":"LIS-2024-77","type":"检验医嘱","items":["血常规","肝功能"],"note":"空腹\\r\\n采血"}\n';
    const file = join(work, 'lis-order.json');
    writeFileSync(file, text);
    const r = await his(['sign', '--port', String(live.agent.port), '--store', store, '--cert-id', live.certId.toLowerCase(), '--order', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^orderId=LIS-2024-77$/m);
    const v = await cli.runAsync(['cms', '-verify', '-inform', 'DER', '-in', join(store, 'orders', 'LIS-2024-77.p7s'), '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', 'lis.out']);
    expect(v.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read('lis.out')).toString('utf8')).toBe(text);
    expect(readFileSync(join(store, 'signatures.tsv'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('with no agent listening: the unreachable error in Chinese and English, exit 3, nothing stored', async () => {
    const dead = await freePort();
    const empty = join(work, 'empty-store');
    const r = await his(['sign', '--port', String(dead), '--store', empty]);
    expect(r.out).toContain('AGENT_UNREACHABLE 0x0B000011');
    expect(r.out).toContain('无法连接医签助手');
    expect(r.out).toContain('cannot reach the MedSign agent');
    expect(r.code).toBe(3);
    expect(() => readFileSync(join(empty, 'signatures.tsv'))).toThrow();
  });
});
