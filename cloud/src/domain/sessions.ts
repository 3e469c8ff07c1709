/**
 * Agents, login and sign sessions — the heart of the service.
 *
 * An agent (the workstation daemon) registers once with an administrator's token and then
 * authenticates with its own credential. A user session binds a staff member's key to an agent
 * after the phone co-signs a login challenge. Sign sessions carry 1–1,000 digests; the phone
 * sees the app, the summaries and the 4-digit code, approves (commit → the cloud's co-sign
 * step → complete with the final signatures) or rejects. The cloud verifies every signature
 * against the certificate before the agent gets it.
 *
 * PIN guessing is online-only: a session in which the cloud ran its co-sign step but no valid
 * signature came back counts as a failure (a wrong PIN yields a wrong share, hence an invalid
 * signature); five in a row lock the key share until an administrator unlocks it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  cloudRsaSignRespond,
  cloudSignRespond,
  fromHex,
  pinCheckText,
  publicKeyFromSpki,
  sm2Digest,
  toHex,
  utf8,
  verificationCode,
  verifyDigestSignature,
  type CloudRsaShare,
  type CloudSm2Share,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '@medsign/core';
import { CloudError, Errors } from './errors.js';
import type { Sealer } from './secrets.js';
import type { AuditRecorder } from './audit.js';
import type { CosignSessionRecord, KeyShareRecord, SessionStatus, Store, UserSessionRecord } from '../store/repositories.js';

export const MAX_DIGESTS = 1000;
/**
 * Open sessions (PENDING/COSIGNING) one staff member may have. Bounds the phone's queue, and
 * the verification-code collision attack (an attacker opening sessions until a code matches
 * needs ~5,000 tries, REFERENCE.md "Smart-ID verification code").
 */
export const MAX_OPEN_SESSIONS_PER_STAFF = 20;
export const LOCK_AFTER_FAILURES = 5;
const FINAL: ReadonlySet<SessionStatus> = new Set(['OK', 'USER_REFUSED', 'TIMEOUT', 'CANCELLED', 'CERT_REVOKED', 'LOCKED', 'ERROR']);
const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');
const HASH_BYTES: Record<HashAlgorithm, number> = { sm3: 32, sha256: 32, sha1: 20 };

export const SessionErrors = {
  locked: () => new CloudError('LOCKED', 423, '签名密钥已锁定（连续多次验证失败），请联系管理员解锁', 'the signing key is locked after repeated failures; ask an administrator to unlock it'),
  noKey: () => new CloudError('NO_ACTIVE_KEY', 409, '该人员没有可用的签名证书（尚未激活，或证书已吊销），请联系管理员', 'this staff member has no usable signing key (not enrolled, or the certificate was revoked); ask an administrator'),
  certUnusable: () => new CloudError('CERT_REVOKED', 409, '签名证书已吊销或冻结', 'the signing certificate is revoked or on hold'),
  certExpired: () => new CloudError('CERT_EXPIRED', 409, '签名证书已过期（或尚未生效），不能签名；请联系管理员重新申请', 'the signing certificate has expired (or is not yet valid): no signing; ask an administrator for a new one'),
  finished: () => new CloudError('SESSION_FINISHED', 409, '该签名会话已结束', 'this session has already ended'),
  userSession: () => new CloudError('USER_SESSION_INVALID', 401, '用户登录已失效，请重新登录', 'the user session is not valid; log in again'),
  tooMany: () => new CloudError('TOO_MANY_SESSIONS', 429, '待确认的签名过多，请先在手机上处理', 'too many sessions are waiting on this phone; deal with them first'),
};

export interface OpenSignInput {
  userSessionToken: string;
  hash?: HashAlgorithm;
  digests: string[];
  app: string;
  summaries: string[];
  workstation: string;
}

