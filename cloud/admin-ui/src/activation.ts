/** The one-time activation code of an executed apply/replace: shown once, then gone from the page. */
import { fmtTime, h } from './dom.js';
import { qrCanvas } from './qr.js';
import type { Activation } from './pages/types.js';

export function activationBox(a: Activation): HTMLElement {
  let qr: HTMLElement;
  try {
    qr = qrCanvas(a.qr);
    qr.id = 'activation-qr';
  } catch {
    qr = h('p', { class: 'muted' }, '无法绘制二维码，请使用下方内容 (cannot draw the QR code; use the payload below)');
  }
  return h(
    'div',
    { class: 'once', id: 'activation' },
    h('h3', {}, '激活码 Activation code — 只显示这一次 (shown once only)'),
    h('p', {}, '请让医生用手机扫描二维码，或输入激活码；离开本页后无法再次查看，如丢失请重新申请。(Let the doctor scan it now; it cannot be shown again — if lost, make a new request.)'),
    h('div', { class: 'code', id: 'activation-code' }, a.activationCode),
    qr,
    h('div', { class: 'payload', id: 'activation-payload' }, a.qr),
    h('p', { class: 'muted' }, `有效期至 (valid until) ${fmtTime(a.expiresAt)}`),
  );
}
