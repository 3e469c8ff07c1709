/** Certificate templates on SQLite (migration 12): one row per template, immutable versions as JSON. */
import type Database from 'better-sqlite3';
import type { TemplateRecord, TemplateRepository, TemplateVersionRecord } from './repositories.js';

type Row = Record<string, unknown>;

const templateRow = (r: Row): TemplateRecord => ({
  id: r.id as string,
  status: r.status as TemplateRecord['status'],
  currentVersion: r.current_version as number,
  builtin: (r.builtin as number) === 1,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
});

const versionRow = (r: Row): TemplateVersionRecord => ({
  templateId: r.template_id as string,
  version: r.version as number,
  definition: JSON.parse(r.definition as string) as unknown,
  createdAt: r.created_at as number,
  createdBy: r.created_by as string,
});

export function sqliteTemplateRepository(db: Database.Database): TemplateRepository {
  const q = {
    insert: db.prepare('INSERT INTO template (id, status, current_version, builtin, created_at, updated_at) VALUES (@id, @status, @currentVersion, @builtin, @createdAt, @updatedAt)'),
    get: db.prepare('SELECT * FROM template WHERE id = ?'),
    list: db.prepare('SELECT * FROM template ORDER BY builtin DESC, id'),
    versionInsert: db.prepare('INSERT INTO template_version (template_id, version, definition, created_at, created_by) VALUES (@templateId, @version, @definition, @createdAt, @createdBy)'),
    version: db.prepare('SELECT * FROM template_version WHERE template_id = ? AND version = ?'),
    versions: db.prepare('SELECT * FROM template_version WHERE template_id = ? ORDER BY version'),
    setCurrent: db.prepare('UPDATE template SET current_version = ?, updated_at = ? WHERE id = ? AND current_version = ?'),
    setStatus: db.prepare('UPDATE template SET status = ?, updated_at = ? WHERE id = ?'),
  };
  const insertVersion = (v: TemplateVersionRecord) => q.versionInsert.run({ ...v, definition: JSON.stringify(v.definition) });
  return {
    insert: (t, first) => {
      q.insert.run({ ...t, builtin: t.builtin ? 1 : 0 });
      insertVersion(first);
    },
    get: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? templateRow(r) : undefined;
    },
    list: () => (q.list.all() as Row[]).map(templateRow),
    version: (id, version) => {
      const r = q.version.get(id, version) as Row | undefined;
      return r ? versionRow(r) : undefined;
    },
    versions: (id) => (q.versions.all(id) as Row[]).map(versionRow),
    addVersion: (v) => {
      insertVersion(v); // the primary key (template_id, version) refuses a concurrent duplicate
      if (q.setCurrent.run(v.version, v.createdAt, v.templateId, v.version - 1).changes !== 1) throw new Error(`template ${v.templateId}: version ${v.version} does not follow the current one`);
    },
    setStatus: (id, status, at) => void q.setStatus.run(status, at, id),
  };
}
