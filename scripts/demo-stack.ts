/**
 * npm start: the demo stack on embedded defaults, as real processes.
 *   1. medsign-cloud on $MEDSIGN_DATA_DIR/cloud (default ./data) at 127.0.0.1:17900;
 *   2. a demo doctor (王医生, employee no. DEMO001, SM2), enrolled through the medsign-mobile
 *      simulator, which then runs in auto mode and prints each verification code it approves;
 *   3. medsign-agent at 127.0.0.1:17990, registered, with the demo doctor logged in;
 *   4. the EMR example page (examples/emr-web) at http://127.0.0.1:17980, which signs through the agent.
 * A second start reuses the data. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmrServer, type EmrServer } from '../examples/emr-web/server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = resolve(process.env.MEDSIGN_DATA_DIR ?? join(ROOT, 'data'));
const CLOUD = 'http://127.0.0.1:17900';
const AGENT = 'http://127.0.0.1:17990';
const PIN = '123456';
const DOCTOR = { employeeNo: 'DEMO001', name: '王医生', department: '心内科' };
const EMR_ORIGINS = ['http://127.0.0.1:17980', 'http://localhost:17980'];
const bin = (pkg: string, name: string) => join(ROOT, pkg, 'bin', `${name}.mjs`);
const children: ChildProcess[] = [];
let emr: EmrServer | undefined;

function start(label: string, file: string, args: string[], env: Record<string, string> = {}, quiet = false): ChildProcess {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (d: Buffer) =>
    d
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .forEach((l) => console.log(`[${label}] ${l}`));
  if (!quiet) child.stdout!.on('data', prefix);
  child.stderr!.on('data', prefix);
  children.push(child);
  return child;
}

function run(label: string, file: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((ok, fail) => {
    const child = start(label, file, args, env);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${label} exited with ${code}`))));
  });
}

async function until(url: string, what: string, post = false, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url, post ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' } : {})).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not start (is port ${new URL(url).port} already in use?)`);
}

async function api(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await r.json()) as Record<string, any>;
  if (!r.ok) throw new Error(`${path}: ${json.message ?? r.status}`);
  return json;
}

async function main(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  const cloudDir = join(DATA, 'cloud');
  const agentDir = join(DATA, 'agent');
  const phoneHome = join(DATA, 'phone');
  const firstRun = !existsSync(join(agentDir, 'agent-state.enc')) || !existsSync(join(phoneHome, 'default.json'));
  const phoneEnv = { MEDSIGN_MOBILE_HOME: phoneHome };

  for (const [url, what] of [[`${CLOUD}/api/v1/health`, 'a cloud'], [`${AGENT}/`, 'an agent'], ['http://127.0.0.1:17980/', 'the EMR page']] as const) {
    const up = await fetch(url).then(
      () => true,
      () => false,
    );
    if (up) throw new Error(`${what} is already running at ${new URL(url).origin} (another npm start?): stop it first`);
  }
  console.log(`MedSign 演示环境 demo stack — data in ${DATA}${firstRun ? ' (first start: setting up)' : ' (reusing the data)'}`);
  // a one-time administrator password for the first start; later starts need none
  const adminPassword = randomBytes(12).toString('base64url');
  start('cloud', bin('cloud', 'medsign-cloud'), ['--data-dir', cloudDir, '--port', '17900', '--log-level', 'warn', '--h5-dir', join(ROOT, 'mobile', 'dist', 'h5')], { MEDSIGN_ADMIN_PASSWORD: adminPassword });
  await until(`${CLOUD}/api/v1/health`, 'the cloud');

  let registrationToken: string | undefined;
  if (firstRun) {
    let admin: Record<string, string>;
    try {
      admin = { authorization: `Bearer ${(await api(CLOUD, '/api/v1/admin/login', { username: 'admin', password: adminPassword })).token}` };
    } catch {
      throw new Error(`the cloud in ${cloudDir} was set up by an earlier run whose phone or agent data is gone: delete ${DATA} and start again`);
    }
    const staff = await api(CLOUD, '/api/v1/admin/staff', DOCTOR, admin);
    const enrollment = await api(CLOUD, '/api/v1/admin/enrollments', { staffId: staff.id, algorithm: 'sm2' }, admin);
    console.log(`[demo] ${DOCTOR.name} (${DOCTOR.employeeNo}) 用手机模拟器激活 enrolling with medsign-mobile …`);
    await run('phone', bin('mobile', 'medsign-mobile'), ['enroll', '--qr', enrollment.qr, '--pin', PIN], phoneEnv);
    registrationToken = (await api(CLOUD, '/api/v1/admin/agent-tokens', {}, admin)).registrationToken;
  }

  start('phone', bin('mobile', 'medsign-mobile'), ['auto', '--pin', PIN], phoneEnv);
  start('agent', bin('agent', 'medsign-agent'), ['--data-dir', agentDir, '--cloud', CLOUD, '--port', '17990', '--log-level', 'warn', ...EMR_ORIGINS.flatMap((o) => ['--allowed-origin', o]), ...(registrationToken ? ['--registration-token', registrationToken] : [])]);
  await until(`${AGENT}/v1/getVersion`, 'the agent', true);

  let users = (await api(AGENT, '/v1/getUserList', {})).users as { certId: string; name: string }[];
  if (!users.some((u) => u.name === DOCTOR.name)) {
    console.log(`[demo] ${DOCTOR.name} 推送登录 push login (the phone approves) …`);
    await api(AGENT, '/v1/login', { employeeNo: DOCTOR.employeeNo });
    users = (await api(AGENT, '/v1/getUserList', {})).users;
  }
  const certId = users.find((u) => u.name === DOCTOR.name)!.certId;
  if (!existsSync(join(ROOT, 'sdk-js', 'dist', 'medsign.iife.js'))) throw new Error('the SDK is not built: run npm run build -w @medsign/sdk (npm install does it)');
  emr = await startEmrServer({ port: 17980, agentPort: 17990 });
  console.log(`
──────────────────────────────────────────────────────────────────────────────
 MedSign 演示环境已就绪 (the demo stack is up)
   云端 cloud            ${CLOUD}      (phone H5 app: ${CLOUD}/m/)
   医签助手 agent        ${AGENT}      (status page: ${AGENT}/)
   演示医生 doctor       ${DOCTOR.name}  certId ${certId}  PIN ${PIN} (phone auto-approves)
   管理控制台 admin      ${CLOUD}/admin/  ${firstRun ? `admin / ${adminPassword}  (只显示这一次 shown on this first start only)` : '(admin: the password shown at the first start)'}

 打开电子病历示例 open the EMR example:  ${emr.url}/
   (pick 王医生, write a progress note, 签名 Sign: the code shows on the page and on the phone)

 试一试 try:
   curl -s -X POST ${AGENT}/v1/getUserList -H 'content-type: application/json' -d '{}'
   curl -s -X POST ${AGENT}/v1/signData -H 'content-type: application/json' \\
        -d '{"certId":"${certId}","text":"病程记录：患者今日查房，生命体征平稳。"}'
   curl -s -X POST ${AGENT}/v1/signMessage -H 'content-type: application/json' \\
        -d '{"certId":"${certId}","text":"出院小结","detached":false,"timestamp":true}'
   curl -s ${AGENT}/v1/openapi.json | head -c 300

 Ctrl-C 停止 stops everything; the next npm start reuses ${DATA}.
──────────────────────────────────────────────────────────────────────────────`);
}

function stopAll(code: number): void {
  void emr?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on('SIGINT', () => {
  console.log('\n停止中 stopping …');
  stopAll(0);
});
process.on('SIGTERM', () => stopAll(0));
main().catch((err: unknown) => {
  console.error(`演示环境启动失败 demo failed: ${err instanceof Error ? err.message : String(err)}`);
  stopAll(1);
});
