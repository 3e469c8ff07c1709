/**
 * Emergency certificates (应急证书, flow 7; docs/emergency.md, decision #26).
 *
 * An approved `emergency` request creates a *grant*: one staff member, one registered
 * workstation agent, valid until now + hours (≤ 72), with a one-time emergency password shown
 * once to the administrator who completed the request and stored only as an scrypt hash.
 *
 *   login    (agent, employeeNo + password [+ keygen hello])  password checked (5 failures lock the grant);
 *            first use: the cloud's key-generation step with the agent as the phone's side
 *   activate (agent, keygen confirm)                           the key confirmed, the certificate issued from
 *                                                              the `emergency` template, notAfter = the grant's end
 *   sign     (agent, session token, digests, commit)           the cloud's co-sign step — no phone
 *   complete (agent, signatures)                               each signature verified and audited
 *
 * The agent's share never leaves the agent; it keeps it sealed under a key derived from the
 * password, the cloud's per-grant unlock key (released only after a correct password while
 * the grant is live) and its own KEK. "One-time": the password activates exactly one grant on
 * exactly that agent; another agent or a second key generation is refused. The grant ends by
 * itself at validTo (the certificate expires then too), when an administrator ends it, when
 * its certificate is revoked, or locked after repeated wrong passwords; the cloud's share is
 * destroyed when it ends.
 */
