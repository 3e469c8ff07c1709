/**
 * MedSignPhone: what the doctor's phone does, as a library (Node and browsers). Enrollment from
 * the activation QR code, the list of sessions waiting for approval, approval with the PIN
 * (the phone recomputes the verification code from the digests it will sign, co-signs with the
 * cloud, and verifies every signature before releasing it), rejection, and QR login.
 */
import {
  assembleCsr,
  buildCsrInfo,
  buildName,
  encodeSm2SignatureDer,
  fromHex,
  generateSm2KeyPair,
  phoneKeygenFinish,
  phoneKeygenStart,
  phoneRsaSignFinish,
  phoneRsaSignStart,
  phoneSignFinish,
  phoneSignStart,
  pinCheckText,
  pointFromHex,
  publicKeyToSpki,
  rsaDealerSplit,
  runtime,
  scalarFromHex,
  scalarToHex,
  sealForTransport,
  signDeviceRequest,
  sm2Digest,
  sm2PublicKeyFromPrivate,
  sm2PublicKeyToSpki,
  toBase64,
  toHex,
  transportKeyFingerprint,
  verificationCode,
  type MedSignError,
  type PhoneRsaShare,
  type PhoneSm2Share,
  type Sm2Point,
} from '@medsign/core';
import { MobileError } from './errors.js';
import { assertPinFormat, openShare, sealShare, type VaultRecord, type VaultStorage } from './vault.js';

/** A notification for the doctor, e.g. 证书将于 7 天后到期 (an expiry reminder). */
export interface PhoneNotification {
  id: string;
  kind: string;
  serial: string;
  thresholdDays: number;
  notAfter: string;
  createdAt: string;
  read: boolean;
  title: string;
  message: string;
}

export interface PendingSession {
  sessionId: string;
  kind: 'login' | 'sign';
  app: string;
  /** the agent's registered name, and its id (what a time window is bound to) */
  agent: string;
  agentId: string;
  workstation: string;
  count: number;
  summaries: string[];
  hash: 'sm3' | 'sha256' | 'sha1';
  digests: string[];
  verificationCode: string;
  expiresAt: string;
}

interface StoredPhone {
  version: 1;
  cloud: string;
  deviceId: string;
  /** the device key authenticates requests; it cannot sign documents */
  deviceKey: string;
  vault: VaultRecord;
  certificate: string;
  /** SHA-256 of the cloud's share-transport key, from the activation QR code (RSA renewal checks it) */
  transportKey?: string;
}

export interface PhoneOptions {
  storage: VaultStorage;
  /** PBKDF2 iterations for the PIN (default 600,000; tests use fewer) */
  pinIterations?: number;
}

const b64 = (b: Uint8Array) => toBase64(b);
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** A time-window authorisation (授权免密): one agent (by id) + app, until `until`. */
export interface ApprovalWindow {
  agentId: string;
  app: string;
  until: number;
}

export class MedSignPhone {
  /** the decrypted share, held in memory only while a window is open */
  private window: (ApprovalWindow & { share: PhoneSm2Share | PhoneRsaShare }) | undefined;

  private constructor(
    private state: StoredPhone,
    private readonly storage: VaultStorage,
  ) {}

  /**
   * 授权免密: approve one workstation agent's sessions from one app without a PIN prompt for
   * `minutes`, capped by the cloud's policy. The share stays split — the phone still co-signs
   * every signature — and lives decrypted in memory only (never stored). Revocable at any time.
   */
  async openWindow(agentId: string, app: string, minutes: number, pin: string, now = Date.now()): Promise<ApprovalWindow> {
    const cap = (await this.policy()).maxApprovalWindowMinutes;
    if (!(minutes > 0) || minutes > cap) {
      throw new MobileError('WINDOW_TOO_LONG', `免密时长应为 1 到 ${cap} 分钟`, `the window must be 1 to ${cap} minutes (cloud policy)`);
    }
    this.window = { agentId, app, until: now + minutes * 60_000, share: await openShare(this.state.vault, pin) };
    return { agentId, app, until: this.window.until };
  }

