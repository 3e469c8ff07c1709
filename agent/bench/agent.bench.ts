/**
 * npm run bench -w @medsign/agent: the agent (issue 6) against its two performance targets,
 * on the real stack of the tests (agent/test/stack.ts: a cloud on loopback, phones from
 * @medsign/mobile, the agent registered with a one-time token), all in this one process.
 *
 *  1. getVersion latency (p50/p99, sequential) and throughput (req/s, N in flight) over HTTP
 *     (node:http, keep-alive) and WebSocket JSON-RPC (ws, one connection). Target p50 ≤ 1 ms.
 *     Next to it, for the breakdown: the registry dispatch alone, and a bare node:http / ws
 *     server answering the same JSON in this process, with the same clients.
 *  2. A 1,000-item signBatch (format raw) end to end, the doctor's phone auto-approving, next to
 *     the pure co-sign compute for the same 1,000 digests (the two-party maths only, one
 *     session of MAX_BATCH digests, no network), measured alternately in the same run.
 *     Target: end to end ≤ 2× pure. SM2, and mediated RSA-2048 unless --no-rsa.
 *
 *   --calls N        sequential getVersion calls per client (default 5000)
 *   --concurrency N  calls in flight for the throughput run (default 16)
 *   --ms N           duration of each throughput run (default 2000)
 *   --runs N         signBatch runs per algorithm, after one warm-up (default 3)
 *   --no-rsa         SM2 only
 *
 * The agent's per-client rate limit (6,000 requests a minute by default) is raised for this run
 * through a config file; everything else is the agent's default configuration.
 */
import { createServer, request as httpRequest, Agent as HttpAgent, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import {
  MAX_BATCH,
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudRsaSignRespond,
  cloudSignRespond,
  encodeSm2SignatureDer,
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
  toHex,
  verifyDigestSignature,
  type PublicKey,
} from '@medsign/core';
import type { MedSignPhone } from '../../mobile/src/index.js';
import type { RunningAgent } from '../src/agent.js';
import type { CloudRequest } from '../src/cloud-link.js';
import { autoApprove, call, enrollDoctor, registrationToken, startCloudWithAdmin, startTestAgent } from '../test/stack.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg('calls', 5000);
const CONCURRENCY = arg('concurrency', 16);
const THROUGHPUT_MS = arg('ms', 2000);
const RUNS = arg('runs', 3);
const WITH_RSA = !process.argv.includes('--no-rsa');
const BATCH = 1000;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const median = (xs: number[]) => percentile(xs, 50);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- clients

/** POST {} to `path` over a keep-alive node:http agent; resolves with the parsed JSON body. */
function httpPost(port: number, path: string, agent: HttpAgent): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${JSON.stringify(body)}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/** A JSON-RPC 2.0 client over one WebSocket (notifications are ignored). */
class WsClient {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (r: any) => void; reject: (e: Error) => void }>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (typeof m.id === 'number' && this.waiting.has(m.id)) {
        const w = this.waiting.get(m.id)!;
        this.waiting.delete(m.id);
        if (m.error) w.reject(new Error(`${m.error.code} ${m.error.message}`));
        else w.resolve(m.result);
      }
    });
  }
  static connect(url: string): Promise<WsClient> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }
  send(method: string, params: unknown = {}): Promise<any> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === this.ws.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

// ---------------------------------------------------------------- measurement

interface LatencyResult {
  p50: number;
  p99: number;
  seqRps: number;
  rps: number;
  loadP50: number;
  loadP99: number;
}

/** `calls` sequential calls (latency), then `concurrency` in flight for THROUGHPUT_MS (req/s). */
async function measure(label: string, one: () => Promise<unknown>): Promise<LatencyResult> {
  log(`  ${label}…`);
  for (let i = 0; i < Math.min(1000, CALLS); i++) await one(); // warm-up (JIT, sockets)
  const lat: number[] = new Array(CALLS);
  const seq0 = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await one();
    lat[i] = performance.now() - t0;
  }
  const seqMs = performance.now() - seq0;
  const load: number[] = [];
  const end = performance.now() + THROUGHPUT_MS;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await one();
        load.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), seqRps: (CALLS * 1000) / seqMs, rps: (load.length * 1000) / elapsed, loadP50: percentile(load, 50), loadP99: percentile(load, 99) };
}