import { createHash, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import {
  CRL_REASON,
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudSignRespond,
  fromHex,
  pointFromHex,
  publicKeyToSpki,
  verifyDigestSignature,
  publicKeyFromSpki,
  toHex,
  type CloudKeygenState,
  type CloudSm2Share,
} from '@medsign/core';
import { CloudError, Errors } from './errors.js';
import type { AuditService } from './audit.js';
import type { PkiService } from './pki.js';
import type { Sealer } from './secrets.js';
import { renderProfile, templateForIssue } from './templates.js';
import type { AdminRecord, Store } from '../store/repositories.js';

export const EMERGENCY_TEMPLATE = 'emergency';
export const EMERGENCY_MAX_HOURS = 72;
/** wrong passwords in a row before the grant locks (like the signing key's 5) */
export const EMERGENCY_MAX_FAILURES = 5;
/** a co-sign round not completed within this time ends as TIMEOUT */
const SIGN_SESSION_MS = 2 * 60_000;
/** a started key generation must be confirmed within this time, else it may be started again */
const KEYGEN_MS = 5 * 60_000;
const MAX_DIGESTS = 1000;

export type GrantStatus = 'issued' | 'keygen' | 'active' | 'locked' | 'revoked' | 'expired';
const LIVE: ReadonlySet<GrantStatus> = new Set(['issued', 'keygen', 'active']);

export interface EmergencyGrantRecord {
  id: string;
  staffId: string;
  agentId: string;
  algorithm: 'sm2';
  /** the workflow request that created it */
  requestId: string | null;
  createdBy: string;
  createdAt: number;
  validFrom: number;
  validTo: number;
  /** scrypt$N$r$p$salt$hash (base64): the password itself is never stored */
  passwordHash: string;
  failures: number;
  status: GrantStatus;
  /** sealed under the KEK: the key-generation state, then the cloud's share; null once destroyed */
  sealedState: Uint8Array | null;
  sealedStateKind: 'keygen' | 'share' | null;
  /** sealed 32 random bytes the agent mixes into its share's key; released after a correct password */
  sealedUnlockKey: Uint8Array | null;
  /** SPKI DER of the emergency key */
  publicKey: Uint8Array | null;
  certificateSerial: string | null;
  /** SHA-256 of the agent's current emergency session token */
  sessionTokenHash: string | null;
  keygenAt: number | null;
  activatedAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  note: string | null;
}

export interface EmergencySessionRecord {
  id: string;
  grantId: string;
  digests: string[];
  app: string;
  summaries: string[];
  workstation: string;
  status: 'COSIGNING' | 'OK' | 'ERROR' | 'TIMEOUT';
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
}

export interface EmergencyQuery {
  status?: GrantStatus | undefined;
  staffId?: string | undefined;
  agentId?: string | undefined;
  limit: number;
  offset: number;
}

export interface EmergencyRepository {
  insert(g: EmergencyGrantRecord): void;
  update(g: EmergencyGrantRecord): void;
  get(id: string): EmergencyGrantRecord | undefined;
  bySerial(serial: string): EmergencyGrantRecord | undefined;
  bySessionToken(hash: string): EmergencyGrantRecord | undefined;
  /** grants of a staff member that are issued, in key generation or active (time not checked) */
  liveForStaff(staffId: string): EmergencyGrantRecord[];
  /** every grant still issued/keygen/active (for the sweep) */
  live(): EmergencyGrantRecord[];
  list(q: EmergencyQuery): { total: number; grants: EmergencyGrantRecord[] };
  insertSession(s: EmergencySessionRecord): void;
  updateSession(s: EmergencySessionRecord): void;
  session(id: string): EmergencySessionRecord | undefined;
  expiredSessions(now: number): EmergencySessionRecord[];
  /** the registered workstation agents a grant can name (the console's pick-list) */
  workstations(): { id: string; name: string; createdAt: number }[];
}

export const EmergencyErrors = {
  passwordInvalid: (left?: number) =>
    new CloudError('EMERGENCY_PASSWORD_INVALID', 403, `工号或应急密码错误${left !== undefined ? `，还可尝试 ${left} 次` : ''}`, `wrong employee number or emergency password${left !== undefined ? ` (${left} attempts left)` : ''}`),
  locked: () => new CloudError('EMERGENCY_LOCKED', 423, '应急密码错误次数过多，应急授权已锁定，请联系管理员重新申请', 'too many wrong emergency passwords: the grant is locked; ask an administrator for a new one'),
  wrongAgent: () => new CloudError('EMERGENCY_WRONG_AGENT', 403, '该应急授权属于另一台工作站，只能在指定的工作站上使用', 'this emergency grant belongs to another workstation: use it there'),
  alreadyActivated: () => new CloudError('EMERGENCY_ALREADY_ACTIVATED', 409, '应急密码已激活过（一次性），不能再次激活；如需要请联系管理员重新申请', 'this emergency password was already activated (one-time); ask an administrator for a new grant'),
  notActivated: () => new CloudError('EMERGENCY_NOT_ACTIVATED', 409, '应急授权尚未激活，请先在本工作站用应急密码激活', 'the emergency grant is not activated yet: activate it with the password on this workstation'),
  expired: () => new CloudError('EMERGENCY_EXPIRED', 410, '应急授权已到期，不能再签名', 'the emergency grant has ended (expired): no more signing'),
  revoked: () => new CloudError('EMERGENCY_REVOKED', 409, '应急授权已被终止（证书已吊销或冻结），不能再签名', 'the emergency grant was ended early (certificate revoked or on hold): no more signing'),
  session: () => new CloudError('EMERGENCY_SESSION_INVALID', 401, '应急登录已失效，请重新输入应急密码登录', 'the emergency login is not valid: log in again with the emergency password'),
  exists: () => new CloudError('EMERGENCY_EXISTS', 409, '该医务人员已有一个有效的应急授权，请先终止它', 'this staff member already has a live emergency grant: end it first'),
};

// ---- the emergency password ----

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read aloud over the phone
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** 12 symbols × 5 bits = 60 bits from the CSPRNG, as XXXX-XXXX-XXXX. */
export function emergencyPassword(): string {
  const chars = [...randomBytes(12)].map((b) => ALPHABET[b & 31]!);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
const normalize = (p: string): string => p.toUpperCase().replace(/[^A-Z0-9]/g, '');

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const h = scryptSync(normalize(password), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${h.toString('base64')}`;
}

export function checkPassword(password: string, stored: string): boolean {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = scryptSync(normalize(password), Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(got, want);
}
/** checks a password against nothing, so that "no such grant" takes as long as a wrong password */
const DUMMY_HASH = hashPassword(emergencyPassword());

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface EmergencyIssued {
  grantId: string;
  /** shown once, to the administrator who completed the request; never stored */
  password: string;
  staffId: string;
  agentId: string;
  validFrom: string;
  validTo: string;
}

export interface EmergencyDeps {
  store: Store;
  sealer: Sealer;
  pki: PkiService;
  audit: AuditService;
}

type Sealed = { kind: 'keygen'; state: CloudKeygenState } | { kind: 'share'; share: CloudSm2Share };

export class EmergencyService {
  /** the cloud's clock (tests move it forward instead of sleeping) */
  clock: () => number = () => Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly d: EmergencyDeps) {
    this.timer = setInterval(() => {
      try {
        this.sweep();
      } catch {
        /* the next round tries again (e.g. the store is closing) */
      }
    }, 30_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private seal(g: EmergencyGrantRecord, s: Sealed): Uint8Array {
    return this.d.sealer.seal(new TextEncoder().encode(JSON.stringify(s)), `emergency:${g.id}`);
  }

  private unseal(g: EmergencyGrantRecord): Sealed {
    if (!g.sealedState) throw EmergencyErrors.revoked();
    return JSON.parse(new TextDecoder().decode(this.d.sealer.open(g.sealedState, `emergency:${g.id}`))) as Sealed;
  }

  /** What a request is checked against before it is filed (and again when it runs). */
  check(input: { staffId: string; agentId: string; hours: number }, now = this.clock()) {
    const staff = this.d.store.staff.get(input.staffId);
    if (!staff) throw Errors.notFound({ zh: '没有这位医务人员', en: 'no such staff member' });
    const agent = this.d.store.agents.get(input.agentId);
    if (!agent) throw Errors.notFound({ zh: '没有这台已注册的工作站（签名助手）', en: 'no such registered workstation agent' });
    if (!Number.isInteger(input.hours) || input.hours < 1 || input.hours > EMERGENCY_MAX_HOURS) throw Errors.badRequest({ zh: '应急证书有效期为 1–72 小时', en: 'an emergency grant lasts 1 to 72 hours' });
    templateForIssue(this.d.store, EMERGENCY_TEMPLATE, 'sm2'); // exists, active, allows SM2
    this.sweep(now);
    if (this.d.store.emergency.liveForStaff(staff.id).length > 0) throw EmergencyErrors.exists();
    return { staff, agent };
  }

  /** Create a grant (called in the workflow's audited transaction): the password is returned once. */
  create(input: { staffId: string; agentId: string; hours: number; note?: string | undefined }, admin: AdminRecord, requestId: string | null, now = this.clock()): EmergencyIssued {
    this.check(input, now);
    const password = emergencyPassword();
    const g: EmergencyGrantRecord = {
      id: randomUUID(),
      staffId: input.staffId,
      agentId: input.agentId,
      algorithm: 'sm2',
      requestId,
      createdBy: admin.username,
      createdAt: now,
      validFrom: now,
      validTo: now + input.hours * 3_600_000,
      passwordHash: hashPassword(password),
      failures: 0,
      status: 'issued',
      sealedState: null,
      sealedStateKind: null,
      sealedUnlockKey: null,
      publicKey: null,
      certificateSerial: null,
      sessionTokenHash: null,
      keygenAt: null,
      activatedAt: null,
      endedAt: null,
      endReason: null,
      note: input.note ?? null,
    };
    g.sealedUnlockKey = this.d.sealer.seal(randomBytes(32), `emergency-unlock:${g.id}`);
    this.d.store.transaction(() => {
      this.d.store.emergency.insert(g);
      this.d.audit.record({ actorType: 'admin', actor: admin.username, action: 'emergency.grant', target: g.id, result: 'ok', details: this.describe(g) });
    });
    return { grantId: g.id, password, staffId: g.staffId, agentId: g.agentId, validFrom: new Date(g.validFrom).toISOString(), validTo: new Date(g.validTo).toISOString() };
  }

  private describe(g: EmergencyGrantRecord): Record<string, unknown> {
    const staff = this.d.store.staff.get(g.staffId);
    const agent = this.d.store.agents.get(g.agentId);
    return { grantId: g.id, employeeNo: staff?.employeeNo, staffName: staff?.name, agentId: g.agentId, agentName: agent?.name, validFrom: new Date(g.validFrom), validTo: new Date(g.validTo), request: g.requestId, certificate: g.certificateSerial };
  }

  private staffActor(g: EmergencyGrantRecord): string {
    return this.d.store.staff.get(g.staffId)?.employeeNo ?? g.staffId;
  }

  /** Ends a grant: the cloud's share and the session are gone. Inside a transaction. */
  private end(g: EmergencyGrantRecord, status: 'locked' | 'revoked' | 'expired', reason: string, now: number, actor?: { type: 'admin' | 'system' | 'staff'; name: string }): EmergencyGrantRecord {
    const ended: EmergencyGrantRecord = { ...g, status, sealedState: null, sealedStateKind: null, sealedUnlockKey: null, sessionTokenHash: null, endedAt: now, endReason: reason };
    this.d.store.emergency.update(ended);
    const action = status === 'locked' ? 'emergency.lock' : status === 'expired' ? 'emergency.expire' : 'emergency.end';
    this.d.audit.record({ actorType: actor?.type ?? 'system', actor: actor?.name ?? 'medsign-cloud', action, target: g.id, result: 'ok', at: now, details: { ...this.describe(g), reason, was: g.status } });
    return ended;
  }

  /** The grant's current state, after ending it if its time is up or its certificate was revoked/held. */
  private refresh(g: EmergencyGrantRecord, now: number): EmergencyGrantRecord {
    if (!LIVE.has(g.status)) return g;
    if (now >= g.validTo) return this.d.store.transaction(() => this.end(g, 'expired', 'validTo reached', now));
    if (g.certificateSerial) {
      const cert = this.d.store.certificates.get(g.certificateSerial);
      if (cert?.status === 'revoked') return this.d.store.transaction(() => this.end(g, 'revoked', 'certificate revoked', now));
    }
    return g;
  }

  /** End the grants whose time is up or whose certificate was revoked; time out unfinished co-sign rounds. */
  sweep(now = this.clock()): void {
    for (const g of this.d.store.emergency.live()) this.refresh(g, now);
    const due = this.d.store.emergency.expiredSessions(now);
    if (due.length) this.d.store.transaction(() => due.forEach((s) => this.endSession(s, 'TIMEOUT', now)));
  }

  /**
   * The agent: check the employee number and the password; count a wrong one. With `keygen`
   * (the first use on this agent) run the cloud's key-generation step; without it (the agent
   * holds the sealed share already) open an emergency session and release the unlock key.
   */
  login(agentId: string, input: { employeeNo: string; password: string; keygen?: { sessionId: string; hello: unknown } | undefined }, now = this.clock()) {
    this.sweep(now);
    const staff = this.d.store.staff.getByEmployeeNo(input.employeeNo);
    const grants = staff ? this.d.store.emergency.liveForStaff(staff.id).filter((g) => g.validTo > now) : [];
    const mine = grants.find((g) => g.agentId === agentId);
    if (!mine && staff && grants.length === 0) {
      // a grant locked by wrong passwords says so (until its end), whatever is typed now
      const last = this.d.store.emergency.list({ staffId: staff.id, limit: 1, offset: 0 }).grants[0];
      if (last?.status === 'locked' && last.agentId === agentId && last.validTo > now) {
        this.d.audit.record({ actorType: 'agent', actor: agentId, action: 'emergency.password', target: last.id, result: 'failed', at: now, details: { employeeNo: input.employeeNo, reason: 'EMERGENCY_LOCKED' } });
        throw EmergencyErrors.locked();
      }
    }
    if (!mine) {
      // not for this agent: say so only to someone who knows the password (else count a failure)
      const other = grants.find((g) => checkPassword(input.password, g.passwordHash));
      if (grants.length === 0) checkPassword(input.password, DUMMY_HASH);
      this.d.store.transaction(() => {
        if (other) this.d.audit.record({ actorType: 'agent', actor: agentId, action: 'emergency.password', target: other.id, result: 'failed', at: now, details: { employeeNo: input.employeeNo, reason: 'EMERGENCY_WRONG_AGENT', grantAgentId: other.agentId } });
        else {
          for (const g of grants) this.countFailure(g, now, agentId);
          this.d.audit.record({ actorType: 'agent', actor: agentId, action: 'emergency.password', target: grants[0]?.id ?? null, result: 'failed', at: now, details: { employeeNo: input.employeeNo, reason: 'EMERGENCY_PASSWORD_INVALID' } });
        }
      });
      if (other) throw EmergencyErrors.wrongAgent();
      throw EmergencyErrors.passwordInvalid();
    }
    if (!checkPassword(input.password, mine.passwordHash)) {
      const left = this.d.store.transaction(() => {
        const l = this.countFailure(mine, now, agentId);
        this.d.audit.record({ actorType: 'agent', actor: agentId, action: 'emergency.password', target: mine.id, result: 'failed', at: now, details: { employeeNo: input.employeeNo, reason: 'EMERGENCY_PASSWORD_INVALID', attemptsLeft: l } });
        return l;
      });
      if (left === 0) throw EmergencyErrors.locked();
      throw EmergencyErrors.passwordInvalid(left);
    }
    const out = this.d.store.transaction(() => {
      const g = this.d.store.emergency.get(mine.id)!;
      if (!LIVE.has(g.status)) throw g.status === 'locked' ? EmergencyErrors.locked() : EmergencyErrors.revoked();
      const ok = { ...g, failures: 0 };
      if (input.keygen) {
        // one key generation per grant: a key already made (the certificate issued) is never made again
        if (g.status === 'active') {
          this.d.audit.record({ actorType: 'agent', actor: agentId, action: 'emergency.password', target: g.id, result: 'failed', at: now, details: { employeeNo: input.employeeNo, reason: 'EMERGENCY_ALREADY_ACTIVATED' } });
          this.d.store.emergency.update(ok);
          return EmergencyErrors.alreadyActivated();
        }
        if (g.status === 'keygen' && g.keygenAt !== null && now - g.keygenAt < KEYGEN_MS) {
          this.d.store.emergency.update(ok);
          return EmergencyErrors.alreadyActivated();
        }
        const state = cloudKeygenOpen(input.keygen.sessionId);
        const reply = cloudKeygenRespond(state, input.keygen.hello);
        this.d.store.emergency.update({ ...ok, status: 'keygen', keygenAt: now, sealedState: this.seal(g, { kind: 'keygen', state }), sealedStateKind: 'keygen' });
        this.d.audit.record({ actorType: 'staff', actor: input.employeeNo, action: 'emergency.password', target: g.id, result: 'ok', at: now, details: { agentId, step: 'activation' } });
        return { grantId: g.id, state: 'keygen' as const, validTo: new Date(g.validTo).toISOString(), keygenReply: reply };
      }
      if (g.status !== 'active') {
        this.d.store.emergency.update(ok);
        return EmergencyErrors.notActivated();
      }
      const token = randomBytes(32).toString('base64url');
      this.d.store.emergency.update({ ...ok, sessionTokenHash: sha256(token) });
      this.d.audit.record({ actorType: 'staff', actor: input.employeeNo, action: 'emergency.login', target: g.certificateSerial, result: 'ok', at: now, details: { grantId: g.id, agentId } });
      return { grantId: g.id, state: 'active' as const, validTo: new Date(g.validTo).toISOString(), ...this.session(g, token) };
    });
    // refusals after a right password are returned from the transaction, so its reset of the failures commits
    if (out instanceof CloudError) throw out;
    return out;
  }

  private session(g: EmergencyGrantRecord, token: string) {
    const cert = this.d.store.certificates.get(g.certificateSerial!)!;
    return {
      sessionToken: token,
      unlockKey: Buffer.from(this.d.sealer.open(g.sealedUnlockKey!, `emergency-unlock:${g.id}`)).toString('base64'),
      certificate: Buffer.from(cert.der).toString('base64'),
      chain: [this.d.pki.ca('sm2-issuing').certificate, this.d.pki.ca('sm2-root').certificate].map((c) => Buffer.from(c).toString('base64')),
    };
  }

  /** Returns the attempts left (0: now locked). Inside a transaction. */
  private countFailure(g: EmergencyGrantRecord, now: number, agentId: string): number {
    const failures = g.failures + 1;
    if (failures >= EMERGENCY_MAX_FAILURES) {
      this.end({ ...g, failures }, 'locked', `${failures} wrong passwords`, now, { type: 'system', name: `agent:${agentId}` });
      return 0;
    }
    this.d.store.emergency.update({ ...g, failures });
    return EMERGENCY_MAX_FAILURES - failures;
  }

  /** The agent confirms the key: the certificate is issued (emergency template, notAfter = the grant's end). */
  async activate(agentId: string, input: { grantId: string; keygenConfirm: unknown }, now = this.clock()) {
    const { g, share } = this.d.store.transaction(() => {
      const g0 = this.d.store.emergency.get(input.grantId);
      if (!g0 || g0.agentId !== agentId) throw Errors.notFound({ zh: '应急授权', en: 'emergency grant' });
      const g = this.refresh(g0, now);
      if (g.status !== 'keygen' || g.sealedStateKind !== 'keygen') throw g.status === 'active' ? EmergencyErrors.alreadyActivated() : !LIVE.has(g.status) ? EmergencyErrors.revoked() : EmergencyErrors.notActivated();
      const sealed = this.unseal(g);
      if (sealed.kind !== 'keygen') throw EmergencyErrors.notActivated();
      const share = cloudKeygenConfirm(sealed.state, input.keygenConfirm);
      // the key stays with the grant, sealed; the certificate follows
      this.d.store.emergency.update({ ...g, sealedState: this.seal(g, { kind: 'share', share }), sealedStateKind: 'share' });
      return { g, share };
    });
    const staff = this.d.store.staff.get(g.staffId)!;
    const spki = publicKeyToSpki({ algorithm: 'sm2', point: pointFromHex(share.publicKey) });
    const template = templateForIssue(this.d.store, EMERGENCY_TEMPLATE, 'sm2');
    const profile = renderProfile(template.definition, staff, this.d.pki.organization, spki);
    // never longer than the grant (≤ 72 h): from its start (or a minute ago, for clock skew) to its end
    const notBefore = Math.max(g.validFrom, now - 60_000);
    const cert = await this.d.pki.prepareCertificate('sm2', { subject: profile.subject, publicKey: spki, notBefore: new Date(notBefore), notAfter: new Date(g.validTo), extensions: profile.extensions, staffId: staff.id, template: { id: template.templateId, version: template.version } });
    const token = randomBytes(32).toString('base64url');
    return this.d.store.transaction(() => {
      const current = this.d.store.emergency.get(g.id)!;
      if (current.status !== 'keygen' || current.sealedStateKind !== 'share') throw EmergencyErrors.revoked(); // ended meanwhile
      this.d.store.certificates.insert(cert);
      const active: EmergencyGrantRecord = { ...current, status: 'active', publicKey: spki, certificateSerial: cert.serial, activatedAt: now, sessionTokenHash: sha256(token) };
      this.d.store.emergency.update(active);
      this.d.audit.record({ actorType: 'staff', actor: staff.employeeNo, action: 'certificate.issue', target: cert.serial, result: 'ok', at: now, details: { emergency: true, grantId: g.id, agentId, employeeNo: staff.employeeNo, staffName: staff.name, algorithm: 'sm2', caName: cert.caName, subject: cert.subject, notBefore: new Date(cert.notBefore), notAfter: new Date(cert.notAfter), template: template.templateId } });
      this.d.audit.record({ actorType: 'staff', actor: staff.employeeNo, action: 'emergency.activate', target: g.id, result: 'ok', at: now, details: { agentId, certificate: cert.serial } });
      return { grantId: g.id, validTo: new Date(g.validTo).toISOString(), ...this.session(active, token) };
    });
  }

  /** The grant behind an emergency session token, usable for signing now. */
  private usable(agentId: string, token: string, now: number): EmergencyGrantRecord {
    const g0 = this.d.store.emergency.bySessionToken(sha256(token));
    if (!g0 || g0.agentId !== agentId) {
      // a token of a grant that ended (its hash was cleared) cannot be told apart from a wrong one
      throw EmergencyErrors.session();
    }
    const g = this.refresh(g0, now);
    if (g.status === 'expired') throw EmergencyErrors.expired();
    if (g.status !== 'active') throw EmergencyErrors.revoked();
    const cert = this.d.store.certificates.get(g.certificateSerial!);
    if (!cert || cert.status !== 'good') throw EmergencyErrors.revoked();
    if (now >= cert.notAfter || now >= g.validTo) throw EmergencyErrors.expired();
    return g;
  }

  /** Tell the agent why a token no longer works: its grant ended, and how. */
  private endedFor(agentId: string, grantId: string | undefined): CloudError | undefined {
    if (!grantId) return undefined;
    const g = this.d.store.emergency.get(grantId);
    if (!g || g.agentId !== agentId) return undefined;
    if (g.status === 'expired') return EmergencyErrors.expired();
    if (g.status === 'revoked' || g.status === 'locked') return EmergencyErrors.revoked();
    return undefined;
  }

  /** The agent: the cloud's co-sign step over the session's digests (no phone). */
  sign(agentId: string, input: { sessionToken: string; grantId?: string | undefined; sessionId: string; digests: string[]; app: string; summaries: string[]; workstation: string; commit: unknown }, now = this.clock()) {
    this.sweep(now);
    let g: EmergencyGrantRecord;
    try {
      g = this.usable(agentId, input.sessionToken, now);
    } catch (err) {
      throw (err instanceof CloudError && err.code === 'EMERGENCY_SESSION_INVALID' && this.endedFor(agentId, input.grantId)) || err;
    }
    if (input.digests.length < 1 || input.digests.length > MAX_DIGESTS || input.summaries.length !== input.digests.length) throw Errors.badRequest({ zh: `摘要 1 到 ${MAX_DIGESTS} 个，每个一条说明`, en: `1 to ${MAX_DIGESTS} digests, one summary each` });
    if (!input.digests.every((d) => /^[0-9a-fA-F]{64}$/.test(d))) throw Errors.badRequest({ zh: '摘要应为 64 位十六进制 (SM3)', en: 'each digest must be 64 hex digits (SM3)' });
    if (this.d.store.emergency.session(input.sessionId)) throw Errors.conflict({ zh: '会话号已使用', en: 'this session id is in use' });
    const session: EmergencySessionRecord = { id: input.sessionId, grantId: g.id, digests: input.digests.map((x) => x.toLowerCase()), app: input.app, summaries: input.summaries, workstation: input.workstation, status: 'COSIGNING', createdAt: now, expiresAt: now + SIGN_SESSION_MS, endedAt: null };
    return this.d.store.transaction(() => {
      const sealed = this.unseal(g);
      if (sealed.kind !== 'share') throw EmergencyErrors.notActivated();
      const reply = cloudSignRespond(sealed.share, { sessionId: session.id, digests: session.digests, step: 'awaiting-phone-commit' }, input.commit);
      this.d.store.emergency.insertSession(session);
      return { sessionId: session.id, reply };
    });
  }

  /** The agent: the final signatures, each verified against the certificate, and audited. */
  complete(agentId: string, sessionId: string, input: { sessionToken: string; signatures: Uint8Array[] }, now = this.clock()): { status: 'OK' | 'ERROR' } {
    return this.d.store.transaction(() => {
      const s = this.d.store.emergency.session(sessionId);
      const g = s ? this.d.store.emergency.get(s.grantId) : undefined;
      if (!s || !g || g.agentId !== agentId || g.sessionTokenHash !== sha256(input.sessionToken)) throw Errors.notFound({ zh: '应急签名会话', en: 'emergency sign session' });
      if (s.status !== 'COSIGNING') throw new CloudError('SESSION_FINISHED', 409, '该签名会话已结束', 'this session has already ended');
      const pk = publicKeyFromSpki(g.publicKey!);
      const valid = input.signatures.length === s.digests.length && input.signatures.every((sig, i) => verifyDigestSignature('sm2-with-sm3', pk, fromHex(s.digests[i]!), sig));
      this.endSession(s, valid ? 'OK' : 'ERROR', now);
      return { status: valid ? 'OK' : 'ERROR' };
    });
  }

  /** Inside a transaction: the session ends, with its audit entry (as for phone sessions). */
  private endSession(s: EmergencySessionRecord, status: EmergencySessionRecord['status'], now: number): void {
    this.d.store.emergency.updateSession({ ...s, status, endedAt: now });
    const g = this.d.store.emergency.get(s.grantId)!;
    const staff = this.d.store.staff.get(g.staffId);
    const agent = this.d.store.agents.get(g.agentId);
    const digests = s.digests.length <= 10 ? { digests: s.digests } : { digestsSha256: toHex(createHash('sha256').update(fromHex(s.digests.join(''))).digest()) };
    this.d.audit.record({
      actorType: 'staff',
      actor: staff?.employeeNo ?? g.staffId,
      action: 'emergency.sign',
      target: g.certificateSerial,
      result: status,
      at: now,
      details: { sessionId: s.id, emergency: true, grantId: g.id, staffName: staff?.name, certificate: g.certificateSerial, app: s.app, agentId: g.agentId, agentName: agent?.name, workstation: s.workstation, hash: 'sm3', count: s.digests.length, ...digests, openedAt: new Date(s.createdAt).toISOString() },
    });
  }

  logout(agentId: string, token: string, now = this.clock()): void {
    const g = this.d.store.emergency.bySessionToken(sha256(token));
    if (!g || g.agentId !== agentId) throw EmergencyErrors.session();
    this.d.store.transaction(() => {
      this.d.store.emergency.update({ ...g, sessionTokenHash: null });
      this.d.audit.record({ actorType: 'staff', actor: this.staffActor(g), action: 'emergency.logout', target: g.certificateSerial, result: 'ok', at: now, details: { grantId: g.id, agentId } });
    });
  }

  /**
   * An administrator ends a grant early: its certificate (if issued) is revoked (cessation of
   * operation unless another reason is given), the cloud's share destroyed, the agent's next
   * signature refused with EMERGENCY_REVOKED.
   */
  async revoke(id: string, admin: AdminRecord, reason: number = CRL_REASON.cessationOfOperation, now = this.clock()): Promise<EmergencyGrantRecord> {
    const g0 = this.get(id, now);
    if (!LIVE.has(g0.status)) throw new CloudError('EMERGENCY_ENDED', 409, `应急授权已结束（${g0.status}）`, `the emergency grant has already ended (${g0.status})`);
    const serial = g0.certificateSerial;
    if (serial && this.d.store.certificates.get(serial)?.status !== 'revoked') {
      await this.d.audit.asAdminAsync(admin, 'certificate.revoke', serial, (done) =>
        this.d.pki.setRevocation(serial, { action: 'revoke', reason }, new Date(now), () => {
          done({ reason, emergency: true, grantId: id });
          this.end(this.d.store.emergency.get(id)!, 'revoked', 'ended by an administrator', now, { type: 'admin', name: admin.username });
        }),
      );
      return this.get(id, now);
    }
    return this.d.store.transaction(() => this.end(this.d.store.emergency.get(id)!, 'revoked', 'ended by an administrator', now, { type: 'admin', name: admin.username }));
  }

  get(id: string, now = this.clock()): EmergencyGrantRecord {
    const g = this.d.store.emergency.get(id);
    if (!g) throw Errors.notFound({ zh: '没有这个应急授权', en: 'no such emergency grant' });
    return this.refresh(g, now);
  }

  list(q: EmergencyQuery, now = this.clock()) {
    this.sweep(now);
    return this.d.store.emergency.list(q);
  }

  workstations() {
    return this.d.store.emergency.workstations();
  }

  /** The console's view of a grant (never the password, the shares or the token). */
  view(g: EmergencyGrantRecord) {
    const staff = this.d.store.staff.get(g.staffId);
    const agent = this.d.store.agents.get(g.agentId);
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const cert = g.certificateSerial ? this.d.store.certificates.get(g.certificateSerial) : undefined;
    return {
      id: g.id,
      status: g.status,
      staffId: g.staffId,
      employeeNo: staff?.employeeNo ?? null,
      staffName: staff?.name ?? null,
      department: staff?.department ?? null,
      agentId: g.agentId,
      workstation: agent?.name ?? null,
      algorithm: g.algorithm,
      validFrom: iso(g.validFrom)!,
      validTo: iso(g.validTo)!,
      certificateSerial: g.certificateSerial,
      certificateStatus: cert?.status ?? null,
      notBefore: cert ? iso(cert.notBefore) : null,
      notAfter: cert ? iso(cert.notAfter) : null,
      failures: g.failures,
      requestId: g.requestId,
      createdBy: g.createdBy,
      createdAt: iso(g.createdAt)!,
      activatedAt: iso(g.activatedAt),
      endedAt: iso(g.endedAt),
      endReason: g.endReason,
      note: g.note,
    };
  }
}