  /** The cloud's phone policy: the longest time window, and when renewal opens (null: the last third of the lifetime). */
  async policy(): Promise<{ maxApprovalWindowMinutes: number; renewalDays: number | null }> {
    const p = await request(this.state.cloud, 'GET', '/api/v1/mobile/policy');
    return { maxApprovalWindowMinutes: Number(p.maxApprovalWindowMinutes), renewalDays: typeof p.renewalDays === 'number' ? p.renewalDays : null };
  }

  closeWindow(): void {
    this.window = undefined;
  }

  get approvalWindow(): ApprovalWindow | undefined {
    return this.window && this.window.until > Date.now() ? { agentId: this.window.agentId, app: this.window.app, until: this.window.until } : undefined;
  }

  /** Does the open window cover this session? */
  covers(session: PendingSession, now = Date.now()): boolean {
    const w = this.window;
    if (w && w.until <= now) this.window = undefined;
    return !!w && w.until > now && session.kind === 'sign' && session.agentId === w.agentId && session.app === w.app;
  }

  get certificate(): Uint8Array {
    return fromB64(this.state.certificate);
  }

  get cloud(): string {
    return this.state.cloud;
  }

  static async load(options: Pick<PhoneOptions, 'storage'>): Promise<MedSignPhone> {
    const text = await options.storage.load();
    if (!text) throw new MobileError('NOT_ENROLLED', '手机尚未激活，请扫描管理员提供的激活二维码', 'this phone is not enrolled: scan the activation QR code');
    return new MedSignPhone(JSON.parse(text) as StoredPhone, options.storage);
  }

  /**
   * Enroll with a typed-in code: the cloud says which enrollment and algorithm it is for. The
   * transport key is then trusted on first use (the QR code path checks it against the code's QR).
   */
  static async enrollWithCode(cloud: string, activationCode: string, pin: string, options: PhoneOptions): Promise<MedSignPhone> {
    const info = await request(cloud, 'POST', '/api/v1/mobile/enroll/lookup', { activationCode });
    const qr = `medsign://enroll?v=1&cloud=${encodeURIComponent(cloud)}&enrollment=${String(info.enrollmentId)}&code=${encodeURIComponent(activationCode)}&alg=${String(info.algorithm)}&tk=${String(info.transportKeySha256)}`;
    return MedSignPhone.enroll(qr, pin, options);
  }

  /** Enroll from the activation QR payload (medsign://enroll?v=1&cloud&enrollment&code&alg&tk). */
  static async enroll(qr: string, pin: string, options: PhoneOptions): Promise<MedSignPhone> {
    const url = parseQr(qr, 'enroll');
    const q = (k: string) => url.searchParams.get(k) ?? '';
    const [cloud, enrollmentId, code, alg, tk] = [q('cloud'), q('enrollment'), q('code'), q('alg'), q('tk')];
    if (!/^https?:\/\//.test(cloud) || !enrollmentId || !code || !['sm2', 'rsa-2048', 'rsa-1024'].includes(alg)) {
      throw new MobileError('QR_INVALID', '二维码无效', 'not a MedSign activation QR code');
    }
    // the share-transport key must be the one the administrator's QR code names
    const transportSpki = fromB64(String((await request(cloud, 'GET', '/api/v1/mobile/transport-key')).spki));
    if (transportKeyFingerprint(transportSpki) !== tk) throw new MobileError('CLOUD_UNTRUSTED', '云端密钥与二维码不符，已停止激活', 'the cloud key does not match the QR code; enrollment stopped');

    const deviceKeys = generateSm2KeyPair();
    const base = { enrollmentId, activationCode: code, devicePublicKey: b64(sm2PublicKeyToSpki(deviceKeys.publicKey)) };
    let deviceId = '';
    const { share, certificate } = await coGenerate(cloud, enrollmentId, alg, transportSpki, async (keygen) => {
      const start = await request(cloud, 'POST', '/api/v1/mobile/enroll/start', { ...base, keygen });
      deviceId = String(start.deviceId);
      return { reply: start.keygenReply, device: { id: deviceId, privateKey: deviceKeys.privateKey, publicKey: deviceKeys.publicKey } };
    });
    const state: StoredPhone = {
      version: 1,
      cloud,
      deviceId,
      deviceKey: scalarToHex(deviceKeys.privateKey),
      vault: await sealShare(share, pin, options.pinIterations),
      certificate,
      transportKey: tk,
    };
    await options.storage.save(JSON.stringify(state));
    return new MedSignPhone(state, options.storage);
  }

