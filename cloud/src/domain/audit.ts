/**
 * The tamper-evident audit log (责任认定): who did what, to what, with which result, and when.
 *
 * Entries are appended in sequence. Each is the canonical JSON (RFC 8785) of its fields, and
 * its hash is H(prev ‖ entry), where prev is the previous entry's hash (32 zero bytes for the
 * first) and H is the algorithm named in the entry (SHA-256 by default, SM3 possible; see
 * docs/audit.md for the choice). An edit, a deletion or a reordering breaks the chain; a chain
 * rewritten from the edit onwards is caught by the checkpoints: the head hash timestamped by
 * the cloud's RFC 3161 TSA every N entries, every T minutes, on demand and at shutdown.
 *
 * Appending runs inside the caller's transaction where there is one (SQLite nests it as a
 * savepoint), so an action cannot commit without its entry. Secrets never enter the log:
 * callers pass none, and detail keys that look like one are redacted anyway.
 */
import {
  createTimeStampRequest,
  equalBytes,
  fromHex,
  hash,
  parseTimeStampResponse,
  toHex,
  verifyTimeStamp,
} from '@medsign/core';
import { CloudError, Errors } from './errors.js';
import type { AdminRecord, AuditAlgorithm, AuditCheckpointRecord, AuditEntryRecord, AuditRepository, CosignSessionRecord, Store } from '../store/repositories.js';

export type AuditActorType = 'admin' | 'staff' | 'agent' | 'device' | 'system';
export const AUDIT_FORMAT = 1;
export const GENESIS_PREV = '0'.repeat(64);
export const SYSTEM_ACTOR = 'medsign-cloud';
/** sessions with more digests than this record the SHA-256 over all of them instead of the list */
export const DIGESTS_LISTED = 10;

export interface AuditInput {
  actorType: AuditActorType;
  actor: string;
  action: string;
  target?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
  /** 'ok', 'failed', or a session status (OK, USER_REFUSED, TIMEOUT, …) */
  result: string;
  at?: number | undefined;
}

/** What the domain services call (admins, enrollment, sessions): set by server.ts. */
export interface AuditRecorder {
  record(input: AuditInput): AuditEntryRecord;
  /** a login or sign session ended: who, certificate, app, workstation, digests, result */
  sessionEnded(s: CosignSessionRecord): void;
}

// ---- the entry format ----

/**
 * RFC 8785 (JCS) canonical JSON: object keys sorted by UTF-16 code units (§3.2.3), no
 * whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (§3.2.2).
 * The input must already be plain JSON data (see `plain`).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** H(prev ‖ entry): prev as its 32 bytes, the entry as UTF-8. */
export function chainHash(alg: AuditAlgorithm, prev: string, entry: string): string {
  const p = fromHex(prev);
  const e = new TextEncoder().encode(entry);
  const input = new Uint8Array(p.length + e.length);
  input.set(p);
  input.set(e, p.length);
  return toHex(hash(alg, input));
}

/** Keys whose values are never logged, whatever a caller passes (defence in depth). */
const SECRET_KEY = /passw|secret|token|credential|activationcode|^pin$|privatekey|otp|kek/i;
const MAX_STRING = 2000;

/** Plain JSON data: dates as ISO strings, undefined dropped, long strings cut, secrets redacted. */
function plain(details: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Date) return v.toISOString();
    if (v instanceof Uint8Array) return toHex(v);
    if (depth > 6) return '[…]';
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function') continue;
        out[k] = SECRET_KEY.test(k) ? '[redacted]' : walk(x, depth + 1);
      }
      return out;
    }
    return String(v);
  };
  return walk(details, 0) as Record<string, unknown>;
}

const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/** An entry as the API shows it. */
export function entryView(e: AuditEntryRecord) {
  return {
    seq: e.seq,
    time: new Date(e.at).toISOString(),
    actorType: e.actorType,
    actor: e.actor,
    action: e.action,
    target: e.target,
    result: e.result,
    details: JSON.parse(e.details) as Record<string, unknown>,
    alg: e.alg,
    prev: e.prev,
    hash: e.hash,
  };
}

