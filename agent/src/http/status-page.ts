/** GET /: a read-only status page in Chinese for the workstation's user and IT staff. */
import { AGENT_VERSION, type AgentContext } from '../context.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (iso: string | undefined) => (iso ? esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')) : '—');

export function statusPage(a: AgentContext): string {
  const links = a.cloud.links
    .map(
      (l) =>
        `<tr><td>${esc(l.url)}${l === a.cloud.active ? ' <b>(当前 active)</b>' : ''}</td><td class="${l.ok ? 'ok' : 'bad'}">${l.ok === undefined ? '未检查 unchecked' : l.ok ? '正常 OK' : '不可达 unreachable'}</td><td>${l.skewMs === undefined ? '—' : `${esc(l.skewMs)} ms`}</td><td>${time(l.lastCheck)}</td></tr>`,
    )
    .join('');
  const users = a.state
    .users()
    .map((u) => {
      const days = Math.floor((u.cert.notAfter.getTime() - Date.now()) / 86_400_000);
      return `<tr><td>${esc(u.name)}</td><td>${esc(u.employeeNo)}</td><td><code>${esc(u.certId)}</code></td><td>${u.cert.publicKey.algorithm === 'sm2' ? 'SM2' : 'RSA'}</td><td class="${days < 30 ? 'bad' : ''}">${time(u.cert.notAfter.toISOString())}（剩 ${days} 天 days left）</td></tr>`;
    })
    .join('');
  const pending = a.ops
    .pending()
    .map((o) => `<tr><td>${esc(o.method)}</td><td>${esc(o.count)}</td><td class="code">${esc(o.verificationCode ?? '…')}</td><td>${time(o.createdAt)}</td></tr>`)
    .join('');
  const recent = a.recent
    .slice(-30)
    .reverse()
    .map((r) => `<tr><td>${time(r.at)}</td><td>${esc(r.method)}</td><td>${esc(r.client)}</td><td>${esc(r.surface)}</td><td class="${r.ok ? 'ok' : 'bad'}">${r.ok ? '成功 OK' : esc(r.code ?? 'error')}</td><td>${esc(r.ms)} ms</td></tr>`)
    .join('');
  const none = (cols: number, text: string) => `<tr><td colspan="${cols}" class="muted">${text}</td></tr>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>医签助手状态 MedSign Agent</title>
<style>
body{font-family:"Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:24px;color:#1f2937}
h1{font-size:20px}h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse;min-width:640px}td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left;font-size:13px}
th{background:#f3f4f6}.ok{color:#047857}.bad{color:#b91c1c}.muted{color:#6b7280}.code{font-size:20px;font-weight:bold;letter-spacing:4px}
</style></head><body>
<h1>医签助手 MedSign Agent <span class="muted">v${esc(AGENT_VERSION)}</span></h1>
<p>启动于 started ${time(a.startedAt)} · 云端注册 registered: ${a.state.credential ? '<span class="ok">是 yes</span>' : '<span class="bad">否 no — 请运行 medsign-agent doctor</span>'} · 待补签 deferred: ${esc(a.journal.pending().length)}</p>
<h2>云端连接 Cloud link</h2>
<table><tr><th>地址 URL</th><th>状态 Status</th><th>时钟偏差 Clock skew</th><th>检查时间 Checked</th></tr>${links}</table>
<h2>已登录用户 Logged-in users</h2>
<table><tr><th>姓名 Name</th><th>工号 Employee no.</th><th>证书 certId</th><th>算法</th><th>证书到期 Expires</th></tr>${users || none(5, '无 none')}</table>
<h2>等待手机确认 Waiting for the phone</h2>
<table><tr><th>方法 Method</th><th>条数 Items</th><th>校验码 Code</th><th>开始 Started</th></tr>${pending || none(4, '无 none')}</table>
<h2>最近请求 Recent requests</h2>
<table><tr><th>时间 Time</th><th>方法 Method</th><th>来源 Client</th><th>接口</th><th>结果 Result</th><th>耗时</th></tr>${recent || none(6, '无 none')}</table>
<p class="muted">只读页面，仅本机可见 (read-only, local only)。接口文档 API: <a href="/v1/openapi.json">/v1/openapi.json</a></p>
</body></html>`;
}