  private device() {
    const privateKey = scalarFromHex(this.state.deviceKey);
    return { id: this.state.deviceId, privateKey, publicKey: sm2PublicKeyFromPrivate(privateKey) };
  }

  async pending(): Promise<PendingSession[]> {
    const r = await request(this.state.cloud, 'GET', '/api/v1/mobile/pending', undefined, this.device());
    return r.sessions as PendingSession[];
  }

  /**
   * The notifications the cloud keeps for this phone's doctor (issue 7: certificate expiry
   * reminders at 30, 7 and 1 days…), newest first; `unread` only the unread ones.
   */
  async notifications(unread = false): Promise<PhoneNotification[]> {
    const r = await request(this.state.cloud, 'GET', `/api/v1/mobile/notifications${unread ? '?unread=1' : ''}`, undefined, this.device());
    return r.notifications as PhoneNotification[];
  }

  /** Mark notifications read (they stay listed, `read: true`). */
  async markNotificationsRead(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await request(this.state.cloud, 'POST', '/api/v1/mobile/notifications/read', { ids }, this.device());
    return r.updated as number;
  }

  /** Claim a QR login the phone scanned; approve it next. */
  async claimLogin(qr: string): Promise<PendingSession> {
    const url = parseQr(qr, 'login');
    const sessionId = url.searchParams.get('session') ?? '';
    const challenge = url.searchParams.get('challenge') ?? '';
    const s = (await request(this.state.cloud, 'POST', `/api/v1/mobile/logins/${sessionId}/claim`, {}, this.device())) as unknown as PendingSession;
    if (!s.summaries[0]?.includes(`challenge ${challenge}`)) throw new MobileError('LOGIN_MISMATCH', '登录内容与二维码不符', 'the login does not match the scanned QR code');
    return s;
  }

  /**
   * Approve with the PIN (or, without one, inside an open time window for this agent and app).
   * The verification code is recomputed from the digests; the signatures
   * are verified before they leave the phone. A wrong PIN cannot be detected here (by design):
   * the co-signature then fails its check, the session is refused, and the cloud counts it.
   */
  async approve(session: PendingSession, pin?: string): Promise<'OK'> {
    if (verificationCode(session.digests.map((d) => fromHex(d))) !== session.verificationCode) {
      throw new MobileError('CODE_MISMATCH', '校验码与签名内容不符，已拒绝', 'the verification code does not match the documents; refused');
    }
    let share: PhoneSm2Share | PhoneRsaShare;
    if (pin !== undefined) share = await openShare(this.state.vault, pin);
    else if (this.covers(session)) share = this.window!.share;
    else throw new MobileError('PIN_REQUIRED', '请输入 PIN', 'enter the PIN (no time window covers this session)');
    const path = `/api/v1/mobile/sessions/${session.sessionId}`;
    const signatures = await this.checked(path, () =>
      cosign(share, session.sessionId, session.hash, session.digests, async (commit) => (await request(this.state.cloud, 'POST', `${path}/commit`, { commit }, this.device())).reply),
    );
    const done = await request(this.state.cloud, 'POST', `${path}/complete`, { signatures: signatures.map(b64) }, this.device());
    if (done.status !== 'OK') throw new MobileError('SIGN_FAILED', '签名失败', `signing failed: ${String(done.status)}`);
    return 'OK';
  }