export function checkpointView(c: AuditCheckpointRecord) {
  return { id: c.id, seq: c.seq, hash: c.hash, alg: c.alg, time: new Date(c.at).toISOString(), token: Buffer.from(c.token).toString('base64') };
}

// ---- verification (also used by `medsign-cloud audit verify`, on a read-only database) ----

export type AuditIssueReason = 'EDITED' | 'DELETED' | 'REORDERED' | 'HASH_MISMATCH' | 'CHECKPOINT_MISMATCH' | 'CHECKPOINT_INVALID';

export interface AuditIssue {
  seq: number;
  reason: AuditIssueReason;
  /** Chinese (English) */
  message: string;
}

export interface AuditVerification {
  valid: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  checkpoints: { total: number; valid: number; lastSeq: number | null; lastTime: string | null };
  /** entries after the last checkpoint: protected by the chain alone until the next one */
  unstamped: number;
  /** the lowest sequence number at which something is wrong */
  firstBroken: AuditIssue | null;
  /** at most 100 */
  issues: AuditIssue[];
  verifiedAt: string;
}

const REASON_TEXT: Record<AuditIssueReason, [string, string]> = {
  EDITED: ['内容被修改', 'edited content'],
  DELETED: ['记录被删除', 'deleted entry'],
  REORDERED: ['顺序被调整', 'reordered'],
  HASH_MISMATCH: ['哈希链断裂', 'hash mismatch'],
  CHECKPOINT_MISMATCH: ['与时间戳检查点不符', 'checkpoint mismatch'],
  CHECKPOINT_INVALID: ['时间戳检查点无效', 'checkpoint invalid'],
};

const ENTRY_FIELDS = ['action', 'actor', 'actorType', 'alg', 'at', 'details', 'result', 'seq', 'target', 'v'] as const;

/**
 * Recompute the chain from the first entry and check every checkpoint: its hash must be the
 * entry hash at its sequence, and its TSA token must be a valid stamp of that hash by one of
 * `trustedTsa` (DER certificates). Streams the entries; `onProgress` every 10,000.
 */
