/**
 * `medsign-cloud backup --out FILE [--data-dir D]` and `medsign-cloud restore --from FILE
 * [--data-dir D] [--force]`: one encrypted archive holding a consistent copy of the database and
 * the key files of the data directory (kek.key, and any other *.key / *.pem there).
 *
 * The copy is taken online: `VACUUM INTO` runs in one read transaction, so it is a snapshot of
 * one moment while the cloud keeps writing (WAL mode: writers are not blocked). It runs in a
 * worker thread so that progress can be printed for large databases.
 *
 * The archive holds the KEK, so it is encrypted: scrypt(MEDSIGN_BACKUP_PASSPHRASE) → AES-256-GCM.
 *   "MEDSIGN-BACKUP\n" ‖ u32 header length ‖ header JSON ‖ ciphertext ‖ 16-byte GCM tag
 * The header (KDF parameters, IV, a passphrase check value) is the GCM associated data. The
 * plaintext is u32 manifest length ‖ manifest JSON ‖ the parts in manifest order; the manifest
 * carries each part's size and SHA-256, the versions and the time.
 *
 * Exit codes: 0 done; 1 failed (I/O, wrong passphrase, corrupted archive); 2 usage error or
 * refused before anything was done (missing flags or passphrase, a non-empty target without --force).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/migrations.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env };

const USAGE = `用法 (usage):
  medsign-cloud backup  --out 文件 FILE [--data-dir 目录 DIR] [--force]
  medsign-cloud restore --from 文件 FILE [--data-dir 目录 DIR] [--force]
  口令 (passphrase): 环境变量 MEDSIGN_BACKUP_PASSPHRASE（至少 12 位；请与备份文件分开保管 — keep it apart from the backup）
  退出码 (exit code): 0 成功 done, 1 失败 failed, 2 用法错误或拒绝 usage error / refused
`;

const MAGIC = Buffer.from('MEDSIGN-BACKUP\n', 'ascii');
const FORMAT = 'medsign-cloud-backup';
const DB = 'medsign.db';
const KDF = { N: 1 << 17, r: 8, p: 1 };
const PROGRESS_MS = 1000;

/** A refusal (exit 2) or a failure (exit 1) with a bilingual message that never carries a secret. */
class CliError extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}
const usage = (m: string) => new CliError(2, m);
const fail = (m: string) => new CliError(1, m);

interface Header {
  format: typeof FORMAT;
  version: 1;
  createdAt: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  /** SHA-256 of the second half of the scrypt output: tells a wrong passphrase from a damaged archive */
  check: string;
}

interface Part {
  name: string;
  size: number;
  sha256: string;
}

interface Manifest {
  format: typeof FORMAT;
  version: 1;
  createdAt: string;
  host: string;
  dataDir: string;
  versions: { cloud: string; node: string; sqlite: string; schema: number };
  parts: Part[];
  /** the KEK came from MEDSIGN_KEK (not in the archive): restore needs it from where it is kept */
  kekFromEnvironment: boolean;
}

