/**
 * The H5 app: the phone's screens on top of the library. Enrollment from the QR payload, the
 * list of waiting logins and signatures (the app, workstation, summaries, count and the big
 * verification code), approval with the PIN, rejection, the certificate's state (renew 30 days
 * before it ends) and the time window (授权免密: no PIN for one workstation and app for 30
 * minutes, capped by the cloud's policy). The vault lives in IndexedDB.
 * The cloud is the one named in the activation QR code (it must list this page's origin in
 * its corsOrigins).
 */
import { certificateStatus } from '../cert-status.js';
import { cameraAvailable, scanQr } from './scan.js';
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

let shown = '';

function render(list: PendingSession[]) {
  // redraw only when something changed, so a half-typed choice (the checkbox) survives the polling
  const key = list.map((s) => `${s.sessionId}:${phone?.covers(s) ? 1 : 0}`).join(',');
  if (key === shown && list.length > 0) return;
  shown = key;
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
    const covered = phone?.covers(s) ?? false;
    const ok = document.createElement('button');
    ok.textContent = covered ? '免密确认 Approve (no PIN)' : '确认 Approve';
    let windowBox: HTMLInputElement | undefined;
    if (s.kind === 'sign' && !covered) {
      const label = document.createElement('label');
      label.className = 'check';
      windowBox = document.createElement('input');
      windowBox.type = 'checkbox';
      windowBox.className = 'window-30';
      label.append(windowBox, `${WINDOW_MINUTES} 分钟内此电脑的 ${s.app} 免密 (no PIN for ${WINDOW_MINUTES} min from this workstation's ${s.app})`);
      item.append(label);
    }
    ok.onclick = () => act(s, true, windowBox?.checked ?? false);
    const no = document.createElement('button');
    no.textContent = '拒绝 Reject';
    no.className = 'secondary';
    no.onclick = () => act(s, false);
    item.prepend(title, code, summaries);
    item.append(ok, no);
    box.append(item);
  }
}

const WINDOW_MINUTES = 30;

async function act(s: PendingSession, approve: boolean, openWindow = false) {
  if (!phone || busy) return;
  busy = true;
  try {
    if (approve) {
      const pin = $<HTMLInputElement>('pin').value;
      if (openWindow) {
        status('正在开启免密… opening the time window');
        await phone.openWindow(s.agentId, s.app, WINDOW_MINUTES, pin);
      }
      status('正在签名… signing');
      await phone.approve(s, phone.covers(s) ? undefined : pin);
      $<HTMLInputElement>('pin').value = '';
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

function renderWindow() {
  const w = phone?.approvalWindow;
  $('window').hidden = !w;
  if (w) {
    const until = new Date(w.until).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
    $('window-text').textContent = `免密中：${w.app}，至 ${until} (no PIN for ${w.app} until ${until})`;
  }
}

let renewalDays: number | null = null;

function renderCertificate() {
  if (!phone) return;
  const c = certificateStatus(phone.certificate, new Date(), renewalDays);
  $('renew-box').hidden = c.level !== 'renew-soon';
  $('cert').hidden = false;
  $('cert-who').textContent = `${c.name} · 工号 ${c.employeeNo} · ${c.algorithm}`;
  $('cert-state').textContent = `${c.zh} (${c.en}) · 序列号 serial ${c.serialNumber}`;
  $('cert-state').className = c.level === 'ok' ? 'muted' : c.level;
}

/** The cloud's notifications for this doctor (expiry reminders): shown once, then marked read. */
async function showNotices() {
  if (!phone) return;
  try {
    const unread = await phone.notifications(true);
    const ul = $('notices');
    ul.replaceChildren(
      ...unread.map((n) => {
        const li = document.createElement('li');
        li.textContent = `${n.title} — ${n.message}`;
        return li;
      }),
    );
    ul.hidden = unread.length === 0;
    ul.dataset.loaded = 'yes'; // (the tests wait for it)
    await phone.markNotificationsRead(unread.map((n) => n.id));
  } catch {
    /* notices are a courtesy: the signing work goes on without them */
  }
}

async function refresh() {
  if (!phone || busy) return;
  renderWindow();
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
  $('pin-change').hidden = phone === undefined;
  if (phone) {
    status('已激活 Enrolled');
    renewalDays = await phone.policy().then((p) => p.renewalDays, () => null);
    renderCertificate();
    void showNotices();
    await refresh();
    setInterval(refresh, 2000);
  }
}

// camera scanning, where the browser allows it (else the paste field stays the way in)
let scanning: AbortController | undefined;
async function scan(): Promise<string | undefined> {
  scanning?.abort();
  scanning = new AbortController();
  $('scanner').hidden = false;
  status('正在扫描，请将二维码对准摄像头… scanning: point the camera at the QR code');
  try {
    return await scanQr($<HTMLVideoElement>('camera'), scanning.signal);
  } catch (err) {
    status(messageOf(err), true);
    return undefined;
  } finally {
    $('scanner').hidden = true;
  }
}
$('scan-cancel').onclick = () => scanning?.abort();
$('scan-enroll').hidden = $('scan-login').hidden = !cameraAvailable();
$('scan-enroll').onclick = async () => {
  const text = await scan();
  if (!text) return;
  if (!text.startsWith('medsign://enroll')) return status('这不是激活二维码 (not an activation QR code)', true);
  $<HTMLTextAreaElement>('qr').value = text;
  status('已识别激活二维码，请设置 PIN 后点击激活 (QR code read: choose a PIN, then tap Enroll)');
};
$('scan-login').onclick = async () => {
  if (!phone) return;
  const text = await scan();
  if (!text) return;
  try {
    const s = await phone.claimLogin(text);
    status(`请核对校验码 ${s.verificationCode} 后确认登录 (check the code, then approve the login)`);
  } catch (err) {
    status(messageOf(err), true);
  }
  await refresh();
};

// the PIN pad: large keys for gloved hands; it types into the PIN field (which the keyboard can also use)
for (const key of Array.from($('pinpad').querySelectorAll<HTMLButtonElement>('button'))) {
  key.onclick = () => {
    const pin = $<HTMLInputElement>('pin');
    const k = key.dataset.key!;
    pin.value = k === 'clear' ? '' : k === 'back' ? pin.value.slice(0, -1) : (pin.value + k).slice(0, 6);
  };
}

$('renew-btn').onclick = async () => {
  if (!phone || busy) return;
  busy = true;
  status('正在更新：校验 PIN、生成新密钥、申请新证书… renewing: checking the PIN, making the new key, requesting the certificate');
  try {
    await phone.renew($<HTMLInputElement>('pin').value);
    $<HTMLInputElement>('pin').value = '';
    renderCertificate();
    status('证书已更新 Certificate renewed ✓');
  } catch (err) {
    status(messageOf(err), true);
  } finally {
    busy = false;
  }
};

$('change-pin-btn').onclick = async () => {
  if (!phone || busy) return;
  busy = true;
  status('正在校验原 PIN… checking the current PIN');
  try {
    await phone.changePin($<HTMLInputElement>('old-pin').value, $<HTMLInputElement>('next-pin').value);
    status('PIN 已修改 PIN changed ✓');
  } catch (err) {
    status(messageOf(err), true);
  } finally {
    $<HTMLInputElement>('old-pin').value = '';
    $<HTMLInputElement>('next-pin').value = '';
    busy = false;
  }
};

$('window-end').onclick = () => {
  phone?.closeWindow();
  status('已结束免密 Time window ended');
  void refresh();
};

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