/** Sequential latency of a synchronous or promise-returning call, no throughput run. */
async function measureDirect(one: () => unknown): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 1000; i++) await one();
  const lat: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await one();
    lat.push(performance.now() - t0);
  }
  return { p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

const VERSION_BODY = JSON.stringify({ version: '0.1.0', apiVersion: '1.0', product: 'MedSign Agent 医签助手' });

/** The floor on this machine: node:http and ws servers that answer getVersion's JSON and nothing else. */
async function bareServers(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(VERSION_BODY) });
      res.end(VERSION_BODY);
    });
  });
  const wss = new WebSocketServer({ server, path: '/v1/ws' });
  wss.on('connection', (ws) =>
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: JSON.parse(VERSION_BODY) }));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------- pure co-sign compute

interface PureTimes {
  total: number;
  phoneStart: number;
  cloud: number;
  phoneFinish: number;
  /** the same 1,000 signatures verified once more (what the cloud and the agent each do again) */
  verify: number;
}

let pureSession = 0;
function sm2Key() {
  const id = `bench-kg-${++pureSession}`;
  const c = cloudKeygenOpen(id);
  const h = phoneKeygenStart(id);
  const f = phoneKeygenFinish(h.state, cloudKeygenRespond(c, h.message));
  const cloud = cloudKeygenConfirm(c, f.message);
  return { phone: f.share, cloud, publicKey: { algorithm: 'sm2', point: pointFromHex(f.share.publicKey) } as PublicKey };
}

function pureSm2(key: ReturnType<typeof sm2Key>, digests: string[]): PureTimes {
  if (digests.length > MAX_BATCH) throw new Error('more than MAX_BATCH digests');
  const sessionId = `bench-sign-${++pureSession}`;
  const t0 = performance.now();
  const st = phoneSignStart({ sessionId, digests });
  const t1 = performance.now();
  const reply = cloudSignRespond(key.cloud, { sessionId, digests, step: 'awaiting-phone-commit' }, st.message);
  const t2 = performance.now();
  const sigs = phoneSignFinish(key.phone, st.state, reply);
  const t3 = performance.now();
  const der = sigs.map((g) => encodeSm2SignatureDer(g));
  const v0 = performance.now();
  if (!der.every((s, i) => verifyDigestSignature('sm2-with-sm3', key.publicKey, Buffer.from(digests[i]!, 'hex'), s))) throw new Error('pure SM2 signature does not verify');
  return { total: t3 - t0, phoneStart: t1 - t0, cloud: t2 - t1, phoneFinish: t3 - t2, verify: performance.now() - v0 };
}

async function rsaKey() {
  const shares = await rsaDealerSplit(2048);
  return { ...shares, publicKey: { algorithm: 'rsa', n: BigInt(`0x${shares.phone.n}`), e: BigInt(`0x${shares.phone.e}`) } as PublicKey };
}

function pureRsa(key: Awaited<ReturnType<typeof rsaKey>>, digests: string[]): PureTimes {
  if (digests.length > MAX_BATCH) throw new Error('more than MAX_BATCH digests');
  const sessionId = `bench-rsa-${++pureSession}`;
  const t0 = performance.now();
  const st = phoneRsaSignStart({ sessionId, hash: 'sha256', digests });
  const t1 = performance.now();
  const reply = cloudRsaSignRespond(key.cloud, { sessionId, hash: 'sha256', digests, step: 'awaiting-phone-request' }, st.message);
  const t2 = performance.now();
  const sigs = phoneRsaSignFinish(key.phone, st.state, reply);
  const t3 = performance.now();
  const v0 = performance.now();
  if (!sigs.every((s, i) => verifyDigestSignature('rsa-with-sha256', key.publicKey, Buffer.from(digests[i]!, 'hex'), s))) throw new Error('pure RSA signature does not verify');
  return { total: t3 - t0, phoneStart: t1 - t0, cloud: t2 - t1, phoneFinish: t3 - t2, verify: performance.now() - v0 };
}

// ---------------------------------------------------------------- signBatch end to end

interface E2eTimes {
  total: number;
  /** client → agent: JSON, params check, the 1,000 digests (until CloudSessions.cosign starts) */
  digest: number;
  /** agent → cloud: open the session (POST /api/v1/agent/sessions) */
  open: number;
  /** until the phone's approve() starts: its 50 ms poll of the pending list */
  phoneNotice: number;
  /** phone.approve() (PIN vault, phone compute, commit = cloud step, complete = cloud checks and
   *  stores) until the agent's long-poll returns with OK */
  phoneToOk: number;
  /** agent: check every signature against the certificate */
  agentCheck: number;
  /** agent: results, schema check, JSON, WebSocket frame, until the client has the reply */
  reply: number;
}