export async function runBackupCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const command = argv[0];
  try {
    const { values } = parseArgs({
      args: argv.slice(1),
      options: { 'data-dir': { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const dataDir = resolve(values['data-dir'] ?? io.env.MEDSIGN_DATA_DIR ?? './data/cloud');
    const passphrase = io.env.MEDSIGN_BACKUP_PASSPHRASE;
    if (command === 'backup') {
      if (!values.out || values.from) throw usage('backup 需要 --out 文件 (backup needs --out FILE)');
      await backup(dataDir, resolve(values.out), checkPassphrase(passphrase), values.force === true, io);
    } else if (command === 'restore') {
      if (!values.from || values.out) throw usage('restore 需要 --from 文件 (restore needs --from FILE)');
      await restore(resolve(values.from), dataDir, checkPassphrase(passphrase), values.force === true, io);
    } else throw usage(`未知命令 (unknown command) ${command ?? ''}`);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`错误 Error: ${err.message}\n${err.exitCode === 2 ? USAGE : ''}`);
      return err.exitCode;
    }
    // parseArgs' own errors are usage errors; anything else is a failure (message only: no stack, no secrets)
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`错误 Error: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    io.stderr(`错误 Error: 失败 (failed): ${(err as Error).message}\n`);
    return 1;
  }
}

function checkPassphrase(p: string | undefined): string {
  if (!p) throw usage('请设置环境变量 MEDSIGN_BACKUP_PASSPHRASE (set MEDSIGN_BACKUP_PASSPHRASE)');
  if ([...p].length < 12) throw usage('MEDSIGN_BACKUP_PASSPHRASE 至少 12 位 (needs at least 12 characters)');
  return p;
}

const scryptAsync = (password: BinaryLike, salt: BinaryLike, len: number, options: ScryptOptions) =>
  new Promise<Buffer>((ok, ko) => scrypt(password, salt, len, options, (e, k) => (e ? ko(e) : ok(k))));

/** 64 bytes from scrypt: the AES key, and a key whose hash checks the passphrase. */
async function deriveKeys(passphrase: string, kdf: { N: number; r: number; p: number }, salt: Buffer): Promise<{ key: Buffer; check: string }> {
  const out = await scryptAsync(passphrase.normalize('NFC'), salt, 64, { ...kdf, maxmem: 256 * kdf.N * kdf.r + 16 * 1024 * 1024 });
  return { key: out.subarray(0, 32), check: createHash('sha256').update(out.subarray(32)).digest('base64') };
}

const sha256File = async (path: string): Promise<string> => {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
};

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

function cloudVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The key files of a data directory: kek.key and any other *.key or *.pem at its top level. */
function keyFiles(dataDir: string): string[] {
  return readdirSync(dataDir, { withFileTypes: true })
    .filter((e) => e.isFile() && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.(key|pem)$/.test(e.name))
    .map((e) => e.name)
    .sort();
}

// ---------------------------------------------------------------- backup

/** VACUUM INTO in a worker thread, printing how far the copy has got. */
async function snapshot(source: string, dest: string, io: CliIo): Promise<void> {
  const expected = statSync(source).size + (existsSync(`${source}-wal`) ? statSync(`${source}-wal`).size : 0);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.module);
     const db = new Database(workerData.source, { fileMustExist: true });
     try {
       db.pragma('busy_timeout = 10000');
       db.prepare('VACUUM INTO ?').run(workerData.dest);
     } finally { db.close(); }
     parentPort.postMessage('done');`,
    { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), source, dest } },
  );
  const timer = setInterval(() => {
    const done = existsSync(dest) ? statSync(dest).size : 0;
    io.stdout(`  数据库快照 (database snapshot): ${mib(done)} / ~${mib(expected)}\n`);
  }, PROGRESS_MS);
  try {
    await new Promise<void>((ok, ko) => {
      worker.once('error', ko);
      worker.once('exit', (code) => (code === 0 ? ok() : ko(new Error(`snapshot worker exited with ${code}`))));
    });
  } finally {
    clearInterval(timer);
  }
}

