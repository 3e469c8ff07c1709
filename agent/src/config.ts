/**
 * Configuration: defaults, then a JSON file (--config or MEDSIGN_AGENT_CONFIG), then the
 * environment, then flags. A bad value stops the start with a message that names it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const Origin = z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://emr.hospital.local');

export const ConfigSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(17990),
    /** the primary cloud, then standbys in order of preference */
    cloudUrls: z.array(z.string().url()).min(1).max(4).default(['http://127.0.0.1:17900']),
    /** one-time token from an administrator; used on the first start, then the stored credential */
    registrationToken: z.string().min(16).max(128).optional(),
    /** a credential issued elsewhere (kept in the data directory otherwise) */
    credential: z.string().min(16).max(256).optional(),
    /** browser origins that may call the agent; calls with no Origin are native clients */
    allowedOrigins: z.array(Origin).max(50).default([]),
    dataDir: z.string().min(1).default('./data/agent'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    /** the name the doctor's phone shows for this workstation (default: the host name) */
    workstation: z.string().min(1).max(64).optional(),
    /** 补签: journal sign calls while no cloud is reachable ('off', 'per-call' = when the call asks, 'auto' = always) */
    deferredSigning: z.enum(['off', 'per-call', 'auto']).default('per-call'),
    /** how often the cloud links are health-checked, ms; the standby takes over after two failures */
    healthIntervalMs: z.coerce.number().int().min(100).max(60_000).default(1000),
    /** limits */
    maxBodyBytes: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(32 * 1024 * 1024),
    maxBatch: z.coerce.number().int().min(1).max(1000).default(1000),
    requestsPerMinutePerOrigin: z.coerce.number().int().min(10).max(1_000_000).default(6000),
  })
  .strict();

export type AgentConfig = z.infer<typeof ConfigSchema>;

const ENV: Record<string, keyof AgentConfig> = {
  MEDSIGN_AGENT_PORT: 'port',
  MEDSIGN_CLOUD_URLS: 'cloudUrls',
  MEDSIGN_AGENT_REGISTRATION_TOKEN: 'registrationToken',
  MEDSIGN_AGENT_CREDENTIAL: 'credential',
  MEDSIGN_ALLOWED_ORIGINS: 'allowedOrigins',
  MEDSIGN_AGENT_DATA_DIR: 'dataDir',
  MEDSIGN_LOG_LEVEL: 'logLevel',
  MEDSIGN_WORKSTATION: 'workstation',
  MEDSIGN_DEFERRED_SIGNING: 'deferredSigning',
  MEDSIGN_AGENT_HEALTH_INTERVAL_MS: 'healthIntervalMs',
  MEDSIGN_AGENT_MAX_BODY_BYTES: 'maxBodyBytes',
  MEDSIGN_AGENT_MAX_BATCH: 'maxBatch',
  MEDSIGN_AGENT_RATE_LIMIT: 'requestsPerMinutePerOrigin',
};
const LISTS = new Set<keyof AgentConfig>(['cloudUrls', 'allowedOrigins']);

const FLAGS: Record<string, keyof AgentConfig> = {
  '--port': 'port',
  '--cloud': 'cloudUrls',
  '--registration-token': 'registrationToken',
  '--allowed-origin': 'allowedOrigins',
  '--data-dir': 'dataDir',
  '--log-level': 'logLevel',
  '--workstation': 'workstation',
  '--deferred-signing': 'deferredSigning',
  '--health-interval-ms': 'healthIntervalMs',
  '--credential': 'credential',
  '--max-body-bytes': 'maxBodyBytes',
  '--max-batch': 'maxBatch',
  '--rate-limit': 'requestsPerMinutePerOrigin',
};

export function loadConfig({ argv = [], env = process.env }: { argv?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): AgentConfig {
  const raw: Record<string, unknown> = {};
  const args = [...argv];
  const i0 = args.indexOf('--config');
  const file = i0 >= 0 ? args[i0 + 1] : env.MEDSIGN_AGENT_CONFIG;
  if (file) {
    try {
      Object.assign(raw, JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''))); // Notepad's BOM
    } catch (err) {
      throw new Error(`配置文件无法读取 (cannot read config file) ${file}: ${(err as Error).message}`);
    }
  }
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = LISTS.has(key) ? v.split(',').map((s) => s.trim()) : v;
  }
  const fromFlags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const key = FLAGS[args[i]!];
    if (key && LISTS.has(key)) {
      // a list flag given on the command line replaces the file's list, and may repeat
      raw[key] = [...(fromFlags.has(key) ? (raw[key] as string[]) : []), args[++i]];
      fromFlags.add(key);
    } else if (key) raw[key] = args[++i];
    else if (args[i] === '--config') i++;
    else throw new Error(`未知参数 (unknown flag) ${args[i]}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`配置错误 (invalid configuration): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir), cloudUrls: parsed.data.cloudUrls.map((u) => u.replace(/\/+$/, '')) };
}
