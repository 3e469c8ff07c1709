/**
 * npm run bench: co-signing throughput against OpenSSL baselines measured in the same run.
 * Each case runs for a fixed time slice, cases are interleaved over several rounds, and
 * the median ops/s per case is reported, so the ratios compare like with like.
 *
 *   --rounds N   rounds (default 5)     --ms N   time slice per case and round (default 400)
 *   --json FILE  also write the results as JSON
 */
import { generateKeyPairSync, sign, createPrivateKey, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudRsaSignRespond,
  cloudSignRespond,
  phoneKeygenFinish,
  phoneKeygenStart,
  phoneRsaSignFinish,
  phoneRsaSignStart,
  phoneSignFinish,
  phoneSignStart,
  portableRuntime,
  rsaDealerSplit,
  sm2PrivateKeyToPkcs8,
  generateSm2KeyPair,
  toHex,
  useRuntime,
  nodeRuntime,
  type Runtime,
} from '../src/index.js';
import { nodeEcdhRuntime } from '../src/runtime/node.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 5);
const SLICE_MS = arg('ms', 400);
const jsonIndex = process.argv.indexOf('--json');
const JSON_FILE = jsonIndex > 0 ? process.argv[jsonIndex + 1] : undefined;

interface Case {
  name: string;
  runtime: Runtime;
  /** Untimed preparation for one operation; returns the timed operation. */
  prepare: () => () => unknown;
}

let sid = 0;
const session = () => `bench-${++sid}`;

function keygenSm2() {
  const id = session();
  const c = cloudKeygenOpen(id);
  const p = phoneKeygenStart(id);
  const reply = cloudKeygenRespond(c, p.message);
  const f = phoneKeygenFinish(p.state, reply);
  return { phone: f.share, cloud: cloudKeygenConfirm(c, f.message) };
}