/**
 * Timestamps taken inside the agent and the phone, by wrapping methods on their instances (no
 * change to what they do). Taken there rather than from the events the client receives, because
 * everything shares one event loop: an event is read only after the synchronous work behind it.
 */
interface Marks {
  cosignStart: number;
  opened: number;
  phoneStart: number[];
  pollReturn: number;
  cosignEnd: number;
}

function instrument(agent: RunningAgent, phones: MedSignPhone[]): Marks {
  const m: Marks = { cosignStart: 0, opened: 0, phoneStart: [], pollReturn: 0, cosignEnd: 0 };
  const { sessions, cloud } = agent.context;
  const cosign = sessions.cosign.bind(sessions);
  sessions.cosign = async (...args: Parameters<typeof cosign>) => {
    m.cosignStart = performance.now();
    const sigs = await cosign(...args);
    m.cosignEnd = performance.now();
    return sigs;
  };
  const request = cloud.request.bind(cloud);
  cloud.request = (async (method: 'GET' | 'POST', path: string, req?: CloudRequest) => {
    const r = await request(method, path, req);
    if (method === 'POST' && path === '/api/v1/agent/sessions') m.opened = performance.now();
    if (method === 'GET' && path.startsWith('/api/v1/agent/sessions/')) m.pollReturn = performance.now();
    return r;
  }) as typeof cloud.request;
  for (const phone of phones) {
    const approve = phone.approve.bind(phone);
    phone.approve = (session, pin) => {
      m.phoneStart.push(performance.now());
      return approve(session, pin);
    };
  }
  return m;
}

async function signBatchOnce(ws: WsClient, certId: string, m: Marks, run: string): Promise<E2eTimes> {
  const items = Array.from({ length: BATCH }, (_, i) => ({ text: `检验报告 ${run}-${i + 1}: 血常规 WBC 6.${i % 10}×10⁹/L, Hb 13${i % 10} g/L, PLT 2${i % 100} ×10⁹/L — 审核医师签名` }));
  m.phoneStart.length = 0;
  const t0 = performance.now();
  const r = await ws.send('signBatch', { certId, items, format: 'raw' });
  const t1 = performance.now();
  if (!Array.isArray(r.results) || r.results.length !== BATCH || !r.results.every((x: any) => typeof x.signature === 'string')) throw new Error('signBatch: unexpected result');
  if (m.phoneStart.length !== 1) throw new Error(`expected one phone approval, saw ${m.phoneStart.length}`);
  const phone = m.phoneStart[0]!;
  if (!(t0 < m.cosignStart && m.cosignStart < m.opened && m.opened < phone && phone < m.pollReturn && m.pollReturn < m.cosignEnd && m.cosignEnd < t1)) throw new Error('stage timestamps out of order');
  return { total: t1 - t0, digest: m.cosignStart - t0, open: m.opened - m.cosignStart, phoneNotice: phone - m.opened, phoneToOk: m.pollReturn - phone, agentCheck: m.cosignEnd - m.pollReturn, reply: t1 - m.cosignEnd };
}

// ---------------------------------------------------------------- main

