/**
 * Secrets at rest on the workstation: the agent credential, the users' session tokens and
 * the deferred-signing journal are sealed with AES-256-GCM under a key file (agent.key,
 * mode 0600, 32 random bytes) or MEDSIGN_AGENT_KEK (base64). Each record's purpose is its
 * associated data, so a sealed journal line cannot be passed off as the state file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

export type Key = Buffer;

/** The key, if there is one (MEDSIGN_AGENT_KEK or agent.key); never creates it (doctor uses this). */
export function readKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Key | undefined {
  if (env.MEDSIGN_AGENT_KEK) {
    const k = Buffer.from(env.MEDSIGN_AGENT_KEK, 'base64');
    if (k.length !== 32) throw new Error('MEDSIGN_AGENT_KEK 必须是 32 字节的 base64 (must be 32 bytes, base64)');
    return k;
  }
  const file = join(dataDir, 'agent.key');
  if (!existsSync(file)) return undefined;
  const k = readFileSync(file);
  if (k.length !== 32) throw new Error(`${file} 已损坏 (is damaged): expected 32 bytes`);
  return k;
}

export function loadOrCreateKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Key {
  const existing = readKey(dataDir, env);
  if (existing) return existing;
  const file = join(dataDir, 'agent.key');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const k = randomBytes(32);
  writeFileSync(file, k, { mode: 0o600, flag: 'wx' });
  return k;
}

export function seal(key: Key, plaintext: string, purpose: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(purpose));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

export function open(key: Key, sealed: string, purpose: string): string {
  const b = Buffer.from(sealed, 'base64');
  if (b.length < 28) throw new Error('sealed record too short');
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAAD(Buffer.from(purpose));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
}

/** Write a file so that a crash leaves the old or the new content, never half of one. */
export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** One sealed JSON document (the agent state). */
export class SealedFile<T> {
  constructor(
    private readonly file: string,
    private readonly key: Key,
    private readonly purpose: string,
  ) {}
  read(): T | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      return JSON.parse(open(this.key, readFileSync(this.file, 'utf8').trim(), this.purpose)) as T;
    } catch {
      throw new Error(`${this.file} 无法解密（密钥文件 agent.key 不匹配或文件已损坏）(cannot be opened: agent.key does not match, or the file is damaged)`);
    }
  }
  write(value: T): void {
    writeFileAtomic(this.file, seal(this.key, JSON.stringify(value), this.purpose) + '\n');
  }
}
