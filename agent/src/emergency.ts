/**
 * Emergency certificates at the workstation (应急证书, docs/emergency.md, decision #26).
 *
 * The doctor types their employee number and the one-time emergency password. The cloud
 * checks it (5 wrong ones lock the grant) and, the first time, this agent runs the key
 * generation as the phone's side (two-party SM2, core): its share d1 never leaves the agent.
 * The share is kept in `emergency.enc` (sealed under the agent KEK), itself AES-256-GCM
 * encrypted under HKDF(scrypt(password) ‖ unlockKey ‖ KEK): the unlock key is released by the
 * cloud only after a right password while the grant is live, so neither the files (even with
 * agent.key) nor the password alone open it, and guessing stays online and counted.
 *
 * Logged in, the share is held in memory only; signing methods given that certId co-sign
 * with the cloud directly — the agent computes the phone's half, there is no phone and no
 * verification code to compare. The session ends at logout, agent restart or the grant's end;
 * when the cloud says the grant ended (expired, revoked, locked) the sealed share is dropped.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import {
  SOR,
  encodeSm2SignatureDer,
  equalBytes,
  parseCertificate,
  phoneKeygenFinish,
  phoneKeygenStart,
  phoneSignFinish,
  phoneSignStart,
  pointFromHex,
  publicKeyToSpki,
  toHex,
  verificationCode,
  verifyDigestSignature,
  getCertInfo,
  SGD_CERT,
  type PhoneSm2Share,
  type SignatureAlgorithm,
} from '@medsign/core';
import type { Logger } from 'pino';
import type { CloudLink } from './cloud-link.js';
import type { Emit, SignItem } from './cloud-sessions.js';
import { AgentError, Errors } from './errors.js';
import type { Operation, Operations } from './operations.js';
import { SealedFile, type Key } from './sealed-store.js';
import type { User } from './state.js';
import type { TrustStore } from './trust-store.js';

/** What the agent keeps per activated grant (the share encrypted; see the module comment). */
interface EmergencyRecord {
  grantId: string;
  employeeNo: string;
  certId: string;
  /** base64 DER */
  certificate: string;
  validTo: string;
  salt: string;
  /** iv ‖ tag ‖ AES-256-GCM(share JSON), base64 */
  sealedShare: string;
}

interface EmergencyFile {
  grants: EmergencyRecord[];
}

