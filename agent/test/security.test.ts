/**
 * The agent on a shared clinical workstation: only loopback names, only allowed origins,
 * bounded input, and every method refusing malformed, oversized and wrong-typed input with a
 * clear error while the process stays up.
 */
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SOR } from '@medsign/core';
import { ORIGIN, RpcClient, call, registrationToken, startCloudWithAdmin, startTestAgent } from './stack.js';

let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
let agent: Awaited<ReturnType<typeof startTestAgent>>;
const MAX_BODY = 64 * 1024;
const RATE = 600;

beforeAll(async () => {
  s = await startCloudWithAdmin();
  const cfg = join(mkdtempSync(join(tmpdir(), 'medsign-cfg-')), 'agent.json');
  writeFileSync(cfg, JSON.stringify({ maxBodyBytes: MAX_BODY, requestsPerMinutePerOrigin: RATE }));
  agent = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin), ['--config', cfg]);
});
afterAll(async () => {
  await agent?.dispose();
  await s?.cloud.dispose();
});

/** A raw HTTP request with any Host header (fetch will not let a page or a test set it). */
function rawRequest(opts: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('Host and Origin', () => {
  it('a DNS-rebinding Host is refused before any method runs, on HTTP and on the WebSocket upgrade', async () => {
    const r = await rawRequest({ method: 'POST', path: '/v1/getVersion', headers: { host: `evil.example:${agent.port}`, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'HOST_REJECTED' });
    for (const host of [`localhost:${agent.port}`, `127.0.0.1:${agent.port}`, `[::1]:${agent.port}`]) {
      expect((await rawRequest({ method: 'POST', path: '/v1/getVersion', headers: { host, 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    }
    expect((await rawRequest({ method: 'POST', path: '/v1/getVersion', headers: { host: `localhost:1`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    const ws = new WebSocket(`ws://127.0.0.1:${agent.port}/v1/ws`, { headers: { host: `attacker.test:${agent.port}` } });
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_q, res) => resolve(res.statusCode!)));
    expect(status).toBe(403);
  });

  it('a page from a disallowed origin gets neither HTTP nor a WebSocket; no CORS headers leak', async () => {
    const r = await call(agent.url, 'getUserList', {}, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ code: 'ORIGIN_REJECTED', sor: SOR.AppNotFound });
    const raw = await rawRequest({ method: 'POST', path: '/v1/getVersion', headers: { host: `127.0.0.1:${agent.port}`, origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(raw.headers['access-control-allow-origin']).toBeUndefined();
    await expect(RpcClient.connect(agent.url, 'https://evil.example')).rejects.toThrow(/refused 403/);
    await expect(RpcClient.connect(agent.url, 'null')).rejects.toThrow(/refused 403/);
    // the allowed origin and native clients (no Origin) get through
    const ok = await RpcClient.connect(agent.url, ORIGIN);
    expect((await ok.send('getVersion')).result.version).toBe('0.1.0');
    ok.close();
    const native = await RpcClient.connect(agent.url, null);
    expect((await native.send('getVersion')).result.apiVersion).toBe('1.0');
    native.close();
    const allowed = await rawRequest({ method: 'POST', path: '/v1/getVersion', headers: { host: `127.0.0.1:${agent.port}`, origin: ORIGIN, 'content-type': 'application/json' }, body: '{}' });
    expect(allowed.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('the Private Network Access preflight is answered for allowed origins only', async () => {
    const pre = (origin: string) =>
      rawRequest({ method: 'OPTIONS', path: '/v1/signData', headers: { host: `127.0.0.1:${agent.port}`, origin, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' } });
    const good = await pre(ORIGIN);
    expect(good.status).toBe(204);
    expect(good.headers['access-control-allow-private-network']).toBe('true');
    expect(good.headers['access-control-allow-origin']).toBe(ORIGIN);
    const bad = await pre('https://evil.example');
    expect(bad.status).toBe(403);
    expect(bad.headers['access-control-allow-private-network']).toBeUndefined();
  });

  it('listens on loopback only: the machine’s other addresses refuse the connection', async () => {
    const outside = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
    for (const address of outside) {
      await expect(fetch(`http://${address}:${agent.port}/v1/getVersion`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(3000) })).rejects.toThrow();
    }
    expect(agent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('bad input, for every method', () => {
  /** A value of the wrong JSON type for a JSON Schema property. */
  const wrongValue = (schema: any): unknown => {
    const t = schema?.type ?? (schema?.anyOf ? 'union' : schema?.const !== undefined ? typeof schema.const : 'string');
    if (t === 'string') return 12345;
    if (t === 'number' || t === 'integer') return 'not-a-number';
    if (t === 'boolean') return 'yes';
    if (t === 'array') return { not: 'an array' };
    if (t === 'object') return 7;
    return [[[]]];
  };

  it('wrong-typed params, unknown params and non-object bodies: BAD_PARAMS (SOR_IndataErr), over HTTP and JSON-RPC', async () => {
    const doc = (await (await fetch(`${agent.url}/v1/openapi.json`)).json()) as any;
    const rpc = await RpcClient.connect(agent.url);
    let checked = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const method = path.replace('/v1/', '');
      const schema = item.post.requestBody.content['application/json'].schema;
      const props = Object.entries<any>(schema.properties ?? {});
      for (const [name, prop] of props) {
        const r = await call(agent.url, method, { [name]: wrongValue(prop) });
        expect(r.status, `${method}.${name}`).toBe(400);
        expect(r.json, `${method}.${name}`).toMatchObject({ code: 'BAD_PARAMS', sor: SOR.IndataErr });
        checked++;
      }
      const unknown = await call(agent.url, method, { surprise: true });
      expect(unknown.json.code, method).toBe('BAD_PARAMS');
      for (const body of ['[]', '"text"', '42', 'null']) {
        const r = await fetch(`${agent.url}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(r.status, `${method} ${body}`).toBe(400);
      }
      const viaRpc = await rpc.send(method, { surprise: true });
      expect(viaRpc.error, method).toMatchObject({ code: -32602, data: { code: 'BAD_PARAMS' } });
    }
    expect(checked).toBeGreaterThan(60);
    rpc.close();
  });

  it('malformed JSON, a wrong media type, an unknown method, an oversized body: clear errors', async () => {
    const post = (path: string, body: string, type = 'application/json') => fetch(`${agent.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const bad = await post('/v1/signData', '{"certId": "AB", ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'BAD_JSON', sor: SOR.IndataErr });
    expect((await post('/v1/getVersion', '{}', 'text/plain')).status).toBe(415);
    const unknown = await post('/v1/SOF_FormatDisk', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'METHOD_NOT_FOUND' });
    expect((await post('/v1/__proto__', '{}')).status).toBe(404);
    const big = await post('/v1/signData', JSON.stringify({ certId: 'AB', data: 'A'.repeat(MAX_BODY + 4) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'TOO_LARGE', sor: SOR.IndataLenErr });
    // a batch over the limit, and a genRandom too long
    expect((await call(agent.url, 'signBatch', { certId: 'AB', items: Array.from({ length: 1001 }, () => ({ text: 'x' })) })).json.code).toBe('BAD_PARAMS');
    expect((await call(agent.url, 'genRandom', { length: 1e9 })).json.code).toBe('BAD_PARAMS');
    expect((await call(agent.url, 'verifySignedMessage', { signedMessage: 'bm90IGEgY21z' })).json).toMatchObject({ valid: false, indication: 'TOTAL_FAILED' });
    expect((await call(agent.url, 'getCertInfo', { cert: 'bm90IGEgY2VydGlmaWNhdGUh', type: 1 })).json.code).toBe('BAD_PARAMS');
    expect((await call(agent.url, 'fromCompact', { compact: 'AAAA', text: 'x' })).status).toBe(400);
  });

  it('the WebSocket: not JSON, not JSON-RPC, oversized frames; the agent stays up', async () => {
    const rpc = await RpcClient.connect(agent.url);
    const reply = (raw: string) =>
      new Promise<any>((resolve) => {
        rpc.ws.once('message', (m) => resolve(JSON.parse(m.toString())));
        rpc.ws.send(raw);
      });
    expect((await reply('{oops')).error).toMatchObject({ code: -32700, data: { code: 'BAD_JSON' } });
    expect((await reply('[{"jsonrpc":"2.0","id":1,"method":"getVersion"}]')).error.code).toBe(-32600);
    expect((await reply('{"jsonrpc":"1.0","id":2,"method":"getVersion"}')).error.code).toBe(-32600);
    expect((await reply('{"jsonrpc":"2.0","id":3,"method":"nope"}')).error).toMatchObject({ code: -32601, data: { code: 'METHOD_NOT_FOUND' } });
    expect((await reply('{"jsonrpc":"2.0","id":4,"method":"getVersion","params":[1]}')).error.code).toBe(-32602);
    const closed = new Promise<number>((resolve) => rpc.ws.once('close', (code) => resolve(code)));
    rpc.ws.send('x'.repeat(MAX_BODY + 10));
    expect(await closed).toBe(1009); // message too big
    expect((await call(agent.url, 'getVersion')).status).toBe(200);
  });

  it('a per-origin rate limit: RATE_LIMITED (retryable) past the budget, other clients unaffected', async () => {
    const origin = { origin: ORIGIN };
    let limited = 0;
    // the budget is a fixed one-minute window: twice the budget is over it even if a window ends mid-loop
    for (let i = 0; i < 2 * RATE + 20 && limited === 0; i++) {
      const r = await fetch(`${agent.url}/v1/getVersion`, { method: 'POST', headers: { 'content-type': 'application/json', ...origin }, body: '{}' });
      if (r.status === 429) {
        expect(await r.json()).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
        limited++;
      } else await r.arrayBuffer();
    }
    expect(limited).toBeGreaterThan(0);
    expect((await call(agent.url, 'getVersion')).status).toBe(200); // native clients have their own budget
  });
});
