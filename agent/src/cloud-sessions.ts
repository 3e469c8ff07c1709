/**
 * Login and sign sessions with the cloud, seen from the workstation.
 *
 * Signing: the agent sends only digests (never the data), shows the verification code it
 * computed itself from those digests (Smart-ID's rule, core/src/verification-code.ts) and
 * refuses a session whose cloud code differs, then long-polls until the phone has
 * approved. Every returned signature is checked against the user's certificate before
 * anyone gets it.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { SIGNATURE_ALGORITHMS, fromHex, toHex, verificationCode, verifyDigestSignature, type SignatureAlgorithm } from '@medsign/core';
import type { CloudLink } from './cloud-link.js';
import { AgentError, Errors, fromCloudCode } from './errors.js';
import type { Operation, Operations } from './operations.js';
import type { AgentState, User } from './state.js';
import type { TrustStore } from './trust-store.js';

export type Emit = (event: string, params: Record<string, unknown>) => void;

interface AgentView {
  sessionId: string;
  status: string;
  verificationCode: string;
  expiresAt: string;
  userSessionToken?: string;
  signatures?: string[];
  certificate?: string;
}

const VERIFY_CHUNK = 50;
const FINAL = new Set(['OK', 'USER_REFUSED', 'TIMEOUT', 'CANCELLED', 'CERT_REVOKED', 'LOCKED', 'ERROR']);

/** How a session that ended without a result ended, for the caller. */
const statusError = (status: string): AgentError => fromCloudCode(status) ?? Errors.signFailed({ zh: `云端会话状态 ${status}`, en: `cloud session ended ${status}` });

export interface SignItem {
  digest: Uint8Array;
  summary: string;
}

export class CloudSessions {
  readonly workstation: string;

  constructor(
    private readonly a: { cloud: CloudLink; state: AgentState; trust: TrustStore; ops: Operations; log: Logger; workstation?: string | undefined },
  ) {
    this.workstation = a.workstation ?? hostname().slice(0, 64);
  }

  /** Long-poll a cloud session until it ends (or its own expiry has clearly passed). */
  private async waitFor(op: Operation, opened: { sessionId: string; expiresAt: string }, emit: Emit): Promise<AgentView> {
    const giveUp = Date.parse(opened.expiresAt) + 10_000;
    let last = 'PENDING';
    for (;;) {
      // changes=1: back at every change, so a QR login's code (known once a phone claims it)
      // and the start of co-signing reach the workstation at once
      const v = await this.a.cloud.request<AgentView>('GET', `/api/v1/agent/sessions/${opened.sessionId}?wait=25&changes=1`, { auth: true, timeoutMs: 35_000 });
      if (v.verificationCode && v.verificationCode !== op.verificationCode && op.kind === 'login') {
        this.a.ops.update(op, { verificationCode: v.verificationCode });
        // still PENDING for the caller: the final loginStatus (with certId and name) comes from login()
        emit('loginStatus', { operationId: op.operationId, status: 'PENDING', verificationCode: v.verificationCode });
      }
      if (v.status !== last) {
        last = v.status;
        emit('sessionStatus', { operationId: op.operationId, status: v.status });
      }
      if (FINAL.has(v.status)) return v;
      if (Date.now() > giveUp) throw Errors.timeout();
    }
  }

  /** QR login (no employeeNo: the caller shows op.qr) or push login to that staff member's phone. */
  async login(op: Operation, employeeNo: string | undefined, emit: Emit): Promise<User> {
    const opened = await this.a.cloud.request<{ sessionId: string; verificationCode: string; expiresAt: string; qr?: string }>('POST', '/api/v1/agent/logins', {
      auth: true,
      body: { ...(employeeNo ? { employeeNo } : {}), workstation: this.workstation },
    });
    // a QR login has no code until a phone claims it (the code is over that doctor's challenge)
    const shown = { ...(opened.verificationCode ? { verificationCode: opened.verificationCode } : {}), ...(opened.qr ? { qr: opened.qr } : {}) };
    this.a.ops.update(op, shown);
    emit('loginStatus', { operationId: op.operationId, status: 'PENDING', ...shown });
    const v = await this.waitFor(op, opened, emit);
    if (v.status !== 'OK' || !v.userSessionToken || !v.certificate) throw statusError(v.status);
    const der = new Uint8Array(Buffer.from(v.certificate, 'base64'));
    this.a.trust.remember(der);
    const user = this.a.state.addUser(der, v.userSessionToken);
    this.a.log.info({ certId: user.certId, operationId: op.operationId }, 'login');
    return user;
  }

  async logout(user: User): Promise<void> {
    this.a.state.removeUser(user.certId);
    try {
      await this.a.cloud.request('POST', '/api/v1/agent/logout', { auth: true, body: { userSessionToken: user.userSessionToken } });
    } catch (err) {
      // the local logout stands; the cloud session ends by itself at its expiry
      this.a.log.warn({ certId: user.certId, code: err instanceof AgentError ? err.code : 'INTERNAL' }, 'cloud logout failed');
    }
  }

  /** One cloud session for all items: one approval on the phone, one signature per digest. */
  async cosign(op: Operation, user: User, alg: SignatureAlgorithm, items: SignItem[], app: string, emit: Emit): Promise<Uint8Array[]> {
    const digests = items.map((i) => toHex(i.digest));
    const code = verificationCode(items.map((i) => i.digest));
    let opened: { sessionId: string; verificationCode: string; expiresAt: string };
    try {
      opened = await this.a.cloud.request('POST', '/api/v1/agent/sessions', {
        auth: true,
        body: { userSessionToken: user.userSessionToken, hash: SIGNATURE_ALGORITHMS[alg].hash, digests, app, summaries: items.map((i) => i.summary), workstation: this.workstation },
        timeoutMs: 30_000,
      });
    } catch (err) {
      if (err instanceof AgentError && err.code === 'NOT_LOGGED_IN') this.a.state.removeUser(user.certId);
      throw err;
    }
    if (opened.verificationCode !== code) {
      void this.a.cloud.request('POST', `/api/v1/agent/sessions/${opened.sessionId}/cancel`, { auth: true }).catch(() => undefined);
      throw Errors.signFailed({ zh: '云端校验码与本机计算的不一致，已取消', en: 'the cloud’s verification code differs from the one computed here; cancelled' });
    }
    this.a.ops.update(op, { verificationCode: code });
    emit('verificationCode', { operationId: op.operationId, verificationCode: code, count: items.length, certId: user.certId });
    const v = await this.waitFor(op, opened, emit);
    if (v.status !== 'OK' || !v.signatures) throw statusError(v.status);
    const sigs = v.signatures.map((s) => new Uint8Array(Buffer.from(s, 'base64')));
    if (sigs.length !== items.length) throw Errors.badSignatureFromCloud();
    // in chunks that yield, so a 1,000-item check (~1 s for SM2) does not stall other callers
    for (let i = 0; i < sigs.length; i += VERIFY_CHUNK) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      for (let j = i; j < Math.min(i + VERIFY_CHUNK, sigs.length); j++) {
        if (!verifyDigestSignature(alg, user.cert.publicKey, fromHex(digests[j]!), sigs[j]!)) throw Errors.badSignatureFromCloud();
      }
    }
    return sigs;
  }
}