interface LiveSession {
  grantId: string;
  share: PhoneSm2Share;
  sessionToken: string;
  validTo: number;
  user: User;
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const normalize = (p: string): string => p.toUpperCase().replace(/[^A-Z0-9]/g, '');

const E = (code: string, sor: number, status: number, zh: string, en: string) => () => new AgentError(code, sor, status, zh, en);
/** the agent's codes for the cloud's EMERGENCY_* answers (stable, in agent/README.md) */
export const EmergencyErrors = {
  EMERGENCY_PASSWORD_INVALID: E('EMERGENCY_PASSWORD_INVALID', SOR.IndataErr, 401, '工号或应急密码错误', 'wrong employee number or emergency password'),
  EMERGENCY_LOCKED: E('EMERGENCY_LOCKED', SOR.KeyNotFountErr, 423, '应急密码错误次数过多，应急授权已锁定，请联系管理员', 'too many wrong emergency passwords: the grant is locked; contact an administrator'),
  EMERGENCY_WRONG_AGENT: E('EMERGENCY_WRONG_AGENT', SOR.ObjErr, 403, '该应急授权属于另一台工作站，只能在指定的工作站上使用', 'this emergency grant belongs to another workstation: use it there'),
  EMERGENCY_ALREADY_ACTIVATED: E('EMERGENCY_ALREADY_ACTIVATED', SOR.ObjErr, 409, '应急密码已激活过（一次性），不能再次激活；请联系管理员', 'the emergency password was already activated (one-time); contact an administrator'),
  EMERGENCY_NOT_ACTIVATED: E('EMERGENCY_NOT_ACTIVATED', SOR.NotInitializeErr, 409, '应急授权尚未在本工作站激活', 'the emergency grant is not activated on this workstation'),
  EMERGENCY_EXPIRED: E('EMERGENCY_EXPIRED', SOR.CertHasExpiredErr, 410, '应急授权已到期，应急证书不能再签名', 'the emergency grant has ended: the emergency certificate signs no more'),
  EMERGENCY_REVOKED: E('EMERGENCY_REVOKED', SOR.CertRevokedErr, 409, '应急授权已被提前终止（证书已吊销或冻结），不能签名；请联系管理员', 'the emergency grant was ended early (certificate revoked or on hold): no signing; contact an administrator'),
  EMERGENCY_SESSION_INVALID: E('EMERGENCY_SESSION_INVALID', SOR.NotInitializeErr, 401, '应急登录已失效，请重新输入应急密码登录', 'the emergency login is no longer valid: log in again with the emergency password'),
  EMERGENCY_EXISTS: E('EMERGENCY_EXISTS', SOR.ObjErr, 409, '该医生已有一个有效的应急授权', 'this doctor already has a live emergency grant'),
};
type Code = keyof typeof EmergencyErrors;

/** A cloud refusal with an EMERGENCY_* code as the agent's own error (else unchanged). */
function mapped(err: unknown): unknown {
  if (err instanceof AgentError && err.code.startsWith('CLOUD_EMERGENCY_')) {
    const code = err.code.slice('CLOUD_'.length) as Code;
    const e = EmergencyErrors[code]?.();
    if (e) {
      // the attempts left are part of the cloud's message ("还可尝试 N 次"): keep them for the doctor
      const left = /还可尝试 (\d) 次/.exec(err.message)?.[1];
      return left ? new AgentError(e.code, e.sor, e.status, `${e.zh}，还可尝试 ${left} 次`, `${e.en} (${left} attempts left)`) : e;
    }
  }
  return err;
}

export interface EmergencyDeps {
  cloud: CloudLink;
  trust: TrustStore;
  ops: Operations;
  log: Logger;
  workstation: string;
  dataDir: string;
  key: Key;
}

export class EmergencyAccess {
  private readonly file: SealedFile<EmergencyFile>;
  private data: EmergencyFile;
  /** logged-in emergency users, by certId: in memory only (gone at restart) */
  private readonly live = new Map<string, LiveSession>();

  constructor(private readonly d: EmergencyDeps) {
    this.file = new SealedFile<EmergencyFile>(join(d.dataDir, 'emergency.enc'), d.key, 'medsign-agent-emergency');
    this.data = this.file.read() ?? { grants: [] };
    this.prune();
  }

  /** Drop the sealed shares of grants whose time is up. */
  private prune(now = Date.now()): void {
    const keep = this.data.grants.filter((g) => Date.parse(g.validTo) > now);
    if (keep.length !== this.data.grants.length) this.save(keep);
    for (const [certId, s] of this.live) if (s.validTo <= now) this.live.delete(certId);
  }

  private save(grants: EmergencyRecord[]): void {
    this.data = { grants };
    this.file.write(this.data);
  }

  /** The grant ended (cloud said so): forget the share here too. */
  private drop(grantId: string): void {
    for (const [certId, s] of this.live) if (s.grantId === grantId) this.live.delete(certId);
    const keep = this.data.grants.filter((g) => g.grantId !== grantId);
    if (keep.length !== this.data.grants.length) this.save(keep);
  }

  /** How many grants this agent holds a sealed share for (getStatus/doctor). */
  get held(): number {
    return this.data.grants.length;
  }

  users(): User[] {
    this.prune();
    return [...this.live.values()].map((s) => s.user);
  }

  user(certId: string): User | undefined {
    this.prune();
    return this.live.get(certId.toUpperCase())?.user;
  }

  private shareKey(password: string, salt: Buffer, unlockKey: Buffer, grantId: string): Buffer {
    const pw = scryptSync(normalize(password), salt, 32, SCRYPT);
    return Buffer.from(hkdfSync('sha256', Buffer.concat([pw, unlockKey, this.d.key]), salt, `medsign-agent-emergency-share:${grantId}`, 32));
  }

