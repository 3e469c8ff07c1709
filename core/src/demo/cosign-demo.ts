/**
 * npm start (until the demo stack exists): a doctor's phone and the cloud co-sign a
 * medical record with SM2 and with mediated RSA-2048, and OpenSSL checks the results.
 * Every message between "phone" and "cloud" goes through JSON, as it will over HTTP.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudRsaSignRespond,
  cloudSignRespond,
  encodeSm2SignatureDer,
  fromHex,
  nodeRuntime,
  phoneKeygenFinish,
  phoneKeygenStart,
  phoneRsaSignFinish,
  phoneRsaSignStart,
  phoneSignFinish,
  phoneSignStart,
  pointFromHex,
  rsaDealerSplit,
  sm2Digest,
  sm2PublicKeyToSpki,
  toBase64,
  toBase64Url,
  toHex,
  toPem,
  utf8,
  verificationCode,
} from '../index.js';

const wire = <T>(m: T): unknown => JSON.parse(JSON.stringify(m));
const step = (i: number, zh: string, en: string) => console.log(`\n[${i}/6] ${zh} (${en})`);
const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;
const dir = mkdtempSync(join(tmpdir(), 'medsign-demo-'));

function opensslVerify(args: string[]): string {
  try {
    return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (err) {
    const e = err as { code?: string; stdout?: Buffer; stderr?: Buffer };
    if (e.code === 'ENOENT') return '(未安装 openssl 命令行，跳过 / openssl CLI not installed, skipped)';
    return `失败 FAILED: ${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim();
  }
}

async function main(): Promise<void> {
  console.log('MedSign 协同签名演示 — co-signing demo');
  console.log(`运行环境 runtime: node ${process.version}, OpenSSL ${process.versions.openssl}, SM2 backend ${nodeRuntime.sm2.backend}`);
  console.log(`输出目录 output: ${dir}`);

  step(1, '手机与云端协同生成 SM2 密钥，私钥从不完整出现', 'phone and cloud generate an SM2 key; d is never whole');
  let t0 = performance.now();
  const kgSession = 'enroll-demo-0001';
  const cloudState = cloudKeygenOpen(kgSession);
  const hello = phoneKeygenStart(kgSession);
  const reply = cloudKeygenRespond(cloudState, wire(hello.message));
  const { share: phone, message: confirm } = phoneKeygenFinish(hello.state, wire(reply));
  const cloud = cloudKeygenConfirm(cloudState, wire(confirm));
  console.log(`  公钥 public key P = ${phone.publicKey.slice(0, 34)}…  (${ms(t0)}, 双方一致 both sides agree: ${phone.publicKey === cloud.publicKey})`);

  step(2, '工作站计算待签病历摘要与校验码', 'the workstation hashes the record and shows the verification code');
  const record = utf8('住院病历 Inpatient record\n患者 Patient: 张三  ID 0012345\n诊断 Diagnosis: 社区获得性肺炎 community-acquired pneumonia\n医师 Physician: 李医生 Dr Li');
  const P = pointFromHex(phone.publicKey);
  const e = sm2Digest(P, record); // SM3(Z_A ‖ M), user ID 1234567812345678
  const code = verificationCode([e]);
  console.log(`  e = SM3(Z_A ‖ M) = ${toHex(e)}`);
  console.log(`  校验码 verification code: ${code}  (工作站与手机显示相同 / shown on the workstation and the phone)`);

  step(3, '医生核对校验码并输入 PIN，手机与云端协同签名', 'the doctor checks the code, enters the PIN; phone and cloud co-sign');
  t0 = performance.now();
  const signSession = 'sign-demo-0001';
  const start = phoneSignStart({ sessionId: signSession, digests: [toHex(e)] });
  console.log(`  手机 → 云端 phone → cloud: Q1 = ${start.message.q1[0]!.slice(0, 24)}…`);
  const cloudReply = cloudSignRespond(cloud, { sessionId: signSession, digests: [toHex(e)], step: 'awaiting-phone-commit' }, wire(start.message));
  console.log(`  云端 → 手机 cloud → phone: r, s2, s3`);
  const [sig] = phoneSignFinish(phone, start.state, wire(cloudReply));
  const der = encodeSm2SignatureDer(sig!);
  console.log(`  手机已自验签名 the phone verified the signature before releasing it (${ms(t0)})`);
  console.log(`  签名 signature (DER, base64): ${toBase64(der)}`);

  step(4, '用 OpenSSL 独立验证', 'independent check with OpenSSL');
  writeFileSync(join(dir, 'record.txt'), record);
  writeFileSync(join(dir, 'record.sm2.sig'), der);
  writeFileSync(join(dir, 'sm2-pub.pem'), toPem(sm2PublicKeyToSpki(P), 'PUBLIC KEY'));
  console.log(`  $ openssl pkeyutl -verify -rawin -digest sm3 -pubin -inkey sm2-pub.pem -in record.txt -sigfile record.sm2.sig -pkeyopt distid:1234567812345678`);
  console.log(`  ${opensslVerify(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'sm2-pub.pem', '-in', 'record.txt', '-sigfile', 'record.sm2.sig', '-pkeyopt', 'distid:1234567812345678'])}`);

  step(5, '批量签名：20 份医嘱一次往返', 'batch: 20 orders in one round trip');
  t0 = performance.now();
  const orders = Array.from({ length: 20 }, (_, i) => utf8(`医嘱 order #${i + 1}: 阿莫西林 amoxicillin 0.5g tid`));
  const digests = orders.map((o) => toHex(sm2Digest(P, o)));
  const batch = phoneSignStart({ sessionId: 'sign-demo-0002', digests });
  const batchReply = cloudSignRespond(cloud, { sessionId: 'sign-demo-0002', digests, step: 'awaiting-phone-commit' }, wire(batch.message));
  const sigs = phoneSignFinish(phone, batch.state, wire(batchReply));
  console.log(`  校验码 verification code: ${verificationCode(digests.map((d) => fromHex(d)))}; ${sigs.length} 个签名 signatures, 全部已自验 all verified (${ms(t0)})`);

  step(6, '中介 RSA-2048：手机分发密钥份额，云端与手机各算一半', 'mediated RSA-2048: the phone deals the shares, each side computes a half');
  t0 = performance.now();
  const rsa = await rsaDealerSplit(2048);
  console.log(`  密钥已拆分 key split: d = d1 + d2 (mod φ(n)); 手机已丢弃 d, p, q (${ms(t0)})`);
  const digest = createHash('sha256').update(record).digest('hex');
  const rsaStart = phoneRsaSignStart({ sessionId: 'sign-demo-0003', hash: 'sha256', digests: [digest] });
  const rsaReply = cloudRsaSignRespond(rsa.cloud, { sessionId: 'sign-demo-0003', hash: 'sha256', digests: [digest], step: 'awaiting-phone-request' }, wire(rsaStart.message));
  const [rsaSig] = phoneRsaSignFinish(rsa.phone, rsaStart.state, wire(rsaReply));
  const rsaPub = createPublicKey({ key: { kty: 'RSA', n: toBase64Url(fromHex(rsa.phone.n)), e: toBase64Url(fromHex(rsa.phone.e.padStart(6, '0'))) }, format: 'jwk' });
  writeFileSync(join(dir, 'record.rsa.sig'), rsaSig!);
  writeFileSync(join(dir, 'rsa-pub.pem'), rsaPub.export({ type: 'spki', format: 'pem' }) as string);
  console.log(`  node:crypto verify: ${verify('sha256', record, rsaPub, rsaSig!)}`);
  console.log(`  $ openssl dgst -sha256 -verify rsa-pub.pem -signature record.rsa.sig record.txt`);
  console.log(`  ${opensslVerify(['dgst', '-sha256', '-verify', 'rsa-pub.pem', '-signature', 'record.rsa.sig', 'record.txt'])}`);

  console.log('\n完成 Done. 下一步 Next: npm test 运行全部测试 (runs every test); npm run bench 测性能 (benchmarks).');
}

main().catch((err: unknown) => {
  console.error('演示失败 demo failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
