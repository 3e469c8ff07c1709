/** The cloud and the agent as real processes, for tests that kill them (kill -9) and start them again. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD } from '../../cloud/test/cloud-fixture.js';

const CLOUD_BIN = fileURLToPath(new URL('../../cloud/bin/medsign-cloud.mjs', import.meta.url));
const AGENT_BIN = fileURLToPath(new URL('../bin/medsign-agent.mjs', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGKILL, and wait for the exit */
  kill(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function track(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

const killer = (child: ChildProcess) => () =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    // the bin wrappers run the entry in a child (tsx): kill the whole process group
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  });

export async function spawnCloud(dataDir: string, port: number, extraEnv: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [CLOUD_BIN, '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, MEDSIGN_ADMIN_PASSWORD: ADMIN_PASSWORD, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/api/v1/health`)).ok, 60_000, `cloud on ${port}: ${output()}`);
  return { child, url, output, kill: killer(child) };
}

export async function spawnAgent(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [AGENT_BIN, '--port', '0', '--log-level', 'info', '--health-interval-ms', '300', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = track(child);
  let url = '';
  await waitFor(async () => {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output());
    if (m) url = m[1]!;
    return !!m;
  }, 60_000, `agent start: ${output()}`);
  return { child, url, output, kill: killer(child) };
}