export function verifyAuditLog(
  repo: Pick<AuditRepository, 'scan' | 'count' | 'checkpoints'>,
  trustedTsa: readonly Uint8Array[],
  onProgress?: (done: number, total: number) => void,
): AuditVerification {
  const issues: AuditIssue[] = [];
  let issueCount = 0;
  const issue = (seq: number, reason: AuditIssueReason, zh: string, en: string) => {
    issueCount++;
    if (issues.length < 100) issues.push({ seq, reason, message: `${REASON_TEXT[reason][0]}：${zh} (${REASON_TEXT[reason][1]}: ${en})` });
  };
  const checkpoints = repo.checkpoints();
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashes = new Map<number, string>();
  const total = repo.count();
  let expected = 1;
  let prev = GENESIS_PREV;
  let n = 0;
  let last: AuditEntryRecord | undefined;

  for (const row of repo.scan()) {
    n++;
    if (onProgress && n % 10_000 === 0) onProgress(n, total);
    if (wanted.has(row.seq)) hashes.set(row.seq, row.hash);
    const gap = row.seq !== expected;
    const broken = checkEntry(row, prev, gap, expected);
    if (broken) issue(broken.seq, broken.reason, broken.zh, broken.en);
    // carry on from this row as stored, so one change is reported once
    prev = row.hash;
    expected = row.seq + 1;
    last = row;
  }
  onProgress?.(n, total);

  const lastSeq = last?.seq ?? 0;
  let validCheckpoints = 0;
  for (const c of checkpoints) {
    const at = hashes.get(c.seq);
    if (c.seq > lastSeq) {
      issue(c.seq, 'DELETED', `检查点盖章的第 ${c.seq} 条不在日志中，日志只到第 ${lastSeq} 条（末尾被截断）`, `checkpoint ${c.id} stamped entry ${c.seq}, but the log ends at ${lastSeq} (truncated)`);
      continue;
    }
    if (at === undefined) {
      issue(c.seq, 'DELETED', `检查点盖章的第 ${c.seq} 条不存在`, `checkpoint ${c.id} stamped entry ${c.seq}, which is missing`);
      continue;
    }
    if (c.hash !== at) {
      issue(c.seq, 'CHECKPOINT_MISMATCH', `第 ${c.seq} 条的哈希与检查点 ${c.id} 记录的不同（此前的记录被改写）`, `entry ${c.seq}'s hash differs from checkpoint ${c.id}'s: entries up to it were rewritten`);
      continue;
    }
    const v = verifyTimeStamp(c.token, { digest: fromHex(c.hash) });
    if (!v.valid) {
      if (v.failure === 'IMPRINT_MISMATCH') issue(c.seq, 'CHECKPOINT_MISMATCH', `检查点 ${c.id} 的时间戳盖的不是第 ${c.seq} 条的哈希`, `checkpoint ${c.id}'s timestamp does not stamp entry ${c.seq}'s hash`);
      else issue(c.seq, 'CHECKPOINT_INVALID', `检查点 ${c.id} 的时间戳签名无效 (${v.failure})`, `checkpoint ${c.id}'s timestamp does not verify (${v.failure})`);
      continue;
    }
    if (v.info!.hash !== c.alg) {
      issue(c.seq, 'CHECKPOINT_MISMATCH', `检查点 ${c.id} 的时间戳算法不符`, `checkpoint ${c.id}'s timestamp uses ${v.info!.hash}, not ${c.alg}`);
      continue;
    }
    if (!trustedTsa.some((t) => equalBytes(t, v.tsaCertificate!.der))) {
      issue(c.seq, 'CHECKPOINT_INVALID', `检查点 ${c.id} 的时间戳不是本系统 TSA 签发的`, `checkpoint ${c.id} was not stamped by this cloud's TSA`);
      continue;
    }
    validCheckpoints++;
  }

  const sorted = [...issues].sort((a, b) => a.seq - b.seq);
  const lastCp = checkpoints.length ? checkpoints.reduce((a, b) => (b.seq >= a.seq ? b : a)) : undefined;
  return {
    valid: issueCount === 0,
    entries: n,
    head: last ? { seq: last.seq, hash: last.hash } : null,
    checkpoints: { total: checkpoints.length, valid: validCheckpoints, lastSeq: lastCp?.seq ?? null, lastTime: lastCp ? new Date(lastCp.at).toISOString() : null },
    unstamped: Math.max(0, lastSeq - (lastCp?.seq ?? 0)),
    firstBroken: sorted[0] ?? null,
    issues: sorted,
    verifiedAt: new Date().toISOString(),
  };
}

