/** Chinese (English) labels for the values the API answers. */
export const STATUS_LABEL: Record<string, string> = {
  pending: '待审批 (pending)',
  rejected: '已驳回 (rejected)',
  expired: '已过期 (expired)',
  cancelled: '已撤回 (cancelled)',
  executed: '已执行 (executed)',
  failed: '执行失败 (failed)',
};

export const OPERATION_LABEL: Record<string, string> = {
  apply: '证书申请 (apply)',
  renew: '证书更新 (renew)',
  revoke: '证书吊销 (revoke)',
  hold: '证书冻结 (hold)',
  release: '证书解冻 (release)',
  replace: '丢失补办 (replace, lost phone)',
  emergency: '应急证书 (emergency)',
  pin_unlock: 'PIN 解锁 (PIN unlock)',
};
/** operations an administrator can request from the console */
export const REQUESTABLE = ['apply', 'revoke', 'hold', 'release', 'replace', 'pin_unlock'] as const;

export const CERT_STATE_LABEL: Record<string, string> = {
  valid: '有效 (valid)',
  expiring: '即将到期 (expiring)',
  expired: '已过期 (expired)',
  revoked: '已吊销 (revoked)',
  hold: '已冻结 (on hold)',
  pending: '待激活 (pending)',
  none: '无证书 (none)',
};

export const CERT_STATUS_FILTER: [string, string][] = [
  ['', '全部 (all)'],
  ['valid', '有效 (valid)'],
  ['expiring30', '30 天内到期 (expiring in 30 days)'],
  ['expiring60', '60 天内到期 (expiring in 60 days)'],
  ['expiring90', '90 天内到期 (expiring in 90 days)'],
  ['expired', '已过期 (expired)'],
  ['revoked', '已吊销 (revoked)'],
  ['hold', '已冻结 (on hold)'],
  ['pending', '待激活 (pending)'],
];

export const ALGORITHMS: [string, string][] = [
  ['sm2', 'SM2'],
  ['rsa-2048', 'RSA-2048'],
  ['rsa-1024', 'RSA-1024 (旧系统 legacy)'],
];

/** RFC 5280 §5.3.1 reason codes the API accepts for a revocation */
export const REVOCATION_REASONS: [string, string][] = [
  ['0', '0 未指定 (unspecified)'],
  ['1', '1 密钥泄露 (keyCompromise)'],
  ['3', '3 隶属关系变更 (affiliationChanged)'],
  ['4', '4 已被取代 (superseded)'],
  ['5', '5 停止使用 (cessationOfOperation)'],
  ['9', '9 权限撤销 (privilegeWithdrawn)'],
];

/** The hospital's calendar day in the browser's time zone, as YYYY-MM-DD. */
export function localDay(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
