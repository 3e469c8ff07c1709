/**
 * npm run bench:native (also part of npm run bench): the call overhead of libmedsign.
 *
 * SOF_GetVersion through the library (a C loop: JSON request built, HTTP over the thread's
 * kept-alive connection, JSON reply parsed, the version copied out) against the same call as
 * raw HTTP from C (one kept-alive socket, a fixed request, the reply read by Content-Length).
 * Target: the library ≤ 1.5× the raw call. Both run in build/bench_getversion (C, `make bench`),
 * rounds alternating, against a real agent registered with a real cloud, in another process
 * (this one only drives: the agent, the cloud and the C program each have their own loop).
 *
 *   --calls N   calls per path per round (default 2000)
 *   --rounds N  rounds (default 7); the ratio is of the medians
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registrationToken, startCloudWithAdmin } from '../../agent/test/stack.js';
import { spawnAgent } from '../../agent/test/processes.js';
import { run } from '../test/live-stack.js';

const NATIVE = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const calls = arg('calls', 2000);
const rounds = arg('rounds', 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const make = await run('make', ['-C', NATIVE, 'bench']);
if (make.code !== 0) throw new Error(`make -C native bench failed:\n${make.out}${make.err}`);

const s = await startCloudWithAdmin();
const dataDir = mkdtempSync(join(tmpdir(), 'medsign-bench-'));
const token = await registrationToken(s.cloud.url, s.admin);
const agent = await spawnAgent(['--data-dir', dataDir, '--cloud', s.cloud.url, '--registration-token', token, '--rate-limit', '1000000']);
const port = Number(new URL(agent.url).port);
try {
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(`${NATIVE}build/bench_getversion`, [String(port), String(calls), String(rounds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      for (const l of d.split('\n').filter(Boolean)) {
        lines.push(l);
        process.stdout.write(`  ${l}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bench_getversion exited ${code}`))));
  });
  const raw = lines.map((l) => Number(/raw_us ([\d.]+)/.exec(l)?.[1]));
  const lib = lines.map((l) => Number(/lib_us ([\d.]+)/.exec(l)?.[1]));
  const ratio = median(lib) / median(raw);
  console.log(`SOF_GetVersion through libmedsign: median ${median(lib).toFixed(1)} µs/call; raw HTTP from C: ${median(raw).toFixed(1)} µs/call`);
  console.log(`ratio library / raw HTTP = ${ratio.toFixed(2)}× (target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'MISSED'}); ${calls} calls × ${rounds} rounds each`);
} finally {
  await agent.kill();
  await s.cloud.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