/** The first thing wrong with one stored row, or undefined. */
function checkEntry(row: AuditEntryRecord, prev: string, gap: boolean, expected: number): { seq: number; reason: AuditIssueReason; zh: string; en: string } | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(row.entry) as Record<string, unknown>;
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new Error('not an object');
  } catch {
    return { seq: row.seq, reason: 'EDITED', zh: `第 ${row.seq} 条不是有效的 JSON`, en: `entry ${row.seq} is not valid JSON` };
  }
  if (fields.seq !== row.seq) {
    return {
      seq: Math.min(row.seq, expected),
      reason: 'REORDERED',
      zh: `第 ${row.seq} 位置上是原第 ${String(fields.seq)} 条（被移动，或前面的记录被删除后重新编号）`,
      en: `position ${row.seq} holds entry ${String(fields.seq)} (moved, or entries before it deleted and the rest renumbered)`,
    };
  }
  if (gap) {
    const missing = row.seq - 1 === expected ? `${expected}` : `${expected}–${row.seq - 1}`;
    return { seq: expected, reason: 'DELETED', zh: `缺少第 ${missing} 条`, en: `entr${row.seq - 1 === expected ? 'y' : 'ies'} ${missing} missing` };
  }
  const keys = Object.keys(fields).sort();
  if (keys.join() !== ENTRY_FIELDS.join() || fields.v !== AUDIT_FORMAT || (fields.alg !== 'sha256' && fields.alg !== 'sm3')) {
    return { seq: row.seq, reason: 'EDITED', zh: `第 ${row.seq} 条的字段不符合格式`, en: `entry ${row.seq} does not have the format's fields` };
  }
  const columns: [string, unknown, unknown][] = [
    ['at', row.at, fields.at],
    ['actorType', row.actorType, fields.actorType],
    ['actor', row.actor, fields.actor],
    ['action', row.action, fields.action],
    ['target', row.target, fields.target],
    ['result', row.result, fields.result],
    ['alg', row.alg, fields.alg],
    ['details', row.details, canonicalJson(fields.details)],
  ];
  const differs = columns.find(([, a, b]) => a !== b);
  if (differs) return { seq: row.seq, reason: 'EDITED', zh: `第 ${row.seq} 条的 ${differs[0]} 与哈希过的内容不同`, en: `entry ${row.seq}: ${differs[0]} differs from the hashed entry` };
  if (canonicalJson(fields) !== row.entry) return { seq: row.seq, reason: 'EDITED', zh: `第 ${row.seq} 条不是规范 JSON`, en: `entry ${row.seq} is not in canonical form` };
  if (!/^[0-9a-f]{64}$/.test(row.prev) || !/^[0-9a-f]{64}$/.test(row.hash) || chainHash(row.alg, row.prev, row.entry) !== row.hash) {
    return { seq: row.seq, reason: 'EDITED', zh: `第 ${row.seq} 条的内容与其哈希不符`, en: `entry ${row.seq} does not match its hash` };
  }
  if (row.prev !== prev) {
    return { seq: row.seq, reason: 'HASH_MISMATCH', zh: `第 ${row.seq} 条的 prev 不是第 ${row.seq - 1} 条的哈希（前一条被改写）`, en: `entry ${row.seq}'s prev is not entry ${row.seq - 1}'s hash (the one before was rewritten)` };
  }
  return undefined;
}

// ---- the service ----

export interface AuditOptions {
  /** the chain's hash; recorded in each entry (default sha256) */
  algorithm?: AuditAlgorithm;
  /** checkpoint after this many new entries (default 1000; 0: never by count) */
  checkpointEntries?: number;
  /** checkpoint this often when there are new entries (default 60; 0: never by time) */
  checkpointMinutes?: number;
  /** the RFC 3161 TSA: a DER TimeStampReq in, a DER TimeStampResp out */
  timestamp?: (request: Uint8Array) => Promise<Uint8Array>;
  /** the TSA certificates a checkpoint token may be signed by */
  trustedTsa?: () => Uint8Array[];
  /** a checkpoint that failed in the background (logged, not thrown) */
  onError?: (err: unknown) => void;
}