async function main() {
  const startedAt = performance.now();
  const cfgDir = mkdtempSync(join(tmpdir(), 'medsign-agent-bench-'));
  const cfgFile = join(cfgDir, 'agent.json');
  writeFileSync(cfgFile, JSON.stringify({ requestsPerMinutePerOrigin: 1_000_000 }));

  log('starting cloud, agent, doctors…');
  const s = await startCloudWithAdmin();
  const agent = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin), ['--config', cfgFile]);
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
  const autos: ReturnType<typeof autoApprove>[] = [];
  const clients: WsClient[] = [];
  let bare: Awaited<ReturnType<typeof bareServers>> | undefined;
  try {
    const wsUrl = `ws://127.0.0.1:${agent.port}/v1/ws`;

    // doctors: enrol, log in (the phone approves), then stop the phones until the batch runs
    const algs = WITH_RSA ? (['sm2', 'rsa-2048'] as const) : (['sm2'] as const);
    const doctors: { alg: (typeof algs)[number]; phone: MedSignPhone; certId: string }[] = [];
    for (const alg of algs) {
      const d = await enrollDoctor(s.cloud.url, s.admin, alg, `压测医生${alg}`);
      const auto = autoApprove(d.phone);
      const login = await call(agent.url, 'login', { employeeNo: d.employeeNo });
      await auto.stop();
      if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.json)}`);
      doctors.push({ alg, phone: d.phone, certId: String(login.json.certId) });
    }
    const marks = instrument(agent, doctors.map((d) => d.phone));

    // ---- 1. getVersion
    log(`getVersion: ${CALLS} sequential calls per client, then ${CONCURRENCY} in flight for ${THROUGHPUT_MS} ms`);
    const ctx = { client: 'native', emit: () => undefined };
    const dispatch = await measureDirect(() => agent.registry.call('getVersion', {}, ctx));
    const http = await measure('agent, HTTP (node:http keep-alive)', () => httpPost(agent.port, '/v1/getVersion', httpAgent));
    const fetchR = await measure('agent, HTTP (fetch)', async () => {
      const r = await fetch(`${agent.url}/v1/getVersion`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      return r.json();
    });
    const wsSeq = await WsClient.connect(wsUrl);
    clients.push(wsSeq);
    const ws = await measure('agent, WebSocket JSON-RPC (ws)', () => wsSeq.send('getVersion'));
    bare = await bareServers();
    const bareHttpAgent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
    const bareHttp = await measure('bare node:http server', () => httpPost(bare!.port, '/v1/getVersion', bareHttpAgent));
    bareHttpAgent.destroy();
    const bareWsClient = await WsClient.connect(`ws://127.0.0.1:${bare.port}/v1/ws`);
    clients.push(bareWsClient);
    const bareWs = await measure('bare ws server', () => bareWsClient.send('getVersion'));
    await bareWsClient.close();
    await bare.close();
    bare = undefined;

    // ---- 2. signBatch
    const batchWs = await WsClient.connect(wsUrl);
    clients.push(batchWs);
    const sm2 = sm2Key();
    const rsa = WITH_RSA ? await rsaKey() : undefined;
    const batchRows: { alg: string; e2e: E2eTimes[]; pure: PureTimes[] }[] = [];
    for (const d of doctors) {
      log(`signBatch ${BATCH} × ${d.alg}: 1 warm-up + ${RUNS} runs, each beside the pure co-sign compute…`);
      const auto = autoApprove(d.phone);
      autos.push(auto);
      const digestsFor = (run: string): string[] =>
        Array.from({ length: BATCH }, (_, i) => {
          const text = Buffer.from(`检验报告 ${run}-${i + 1}`, 'utf8');
          return d.alg === 'sm2' ? toHex(sm2Digest(pointFromHex(sm2.phone.publicKey), text)) : createHash('sha256').update(text).digest('hex');
        });
      const pure = (run: string) => (d.alg === 'sm2' ? pureSm2(sm2, digestsFor(run)) : pureRsa(rsa!, digestsFor(run)));
      await signBatchOnce(batchWs, d.certId, marks, `${d.alg}-warm`);
      pure('warm');
      const e2e: E2eTimes[] = [];
      const cmp: PureTimes[] = [];
      for (let i = 0; i < RUNS; i++) {
        e2e.push(await signBatchOnce(batchWs, d.certId, marks, `${d.alg}-${i}`));
        cmp.push(pure(String(i)));
      }
      await auto.stop();
      batchRows.push({ alg: d.alg === 'sm2' ? 'SM2' : 'RSA-2048', e2e, pure: cmp });
    }

    // ---- report
    const lines: string[] = [];
    const out = (l = '') => lines.push(l);
    out(`MedSign agent benchmark — node ${process.version}, SM2 backend ${nodeRuntime.sm2.backend}; cloud, agent, phones and clients in one process on loopback`);
    out();
    out(`### getVersion (${CALLS.toLocaleString('en-US')} sequential calls after 1,000 warm-up; then ${CONCURRENCY} in flight for ${(THROUGHPUT_MS / 1000).toFixed(1)} s)`);
    out();
    out('| surface | p50 ms | p99 ms | sequential req/s | req/s, ' + CONCURRENCY + ' in flight | p50 / p99 ms in flight |');
    out('|---|---:|---:|---:|---:|---:|');
    const row = (name: string, r: LatencyResult) => out(`| ${name} | ${f3(r.p50)} | ${f3(r.p99)} | ${int(r.seqRps)} | ${int(r.rps)} | ${f2(r.loadP50)} / ${f2(r.loadP99)} |`);
    row('agent, HTTP `POST /v1/getVersion` (node:http keep-alive)', http);
    row('agent, HTTP `POST /v1/getVersion` (fetch)', fetchR);
    row('agent, WebSocket JSON-RPC (ws, one connection)', ws);
    row('bare node:http server, same JSON (floor)', bareHttp);
    row('bare ws server, same JSON (floor)', bareWs);
    out(`| registry dispatch alone (zod params + result) | ${dispatch.p50.toFixed(4)} | ${dispatch.p99.toFixed(4)} | | | |`);
    out();
    out(`### signBatch of ${BATCH.toLocaleString('en-US')} items (format raw), WebSocket, phone auto-approving; median of ${RUNS} runs after a warm-up`);
    out();
    out('| algorithm | end-to-end ms | signatures/s | pure co-sign ms | pure signatures/s | end-to-end / pure | per run |');
    out('|---|---:|---:|---:|---:|---:|---:|');
    for (const b of batchRows) {
      const e = median(b.e2e.map((x) => x.total));
      const p = median(b.pure.map((x) => x.total));
      const each = b.e2e.map((x, i) => f2(x.total / b.pure[i]!.total)).join(', ');
      out(`| ${b.alg} | ${int(e)} | ${int((BATCH * 1000) / e)} | ${int(p)} | ${int((BATCH * 1000) / p)} | **${f2(e / p)}×** | ${each} |`);
    }
    out();
    out('Where the end-to-end time goes (median ms per stage):');
    out();
    out('| stage | ' + batchRows.map((b) => b.alg).join(' | ') + ' |');
    out('|---|' + batchRows.map(() => '---:').join('|') + '|');
    const stage = (name: string, key: keyof E2eTimes) => out(`| ${name} | ${batchRows.map((b) => f1(median(b.e2e.map((x) => x[key])))).join(' | ')} |`);
    stage('client → agent: JSON, params check, 1,000 digests', 'digest');
    stage('agent → cloud: open the session', 'open');
    stage('the phone notices it (polls every 50 ms)', 'phoneNotice');
    stage('phone approves: phone compute, cloud step, cloud checks 1,000 signatures, until the agent’s long-poll returns', 'phoneToOk');
    stage('agent checks 1,000 signatures against the certificate', 'agentCheck');
    stage('agent → client: results, schema check, JSON, reply', 'reply');
    const pureStage = (name: string, key: keyof PureTimes) => out(`| *pure: ${name}* | ${batchRows.map((b) => f1(median(b.pure.map((x) => x[key])))).join(' | ')} |`);
    pureStage('phone start', 'phoneStart');
    pureStage('cloud step', 'cloud');
    pureStage('phone finish (with its check)', 'phoneFinish');
    pureStage('one more check of 1,000 signatures', 'verify');
    out();

    const target1 = [
      { name: 'HTTP', r: http },
      { name: 'WebSocket', r: ws },
    ];
    for (const t of target1) out(`- getVersion p50 ≤ 1 ms over ${t.name}: **${t.r.p50 <= 1 ? 'met' : 'not met'}, ${f3(t.r.p50)} ms** (p99 ${f3(t.r.p99)} ms, ${int(t.r.rps)} req/s with ${CONCURRENCY} in flight)`);
    for (const b of batchRows) {
      const e = median(b.e2e.map((x) => x.total));
      const p = median(b.pure.map((x) => x.total));
      out(`- ${b.alg} signBatch of 1,000 ≤ 2× pure co-sign compute: **${e / p <= 2 ? 'met' : 'not met'}, ${f2(e / p)}×** (${int(e)} ms against ${int(p)} ms)`);
    }
    out();
    out(`(whole benchmark ${f1((performance.now() - startedAt) / 1000)} s)`);
    console.log(lines.join('\n'));
  } finally {
    for (const a of autos) await a.stop();
    for (const c of clients) await c.close();
    await bare?.close();
    httpAgent.destroy();
    await agent.dispose();
    await s.cloud.dispose();
    rmSync(cfgDir, { recursive: true, force: true });
  }
  // everything is closed: if a handle still holds the process open, say so rather than hang
  setTimeout(() => {
    console.error('warning: the process did not exit by itself 3 s after shutdown; exiting');
    process.exit(0);
  }, 3000).unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