async function backup(dataDir: string, out: string, passphrase: string, force: boolean, io: CliIo): Promise<void> {
  const dbPath = join(dataDir, DB);
  if (!existsSync(dbPath)) throw usage(`数据目录中没有数据库 (no ${DB} in) ${dataDir}`);
  if (existsSync(out) && !force) throw usage(`输出文件已存在，加 --force 覆盖 (the output file exists; --force replaces it): ${out}`);
  if (!existsSync(dirname(out))) throw usage(`输出目录不存在 (the output directory does not exist): ${dirname(out)}`);

  // the staging area sits next to the output (same file system; /tmp may be small)
  const work = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(work, { mode: 0o700 });
  try {
    const started = Date.now();
    io.stdout(`备份 (backup) ${dataDir} → ${out}\n`);
    const copy = join(work, DB);
    await snapshot(dbPath, copy, io);
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    let schema: number;
    let sqlite: string;
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw fail(`数据库副本校验失败 (the copy fails quick_check): ${String(check)}`);
      schema = (db.prepare('SELECT max(version) AS v FROM schema_migration').get() as { v: number }).v;
      sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    } finally {
      db.close();
    }

    const sources: { name: string; path: string }[] = [{ name: DB, path: copy }, ...keyFiles(dataDir).map((name) => ({ name, path: join(dataDir, name) }))];
    const parts: Part[] = [];
    for (const s of sources) parts.push({ name: s.name, size: (await stat(s.path)).size, sha256: await sha256File(s.path) });
    const kekFromEnvironment = !parts.some((p) => p.name === 'kek.key');
    const createdAt = new Date().toISOString();
    const manifest: Manifest = {
      format: FORMAT, version: 1, createdAt, host: hostname(), dataDir,
      versions: { cloud: cloudVersion(), node: process.version, sqlite, schema }, parts, kekFromEnvironment,
    };

    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const { key, check } = await deriveKeys(passphrase, KDF, salt);
    const header: Header = { format: FORMAT, version: 1, createdAt, kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') }, cipher: 'aes-256-gcm', iv: iv.toString('base64'), check };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.concat([MAGIC, u32(headerBytes.length), headerBytes]);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(prefix);

    const partial = join(work, 'archive');
    const fh = await open(partial, 'wx', 0o600);
    try {
      await fh.write(prefix);
      const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
      await fh.write(cipher.update(Buffer.concat([u32(manifestBytes.length), manifestBytes])));
      const total = parts.reduce((n, p) => n + p.size, 0);
      let done = 0;
      let last = Date.now();
      for (const s of sources) {
        for await (const chunk of createReadStream(s.path, { highWaterMark: 1 << 20 })) {
          await fh.write(cipher.update(chunk as Buffer));
          done += (chunk as Buffer).length;
          if (Date.now() - last >= PROGRESS_MS) {
            io.stdout(`  加密写入 (encrypting): ${mib(done)} / ${mib(total)}\n`);
            last = Date.now();
          }
        }
      }
      await fh.write(cipher.final());
      await fh.write(cipher.getAuthTag());
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(partial, out); // atomic: a reader sees no archive or a whole one
    for (const p of parts) io.stdout(`  ${p.name}  ${mib(p.size)}  sha256 ${p.sha256}\n`);
    if (kekFromEnvironment) {
      io.stdout('注意 (note): 数据目录中没有 kek.key，密钥加密密钥来自 MEDSIGN_KEK，不在备份中；恢复时须另行提供 (the KEK comes from MEDSIGN_KEK and is not in the backup: keep it for the restore)\n');
    }
    io.stdout(`完成 (done) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${out} (${mib((await stat(out)).size)}, schema ${schema})\n`);
    io.stdout('请将口令与备份文件分开保管 (keep the passphrase apart from the backup file)\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

// ---------------------------------------------------------------- restore

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir)).length === 0;
}

const damaged = () => fail('备份文件已损坏或被篡改（认证标签或清单校验失败）(the archive is corrupted or was modified: the authentication tag or a manifest hash does not match)');

async function readHeader(fh: FileHandle, size: number): Promise<{ header: Header; prefix: Buffer }> {
  const head = Buffer.alloc(Math.min(size, MAGIC.length + 4));
  await fh.read(head, 0, head.length, 0);
  if (head.length < MAGIC.length + 4 || !head.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('不是 MedSign 备份文件 (not a MedSign backup archive)');
  const len = head.readUInt32BE(MAGIC.length);
  if (len > 64 * 1024 || MAGIC.length + 4 + len + 16 > size) throw damaged();
  const headerBytes = Buffer.alloc(len);
  await fh.read(headerBytes, 0, len, MAGIC.length + 4);
  let header: Header;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Header;
  } catch {
    throw damaged();
  }
  const k = header?.kdf;
  // bounds: a forged header must not make us allocate gigabytes
  const sane =
    header?.format === FORMAT && header.version === 1 && header.cipher === 'aes-256-gcm' && k?.name === 'scrypt' &&
    Number.isInteger(Math.log2(k.N)) && k.N >= 1 << 14 && k.N <= 1 << 20 && k.r >= 1 && k.r <= 16 && k.p >= 1 && k.p <= 4 &&
    typeof k.salt === 'string' && typeof header.iv === 'string' && Buffer.from(header.iv, 'base64').length === 12 && typeof header.check === 'string';
  if (!sane) throw fail('备份文件格式或版本不受支持 (unsupported archive format or version)');
  return { header, prefix: Buffer.concat([head, headerBytes]) };
}

/** Splits the decrypted stream into the manifest and the part files, hashing as it goes. */
class PartWriter {
  private pending: Buffer = Buffer.alloc(0);
  manifest: Manifest | undefined;
  private index = 0;
  private file: FileHandle | undefined;
  private left = 0;
  private hash = createHash('sha256');
  readonly hashes: string[] = [];

  constructor(private readonly dir: string) {}

  async push(chunk: Buffer): Promise<void> {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    if (!this.manifest) {
      if (data.length < 4) return void (this.pending = data);
      const len = data.readUInt32BE(0);
      if (len > 1024 * 1024) throw damaged();
      if (data.length < 4 + len) return void (this.pending = data);
      this.manifest = parseManifest(data.subarray(4, 4 + len));
      data = data.subarray(4 + len);
      await this.next();
    }
    while (data.length > 0) {
      if (!this.file) throw damaged(); // bytes after the last part
      const take = Math.min(this.left, data.length);
      const piece = data.subarray(0, take);
      this.hash.update(piece);
      await this.file.write(piece);
      this.left -= take;
      data = data.subarray(take);
      if (this.left === 0) await this.next();
    }
  }

  private async next(): Promise<void> {
    if (this.file) {
      await this.file.sync();
      await this.file.close();
      this.hashes.push(this.hash.digest('hex'));
      this.file = undefined;
      this.index++;
    }
    const part = this.manifest!.parts[this.index];
    if (!part) return;
    this.file = await open(join(this.dir, part.name), 'wx', 0o600);
    this.left = part.size;
    this.hash = createHash('sha256');
    if (part.size === 0) await this.next();
  }

  /** Every part complete, and each hash as the manifest says. */
  verify(): Manifest {
    const m = this.manifest;
    if (!m || this.file || this.pending.length || this.hashes.length !== m.parts.length) throw damaged();
    m.parts.forEach((p, i) => {
      if (!timingSafeEqual(Buffer.from(this.hashes[i]!, 'hex'), Buffer.from(p.sha256, 'hex'))) throw damaged();
    });
    return m;
  }

  async abort(): Promise<void> {
    await this.file?.close().catch(() => undefined);
  }
}

function parseManifest(bytes: Buffer): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch {
    throw damaged();
  }
  const names = new Set<string>();
  const ok =
    m?.format === FORMAT && m.version === 1 && Array.isArray(m.parts) && m.parts.length >= 1 && m.parts.length <= 100 && m.parts[0]?.name === DB &&
    m.parts.every((p) => typeof p.name === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(p.name) && !names.has(p.name) && names.add(p.name) && Number.isSafeInteger(p.size) && p.size >= 0 && /^[0-9a-f]{64}$/.test(p.sha256));
  if (!ok) throw damaged();
  return m;
}

