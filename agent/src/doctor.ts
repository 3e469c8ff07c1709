/**
 * medsign-agent doctor: check what the agent needs and say what to fix, in Chinese and
 * English, one line per check. Never prints the credential or the key.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AgentConfig } from './config.js';
import { readKey } from './sealed-store.js';
import { AgentState } from './state.js';

export interface Check {
  name: string;
  ok: boolean;
  warn?: boolean;
  detail: string;
  fix?: string;
}

const SKEW_WARN_MS = 30_000;

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function runDoctor(config: AgentConfig, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push({ name: '配置 configuration', ok: true, detail: `port ${config.port}; clouds ${config.cloudUrls.join(', ')}; allowed origins ${config.allowedOrigins.join(', ') || '(none: browsers cannot call)'}` });
  if (config.allowedOrigins.length === 0) checks.push({ name: '网页来源 allowed origins', ok: true, warn: true, detail: '未配置允许的网页来源 no browser origin is allowed', fix: '为 B/S 系统添加 --allowed-origin https://emr.example (add the EMR origin)' });

  try {
    if (existsSync(config.dataDir)) accessSync(config.dataDir, constants.W_OK);
    checks.push({ name: '数据目录 data directory', ok: true, detail: config.dataDir });
  } catch {
    checks.push({ name: '数据目录 data directory', ok: false, detail: `${config.dataDir} 不可写 not writable`, fix: '检查目录权限，或用 --data-dir 指定 (fix permissions, or pass --data-dir)' });
  }

  let credential = config.credential;
  if (existsSync(join(config.dataDir, 'agent-state.enc'))) {
    try {
      const key = readKey(config.dataDir, env);
      if (!key) throw new Error(`agent.key 缺失，无法解密 agent-state.enc (agent.key is missing: agent-state.enc cannot be opened)`);
      const state = new AgentState(config.dataDir, key);
      credential ??= state.credential; // the configured credential wins, as in the agent
      checks.push({ name: '本机凭据 stored credential', ok: !!credential, detail: credential ? `已注册 registered (agent ${state.agentId ?? '?'}); 已登录用户 ${state.users().length} logged-in users` : '未注册 not registered', ...(credential ? {} : { fix: '用管理员提供的注册令牌启动：medsign-agent --registration-token <token>' }) });
    } catch (err) {
      checks.push({ name: '本机凭据 stored credential', ok: false, detail: (err as Error).message, fix: '恢复 agent.key，或删除 agent-state.enc 后重新注册 (restore agent.key, or delete agent-state.enc and register again)' });
    }
  } else {
    checks.push({
      name: '本机凭据 stored credential',
      ok: !!(credential || config.registrationToken),
      detail: credential ? '由配置提供 given by configuration' : config.registrationToken ? '首次启动时用注册令牌注册 will register with the token at first start' : '未注册 not registered',
      ...(credential || config.registrationToken ? {} : { fix: '向管理员申请注册令牌，然后 medsign-agent --registration-token <token> (ask an administrator for a registration token)' }),
    });
  }

  for (const url of config.cloudUrls) {
    const started = Date.now();
    try {
      const r = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(3000) });
      const j = (await r.json()) as { time?: string };
      const skew = j.time ? Date.parse(j.time) - (started + Date.now()) / 2 : NaN;
      checks.push({ name: `云端 cloud ${url}`, ok: r.ok, detail: `HTTP ${r.status}, ${Date.now() - started} ms` });
      const bad = Number.isFinite(skew) && Math.abs(skew) > SKEW_WARN_MS;
      checks.push({ name: `时钟偏差 clock skew (${url})`, ok: !bad, detail: Number.isFinite(skew) ? `${Math.round(skew)} ms` : '未知 unknown', ...(bad ? { fix: '校准本机时间（NTP），签名时间与时间戳依赖它 (sync the clock with NTP)' } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      checks.push({ name: `云端 cloud ${url}`, ok: false, detail: `不可达 unreachable: ${why}`, fix: '检查网络、防火墙与云端地址 (check the network, firewall and the URL)' });
    }
  }

  if (await portFree(config.port)) checks.push({ name: `端口 port ${config.port}`, ok: true, detail: '空闲 free' });
  else {
    let ours = false;
    try {
      const r = await fetch(`http://127.0.0.1:${config.port}/v1/getVersion`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(2000) });
      ours = ((await r.json()) as { product?: string }).product?.startsWith('MedSign') ?? false;
    } catch {
      ours = false;
    }
    checks.push(ours ? { name: `端口 port ${config.port}`, ok: true, detail: '医签助手正在运行 the agent is running' } : { name: `端口 port ${config.port}`, ok: false, detail: '被其他程序占用 used by another program', fix: '关闭占用端口的程序，或用 --port 换端口（网页与 DLL 需同步配置）' });
  }
  return checks;
}

export function formatChecks(checks: Check[]): string {
  const lines = checks.map((c) => `${c.ok ? (c.warn ? '⚠' : '✔') : '✘'} ${c.name}: ${c.detail}${c.fix ? `\n    → ${c.fix}` : ''}`);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(failed ? `\n${failed} 项需要处理 (${failed} to fix)` : '\n全部正常 (all good)');
  return lines.join('\n');
}