  private async checked(path: string, run: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof MobileError) throw err; // the cloud refused (locked, revoked, network): nothing to report
      // nothing is released; tell the cloud, which counts it towards the lock and says how many attempts are left
      const r = await request(this.state.cloud, 'POST', `${path}/reject`, {}, this.device()).catch(() => ({}) as Record<string, unknown>);
      const left = typeof r.attemptsLeft === 'number' ? r.attemptsLeft : undefined;
      if ((err as MedSignError).code !== 'SIGNATURE_CHECK_FAILED') throw new MobileError('COSIGN_FAILED', '协同签名失败，请重试', 'co-signing failed; try again');
      throw wrongPin(left);
    }
  }

  /**
   * Change the PIN. The old PIN is checked online first (a co-signature over a PIN-check text
   * with a fresh nonce; the cloud counts the attempt), because re-sealing the share under a
   * wrong PIN would silently destroy it. Then the share is sealed again under the new PIN
   * (fresh salt and IV, same cost) and saved.
   */
  async changePin(oldPin: string, newPin: string): Promise<void> {
    assertPinFormat(newPin); // before anything is counted
    if (newPin === oldPin) throw new MobileError('PIN_SAME', '新 PIN 与原 PIN 相同', 'the new PIN is the same as the old one');
    const { share } = await this.checkPin(oldPin);
    await this.save({ ...this.state, vault: await sealShare(share, newPin, this.state.vault.kdf.iterations) });
  }

  /**
   * Online renewal (在线更新), inside the renewal window (the last third of the certificate's
   * lifetime; the cloud says when it opens). The PIN is checked online, then a new key is made
   * through the same two-party protocol, the new certificate replaces the old one (which the
   * cloud revokes as superseded), and the new share is sealed under the same PIN.
   */
  async renew(pin: string): Promise<Uint8Array> {
    const { checkId } = await this.checkPin(pin);
    const cloud = this.state.cloud;
    const open = await request(cloud, 'POST', '/api/v1/mobile/renew/open', { pinCheckId: checkId }, this.device());
    const enrollmentId = String(open.enrollmentId);
    const alg = String(open.algorithm);
    let transportSpki = new Uint8Array(0);
    if (alg !== 'sm2') {
      transportSpki = fromB64(String((await request(cloud, 'GET', '/api/v1/mobile/transport-key')).spki));
      if (transportKeyFingerprint(transportSpki) !== this.state.transportKey) throw new MobileError('CLOUD_UNTRUSTED', '云端密钥与激活时不符，已停止更新', 'the cloud key differs from the one at enrollment; renewal stopped');
    }
    const device = this.device();
    const { share, certificate } = await coGenerate(cloud, enrollmentId, alg, transportSpki, async (keygen) => {
      const start = await request(cloud, 'POST', '/api/v1/mobile/renew/start', { enrollmentId, keygen }, device);
      return { reply: start.keygenReply, device };
    });
    this.window = undefined; // it held the old share
    await this.save({ ...this.state, certificate, vault: await sealShare(share, pin, this.state.vault.kdf.iterations) });
    return this.certificate;
  }

  private async save(next: StoredPhone): Promise<void> {
    await this.storage.save(JSON.stringify(next));
    this.state = next;
  }

  /**
   * The online PIN check: co-sign a PIN-check text over a fresh nonce with the cloud, which
   * counts the attempt before it answers. Returns the share (the PIN was right) and the check id.
   */
  private async checkPin(pin: string): Promise<{ share: PhoneSm2Share | PhoneRsaShare; checkId: string }> {
    const share = await openShare(this.state.vault, pin);
    const nonce = toHex(runtime().randomBytes(32));
    const text = new TextEncoder().encode(pinCheckText(this.state.deviceId, nonce));
    const digest = share.algorithm === 'sm2' ? toHex(sm2Digest(pointFromHex(share.publicKey), text)) : await sha256Hex(text);
    const checkId = globalThis.crypto.randomUUID();
    const path = `/api/v1/mobile/pin-check`;
    let signature: Uint8Array | undefined;
    try {
      [signature] = await cosign(share, checkId, 'sha256', [digest], async (commit) => (await request(this.state.cloud, 'POST', path, { checkId, nonce, commit }, this.device())).reply);
    } catch (err) {
      if (err instanceof MobileError) throw err; // the cloud refused (locked, revoked, network)
      if ((err as MedSignError).code !== 'SIGNATURE_CHECK_FAILED') throw new MobileError('COSIGN_FAILED', '协同签名失败，请重试', 'co-signing failed; try again');
      signature = undefined; // a wrong PIN: say so to the cloud, which has counted it
    }
    const r = await request(this.state.cloud, 'POST', `${path}/${checkId}/finish`, signature ? { signature: b64(signature) } : {}, this.device());
    if (r.ok !== true) throw wrongPin(Number(r.attemptsLeft));
    return { share, checkId };
  }

  async reject(sessionId: string): Promise<void> {
    await request(this.state.cloud, 'POST', `/api/v1/mobile/sessions/${sessionId}/reject`, {}, this.device());
  }
}

