/**
 * The live stack both native tests sign against: a cloud, the agent, and an RSA-2048 doctor
 * (RSA PKCS#1 v1.5 is deterministic, so A and W variants can be compared byte for byte) whose
 * phone approves every session 250 ms after it appears — long enough for a second thread to
 * read the verification code meanwhile. The doctor is logged in; the CA and the doctor's
 * public key are written into `cli` for openssl.
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { toPem } from '@medsign/core';
import type { OpensslCli } from '../../core/test/openssl-cli.js';
import { PIN, call, enrollDoctor, registrationToken, startCloudWithAdmin, startTestAgent } from '../../agent/test/stack.js';

export async function startLiveStack(name: string, cli: OpensslCli) {
  const s = await startCloudWithAdmin();
  const agent = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin));
  const d = await enrollDoctor(s.cloud.url, s.admin, 'rsa-2048', name);
  const phoneCodes: string[] = [];
  /** the first summary of each session the phone was shown, in order */
  const phoneSummaries: string[] = [];
  let running = true;
  const seen = new Set<string>();
  const loop = (async () => {
    while (running) {
      try {
        for (const p of await d.phone.pending()) {
          if (seen.has(p.sessionId)) continue;
          seen.add(p.sessionId);
          phoneCodes.push(p.verificationCode);
          phoneSummaries.push(p.summaries[0] ?? '');
          await new Promise((r) => setTimeout(r, 250));
          await d.phone.approve(p, PIN);
        }
      } catch {
        /* keep polling */
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  const login = await call(agent.url, 'login', { employeeNo: d.employeeNo });
  expect(login.status).toBe(200);
  const certId: string = login.json.certId;
  const cert = await call(agent.url, 'exportUserCert', { certId });
  const certPem = toPem(Buffer.from(cert.json.certificate, 'base64'), 'CERTIFICATE');
  cli.write('cert.pem', certPem);
  cli.write('rsa-root.pem', await (await fetch(`${s.cloud.url}/pki/ca/rsa-root.pem`)).text());
  expect(cli.run(['x509', '-in', 'cert.pem', '-pubkey', '-noout', '-out', 'pub.pem']).ok).toBe(true);
  return {
    cloud: s.cloud,
    agent,
    certId,
    certPem,
    phoneCodes,
    phoneSummaries,
    async stop() {
      running = false;
      await loop;
      await agent.dispose();
      await s.cloud.dispose();
    },
  };
}

export type LiveStack = Awaited<ReturnType<typeof startLiveStack>>;

/**
 * Run a program without blocking this process (the cloud and the agent run in it: spawnSync
 * would deadlock them). `stdout: 'latin1'` keeps non-UTF-8 bytes (GBK from the A variants).
 */
export function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; stdout?: 'utf8' | 'latin1' } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString(opts.stdout ?? 'utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
