/** 审计 Audit (auditor, sysadmin): the hash-chained log with filters, and verifying the chain. */
import { api } from '../api.js';
import { busy, clear, fmtTime, h, table } from '../dom.js';
import { can, type Me } from '../session.js';

interface Entry {
  seq: number;
  time: string;
  actorType: string;
  actor: string;
  action: string;
  target: string | null;
  result: string;
  details: Record<string, unknown>;
}
interface Verification {
  valid: boolean;
  entries: number;
  checkpoints: { total: number; valid: number };
  unstamped: number;
  firstBroken: { seq: number; reason: string; message: string } | null;
  verifiedAt: string;
}

export async function auditPage(view: HTMLElement, me: Me): Promise<void> {
  view.append(h('h2', {}, '审计日志 Audit log'));
  const verifyOut = h('div', { id: 'verify-result' });
  const verify = h('button', { id: 'verify-btn' }, '校验哈希链 Verify the chain');
  verify.addEventListener('click', () =>
    void busy(verify, '正在校验… (verifying)', async () => {
      const v = await api.get<Verification>('/api/v1/admin/audit/verify');
      clear(verifyOut);
      verifyOut.dataset.valid = String(v.valid);
      verifyOut.append(
        v.valid
          ? h('p', {}, h('span', { class: 'badge intact' }, '完整 (intact)'), ` 共 ${v.entries} 条记录，时间戳检查点 ${v.checkpoints.valid}/${v.checkpoints.total} 有效，${v.unstamped} 条尚未加盖时间戳 (entries; valid checkpoints; not yet stamped) · ${fmtTime(v.verifiedAt)}`)
          : h('p', {}, h('span', { class: 'badge broken' }, '已被篡改 (broken)'), ` 第一处损坏 (first broken entry)：#${v.firstBroken?.seq ?? '?'} ${v.firstBroken?.reason ?? ''} — ${v.firstBroken?.message ?? ''}`),
      );
    }),
  );
  const checkpoint = h('button', { id: 'checkpoint-btn', class: 'secondary', disabled: !can.system(me) }, '立即加盖时间戳 Checkpoint now');
  checkpoint.addEventListener('click', () =>
    void busy(checkpoint, '正在加盖… (stamping)', async () => {
      const c = await api.post<{ seq: number; time: string }>('/api/v1/admin/audit/checkpoint');
      clear(verifyOut);
      verifyOut.append(h('p', {}, `检查点已加盖 (checkpoint stamped) #${c.seq} · ${fmtTime(c.time)}`));
    }),
  );
  view.append(h('section', {}, verify, checkpoint, verifyOut));

  const f = {
    actor: h('input', { id: 'audit-actor', maxlength: 128 }),
    action: h('input', { id: 'audit-action', maxlength: 64, placeholder: 'request.approve' }),
    target: h('input', { id: 'audit-target', maxlength: 128 }),
    from: h('input', { id: 'audit-from', type: 'date' }),
    to: h('input', { id: 'audit-to', type: 'date' }),
  };
  const list = h('div', { id: 'audit-list' });
  const load = async () => {
    const day = (d: string, end: boolean) => (d ? new Date(`${d}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined);
    const r = await api.get<{ total: number; entries: Entry[] }>('/api/v1/admin/audit', { actor: f.actor.value.trim(), action: f.action.value.trim(), target: f.target.value.trim(), from: day(f.from.value, false), to: day(f.to.value, true), limit: 200 });
    clear(list);
    list.append(
      h('p', { class: 'muted' }, `共 ${r.total} 条 (total)，显示最新 ${r.entries.length} 条 (newest shown)`),
      table(
        [
          ['序号 Seq', (e) => e.seq],
          ['时间 Time', (e) => fmtTime(e.time)],
          ['操作人 Actor', (e) => `${e.actor} (${e.actorType})`],
          ['动作 Action', (e) => e.action],
          ['对象 Target', (e) => e.target ?? '—'],
          ['结果 Result', (e) => e.result],
          ['详情 Details', (e) => h('span', { class: 'payload' }, JSON.stringify(e.details))],
        ],
        r.entries,
        { id: 'audit-entries' },
      ),
    );
  };
  const search = h('button', { id: 'audit-search' }, '查询 Search');
  search.addEventListener('click', () => void busy(search, '查询中… (loading)', load));
  view.append(
    h(
      'section',
      {},
      h('div', { class: 'row' }, h('label', {}, '操作人 Actor', f.actor), h('label', {}, '动作 Action', f.action), h('label', {}, '对象 Target', f.target), h('label', {}, '从 From', f.from), h('label', {}, '到 To', f.to), search),
      list,
    ),
  );
  await load();
}
