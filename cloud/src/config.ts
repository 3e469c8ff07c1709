/**
 * Configuration: defaults, then a JSON file (--config or MEDSIGN_CLOUD_CONFIG), then the
 * environment, then flags. Validated with zod; a bad value stops the start with a clear message.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const ConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(17900),
    dataDir: z.string().min(1).default('./data/cloud'),
    /** base URL for CRL/AIA links in certificates; default http://host:port */
    publicUrl: z.string().url().optional(),
    organization: z.string().min(1).max(64).default('MedSign'),
    crlHours: z.coerce.number().positive().max(24 * 30).default(72),
    ocspHours: z.coerce.number().positive().max(24 * 7).default(12),
    /** how long an activation code stays valid */
    activationCodeMinutes: z.coerce.number().int().positive().max(7 * 24 * 60).default(24 * 60),
    /** staff certificate validity (default 1 year) */
    certificateDays: z.coerce.number().int().positive().max(3 * 366).default(365),
    /** a sign or login session ends as TIMEOUT after this (default 120 s) */
    sessionTimeoutSeconds: z.coerce.number().int().min(5).max(3600).default(120),
    /** the longest time-window authorisation (授权免密) a phone may grant, minutes (default 8 h) */
    maxApprovalWindowMinutes: z.coerce.number().int().min(0).max(24 * 60).default(480),
    /** online renewal opens this many days before a certificate ends (default: the last third of its lifetime) */
    renewalDays: z.coerce.number().int().min(1).max(3 * 366).optional(),
    /** how long a login lasts */
    userSessionHours: z.coerce.number().positive().max(24).default(8),
    tsaPolicy: z.string().regex(/^[0-2](\.\d+)+$/).default('2.25.190385213373104719302455126829584356130'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    /** browser origins allowed to call the API (the phone's H5 app); none by default */
    corsOrigins: z.array(z.string().url()).max(20).default([]),
    /** a built H5 phone app (mobile/dist/h5) to serve at /m/; the demo start finds it in the workspace */
    h5Dir: z.string().min(1).optional(),
    // ---- issue 7, reports and expiry reminders (domain/reports.ts, reminders.ts) ----
    /** the hospital's offset from UTC in minutes, for report days/months and the reminder hour (China Standard Time: +480) */
    utcOffsetMinutes: z.coerce.number().int().min(-720).max(840).default(480),
    /** tests and demos: run the expiry reminder job every N seconds instead of daily */
    reminderIntervalSeconds: z.coerce.number().int().min(1).max(86_400).optional(),
    // ---- issue 7, administrators and system settings (defaults of the settings the API changes) ----
    /** the hospital's name on the console and in reports (default: organization) */
    hospitalName: z.string().min(1).max(128).optional(),
    /** days before a certificate ends on which reminders go out, and the local hour they go at */
    reminderDays: z.array(z.coerce.number().int().min(1).max(366)).min(1).max(10).default([30, 7, 1]),
    reminderHourLocal: z.coerce.number().int().min(0).max(23).default(9),
    /** wrong passwords in a row that lock an administrator account, and for how long */
    adminLockoutThreshold: z.coerce.number().int().min(1).max(100).default(5),
    adminLockoutMinutes: z.coerce.number().int().min(1).max(24 * 60).default(15),
  })
  .strict();

export type CloudConfig = z.infer<typeof ConfigSchema> & { publicUrl: string };

export interface ConfigSources {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

const ENV: Record<string, keyof z.infer<typeof ConfigSchema>> = {
  MEDSIGN_HOST: 'host',
  MEDSIGN_PORT: 'port',
  MEDSIGN_DATA_DIR: 'dataDir',
  MEDSIGN_PUBLIC_URL: 'publicUrl',
  MEDSIGN_LOG_LEVEL: 'logLevel',
  MEDSIGN_CORS_ORIGINS: 'corsOrigins',
  MEDSIGN_H5_DIR: 'h5Dir',
  MEDSIGN_RENEWAL_DAYS: 'renewalDays',
};

const FLAGS: Record<string, keyof z.infer<typeof ConfigSchema>> = {
  '--host': 'host',
  '--port': 'port',
  '--data-dir': 'dataDir',
  '--public-url': 'publicUrl',
  '--log-level': 'logLevel',
  '--cors-origin': 'corsOrigins',
  '--h5-dir': 'h5Dir',
  '--renewal-days': 'renewalDays',
};

export function loadConfig({ argv = [], env = process.env }: ConfigSources = {}): CloudConfig {
  const raw: Record<string, unknown> = {};
  const args = [...argv];
  const configIndex = args.indexOf('--config');
  const file = configIndex >= 0 ? args[configIndex + 1] : env.MEDSIGN_CLOUD_CONFIG;
  if (file) {
    try {
      Object.assign(raw, JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      throw new Error(`配置文件无法读取 (cannot read config file) ${file}: ${(err as Error).message}`);
    }
  }
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') raw[key] = key === 'corsOrigins' ? env[name]!.split(',') : env[name];
  for (let i = 0; i < args.length; i++) {
    const key = FLAGS[args[i]!];
    if (key === 'corsOrigins') raw[key] = [...((raw[key] as string[] | undefined) ?? []), args[++i]];
    else if (key) raw[key] = args[++i];
    else if (args[i] === '--config') i++;
    else throw new Error(`未知参数 (unknown flag) ${args[i]}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`配置错误 (invalid configuration): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const c = parsed.data;
  return { ...c, dataDir: resolve(c.dataDir), publicUrl: c.publicUrl ?? `http://${c.host}:${c.port}` };
}