type DeviceAuth = { id: string; privateKey: bigint; publicKey: Sm2Point };
type Keygen = { type: 'sm2'; hello: unknown } | { type: 'rsa'; n: string; e: string; sealedD2: unknown };

/**
 * A new split key and its certificate (enrollment and renewal): the key generation round through
 * `start`, then a PKCS#10 request co-signed by phone and cloud (proof of possession), then the
 * certificate. For RSA the phone deals the two shares and forgets d, p and q.
 */
async function coGenerate(
  cloud: string,
  enrollmentId: string,
  alg: string,
  transportSpki: Uint8Array,
  start: (keygen: Keygen) => Promise<{ reply: unknown; device: DeviceAuth }>,
): Promise<{ share: PhoneSm2Share | PhoneRsaShare; certificate: string }> {
  let share: PhoneSm2Share | PhoneRsaShare;
  let spki: Uint8Array;
  let confirm: unknown;
  let device: DeviceAuth;
  if (alg === 'sm2') {
    const kg = phoneKeygenStart(enrollmentId);
    const r = await start({ type: 'sm2', hello: kg.message });
    const f = phoneKeygenFinish(kg.state, r.reply);
    [share, confirm, device] = [f.share, f.message, r.device];
    spki = publicKeyToSpki({ algorithm: 'sm2', point: pointFromHex(f.share.publicKey) });
  } else {
    const shares = await rsaDealerSplit(alg === 'rsa-2048' ? 2048 : 1024);
    const sealedD2 = await sealForTransport(transportSpki, enrollmentId, new TextEncoder().encode(shares.cloud.d2));
    const r = await start({ type: 'rsa', n: shares.cloud.n, e: shares.cloud.e, sealedD2 });
    [share, device] = [shares.phone, r.device];
    spki = publicKeyToSpki({ algorithm: 'rsa', n: BigInt('0x' + shares.phone.n), e: BigInt('0x' + shares.phone.e) });
  }
  const info = buildCsrInfo(buildName([{ type: 'CN', value: 'enrollment' }]), spki);
  const digest = share.algorithm === 'sm2' ? toHex(sm2Digest(pointFromHex(share.publicKey), info)) : await sha256Hex(info);
  const [signature] = await cosign(share, `csr-${enrollmentId}`, 'sha256', [digest], async (commit) => {
    const body = { enrollmentId, ...(confirm === undefined ? {} : { keygenConfirm: confirm }), csrInfo: b64(info), commit };
    return (await request(cloud, 'POST', '/api/v1/mobile/enroll/finish', body, device)).cosignReply;
  });
  const csr = assembleCsr(info, share.algorithm === 'sm2' ? 'sm2-with-sm3' : 'rsa-with-sha256', signature!);
  const done = await request(cloud, 'POST', '/api/v1/mobile/enroll/complete', { enrollmentId, csr: b64(csr) }, device);
  return { share, certificate: String(done.certificate) };
}