  private sealShare(share: PhoneSm2Share, key: Buffer, grantId: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from(`emergency-share:${grantId}`));
    const ct = Buffer.concat([c.update(JSON.stringify(share), 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
  }

  private openShare(sealed: string, key: Buffer, grantId: string): PhoneSm2Share {
    const b = Buffer.from(sealed, 'base64');
    const dc = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
    dc.setAAD(Buffer.from(`emergency-share:${grantId}`));
    dc.setAuthTag(b.subarray(12, 28));
    try {
      return JSON.parse(Buffer.concat([dc.update(b.subarray(28)), dc.final()]).toString('utf8')) as PhoneSm2Share;
    } catch {
      throw Errors.internal({ zh: '本机保存的应急密钥无法打开', en: 'the emergency key kept here cannot be opened' });
    }
  }

  private request<T>(path: string, body: unknown): Promise<T> {
    return this.d.cloud.request<T>('POST', path, { auth: true, body, timeoutMs: 30_000 }).catch((err: unknown) => {
      throw mapped(err);
    });
  }

  private asUser(cert: Uint8Array, employeeNo: string, validTo: string): User {
    const parsed = parseCertificate(cert);
    return {
      certId: parsed.serialNumber,
      name: getCertInfo(parsed, SGD_CERT.SUBJECT_CN),
      employeeNo,
      certificate: Buffer.from(cert).toString('base64'),
      userSessionToken: '',
      loggedInAt: new Date().toISOString(),
      cert: parsed,
      emergency: { validTo },
    };
  }

  /**
   * Emergency login: the first time, activation (key generation, certificate); later (after a
   * logout or a restart), the cloud checks the password again and releases the unlock key.
   * The password is never logged, stored or sent anywhere but to the cloud over its link.
   */
  async login(employeeNo: string, password: string): Promise<{ user: User; activated: boolean }> {
    this.prune();
    const rec = this.data.grants.find((g) => g.employeeNo === employeeNo);
    const workstation = this.d.workstation;
    if (rec) {
      const r = await this.request<{ grantId: string; state: string; validTo: string; sessionToken?: string; unlockKey?: string; certificate?: string }>('/api/v1/agent/emergency/login', { employeeNo, password, workstation });
      if (r.grantId !== rec.grantId || r.state !== 'active' || !r.sessionToken || !r.unlockKey) {
        this.drop(rec.grantId); // a share of a grant that no longer exists
        throw EmergencyErrors.EMERGENCY_NOT_ACTIVATED();
      }
      const share = this.openShare(rec.sealedShare, this.shareKey(password, Buffer.from(rec.salt, 'base64'), Buffer.from(r.unlockKey, 'base64'), rec.grantId), rec.grantId);
      const user = this.asUser(new Uint8Array(Buffer.from(rec.certificate, 'base64')), employeeNo, r.validTo);
      this.live.set(user.certId, { grantId: rec.grantId, share, sessionToken: r.sessionToken, validTo: Date.parse(r.validTo), user });
      this.d.log.info({ certId: user.certId, grantId: rec.grantId }, 'emergency login');
      return { user, activated: false };
    }
    // activation: this agent is the phone's side of the two-party key generation
    const sessionId = randomUUID();
    const kg = phoneKeygenStart(sessionId);
    const started = await this.request<{ grantId: string; state: string; validTo: string; keygenReply?: unknown }>('/api/v1/agent/emergency/login', { employeeNo, password, workstation, keygen: { sessionId, hello: kg.message } });
    if (started.state !== 'keygen') throw EmergencyErrors.EMERGENCY_ALREADY_ACTIVATED();
    const { share, message } = phoneKeygenFinish(kg.state, started.keygenReply);
    const done = await this.request<{ grantId: string; validTo: string; sessionToken: string; unlockKey: string; certificate: string; chain: string[] }>('/api/v1/agent/emergency/activate', { grantId: started.grantId, keygenConfirm: message });
    const der = new Uint8Array(Buffer.from(done.certificate, 'base64'));
    // the certificate must carry the key this agent just made
    if (!equalBytes(parseCertificate(der).spki, publicKeyToSpki({ algorithm: 'sm2', point: pointFromHex(share.publicKey) }))) throw Errors.badSignatureFromCloud({ zh: '应急证书的公钥与协商的不一致', en: 'the emergency certificate does not carry the negotiated key' });
    this.d.trust.remember(der);
    const salt = randomBytes(16);
    const sealedShare = this.sealShare(share, this.shareKey(password, salt, Buffer.from(done.unlockKey, 'base64'), done.grantId), done.grantId);
    const user = this.asUser(der, employeeNo, done.validTo);
    this.save([...this.data.grants.filter((g) => g.employeeNo !== employeeNo), { grantId: done.grantId, employeeNo, certId: user.certId, certificate: user.certificate, validTo: done.validTo, salt: salt.toString('base64'), sealedShare }]);
    this.live.set(user.certId, { grantId: done.grantId, share, sessionToken: done.sessionToken, validTo: Date.parse(done.validTo), user });
    this.d.log.info({ certId: user.certId, grantId: done.grantId }, 'emergency certificate activated');
    return { user, activated: true };
  }

  async logout(certId: string): Promise<void> {
    const s = this.live.get(certId.toUpperCase());
    if (!s) throw Errors.certNotFound();
    this.live.delete(s.user.certId);
    try {
      await this.request('/api/v1/agent/emergency/logout', { sessionToken: s.sessionToken });
    } catch (err) {
      // the local logout stands: the share is out of memory; the cloud session ends with the grant
      this.d.log.warn({ certId: s.user.certId, code: err instanceof AgentError ? err.code : 'INTERNAL' }, 'cloud emergency logout failed');
    }
  }

  /**
   * Co-sign `items` with the cloud, the agent computing the phone's half (no phone, no code to
   * compare). Each signature is verified here (core does, before releasing any) and by the cloud.
   */
  async cosign(op: Operation, user: User, alg: SignatureAlgorithm, items: SignItem[], app: string, emit: Emit): Promise<Uint8Array[]> {
    const s = this.live.get(user.certId);
    if (!s) throw Errors.certNotFound();
    if (alg !== 'sm2-with-sm3') throw Errors.badParams({ zh: '应急证书为 SM2，只能使用 SGD_SM3_SM2', en: 'the emergency certificate is SM2: SGD_SM3_SM2 only' });
    if (Date.now() >= s.validTo) {
      this.drop(s.grantId);
      throw EmergencyErrors.EMERGENCY_EXPIRED();
    }
    const digests = items.map((i) => toHex(i.digest));
    // the code is not compared by anyone here (no phone); it names the batch in getStatus, as elsewhere
    this.d.ops.update(op, { verificationCode: verificationCode(items.map((i) => i.digest)) });
    emit('sessionStatus', { operationId: op.operationId, status: 'COSIGNING' });
    const sessionId = randomUUID();
    const start = phoneSignStart({ sessionId, digests });
    let sigs: Uint8Array[];
    try {
      const opened = await this.request<{ sessionId: string; reply: unknown }>('/api/v1/agent/emergency/sign', {
        sessionToken: s.sessionToken,
        grantId: s.grantId,
        sessionId,
        digests,
        app,
        summaries: items.map((i) => i.summary),
        workstation: this.d.workstation,
        commit: start.message,
      });
      sigs = phoneSignFinish(s.share, start.state, opened.reply).map((g) => encodeSm2SignatureDer(g));
      const done = await this.request<{ status: string }>(`/api/v1/agent/emergency/sign/${sessionId}/complete`, { sessionToken: s.sessionToken, signatures: sigs.map((b) => Buffer.from(b).toString('base64')) });
      if (done.status !== 'OK') throw Errors.badSignatureFromCloud();
    } catch (err) {
      if (err instanceof AgentError && (err.code === 'EMERGENCY_EXPIRED' || err.code === 'EMERGENCY_REVOKED')) this.drop(s.grantId);
      if (err instanceof AgentError && err.code === 'EMERGENCY_SESSION_INVALID') this.live.delete(user.certId);
      throw err;
    }
    for (let i = 0; i < sigs.length; i++) if (!verifyDigestSignature(alg, user.cert.publicKey, items[i]!.digest, sigs[i]!)) throw Errors.badSignatureFromCloud();
    emit('sessionStatus', { operationId: op.operationId, status: 'OK' });
    return sigs;
  }
}