async function main(): Promise<void> {
  useRuntime(nodeRuntime);
  console.log(`MedSign co-signing benchmark — node ${process.version}, OpenSSL ${process.versions.openssl}, SM2 backend ${nodeRuntime.sm2.backend}, ${ROUNDS} rounds × ${SLICE_MS} ms per case\n`);

  // Baselines: single-party OpenSSL through node:crypto.
  const sm2Pair = generateSm2KeyPair();
  const sm2Key = createPrivateKey({ key: Buffer.from(sm2PrivateKeyToPkcs8(sm2Pair.privateKey, sm2Pair.publicKey)), format: 'der', type: 'pkcs8' });
  const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const message = randomBytes(256);

  const { phone, cloud } = keygenSm2();
  const digest = toHex(new Uint8Array(randomBytes(32)));
  const rsa = await rsaDealerSplit(2048);
  const rsaDigest = toHex(new Uint8Array(randomBytes(32)));

  const sm2Commit = () => phoneSignStart({ sessionId: session(), digests: [digest] });
  const cloudStep = () => {
    const { message: m } = sm2Commit();
    return () => cloudSignRespond(cloud, { sessionId: m.sessionId, digests: [digest], step: 'awaiting-phone-commit' }, m);
  };
  const phoneFinish = () => {
    const { state, message: m } = sm2Commit();
    const reply = cloudSignRespond(cloud, { sessionId: m.sessionId, digests: [digest], step: 'awaiting-phone-commit' }, m);
    return () => phoneSignFinish(phone, state, reply);
  };
  const full = () => () => {
    const { state, message: m } = sm2Commit();
    const reply = cloudSignRespond(cloud, { sessionId: m.sessionId, digests: [digest], step: 'awaiting-phone-commit' }, m);
    return phoneSignFinish(phone, state, reply);
  };
  const rsaCloud = () => {
    const { message: m } = phoneRsaSignStart({ sessionId: session(), hash: 'sha256', digests: [rsaDigest] });
    return () => cloudRsaSignRespond(rsa.cloud, { sessionId: m.sessionId, hash: 'sha256', digests: [rsaDigest], step: 'awaiting-phone-request' }, m);
  };
  const rsaPhone = () => {
    const { state, message: m } = phoneRsaSignStart({ sessionId: session(), hash: 'sha256', digests: [rsaDigest] });
    const reply = cloudRsaSignRespond(rsa.cloud, { sessionId: m.sessionId, hash: 'sha256', digests: [rsaDigest], step: 'awaiting-phone-request' }, m);
    return () => phoneRsaSignFinish(rsa.phone, state, reply);
  };

  const cases: Case[] = [
    { name: 'OpenSSL SM2 sign (baseline)', runtime: nodeRuntime, prepare: () => () => sign(null, message, sm2Key) },
    { name: 'co-sign SM2: cloud step', runtime: nodeRuntime, prepare: cloudStep },
    { name: 'co-sign SM2: cloud step, node:crypto ECDH only', runtime: nodeEcdhRuntime, prepare: cloudStep },
    { name: 'co-sign SM2: phone commit (k1·G)', runtime: nodeRuntime, prepare: () => () => sm2Commit() },
    { name: 'co-sign SM2: phone finish (combine+verify)', runtime: nodeRuntime, prepare: phoneFinish },
    { name: 'co-sign SM2: full co-signature', runtime: nodeRuntime, prepare: full },
    { name: 'co-sign SM2: phone commit, portable (H5)', runtime: portableRuntime, prepare: () => () => sm2Commit() },
    { name: 'co-sign SM2: phone finish, portable (H5)', runtime: portableRuntime, prepare: phoneFinish },
    { name: 'OpenSSL RSA-2048 sign (baseline, CRT)', runtime: nodeRuntime, prepare: () => () => sign('sha256', message, rsaKey) },
    { name: 'mediated RSA-2048: cloud half', runtime: nodeRuntime, prepare: rsaCloud },
    { name: 'mediated RSA-2048: phone half (+check)', runtime: nodeRuntime, prepare: rsaPhone },
    { name: 'mediated RSA-2048: phone half, portable', runtime: portableRuntime, prepare: rsaPhone },
  ];

  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`round ${round + 1}/${ROUNDS} 进行中 (running)…\n`);
    for (const c of cases) {
      useRuntime(c.runtime);
      let ops = 0;
      let busy = 0n;
      const end = performance.now() + SLICE_MS;
      while (performance.now() < end) {
        const op = c.prepare(); // untimed
        const t0 = process.hrtime.bigint();
        op();
        busy += process.hrtime.bigint() - t0;
        ops++;
      }
      samples.get(c.name)!.push(ops / (Number(busy) / 1e9));
    }
  }
  useRuntime(nodeRuntime);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = cases.map((c) => ({ name: c.name, opsPerSec: median(samples.get(c.name)!) }));
  const get = (prefix: string) => result.find((r) => r.name.startsWith(prefix))!.opsPerSec;
  const sm2Base = get('OpenSSL SM2 sign');
  const rsaBase = get('OpenSSL RSA-2048 sign');

  console.log('| operation | ops/s | vs baseline |');
  console.log('|---|---:|---:|');
  for (const r of result) {
    const base = r.name.includes('RSA') ? rsaBase : sm2Base;
    console.log(`| ${r.name} | ${r.opsPerSec.toFixed(0)} | ${(r.opsPerSec / base).toFixed(2)}× |`);
  }
  const ratio = get('co-sign SM2: cloud step') / sm2Base;
  const ecdhRatio = get('co-sign SM2: cloud step, node:crypto ECDH') / sm2Base;
  console.log(`\ncloud step (${nodeRuntime.sm2.backend}) / OpenSSL SM2 sign = ${ratio.toFixed(2)}×; with node:crypto ECDH only = ${ecdhRatio.toFixed(2)}×`);
  console.log(`cloud step / OpenSSL SM2 sign = ${ratio.toFixed(2)}×  (issue target ≥ 0.25×: ${ratio >= 0.25 ? 'met' : 'MISSED'}; project goal ≥ 1.0×: ${ratio >= 1 ? 'met' : 'not yet'})`);
  if (JSON_FILE) writeFileSync(JSON_FILE, JSON.stringify({ node: process.version, openssl: process.versions.openssl, rounds: ROUNDS, sliceMs: SLICE_MS, result, cloudStepRatio: ratio, cloudStepRatioEcdhOnly: ecdhRatio }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
