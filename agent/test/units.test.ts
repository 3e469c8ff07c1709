/** The agent's small parts on their own: the journal's crash rules, the configuration, the guards. */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runDoctor } from '../src/doctor.js';
import { OriginPolicy, RateLimiter, hostAllowed } from '../src/http/guards.js';
import { Journal } from '../src/journal.js';
import { Signing, type SigningDeps } from '../src/signing.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'medsign-unit-'));
const item = { certId: 'AB', method: 'signData' as const, alg: 'sm2-with-sm3' as const, app: 'EMR', summary: 's', digest: '00'.repeat(32) };

describe('deferred-signing journal', () => {
  it('survives a torn last line (a crash mid-write) and keeps outcomes across reopening', () => {
    const dir = tmp();
    const key = randomBytes(32);
    const j = new Journal(dir, key);
    const a = j.add(item);
    const b = j.add(item);
    j.complete({ ticket: a.ticket, status: 'OK', result: { signature: 'c2ln' } });
    appendFileSync(join(dir, 'deferred.journal'), 'AAAAtorn-write-without-newline');
    const problems: string[] = [];
    const again = new Journal(dir, key, (m) => problems.push(m));
    expect(problems).toEqual([]);
    expect(again.lookup(a.ticket)).toMatchObject({ status: 'OK', outcome: { result: { signature: 'c2ln' } } });
    expect(again.lookup(b.ticket)).toMatchObject({ status: 'PENDING' });
    expect(again.pending()).toHaveLength(1);
  });

  it('a wrong key or a damaged middle line: the file is kept aside and reported, never compacted away', () => {
    const dir = tmp();
    const j = new Journal(dir, randomBytes(32));
    j.add(item);
    j.add(item);
    const one = tmp();
    new Journal(one, randomBytes(32)).add(item);
    const told: string[] = [];
    new Journal(one, randomBytes(32), (m) => told.push(m));
    expect(told).toHaveLength(1); // even a single complete line is not mistaken for a torn write
    const problems: string[] = [];
    const other = new Journal(dir, randomBytes(32), (m) => problems.push(m));
    expect(other.pending()).toHaveLength(0);
    expect(problems[0]).toMatch(/无法解密.*wrong agent.key/);
    const kept = readdirSync(dir).find((f) => f.startsWith('deferred.journal.unreadable-'));
    expect(kept).toBeDefined();
    expect(readFileSync(join(dir, kept!), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('configuration', () => {
  it('file, then environment, then flags; a BOM in the file is accepted; bad values are named', () => {
    const dir = tmp();
    const file = join(dir, 'agent.json');
    writeFileSync(file, '\uFEFF' + JSON.stringify({ port: 18000, allowedOrigins: ['https://emr.example'], cloudUrls: ['http://a.example:1/'] }));
    const c = loadConfig({ argv: ['--config', file, '--allowed-origin', 'https://his.example'], env: { MEDSIGN_AGENT_PORT: '18001', MEDSIGN_AGENT_RATE_LIMIT: '100' } });
    expect(c).toMatchObject({ port: 18001, allowedOrigins: ['https://his.example'], cloudUrls: ['http://a.example:1'], requestsPerMinutePerOrigin: 100 });
    expect(() => loadConfig({ argv: ['--allowed-origin', 'emr.example'], env: {} })).toThrow(/allowedOrigins.0: an origin/);
    expect(() => loadConfig({ argv: ['--port', '70000'], env: {} })).toThrow(/port/);
    expect(() => loadConfig({ argv: ['--bogus'], env: {} })).toThrow(/未知参数 \(unknown flag\) --bogus/);
  });

  it('doctor never creates a key: a missing agent.key beside a sealed state is reported', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'agent-state.enc'), 'sealed');
    const checks = await runDoctor(loadConfig({ argv: ['--data-dir', dir, '--cloud', 'http://127.0.0.1:9', '--port', '0'], env: {} }), {});
    expect(checks.find((c) => c.name.includes('stored credential'))).toMatchObject({ ok: false, detail: expect.stringContaining('agent.key is missing') });
    expect(existsSync(join(dir, 'agent.key'))).toBe(false);
  });
});

describe('guards', () => {
  it('Host: loopback names with our port only', () => {
    for (const h of ['127.0.0.1:17990', 'localhost:17990', '[::1]:17990']) expect(hostAllowed(h, 17990)).toBe(true);
    for (const h of ['127.0.0.1', 'localhost:80', 'evil.example:17990', '127.0.0.1.evil.example:17990', undefined, '0.0.0.0:17990']) expect(hostAllowed(h, 17990)).toBe(false);
  });
  it('Origin: exact, case-insensitive; no Origin is a native client', () => {
    const p = new OriginPolicy(['https://EMR.example']);
    expect(p.check('https://emr.example')).toBeUndefined();
    expect(p.check(undefined)).toBeUndefined();
    expect(p.check('https://emr.example.evil')?.code).toBe('ORIGIN_REJECTED');
    expect(p.check('http://emr.example')?.code).toBe('ORIGIN_REJECTED');
  });
  it('rate: a fixed window per client', () => {
    const r = new RateLimiter(3);
    const t = 1_000_000_020_000;
    expect([1, 2, 3, 4].map(() => r.take('a', t))).toEqual([true, true, true, false]);
    expect(r.take('b', t)).toBe(true);
    expect(r.take('a', t + 60_000)).toBe(true);
  });
});

describe('when a call is deferred (补签)', () => {
  const signing = (mode: 'off' | 'per-call' | 'auto', online: boolean) => new Signing({ deferredSigning: mode, cloud: { online } } as unknown as SigningDeps);
  it('only with the cloud offline; per call when asked; in auto mode unless the caller says deferred:false', () => {
    for (const mode of ['off', 'per-call', 'auto'] as const) for (const asked of [undefined, true, false]) expect(signing(mode, true).shouldDefer(asked)).toBe(false);
    expect(signing('off', false).shouldDefer(true)).toBe(false);
    expect(signing('per-call', false).shouldDefer(undefined)).toBe(false);
    expect(signing('per-call', false).shouldDefer(true)).toBe(true);
    expect(signing('auto', false).shouldDefer(undefined)).toBe(true);
    expect(signing('auto', false).shouldDefer(true)).toBe(true);
    // the C library and the SOF facade send deferred:false: they need a signature or an error, not a ticket
    expect(signing('auto', false).shouldDefer(false)).toBe(false);
  });
});
