/**
 * The real stack on loopback for the agent tests: a cloud (in this process, on a temporary
 * data directory), doctors' phones from @medsign/mobile, and the agent registered with a
 * one-time token. Nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { WebSocket } from 'ws';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MedSignPhone, memoryStorage, type PendingSession } from '../../mobile/src/index.js';
import { adminToken, startTestCloud } from '../../cloud/test/cloud-fixture.js';
import { post } from '../../cloud/test/phone.js';
import { loadConfig } from '../src/config.js';
import { startAgent, type RunningAgent } from '../src/agent.js';

export const PIN = '123456';
export const ORIGIN = 'http://emr.hospital.test';
const FAST = { pinIterations: 1000 }; // the default 600,000 is for phones, not for a test suite

export type Cloud = Awaited<ReturnType<typeof startTestCloud>>;

export async function registrationToken(cloudUrl: string, admin: Record<string, string>): Promise<string> {
  return String((await post(cloudUrl, '/api/v1/admin/agent-tokens', {}, admin)).json.registrationToken);
}

let staffCounter = 0;
export async function enrollDoctor(cloudUrl: string, admin: Record<string, string>, algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024', name = '张医生') {
  const employeeNo = `D${process.pid % 1000}${++staffCounter}${algorithm.replace(/\D/g, '')}`;
  const staff = await post(cloudUrl, '/api/v1/admin/staff', { employeeNo, name, department: '心内科' }, admin);
  const e = await post(cloudUrl, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm }, admin);
  const storage = memoryStorage();
  const phone = await MedSignPhone.enroll(String(e.json.qr), PIN, { storage, ...FAST });
  return { phone, storage, employeeNo, name };
}

/** The doctor's phone in auto mode: approves every session as it arrives (or hands it to `decide`). */
export function autoApprove(phone: MedSignPhone, decide: (s: PendingSession) => 'approve' | 'reject' | 'ignore' = () => 'approve') {
  const seen = new Set<string>();
  const codes: string[] = [];
  const sessions: PendingSession[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const s of await phone.pending()) {
          if (seen.has(s.sessionId)) continue;
          seen.add(s.sessionId);
          codes.push(s.verificationCode);
          sessions.push(s);
          const d = decide(s);
          if (d === 'approve') await phone.approve(s, PIN);
          else if (d === 'reject') await phone.reject(s.sessionId);
        }
      } catch {
        /* the cloud may be down in failover tests */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    codes,
    sessions,
    async stop() {
      running = false;
      await loop;
    },
  };
}

export async function startTestAgent(cloudUrls: string[], token: string | undefined, extra: string[] = [], dataDir = mkdtempSync(join(tmpdir(), 'medsign-agent-'))): Promise<RunningAgent & { dataDir: string; dispose(): Promise<void> }> {
  const argv = ['--port', '0', '--data-dir', dataDir, '--log-level', process.env.AGENT_LOG ?? 'silent', '--allowed-origin', ORIGIN, '--health-interval-ms', '300', ...cloudUrls.flatMap((u) => ['--cloud', u]), ...(token ? ['--registration-token', token] : []), ...extra];
  const agent = await startAgent(loadConfig({ argv, env: {} }), {});
  return {
    ...agent,
    dataDir,
    async dispose() {
      await agent.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One HTTP call to the agent, as a native client would make it. */
export async function call(agentUrl: string, method: string, params: unknown = {}, headers: Record<string, string> = {}) {
  const r = await fetch(`${agentUrl}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(params) });
  const json = (await r.json()) as Record<string, any>;
  return { status: r.status, json };
}

export async function startCloudWithAdmin(args: string[] = []) {
  const cloud = await startTestCloud(undefined, {}, args);
  const admin = { authorization: `Bearer ${await adminToken(cloud.url)}` };
  return { cloud, admin };
}

/** A JSON-RPC 2.0 client over the agent's WebSocket, collecting its notifications. */
export class RpcClient {
  readonly events: { method: string; params: Record<string, any> }[] = [];
  private next = 1;
  private readonly waiting = new Map<number, (m: any) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (m.id !== undefined && this.waiting.has(m.id)) {
        this.waiting.get(m.id)!(m);
        this.waiting.delete(m.id);
      } else if (m.method) this.events.push(m);
    });
  }
  /** `origin: null` connects as a native client (no Origin header) */
  static connect(agentUrl: string, origin: string | null = ORIGIN): Promise<RpcClient> {
    const ws = new WebSocket(`${agentUrl.replace('http', 'ws')}/v1/ws`, origin !== null ? { headers: { origin } } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RpcClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  /** the whole reply: { result } or { error } */
  send(method: string, params: unknown = {}): Promise<{ result?: any; error?: { code: number; message: string; data: any } }> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }
  close() {
    this.ws.close();
  }
}