/**
 * The phone's half of one co-signing round: start, let `send` carry the commit to the cloud and
 * bring back its reply, then finish — every signature is checked against the public key (a
 * wrong PIN fails here with SIGNATURE_CHECK_FAILED). DER signatures for SM2, raw for RSA.
 */
async function cosign(share: PhoneSm2Share | PhoneRsaShare, sessionId: string, hash: 'sm3' | 'sha256' | 'sha1', digests: string[], send: (commit: unknown) => Promise<unknown>): Promise<Uint8Array[]> {
  if (share.algorithm === 'sm2') {
    const st = phoneSignStart({ sessionId, digests });
    return phoneSignFinish(share, st.state, await send(st.message)).map((g) => encodeSm2SignatureDer(g));
  }
  const st = phoneRsaSignStart({ sessionId, hash, digests });
  return phoneRsaSignFinish(share, st.state, await send(st.message));
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data.slice().buffer as ArrayBuffer)));
}

/** A wrong PIN, with the attempts left before the lock (when the cloud said). */
function wrongPin(left: number | undefined): MobileError {
  if (left === 0) return new MobileError('LOCKED', 'PIN 连续错误，签名密钥已锁定，请联系管理员解锁', 'wrong PIN too many times: the key is locked; ask an administrator to unlock it');
  if (left === undefined || !Number.isFinite(left)) return new MobileError('PIN_WRONG', 'PIN 错误，未签名（连续 5 次错误将锁定）', 'wrong PIN: nothing was signed (5 in a row lock the key)');
  return new MobileError('PIN_WRONG', `PIN 错误，未签名，还可尝试 ${left} 次`, `wrong PIN: nothing was signed; ${left} attempt${left === 1 ? '' : 's'} left before the key locks`);
}

function parseQr(qr: string, kind: 'enroll' | 'login'): URL {
  let url: URL;
  try {
    url = new URL(qr);
  } catch {
    throw new MobileError('QR_INVALID', '二维码无效', 'not a MedSign QR code');
  }
  if (url.protocol !== 'medsign:' || url.pathname.replace(/^\/\//, '') !== kind && url.host !== kind) throw new MobileError('QR_INVALID', '二维码无效', `not a MedSign ${kind} QR code`);
  return url;
}

/** One HTTP call; cloud errors become MobileErrors with the cloud's bilingual message. */
async function request(cloud: string, method: 'GET' | 'POST', path: string, body?: unknown, device?: { id: string; privateKey: bigint; publicKey: Sm2Point }): Promise<Record<string, unknown>> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (device) Object.assign(headers, signDeviceRequest(device, method, path, new TextEncoder().encode(text)));
  let r: Response;
  try {
    r = await fetch(`${cloud}${path}`, { method, headers, ...(body === undefined ? {} : { body: text }) });
  } catch {
    throw new MobileError('NETWORK', '网络不可用，请检查网络后重试', 'the network is unavailable; check it and retry');
  }
  const json = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  if (!r.ok) {
    // the cloud's message is "中文 (English)"
    const m = /^(.*) \((.*)\)$/s.exec(String(json.message ?? ''));
    throw new MobileError(String(json.code ?? 'CLOUD_ERROR'), m?.[1] ?? `云端错误 ${r.status}`, m?.[2] ?? `cloud error ${r.status}`);
  }
  return json;
}