export class SessionService {
  private readonly events = new EventEmitter();
  private readonly timer: NodeJS.Timeout;
  /** issue 7: the audit log (set by server.ts) */
  audit?: AuditRecorder;

  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly options: { sessionTimeoutSeconds: number; userSessionHours: number },
  ) {
    this.events.setMaxListeners(0);
    this.timer = setInterval(() => this.sweep(), 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  // ---- agents ----

  createRegistrationToken(ttlHours = 72, now = Date.now()): { token: string; expiresAt: number } {
    const token = randomBytes(24).toString('base64url');
    const expiresAt = now + ttlHours * 3_600_000;
    this.store.transaction(() => this.store.agents.insertToken(sha256(token), expiresAt));
    return { token, expiresAt };
  }

  registerAgent(registrationToken: string, name: string, now = Date.now()): { agentId: string; credential: string } {
    const agentId = randomUUID();
    const credential = randomBytes(32).toString('base64url');
    this.store.transaction(() => {
      this.store.agents.insert({ id: agentId, name, credentialHash: sha256(credential), createdAt: now });
      if (!this.store.agents.useToken(sha256(registrationToken), agentId, now)) {
        throw Errors.unauthorized({ en: 'registration token unknown, used or expired', zh: '注册令牌无效、已使用或已过期' });
      }
      this.audit?.record({ actorType: 'agent', actor: agentId, action: 'agent.register', target: agentId, result: 'ok', details: { name } });
    });
    return { agentId, credential };
  }

  authenticateAgent(credential: string | undefined): { id: string; name: string } {
    const a = credential ? this.store.agents.getByCredential(sha256(credential)) : undefined;
    if (!a) throw Errors.unauthorized({ en: 'unknown agent credential', zh: '签名助手凭据无效' });
    return { id: a.id, name: a.name };
  }

  // ---- sessions (login and sign share one state machine) ----

  private usableShare(staffId: string, now: number): KeyShareRecord {
    const share = this.store.shares.currentForStaff(staffId);
    if (!share) throw SessionErrors.noKey();
    if (share.status === 'locked') throw SessionErrors.locked();
    const cert = share.certificateSerial ? this.store.certificates.get(share.certificateSerial) : undefined;
    if (!cert || cert.status !== 'good') throw SessionErrors.certUnusable();
    if (now >= cert.notAfter || now < cert.notBefore) throw SessionErrors.certExpired();
    return share;
  }

  private publicKeyOf(share: KeyShareRecord) {
    return publicKeyFromSpki(share.publicKey);
  }

  private signatureAlgorithm(share: KeyShareRecord, hash: HashAlgorithm): SignatureAlgorithm {
    return share.algorithm === 'sm2' ? 'sm2-with-sm3' : (`rsa-with-${hash}` as SignatureAlgorithm);
  }

  /** The cloud's co-sign step with a share's sealed half, for a session or a PIN check. */
  private cloudStep(share: KeyShareRecord, sessionId: string, hash: HashAlgorithm, digests: string[], commit: unknown): unknown {
    const cloudShare = JSON.parse(new TextDecoder().decode(this.sealer.open(share.sealedShare!, `share:${share.id}`))) as CloudSm2Share | CloudRsaShare;
    return cloudShare.algorithm === 'sm2'
      ? cloudSignRespond(cloudShare, { sessionId, digests, step: 'awaiting-phone-commit' }, commit)
      : cloudRsaSignRespond(cloudShare, { sessionId, hash, digests, step: 'awaiting-phone-request' }, commit);
  }

  /**
   * Login. With an employee number it is pushed to that person's phone; without one it is a
   * QR login: the agent shows `qr`, and whichever enrolled phone scans it claims the session.
   */
  openLogin(agentId: string, employeeNo: string | undefined, workstation: string, now = Date.now()): CosignSessionRecord & { qr?: string } {
    const agent = this.store.agents.get(agentId)!;
    const challenge = toHex(randomBytes(32));
    const id = randomUUID();
    // the phone shows and signs this text: it names the agent, the workstation and a fresh challenge
    const text = `MedSign 登录 login\nsession ${id}\nagent ${agent.name}\nworkstation ${workstation}\nchallenge ${challenge}`;
    if (employeeNo === undefined) {
      const record: CosignSessionRecord = {
        id, kind: 'login', agentId, staffId: null, shareId: null, userSessionId: null, hash: 'sm3', digests: [], app: 'MedSign login', summaries: [text], workstation,
        verificationCode: '', status: 'PENDING', answered: false, result: null, createdAt: now, expiresAt: now + this.options.sessionTimeoutSeconds * 1000, endedAt: null,
      };
      this.store.transaction(() => this.store.sessions.insert(record));
      return { ...record, qr: `medsign://login?v=1&session=${id}&challenge=${challenge}` };
    }
    const staff = this.store.staff.getByEmployeeNo(employeeNo);
    if (!staff) throw Errors.notFound({ en: `employee ${employeeNo}`, zh: `工号 ${employeeNo}` });
    const share = this.usableShare(staff.id, now);
    return this.newSession({ id, kind: 'login', agentId, staffId: staff.id, share, text, app: 'MedSign login', summaries: [text], workstation, now });
  }

  /** Phone: claim a QR login it scanned. The login text, with the scanned challenge, is then signed with this phone's key. */
  claimLogin(deviceId: string, sessionId: string, now = Date.now()): CosignSessionRecord {
    this.sweep(now);
    return this.store.transaction(() => {
      const s = this.get(sessionId);
      if (s.kind !== 'login' || s.staffId !== null) throw Errors.conflict({ en: 'not an unclaimed QR login', zh: '该登录二维码已被使用' });
      if (FINAL.has(s.status)) throw SessionErrors.finished();
      const device = this.store.devices.get(deviceId)!;
      const share = this.usableShare(device.staffId, now);
      if (share.deviceId !== deviceId) throw Errors.forbidden({ en: 'this key lives on another device', zh: '签名密钥不在此设备上' });
      const claimed = this.sessionFields(share, { text: s.summaries[0]! });
      const updated: CosignSessionRecord = { ...s, staffId: device.staffId, shareId: share.id, ...claimed };
      this.store.sessions.update(updated);
      queueMicrotask(() => this.notify(updated));
      return updated;
    });
  }

  /** hash, digests and code of a session for this share: over the given digests, or the login text. */
  private sessionFields(share: KeyShareRecord, input: { text?: string; digests?: string[]; hash?: HashAlgorithm }): Pick<CosignSessionRecord, 'hash' | 'digests' | 'verificationCode'> {
    const pk = this.publicKeyOf(share);
    const hash: HashAlgorithm = pk.algorithm === 'sm2' ? 'sm3' : (input.hash ?? 'sha256');
    const digests = input.digests ?? [toHex(pk.algorithm === 'sm2' ? sm2Digest(pk.point, utf8(input.text!)) : createHash(hash).update(input.text!).digest())];
    return { hash, digests, verificationCode: verificationCode(digests.map((d) => fromHex(d))) };
  }

  private newSession(args: { id: string; kind: 'login' | 'sign'; agentId: string; staffId: string; share: KeyShareRecord; text?: string; digests?: string[]; hash?: HashAlgorithm; app: string; summaries: string[]; workstation: string; userSessionId?: string; now: number }): CosignSessionRecord {
    this.sweep(args.now);
    if (this.store.sessions.openForStaff(args.staffId).length >= MAX_OPEN_SESSIONS_PER_STAFF) throw SessionErrors.tooMany();
    const record: CosignSessionRecord = {
      id: args.id,
      kind: args.kind,
      agentId: args.agentId,
      staffId: args.staffId,
      shareId: args.share.id,
      userSessionId: args.userSessionId ?? null,
      ...this.sessionFields(args.share, { ...(args.text !== undefined ? { text: args.text } : {}), ...(args.digests ? { digests: args.digests } : {}), ...(args.hash ? { hash: args.hash } : {}) }),
      app: args.app,
      summaries: args.summaries,
      workstation: args.workstation,
      status: 'PENDING',
      answered: false,
      result: null,
      createdAt: args.now,
      expiresAt: args.now + this.options.sessionTimeoutSeconds * 1000,
      endedAt: null,
    };
    this.store.transaction(() => this.store.sessions.insert(record));
    this.notify(record);
    return record;
  }

  /** Subscribe to every session change (the events WebSocket). Returns the unsubscribe function. */
  onChange(listener: (s: CosignSessionRecord) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  private notify(s: CosignSessionRecord): void {
    this.events.emit(s.id);
    this.events.emit('change', s);
  }

  /** The user session behind a token, if it belongs to this agent and is live. */
  userSession(agentId: string, token: string, now = Date.now()): UserSessionRecord {
    const s = this.store.userSessions.getByToken(sha256(token));
    if (!s || s.agentId !== agentId || s.endedAt !== null || s.expiresAt <= now) throw SessionErrors.userSession();
    return s;
  }

  logout(agentId: string, token: string, now = Date.now()): void {
    const s = this.userSession(agentId, token, now);
    this.store.transaction(() => (this.store.userSessions.end(s.id, now), this.audit?.record({ actorType: 'staff', actor: this.store.staff.get(s.staffId)?.employeeNo ?? s.staffId, action: 'user.logout', target: s.id, result: 'ok', details: { agentId } })));
  }

  /** A sign session for the logged-in user: 1..1000 digests with a summary each. */
  openSign(agentId: string, input: OpenSignInput, now = Date.now()): CosignSessionRecord {
    const us = this.userSession(agentId, input.userSessionToken, now);
    const share = this.usableShare(us.staffId, now);
    if (share.id !== us.shareId) throw SessionErrors.userSession(); // the key changed since login (renewal): log in again
    const pk = this.publicKeyOf(share);
    const hash: HashAlgorithm = pk.algorithm === 'sm2' ? 'sm3' : (input.hash ?? 'sha256');
    if (pk.algorithm === 'sm2' && input.hash && input.hash !== 'sm3') throw Errors.badRequest({ en: 'SM2 keys sign e = SM3(Z_A ‖ M): hash must be sm3', zh: 'SM2 密钥的摘要算法必须是 SM3' });
    if (input.digests.length < 1 || input.digests.length > MAX_DIGESTS) throw Errors.badRequest({ en: `1 to ${MAX_DIGESTS} digests`, zh: `摘要数量应为 1 到 ${MAX_DIGESTS}` });
    if (input.summaries.length !== input.digests.length) throw Errors.badRequest({ en: 'one summary per digest', zh: '每个摘要需要一条摘要说明' });
    const re = new RegExp(`^[0-9a-fA-F]{${HASH_BYTES[hash] * 2}}$`);
    if (!input.digests.every((d) => re.test(d))) throw Errors.badRequest({ en: `each digest must be ${HASH_BYTES[hash] * 2} hex digits (${hash})`, zh: `摘要应为 ${HASH_BYTES[hash] * 2} 位十六进制` });
    return this.newSession({ id: randomUUID(), kind: 'sign', agentId, staffId: us.staffId, share, digests: input.digests.map((d) => d.toLowerCase()), hash, app: input.app, summaries: input.summaries, workstation: input.workstation, userSessionId: us.id, now });
  }

  private get(id: string): CosignSessionRecord {
    const s = this.store.sessions.get(id);
    if (!s) throw Errors.notFound({ en: 'session', zh: '会话' });
    return s;
  }

  /** The sessions waiting on this phone's owner. */
  pending(deviceId: string, now = Date.now()): CosignSessionRecord[] {
    this.sweep(now);
    const device = this.store.devices.get(deviceId)!;
    return this.store.sessions.openForStaff(device.staffId).filter((s) => s.status === 'PENDING');
  }

  private forDevice(deviceId: string, sessionId: string, now: number): CosignSessionRecord {
    this.sweep(now);
    const s = this.get(sessionId);
    const device = this.store.devices.get(deviceId)!;
    if (s.staffId !== device.staffId) throw Errors.notFound({ en: 'session', zh: '会话' });
    const share = s.shareId ? this.store.shares.get(s.shareId) : undefined;
    if (!share || share.deviceId !== deviceId) throw Errors.forbidden({ en: 'this key lives on another device', zh: '签名密钥不在此设备上' });
    if (FINAL.has(s.status)) throw SessionErrors.finished();
    return s;
  }

  private end(s: CosignSessionRecord, status: SessionStatus, now: number, result: string[] | null = null): CosignSessionRecord {
    const ended = { ...s, status, result, endedAt: now };
    this.store.sessions.update(ended);
    this.audit?.sessionEnded(ended); // issue 7: who, certificate, app, workstation, digests, result
    queueMicrotask(() => this.notify(ended)); // after the transaction commits
    return ended;
  }

  /**
   * A session ended without a valid signature after the cloud's co-sign step: count it, lock at 5.
   * Returns the attempts left before the lock (0 once locked), or null when nothing was counted.
   */
  private countFailure(s: CosignSessionRecord, now: number): number | null {
    if (!s.answered || !s.shareId) return null;
    const share = this.store.shares.get(s.shareId)!;
    const failures = share.failures + 1;
    this.store.shares.update({ ...share, failures });
    if (failures >= LOCK_AFTER_FAILURES) this.lock({ ...share, failures }, now); // s has ended already
    return Math.max(0, LOCK_AFTER_FAILURES - failures);
  }

  /** Phone: approve — the cloud's co-sign step over the session's own digests. */
  commit(deviceId: string, sessionId: string, commit: unknown, now = Date.now()): unknown {
    const reply = this.store.transaction(() => {
      const s = this.forDevice(deviceId, sessionId, now);
      if (s.status !== 'PENDING') throw SessionErrors.finished();
      const share = this.store.shares.get(s.shareId!)!;
      if (share.status === 'locked') {
        this.end(s, 'LOCKED', now);
        return SessionErrors.locked();
      }
      const cert = share.certificateSerial ? this.store.certificates.get(share.certificateSerial) : undefined;
      if (share.status === 'destroyed' || !share.sealedShare || !cert || cert.status !== 'good') {
        this.end(s, 'CERT_REVOKED', now);
        return SessionErrors.certUnusable();
      }
      if (now >= cert.notAfter) {
        this.end(s, 'ERROR', now);
        return SessionErrors.certExpired();
      }
      const out = this.cloudStep(share, s.id, s.hash, s.digests, commit);
      const cosigning = { ...s, status: 'COSIGNING' as const, answered: true };
      this.store.sessions.update(cosigning);
      queueMicrotask(() => this.notify(cosigning));
      return out;
    });
    if (reply instanceof CloudError) throw reply;
    return reply;
  }

  /** Phone: the final signatures. Each is verified against the certificate before anyone gets it. */
  complete(deviceId: string, sessionId: string, signatures: Uint8Array[], now = Date.now()): { status: SessionStatus } {
    const out = this.store.transaction(() => {
      const s = this.forDevice(deviceId, sessionId, now);
      if (s.status !== 'COSIGNING') throw SessionErrors.finished();
      const share = this.store.shares.get(s.shareId!)!;
      const pk = this.publicKeyOf(share);
      const alg = this.signatureAlgorithm(share, s.hash);
      const valid = signatures.length === s.digests.length && signatures.every((sig, i) => verifyDigestSignature(alg, pk, fromHex(s.digests[i]!), sig));
      if (!valid) {
        this.end(s, 'ERROR', now);
        this.countFailure(s, now);
        return { status: 'ERROR' as SessionStatus };
      }
      this.store.shares.update({ ...share, failures: 0 });
      if (s.kind === 'login') {
        const token = randomBytes(32).toString('base64url');
        const us: UserSessionRecord = { id: randomUUID(), tokenHash: sha256(token), agentId: s.agentId, staffId: s.staffId!, shareId: share.id, createdAt: now, expiresAt: now + this.options.userSessionHours * 3_600_000, endedAt: null };
        this.store.userSessions.insert(us);
        // the agent collects the token with its own credential (GET …/sessions/{id}); the session keeps it sealed, user_session only its hash
        this.end(s, 'OK', now, [this.sealToken(s.id, token)]);
        return { status: 'OK' as SessionStatus };
      }
      this.end(s, 'OK', now, signatures.map((b) => Buffer.from(b).toString('base64')));
      return { status: 'OK' as SessionStatus };
    });
    return { status: out.status };
  }

  private sealToken(sessionId: string, token: string): string {
    return Buffer.from(this.sealer.seal(utf8(token), `login:${sessionId}`)).toString('base64');
  }

  /**
   * Phone: refuse. After the co-sign step (the phone found the signature wrong: a wrong PIN)
   * this counts towards the lock, and the phone learns how many attempts are left.
   */
  reject(deviceId: string, sessionId: string, now = Date.now()): { attemptsLeft: number | null } {
    return this.store.transaction(() => {
      const s = this.forDevice(deviceId, sessionId, now);
      this.end(s, 'USER_REFUSED', now);
      return { attemptsLeft: this.countFailure(s, now) };
    });
  }

  /** Agent: cancel an open session. */
  cancel(agentId: string, sessionId: string, now = Date.now()): void {
    this.store.transaction(() => {
      const s = this.get(sessionId);
      if (s.agentId !== agentId) throw Errors.notFound({ en: 'session', zh: '会话' });
      if (FINAL.has(s.status)) throw SessionErrors.finished();
      this.end(s, 'CANCELLED', now);
      this.countFailure(s, now);
    });
  }

  /**
   * Agent: the session's state, waiting up to `waitMs` for it to end (long-poll), or with
   * `untilChange` for its next change (a phone claimed the QR login, the co-signing started).
   */
  async poll(agentId: string, sessionId: string, waitMs: number, untilChange = false): Promise<AgentView> {
    const view = () => {
      this.sweep();
      const s = this.get(sessionId);
      if (s.agentId !== agentId) throw Errors.notFound({ en: 'session', zh: '会话' });
      return s;
    };
    let s = view();
    const deadline = Date.now() + waitMs;
    while (!FINAL.has(s.status) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.events.off(sessionId, done);
          resolve();
        };
        // wake on a change, at the deadline, or when the session's own timeout is due
        const t = setTimeout(done, Math.min(deadline - Date.now(), Math.max(0, s.expiresAt - Date.now()) + 50));
        this.events.once(sessionId, done);
      });
      s = view();
      if (untilChange) break;
    }
    return this.agentView(s);
  }

  private agentView(s: CosignSessionRecord): AgentView {
    const share = s.shareId ? this.store.shares.get(s.shareId) : undefined;
    const cert = share?.certificateSerial ? this.store.certificates.get(share.certificateSerial) : undefined;
    const base: AgentView = { sessionId: s.id, kind: s.kind, status: s.status, verificationCode: s.verificationCode, expiresAt: new Date(s.expiresAt).toISOString() };
    if (s.status !== 'OK' || !s.result) return base;
    if (s.kind === 'login') {
      const token = new TextDecoder().decode(this.sealer.open(Buffer.from(s.result[0]!, 'base64'), `login:${s.id}`));
      return { ...base, userSessionToken: token, certificate: cert ? Buffer.from(cert.der).toString('base64') : undefined };
    }
    return { ...base, signatures: s.result, certificate: cert ? Buffer.from(cert.der).toString('base64') : undefined };
  }

  /** The phone's view: what it must show the doctor. */
  phoneView(s: CosignSessionRecord) {
    const agent = this.store.agents.get(s.agentId);
    return {
      sessionId: s.id,
      kind: s.kind,
      app: s.app,
      agent: agent?.name ?? '',
      agentId: s.agentId,
      workstation: s.workstation,
      count: s.digests.length,
      summaries: s.summaries,
      hash: s.hash,
      digests: s.digests,
      verificationCode: s.verificationCode,
      expiresAt: new Date(s.expiresAt).toISOString(),
    };
  }

  /** End sessions past their time as TIMEOUT. */
  sweep(now = Date.now()): void {
    const expired = this.store.sessions.expired(now);
    if (expired.length === 0) return;
    this.store.transaction(() => {
      for (const s of expired) {
        this.end(s, 'TIMEOUT', now);
        this.countFailure(s, now);
      }
    });
  }

  /** Called in the revocation transaction: open sessions on that certificate end as CERT_REVOKED; a revoked key's share is destroyed. */
  onCertificateStatus(serial: string, action: 'revoke' | 'hold' | 'release', now = Date.now()): void {
    const share = this.store.shares.getByCertificate(serial);
    if (!share) return;
    if (action === 'revoke') this.store.shares.update({ ...share, sealedShare: null, status: 'destroyed' });
    if (action !== 'release') {
      for (const s of this.store.sessions.openForShare(share.id)) this.end(s, 'CERT_REVOKED', now);
    }
  }

  // ---- the online PIN check (changing the PIN) ----

  /** answered checks waiting for the phone's signature; in memory: a restart leaves the attempt counted (the safe side) */
  private readonly pinChecks = new Map<string, { deviceId: string; shareId: string; alg: SignatureAlgorithm; digest: string; expiresAt: number }>();

  /**
   * Phone: the cloud's co-sign step over the PIN-check text for the phone's nonce. The attempt is
   * counted before the cloud answers (a phone that never reports back has still used one), and
   * forgiven by a valid signature.
   */
  pinCheckCommit(deviceId: string, checkId: string, nonce: string, commit: unknown, now = Date.now()): { reply: unknown } {
    for (const [id, c] of this.pinChecks) if (c.expiresAt <= now) this.pinChecks.delete(id);
    if (this.pinChecks.has(checkId)) throw Errors.conflict({ en: 'this PIN check id is in use', zh: '该 PIN 校验编号已被使用' });
    const out = this.store.transaction(() => {
      const device = this.store.devices.get(deviceId)!;
      const share = this.usableShare(device.staffId, now);
      if (share.deviceId !== deviceId) throw Errors.forbidden({ en: 'this key lives on another device', zh: '签名密钥不在此设备上' });
      if (share.failures >= LOCK_AFTER_FAILURES) {
        this.lock(share, now);
        return SessionErrors.locked();
      }
      this.store.shares.update({ ...share, failures: share.failures + 1 });
      const { hash, digests } = this.sessionFields(share, { text: pinCheckText(deviceId, nonce) });
      const reply = this.cloudStep(share, checkId, hash, digests, commit);
      this.pinChecks.set(checkId, { deviceId, shareId: share.id, alg: this.signatureAlgorithm(share, hash), digest: digests[0]!, expiresAt: now + this.options.sessionTimeoutSeconds * 1000 });
      return { reply };
    });
    if (out instanceof CloudError) throw out;
    return out;
  }

  /** Phone: the PIN check's signature (or none: the phone found it wrong). Says whether the PIN was right, and the attempts left. */
  pinCheckFinish(deviceId: string, checkId: string, signature: Uint8Array | undefined, now = Date.now()): { ok: boolean; attemptsLeft: number } {
    const c = this.pinChecks.get(checkId);
    if (!c || c.deviceId !== deviceId || c.expiresAt <= now) throw Errors.notFound({ en: 'PIN check (expired or unknown)', zh: 'PIN 校验（已过期或不存在）' });
    this.pinChecks.delete(checkId);
    return this.store.transaction(() => {
      const share = this.store.shares.get(c.shareId)!;
      const valid = signature !== undefined && verifyDigestSignature(c.alg, this.publicKeyOf(share), fromHex(c.digest), signature);
      if (valid && share.status === 'active') {
        this.store.shares.update({ ...share, failures: 0 });
        for (const [id, v] of this.verifiedChecks) if (v.expiresAt <= now) this.verifiedChecks.delete(id);
        this.verifiedChecks.set(checkId, { deviceId, expiresAt: now + 5 * 60_000 });
        return { ok: true, attemptsLeft: LOCK_AFTER_FAILURES };
      }
      if (share.failures >= LOCK_AFTER_FAILURES) this.lock(share, now);
      return { ok: false, attemptsLeft: Math.max(0, LOCK_AFTER_FAILURES - share.failures) };
    });
  }

  /** PIN checks that succeeded, usable once within 5 minutes to authorise a renewal */
  private readonly verifiedChecks = new Map<string, { deviceId: string; expiresAt: number }>();

  /** A renewal needs the PIN: consume one successful PIN check by this device. */
  consumeVerifiedPinCheck(deviceId: string, checkId: string, now = Date.now()): void {
    const v = this.verifiedChecks.get(checkId);
    for (const [id, c] of this.verifiedChecks) if (c.expiresAt <= now) this.verifiedChecks.delete(id);
    if (!v || v.deviceId !== deviceId || v.expiresAt <= now) throw Errors.forbidden({ en: 'a successful PIN check is required first', zh: '请先通过 PIN 在线校验' });
    this.verifiedChecks.delete(checkId);
  }

  private lock(share: KeyShareRecord, now: number): void {
    if (share.status === 'active') this.store.shares.update({ ...share, status: 'locked' });
    if (share.status === 'active') this.audit?.record({ actorType: 'system', actor: 'medsign-cloud', action: 'key.lock', target: share.certificateSerial, result: 'ok', details: { failures: share.failures } });
    for (const other of this.store.sessions.openForShare(share.id)) this.end(other, 'LOCKED', now);
  }

  /** Administrator: unlock a share locked by failed attempts. */
  unlock(serial: string): void {
    this.store.transaction(() => {
      const share = this.store.shares.getByCertificate(serial);
      if (!share) throw Errors.notFound({ en: 'key share', zh: '密钥' });
      if (share.status !== 'locked') throw Errors.conflict({ en: 'the key is not locked', zh: '密钥未锁定' });
      this.store.shares.update({ ...share, status: 'active', failures: 0 });
    });
  }

}

export interface AgentView {
  sessionId: string;
  kind: 'login' | 'sign';
  status: SessionStatus;
  verificationCode: string;
  expiresAt: string;
  userSessionToken?: string;
  signatures?: string[];
  certificate?: string | undefined;
}
