/**
 * npm run bench -w cloud: sign sessions end to end against a real cloud on loopback, with
 * in-process phones (core's phone functions over HTTP), next to the pure co-sign compute for
 * the same digests measured in the same run. The ratio is the protocol + HTTP + storage overhead.
 *
 *   --sessions N (singles, default 100)  --batches100 N (default 10)  --batches1000 N (default 3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudSignRespond,
  nodeRuntime,
  phoneKeygenFinish,
  phoneKeygenStart,
  phoneSignFinish,
  phoneSignStart,
  toHex,
  useRuntime,
} from '@medsign/core';
import { loadConfig } from '../src/config.js';
import { startCloud } from '../src/server.js';
import { approve, enroll, pending, post } from '../test/phone.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  useRuntime(nodeRuntime);
  const dir = mkdtempSync(join(tmpdir(), 'medsign-bench-'));
  const cloud = await startCloud(loadConfig({ argv: ['--port', '0', '--data-dir', dir, '--log-level', 'silent'], env: {} }), { MEDSIGN_ADMIN_PASSWORD: 'bench-password-123' });
  try {
    const login = await post(cloud.url, '/api/v1/admin/login', { username: 'admin', password: 'bench-password-123' });
    const auth = { authorization: `Bearer ${login.json.token}` };
    const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo: 'B1', name: '压测', department: '信息科' }, auth);
    const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, auth);
    const phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, 'sm2');
    const t = await post(cloud.url, '/api/v1/admin/agent-tokens', {}, auth);
    const agent = await post(cloud.url, '/api/v1/agent/register', { registrationToken: t.json.registrationToken, name: 'BENCH' });
    const agentAuth = { authorization: `Bearer ${agent.json.credential}` };
    const lg = await post(cloud.url, '/api/v1/agent/logins', { employeeNo: 'B1', workstation: 'bench' }, agentAuth);
    await approve(cloud.url, phone, (await pending(cloud.url, phone))[0]!);
    const us = (await (await fetch(`${cloud.url}/api/v1/agent/sessions/${lg.json.sessionId}`, { headers: agentAuth })).json()) as { userSessionToken: string };

    const oneSession = async (n: number): Promise<number> => {
      const digests = Array.from({ length: n }, () => toHex(randomBytes(32)));
      const t0 = performance.now();
      const s = await post(cloud.url, '/api/v1/agent/sessions', { userSessionToken: us.userSessionToken, digests, app: 'bench', summaries: digests.map(() => 'x'), workstation: 'bench' }, agentAuth);
      const [p] = await pending(cloud.url, phone);
      const r = await approve(cloud.url, phone, p!);
      if (r.status !== 'OK') throw new Error(`session ended ${r.status}`);
      const res = (await (await fetch(`${cloud.url}/api/v1/agent/sessions/${s.json.sessionId}?wait=10`, { headers: agentAuth })).json()) as { status: string };
      if (res.status !== 'OK') throw new Error(`agent saw ${res.status}`);
      return performance.now() - t0;
    };

    // the same co-sign work with no HTTP and no storage
    const { phone: ps, cloud: cs } = (() => {
      const c = cloudKeygenOpen('bench-kg');
      const h = phoneKeygenStart('bench-kg');
      const f = phoneKeygenFinish(h.state, cloudKeygenRespond(c, h.message));
      return { phone: f.share, cloud: cloudKeygenConfirm(c, f.message) };
    })();
    let pureId = 0;
    const pure = (n: number): number => {
      const digests = Array.from({ length: n }, () => toHex(randomBytes(32)));
      const sessionId = `pure-${++pureId}`;
      const t0 = performance.now();
      const st = phoneSignStart({ sessionId, digests });
      const reply = cloudSignRespond(cs, { sessionId, digests, step: 'awaiting-phone-commit' }, st.message);
      phoneSignFinish(ps, st.state, reply);
      return performance.now() - t0;
    };

    const rows: string[] = [];
    for (const [label, n, count] of [
      ['single', 1, arg('sessions', 100)],
      ['batch of 100', 100, arg('batches100', 10)],
      ['batch of 1,000', 1000, arg('batches1000', 3)],
    ] as const) {
      process.stderr.write(`${label} × ${count} 进行中 (running)…\n`);
      await oneSession(n); // warm-up
      const e2e: number[] = [];
      const cmp: number[] = [];
      for (let i = 0; i < count; i++) {
        e2e.push(await oneSession(n));
        cmp.push(pure(n));
      }
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const e2eRate = (n * count * 1000) / sum(e2e);
      const pureRate = (n * count * 1000) / sum(cmp);
      rows.push(`| ${label} | ${count} | ${e2eRate.toFixed(0)} | ${percentile(e2e, 50).toFixed(1)} | ${percentile(e2e, 99).toFixed(1)} | ${pureRate.toFixed(0)} | ${percentile(cmp, 50).toFixed(1)} | ${(e2eRate / pureRate).toFixed(2)}× |`);
    }
    console.log(`MedSign cloud sign sessions — node ${process.version}, SM2 backend ${nodeRuntime.sm2.backend}; one agent, one phone, loopback HTTP, SQLite WAL\n`);
    console.log('| sessions | count | end-to-end signatures/s | p50 ms | p99 ms | pure co-sign signatures/s | pure p50 ms | end-to-end / pure |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(r);
  } finally {
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
