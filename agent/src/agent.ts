/** Wire the agent together: data directory, sealed state, cloud link, registry, server. */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import pino from 'pino';
import type { AgentConfig } from './config.js';
import { CloudLink } from './cloud-link.js';
import { CloudSessions } from './cloud-sessions.js';
import { EmergencyAccess } from './emergency.js';
import { emergencyMethods } from './methods/emergency.js';
import type { AgentContext } from './context.js';
import { AgentError } from './errors.js';
import { createAgentServer } from './http/server.js';
import { Journal } from './journal.js';
import { infoMethods } from './methods/info.js';
import { signingMethods } from './methods/signing.js';
import { timestampMethods } from './methods/timestamps.js';
import { userMethods } from './methods/users.js';
import { verificationMethods } from './methods/verification.js';
import { Operations } from './operations.js';
import { Registry, type AnyMethod } from './registry.js';
import { loadOrCreateKey } from './sealed-store.js';
import { Signing } from './signing.js';
import { AgentState } from './state.js';
import { TrustStore } from './trust-store.js';

export interface RunningAgent {
  url: string;
  port: number;
  context: AgentContext;
  registry: Registry;
  close(): Promise<void>;
}

/** Every method, in one registry (the SDK's types and the OpenAPI document come from it). */
export function allMethods(a: AgentContext): AnyMethod[] {
  return [...infoMethods(a), ...userMethods(a), ...verificationMethods(a), ...signingMethods(a), ...timestampMethods(a), ...emergencyMethods(a)];
}

/**
 * The method declarations without a running agent (their schemas, for the SDK's generated
 * types and the native library's declarations). A handler called from here throws.
 */
export function methodCatalogue(): AnyMethod[] {
  const unwired = new Proxy({} as AgentContext, {
    get: () => {
      throw new Error('methodCatalogue(): schemas only, no agent behind it');
    },
  });
  return allMethods(unwired);
}

/** Register with the cloud on the first start (the token is one-time); later starts reuse the credential. */
async function register(a: AgentContext): Promise<void> {
  // a credential given in the configuration wins over the stored one (the administrator's explicit choice)
  if (a.config.credential) {
    a.cloud.credential = a.config.credential;
    return;
  }
  if (a.state.credential) {
    a.cloud.credential = a.state.credential;
    return;
  }
  if (!a.config.registrationToken) {
    a.log.warn('not registered: start once with --registration-token (from an administrator)');
    return;
  }
  try {
    const r = await a.cloud.request<{ agentId: string; credential: string }>('POST', '/api/v1/agent/register', { body: { registrationToken: a.config.registrationToken, name: (a.config.workstation ?? hostname()).slice(0, 64) } });
    a.state.setCredential(r.agentId, r.credential);
    a.cloud.credential = r.credential;
    a.log.info({ agentId: r.agentId }, 'registered with the cloud');
  } catch (err) {
    a.log.error({ code: err instanceof AgentError ? err.code : 'INTERNAL' }, 'registration failed');
  }
}

export async function startAgent(config: AgentConfig, env: NodeJS.ProcessEnv = process.env): Promise<RunningAgent> {
  const log = pino({ level: config.logLevel, base: { svc: 'medsign-agent' } });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const key = loadOrCreateKey(config.dataDir, env);
  const state = new AgentState(config.dataDir, key);
  const trust = new TrustStore(config.dataDir);
  const journal = new Journal(config.dataDir, key, (message) => log.error(message));
  const ops = new Operations();
  const cloud = new CloudLink(config.cloudUrls, { intervalMs: config.healthIntervalMs, log });
  const sessions = new CloudSessions({ cloud, state, trust, ops, log, workstation: config.workstation });
  let broadcast: AgentContext['broadcast'] = () => undefined;
  const toAll: AgentContext['broadcast'] = (e, p) => broadcast(e, p);
  // issue 7: emergency certificates (the agent holds the client share under the emergency password)
  const emergency = new EmergencyAccess({ cloud, trust, ops, log, workstation: sessions.workstation, dataDir: config.dataDir, key });
  state.emergency = emergency;
  const signing = new Signing({ cloud, state, trust, ops, sessions, journal, log, deferredSigning: config.deferredSigning, broadcast: toAll, emergency });
  const a: AgentContext = {
    config,
    log,
    cloud,
    state,
    trust,
    ops,
    sessions,
    journal,
    signing,
    emergency,
    broadcast: toAll,
    recent: [],
    startedAt: new Date().toISOString(),
  };

  await cloud.start();
  await register(a);
  if (cloud.online) await trust.refresh(cloud);
  cloud.on('online', () => {
    a.broadcast('cloudStatus', { online: true, url: cloud.active.url });
    void trust.refresh(cloud).then(() => a.signing.flushDeferred());
  });
  cloud.on('failover', (url: string) => a.broadcast('cloudStatus', { online: cloud.online, url }));
  cloud.on('offline', () => a.broadcast('cloudStatus', { online: false, url: cloud.active.url }));
  const flushTimer = setInterval(() => {
    if (journal.pending().length && cloud.online) void a.signing.flushDeferred();
  }, 15_000);
  flushTimer.unref();
  // fresh CRLs for offline verification (the cloud's CRLs are valid 72 h by default)
  const refreshTimer = setInterval(() => {
    if (cloud.online) void trust.refresh(cloud);
  }, 30 * 60_000);
  refreshTimer.unref();

  const registry = new Registry(allMethods(a), (method, err) => log.error({ method, err: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }, 'unexpected error'));
  let port = config.port;
  const s = createAgentServer(a, registry, () => port);
  broadcast = s.broadcast;
  await new Promise<void>((resolve, reject) => {
    s.server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`端口 ${config.port} 已被占用，可能已有一个医签助手在运行 (port ${config.port} is in use: is another agent running?)`) : err),
    );
    s.server.listen(config.port, '127.0.0.1', () => resolve());
  });
  port = (s.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ url, cloud: cloud.active.url, online: cloud.online, registered: !!cloud.credential, users: state.users().length, deferred: journal.pending().length }, 'medsign-agent listening');
  if (journal.pending().length && cloud.online) void a.signing.flushDeferred();
  return {
    url,
    port,
    context: a,
    registry,
    close: async () => {
      clearInterval(flushTimer);
      clearInterval(refreshTimer);
      cloud.stop();
      await s.close();
    },
  };
}
