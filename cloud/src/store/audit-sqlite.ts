/**
 * The audit log's SQLite repository (tables from migration 10). Statements are prepared on
 * first use, so `medsign-cloud audit verify` can use the read side on a read-only connection.
 */
import type Database from 'better-sqlite3';
import type { AuditAlgorithm, AuditCheckpointRecord, AuditEntryRecord, AuditQuery, AuditRepository } from './repositories.js';

type Row = Record<string, unknown>;

const entryRow = (r: Row): AuditEntryRecord => ({
  seq: r.seq as number,
  at: r.at as number,
  actorType: r.actor_type as string,
  actor: r.actor as string,
  action: r.action as string,
  target: (r.target as string | null) ?? null,
  result: r.result as string,
  details: r.details as string,
  alg: r.alg as AuditAlgorithm,
  entry: r.entry as string,
  prev: r.prev as string,
  hash: r.hash as string,
});

const checkpointRow = (r: Row): AuditCheckpointRecord => ({
  id: r.id as number,
  seq: r.seq as number,
  hash: r.hash as string,
  alg: r.alg as AuditAlgorithm,
  at: r.at as number,
  token: new Uint8Array(r.token as Buffer),
});

export function sqliteAuditRepository(db: Database.Database): AuditRepository {
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return {
    head: () => stmt('SELECT seq, hash, alg FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string; alg: AuditAlgorithm } | undefined,
    append: (e) =>
      void stmt(
        'INSERT INTO audit_log (seq, at, actor_type, actor, action, target, result, details, alg, entry, prev, hash) VALUES (@seq, @at, @actorType, @actor, @action, @target, @result, @details, @alg, @entry, @prev, @hash)',
      ).run(e),
    query: (q: AuditQuery) => {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (q.from !== undefined) (where.push('at >= @from'), (params.from = q.from));
      if (q.to !== undefined) (where.push('at < @to'), (params.to = q.to));
      if (q.actor !== undefined) (where.push('actor = @actor'), (params.actor = q.actor));
      if (q.action !== undefined) (where.push('action = @action'), (params.action = q.action));
      if (q.target !== undefined) (where.push('target = @target'), (params.target = q.target));
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (stmt(`SELECT count(*) AS n FROM audit_log ${clause}`).get(params) as { n: number }).n;
      const rows = stmt(`SELECT * FROM audit_log ${clause} ORDER BY seq ${q.order === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit, offset: q.offset }) as Row[];
      return { total, entries: rows.map(entryRow) };
    },
    count: () => (stmt('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n,
    *scan() {
      for (const r of stmt('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) yield entryRow(r);
    },
    insertCheckpoint: (c) => {
      const info = stmt('INSERT INTO audit_checkpoint (seq, hash, alg, at, token) VALUES (@seq, @hash, @alg, @at, @token)').run({ ...c, token: Buffer.from(c.token) });
      return { id: Number(info.lastInsertRowid), ...c };
    },
    lastCheckpoint: () => {
      const r = stmt('SELECT * FROM audit_checkpoint ORDER BY id DESC LIMIT 1').get() as Row | undefined;
      return r ? checkpointRow(r) : undefined;
    },
    checkpoints: () => (stmt('SELECT * FROM audit_checkpoint ORDER BY id').all() as Row[]).map(checkpointRow),
  };
}
