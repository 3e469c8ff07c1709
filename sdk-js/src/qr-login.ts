/**
 * QR login helper (optional entry `@medsign/sdk/qr`, IIFE `MedSignQr`): ask the agent for a
 * login challenge, draw it as a QR code into an element, and resolve when the doctor's phone
 * has scanned and confirmed it. Kept out of the main bundle: it carries the QR encoder.
 */
import QRCode from 'qrcode';
import type { MedSignClient } from './client.js';
import { MedSignError } from './errors.js';

export interface QrLoginOptions {
  /** canvas width in CSS pixels (default 220) */
  size?: number;
  /** called once, when the code is known (after the phone has scanned) */
  onVerificationCode?: (code: string) => void;
  /** give up after this long (default 5 minutes; the cloud's login session ends sooner) */
  timeoutMs?: number;
}

export interface LoggedIn {
  certId: string;
  name: string;
}

export async function qrLogin(client: MedSignClient, element: HTMLElement, options: QrLoginOptions = {}): Promise<LoggedIn> {
  await client.connect();
  const events: Array<{ operationId: string; status: string; verificationCode?: string; certId?: string; name?: string; error?: unknown }> = [];
  let notify: (() => void) | undefined;
  // listen before asking, so that no event can be missed
  const off = client.on('loginStatus', (p) => {
    events.push(p);
    notify?.();
  });
  // the login's events come over this connection: if it drops, they are lost with it
  let dropped = false;
  const offConn = client.on('connection', (c) => {
    if (c.state !== 'open') {
      dropped = true;
      notify?.();
    }
  });
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  let shownCode: string | undefined;
  try {
    const r = await client.login({});
    if (!r.qr) throw new MedSignError({ code: 'NO_QR', sor: 0x0b000001, retryable: true, message: '未取得登录二维码 (no login QR code)' });
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', '医签登录二维码 (MedSign login QR code)');
    await QRCode.toCanvas(canvas, r.qr, { width: options.size ?? 220, margin: 2, errorCorrectionLevel: 'M' });
    element.replaceChildren(canvas);
    for (;;) {
      const mine = events.filter((e) => e.operationId === r.operationId);
      const code = mine.find((e) => e.verificationCode)?.verificationCode;
      if (code && code !== shownCode) {
        shownCode = code;
        options.onVerificationCode?.(code);
      }
      const end = mine.find((e) => (e.status === 'OK' && e.certId) || e.status === 'FAILED');
      if (end?.status === 'OK') return { certId: end.certId!, name: end.name ?? '' };
      if (end) throw new MedSignError((end.error as ConstructorParameters<typeof MedSignError>[0]) ?? { code: 'LOGIN_FAILED', sor: 0x0b000001, retryable: true, message: '登录失败 (login failed)' });
      if (dropped) throw new MedSignError({ code: 'CONNECTION_LOST', sor: 0x0b000001, retryable: true, message: '与医签助手的连接中断，请重新扫码登录 (the connection to the agent dropped: start the QR login again)' });
      const left = deadline - Date.now();
      if (left <= 0) throw new MedSignError({ code: 'LOGIN_TIMEOUT', sor: 0x0b000101, retryable: true, message: '扫码登录超时，请重新扫码 (the QR login timed out: start again)' });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    off();
    offConn();
  }
}