export class AuditService implements AuditRecorder {
  readonly algorithm: AuditAlgorithm;
  private readonly timer: NodeJS.Timeout | undefined;
  private running: Promise<AuditCheckpointRecord | undefined> | undefined;
  private lastCheckpointSeq: number;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly options: AuditOptions = {},
  ) {
    this.algorithm = options.algorithm ?? 'sha256';
    this.lastCheckpointSeq = store.audit.lastCheckpoint()?.seq ?? 0;
    const minutes = options.checkpointMinutes ?? 60;
    if (minutes > 0) {
      this.timer = setInterval(() => void this.checkpoint().catch((err) => options.onError?.(err)), minutes * 60_000);
      this.timer.unref();
    }
  }

  /** Append one entry, in the caller's transaction if there is one. */
  record(input: AuditInput): AuditEntryRecord {
    if (!ACTION.test(input.action)) throw Errors.internal({ en: `audit action ${JSON.stringify(input.action)}` });
    const entry = this.store.transaction(() => {
      const head = this.store.audit.head();
      const seq = (head?.seq ?? 0) + 1;
      const prev = head?.hash ?? GENESIS_PREV;
      const details = plain(input.details ?? {});
      const fields = {
        v: AUDIT_FORMAT,
        alg: this.algorithm,
        seq,
        at: Math.trunc(input.at ?? Date.now()),
        actorType: input.actorType,
        actor: clip(input.actor, 128),
        action: input.action,
        target: input.target == null ? null : clip(String(input.target), 128),
        result: clip(input.result, 64),
        details,
      };
      const text = canonicalJson(fields);
      const record: AuditEntryRecord = {
        seq,
        at: fields.at,
        actorType: fields.actorType,
        actor: fields.actor,
        action: fields.action,
        target: fields.target,
        result: fields.result,
        details: canonicalJson(details),
        alg: this.algorithm,
        entry: text,
        prev,
        hash: chainHash(this.algorithm, prev, text),
      };
      this.store.audit.append(record);
      return record;
    });
    const every = this.options.checkpointEntries ?? 1000;
    if (every > 0 && entry.seq - this.lastCheckpointSeq >= every && !this.scheduled && this.options.timestamp) {
      // after the caller's transaction has committed (record is synchronous)
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.checkpoint().catch((err) => this.options.onError?.(err));
      });
    }
    return entry;
  }

  /** An administrator's action and its entry in one transaction; a refused action is recorded as failed, with its error code. */
  asAdmin<T>(admin: AdminRecord | undefined, action: string, target: string | undefined, fn: () => T, details?: (result: T) => Record<string, unknown>): T {
    try {
      return this.store.transaction(() => {
        const r = fn();
        this.record({ actorType: 'admin', actor: admin?.username ?? '?', action, target, result: 'ok', details: details?.(r) });
        return r;
      });
    } catch (err) {
      this.refused(admin, action, target, err);
      throw err;
    }
  }

  /**
   * The same for an asynchronous action whose state change runs in a transaction of its own:
   * `fn` calls `done(details)` inside that transaction (e.g. PkiService.setRevocation's
   * `inTransaction`). A refusal is recorded as failed.
   */
  async asAdminAsync<T>(admin: AdminRecord | undefined, action: string, target: string | undefined, fn: (done: (details?: Record<string, unknown>) => void) => Promise<T>): Promise<T> {
    let recorded = false;
    const done = (details?: Record<string, unknown>) => {
      this.record({ actorType: 'admin', actor: admin?.username ?? '?', action, target, result: 'ok', details });
      recorded = true;
    };
    try {
      const r = await fn(done);
      if (!recorded) done();
      return r;
    } catch (err) {
      if (!recorded) this.refused(admin, action, target, err);
      throw err;
    }
  }

  private refused(admin: AdminRecord | undefined, action: string, target: string | undefined, err: unknown): void {
    const code = err instanceof CloudError ? err.code : err instanceof Error && err.name === 'ZodError' ? 'BAD_REQUEST' : 'ERROR';
    this.record({ actorType: 'admin', actor: admin?.username ?? '?', action, target, result: 'failed', details: { code } });
  }

  sessionEnded(s: CosignSessionRecord): void {
    const staff = s.staffId ? this.store.staff.get(s.staffId) : undefined;
    const share = s.shareId ? this.store.shares.get(s.shareId) : undefined;
    const agent = this.store.agents.get(s.agentId);
    const digests =
      s.digests.length <= DIGESTS_LISTED
        ? { digests: s.digests }
        : { digestsSha256: toHex(hash('sha256', fromHex(s.digests.join('')))) }; // SHA-256 over the digests' bytes in order
    this.record({
      actorType: staff ? 'staff' : 'agent',
      actor: staff?.employeeNo ?? s.agentId,
      action: s.kind === 'login' ? 'session.login' : 'session.sign',
      target: share?.certificateSerial ?? null,
      result: s.status,
      at: s.endedAt ?? undefined,
      details: {
        sessionId: s.id,
        staffName: staff?.name,
        certificate: share?.certificateSerial ?? null,
        app: s.app,
        agentId: s.agentId,
        agentName: agent?.name,
        workstation: s.workstation,
        hash: s.hash,
        count: s.digests.length,
        ...digests,
        openedAt: new Date(s.createdAt).toISOString(),
      },
    });
  }

  query(q: Parameters<AuditRepository['query']>[0]) {
    const r = this.store.audit.query(q);
    return { total: r.total, entries: r.entries.map(entryView) };
  }

  verify(onProgress?: (done: number, total: number) => void): AuditVerification {
    return verifyAuditLog(this.store.audit, this.options.trustedTsa?.() ?? [], onProgress);
  }

  /**
   * Timestamp the chain head with the TSA (SHA-256 heads by the RSA TSA, SM3 heads by the SM2
   * TSA) and store the token. Nothing new since the last checkpoint: returns that one.
   */
  checkpoint(now = new Date()): Promise<AuditCheckpointRecord | undefined> {
    this.running ??= this.stamp(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async stamp(now: Date): Promise<AuditCheckpointRecord | undefined> {
    const head = this.store.audit.head();
    const last = this.store.audit.lastCheckpoint();
    if (!head || (last && last.seq >= head.seq)) return last;
    if (!this.options.timestamp) throw Errors.conflict({ en: 'no TSA configured', zh: '未配置时间戳服务' });
    const request = createTimeStampRequest({ digest: fromHex(head.hash), hash: head.alg, certReq: true });
    const response = parseTimeStampResponse(await this.options.timestamp(request));
    if (!response.token) throw Errors.internal({ en: `the TSA refused the checkpoint (${response.status})`, zh: '时间戳服务拒绝签发' });
    const check = verifyTimeStamp(response.token, { digest: fromHex(head.hash), request });
    if (!check.valid) throw Errors.internal({ en: `the TSA token does not verify (${check.failure})`, zh: '时间戳无法验证' });
    const cp = this.store.transaction(() => this.store.audit.insertCheckpoint({ seq: head.seq, hash: head.hash, alg: head.alg, at: now.getTime(), token: response.token! }));
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, cp.seq);
    return cp;
  }

  /** Shutdown: stop the timer and stamp the head if it moved since the last checkpoint. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.options.timestamp) await this.checkpoint().catch((err) => this.options.onError?.(err));
  }
}

/**
 * Checkpoint settings from the environment: MEDSIGN_AUDIT_CHECKPOINT_ENTRIES (default 1000),
 * MEDSIGN_AUDIT_CHECKPOINT_MINUTES (default 60; 0 turns either off), MEDSIGN_AUDIT_HASH
 * (sha256, the default, or sm3).
 */
export function auditOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<AuditOptions, 'algorithm' | 'checkpointEntries' | 'checkpointMinutes'> {
  const int = (name: string, fallback: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > max) throw new Error(`配置错误 (invalid configuration): ${name} 应为 0–${max} 的整数 (an integer 0–${max})`);
    return Number(raw);
  };
  const alg = env.MEDSIGN_AUDIT_HASH || 'sha256';
  if (alg !== 'sha256' && alg !== 'sm3') throw new Error('配置错误 (invalid configuration): MEDSIGN_AUDIT_HASH 应为 sha256 或 sm3 (sha256 or sm3)');
  return { algorithm: alg, checkpointEntries: int('MEDSIGN_AUDIT_CHECKPOINT_ENTRIES', 1000, 1_000_000), checkpointMinutes: int('MEDSIGN_AUDIT_CHECKPOINT_MINUTES', 60, 7 * 24 * 60) };
}