async function restore(from: string, dataDir: string, passphrase: string, force: boolean, io: CliIo): Promise<void> {
  if (!existsSync(from)) throw usage(`备份文件不存在 (no such archive): ${from}`);
  const targetExists = existsSync(dataDir);
  if (targetExists && !statSync(dataDir).isDirectory()) throw usage(`目标不是目录 (the target is not a directory): ${dataDir}`);
  const targetEmpty = !targetExists || (await isEmptyDir(dataDir));
  if (!targetEmpty && !force) {
    throw usage(`目标目录不为空；请先停止云端服务，确认后加 --force（原目录将改名保留）(the target directory is not empty: stop the cloud, then add --force; the old directory is kept under a new name): ${dataDir}`);
  }
  if (!existsSync(dirname(dataDir))) throw usage(`上级目录不存在 (the parent directory does not exist): ${dirname(dataDir)}`);

  const size = (await stat(from)).size;
  const fh = await open(from, 'r');
  let header: Header;
  let prefix: Buffer;
  const tag = Buffer.alloc(16);
  try {
    ({ header, prefix } = await readHeader(fh, size));
    await fh.read(tag, 0, 16, size - 16);
  } finally {
    await fh.close();
  }
  const { key, check } = await deriveKeys(passphrase, header.kdf, Buffer.from(header.kdf.salt, 'base64'));
  const a = Buffer.from(check, 'base64');
  const b = Buffer.from(header.check, 'base64');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw fail('口令错误 (wrong passphrase: MEDSIGN_BACKUP_PASSPHRASE does not open this archive)');
  io.stdout(`恢复 (restore) ${from} (${header.createdAt}) → ${dataDir}\n`);

  // decrypt into a sibling directory (same file system), then move it into place
  const stage = `${dataDir}.restore-${randomBytes(6).toString('hex')}`;
  await mkdir(stage, { mode: 0o700 });
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
    decipher.setAAD(prefix);
    decipher.setAuthTag(tag);
    const writer = new PartWriter(stage);
    const end = size - 16;
    let done = 0;
    let last = Date.now();
    try {
      if (end > prefix.length) {
        for await (const chunk of createReadStream(from, { start: prefix.length, end: end - 1, highWaterMark: 1 << 20 })) {
          await writer.push(decipher.update(chunk as Buffer));
          done += (chunk as Buffer).length;
          if (Date.now() - last >= PROGRESS_MS) {
            io.stdout(`  解密 (decrypting): ${mib(done)} / ${mib(end - prefix.length)}\n`);
            last = Date.now();
          }
        }
      }
      try {
        await writer.push(decipher.final()); // throws when the tag does not match
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw damaged();
      }
    } catch (err) {
      await writer.abort();
      throw err instanceof CliError ? err : damaged();
    }
    const manifest = writer.verify();

    const maxSchema = Math.max(...MIGRATIONS.map((m) => m.version));
    if (manifest.versions.schema > maxSchema) io.stdout(`警告 (warning): 备份来自较新的版本 (schema ${manifest.versions.schema} > ${maxSchema})：请用相同或更新版本的云端服务启动 (start it with the same or a newer cloud)\n`);
    const db = new Database(join(stage, DB), { readonly: true, fileMustExist: true });
    try {
      if (db.pragma('quick_check', { simple: true }) !== 'ok') throw damaged();
    } finally {
      db.close();
    }

    let kept: string | undefined;
    if (targetExists) {
      if (targetEmpty) await rmdir(dataDir);
      else {
        kept = `${dataDir}.pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await rename(dataDir, kept);
      }
    }
    await rename(stage, dataDir);
    await chmod(dataDir, 0o700);
    for (const p of manifest.parts) io.stdout(`  ${p.name}  ${mib(p.size)}  sha256 ${p.sha256} ✓\n`);
    if (kept) io.stdout(`原数据目录已保留为 (the previous data directory was kept as) ${kept}\n`);
    if (manifest.kekFromEnvironment) io.stdout('注意 (note): 此备份不含 kek.key：启动时须设置与备份时相同的 MEDSIGN_KEK (this backup has no kek.key: start with the same MEDSIGN_KEK)\n');
    io.stdout(`完成 (done): schema ${manifest.versions.schema}, cloud ${manifest.versions.cloud}, 备份时间 (taken) ${manifest.createdAt}\n`);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
