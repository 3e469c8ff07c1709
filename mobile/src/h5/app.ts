/**
 * The H5 app: the phone's screens on top of the library. Enrollment from the QR payload, the
 * list of waiting logins and signatures (the app, workstation, summaries, count and the big
 * verification code), approval with the PIN, rejection. The vault lives in IndexedDB.
 * The cloud is the one named in the activation QR code (it must list this page's origin in
 * its corsOrigins).
 */
import { MobileError } from '../errors.js';
import { indexedDbStorage } from '../indexeddb-storage.js';
import { MedSignPhone, type PendingSession } from '../phone.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const storage = indexedDbStorage();
let phone: MedSignPhone | undefined;
let busy = false;

function status(text: string, error = false) {
  const el = $('status');
  el.textContent = text;
  el.className = error ? 'error' : '';
}

const messageOf = (err: unknown) => (err instanceof MobileError ? err.message : err instanceof Error ? err.message : String(err));

function render(list: PendingSession[]) {
  const box = $('list');
  box.replaceChildren();
  if (list.length === 0) {
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = '没有待确认的请求 (nothing waiting)';
    box.append(p);
    return;
  }
  for (const s of list) {
    const item = document.createElement('div');
    item.className = 'item';
    item.dataset.session = s.sessionId;
    const what = s.kind === 'login' ? '登录 Login' : `签名 Sign · ${s.count} 项 items`;
    const title = document.createElement('div');
    title.textContent = `${what} · ${s.app} · ${s.workstation}`;
    const code = document.createElement('div');
    code.className = 'code';
    code.textContent = s.verificationCode;
    const summaries = document.createElement('div');
    summaries.className = 'muted';
    summaries.textContent = s.summaries.slice(0, 5).join(' | ') + (s.count > 5 ? ' …' : '');
    const ok = document.createElement('button');
    ok.textContent = '确认 Approve';
    ok.onclick = () => act(s, true);
    const no = document.createElement('button');
    no.textContent = '拒绝 Reject';
    no.className = 'secondary';
    no.onclick = () => act(s, false);
    item.append(title, code, summaries, ok, no);
    box.append(item);
  }
}

async function act(s: PendingSession, approve: boolean) {
  if (!phone || busy) return;
  busy = true;
  try {
    if (approve) {
      status('正在签名… signing');
      await phone.approve(s, $<HTMLInputElement>('pin').value);
      status('已签名 Signed ✓');
    } else {
      await phone.reject(s.sessionId);
      status('已拒绝 Refused');
    }
  } catch (err) {
    status(messageOf(err), true);
  } finally {
    busy = false;
    await refresh();
  }
}

async function refresh() {
  if (!phone || busy) return;
  try {
    render(await phone.pending());
  } catch (err) {
    status(messageOf(err), true);
  }
}

async function start() {
  try {
    phone = await MedSignPhone.load({ storage });
  } catch {
    phone = undefined;
  }
  $('enroll').hidden = phone !== undefined;
  $('work').hidden = phone === undefined;
  if (phone) {
    status('已激活 Enrolled');
    await refresh();
    setInterval(refresh, 2000);
  }
}

$('enroll-btn').onclick = async () => {
  if (busy) return;
  busy = true;
  status('正在激活：生成密钥、申请证书… enrolling: generating the key, requesting the certificate');
  try {
    phone = await MedSignPhone.enroll($<HTMLTextAreaElement>('qr').value.trim(), $<HTMLInputElement>('new-pin').value, { storage });
  } catch (err) {
    status(messageOf(err), true);
    busy = false;
    return;
  }
  busy = false;
  await start();
};

void start();
