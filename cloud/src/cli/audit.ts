/**
 * `medsign-cloud audit verify [--data-dir D] [--config FILE] [--json]`: recompute the audit
 * chain and check its TSA checkpoints on a read-only connection (safe beside a running cloud).
 * Exit 0: intact; 1: tampered (the first broken sequence and why); 2: usage or I/O error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditLog, type AuditVerification } from '../domain/audit.js';
import { loadConfig } from '../config.js';
import { sqliteAuditRepository } from '../store/audit-sqlite.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE = `用法 (usage): medsign-cloud audit verify [--data-dir 目录 DIR] [--config FILE] [--json]
  校验审计日志的哈希链与时间戳检查点 (verify the audit log's hash chain and TSA checkpoints)
  退出码 (exit code): 0 完整 intact, 1 被篡改 tampered, 2 用法或读取错误 usage or I/O error
`;

const defaultIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env };

export function runAuditCli(argv: readonly string[], io: CliIo = defaultIo): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.stderr(`错误 Error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (args.positionals.length !== 1 || args.positionals[0] !== 'verify') {
    io.stderr(USAGE);
    return 2;
  }
  let db: Database.Database | undefined;
  try {
    const flags = [...(args.values['data-dir'] ? ['--data-dir', args.values['data-dir']] : []), ...(args.values.config ? ['--config', args.values.config] : [])];
    const { dataDir } = loadConfig({ argv: flags, env: io.env });
    const file = join(dataDir, 'medsign.db');
    if (!existsSync(file)) throw new Error(`找不到数据库 (no database at) ${file}`);
    db = new Database(file, { readonly: true, fileMustExist: true });
    const hasLog = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('audit_log', 'audit_checkpoint')").get() as { n: number };
    if (hasLog.n !== 2) throw new Error('数据库中没有审计日志（数据库版本过旧） (the database has no audit log tables: schema older than migration 10)');
    const trusted = (db.prepare("SELECT certificate FROM ca WHERE role = 'tsa'").all() as { certificate: Buffer }[]).map((r) => new Uint8Array(r.certificate));
    const repo = sqliteAuditRepository(db);
    const started = Date.now();
    const result = verifyAuditLog(repo, trusted, (done, total) => {
      if (total >= 10_000 && done < total) io.stderr(`校验中 (verifying) ${done}/${total}\n`);
    });
    if (args.values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout(report(result, Date.now() - started));
    return result.valid ? 0 : 1;
  } catch (err) {
    io.stderr(`错误 Error: ${(err as Error).message}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: { 'data-dir': { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
}

function report(r: AuditVerification, ms: number): string {
  const cps = `${r.checkpoints.valid}/${r.checkpoints.total} 个时间戳检查点有效 (TSA checkpoints valid)${r.checkpoints.lastSeq !== null ? `，最后一个在第 ${r.checkpoints.lastSeq} 条 ${r.checkpoints.lastTime} (last at entry ${r.checkpoints.lastSeq})` : ''}`;
  const head = r.head ? `第 ${r.head.seq} 条 ${r.head.hash} (head)` : '空 (empty)';
  if (r.valid) {
    return [
      `审计日志完整 (audit log intact): ${r.entries} 条记录 (entries), 链头 ${head}`,
      cps,
      ...(r.unstamped > 0 ? [`最后检查点之后有 ${r.unstamped} 条记录仅受哈希链保护 (${r.unstamped} entries after the last checkpoint are protected by the chain alone)`] : []),
      `用时 (took) ${ms} ms`,
      '',
    ].join('\n');
  }
  const first = r.firstBroken!;
  return [
    `审计日志已被篡改 (audit log TAMPERED): 第一个问题在第 ${first.seq} 条 (first broken entry ${first.seq}) [${first.reason}]`,
    `  ${first.message}`,
    ...r.issues.filter((i) => i !== first).slice(0, 20).map((i) => `  第 ${i.seq} 条 (entry ${i.seq}) [${i.reason}] ${i.message}`),
    `${r.entries} 条记录 (entries), 链头 ${head}; ${cps}`,
    '',
  ].join('\n');
}
