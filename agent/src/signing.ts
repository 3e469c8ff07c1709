/**
 * The signing pipeline: what is signed, in which form, and deferred signing (补签).
 *
 * Every request becomes one digest for the cloud session:
 *  - raw: e = SM3(Z_A ‖ data) for SM2 (default ID 1234567812345678), hash(data) for RSA;
 *  - cms: the same digest over the DER SET OF signed attributes (RFC 5652 §5.4), whose
 *    messageDigest is hash(content); the SignedData is assembled here once the signature is back.
 * A batch is one session, so one approval on the phone. Data never leaves the workstation.
 */
import {
  SIGNATURE_ALGORITHMS,
  SGD,
  addSignatureTimeStamp,
  assembleSignedMessage,
  signatureAlgorithmFromSgd,
  signatureTimeStampRequest,
  signedAttributesToSign,
  signingDigest,
  toCompact,
  type CmsProfile,
  type SignatureAlgorithm,
  type SignedMessageParts,
} from '@medsign/core';
import type { Emit } from './cloud-sessions.js';
import type { AgentContext } from './context.js';
import { Errors, toAgentError } from './errors.js';
import type { DeferredItem } from './journal.js';
import type { Operation } from './operations.js';
import type { User } from './state.js';

export type SignRequest =
  | { kind: 'raw'; digest: Uint8Array; summary: string }
  | { kind: 'cms'; content: Uint8Array; detached: boolean; profile: CmsProfile; timestamp: boolean; compact: boolean; summary: string };

/** After a deferred batch went unanswered, wait this long before asking the phone again. */
const DEFERRED_QUIET_MS = 10 * 60_000;

export type SignOutput = { signature: string } | { signedMessage: string; compact?: string };

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** What signing works with: the agent's parts (see context.ts), wired before the context exists. */
export type SigningDeps = Pick<AgentContext, 'cloud' | 'state' | 'trust' | 'ops' | 'sessions' | 'journal' | 'log' | 'broadcast' | 'emergency'> & {
  deferredSigning: AgentContext['config']['deferredSigning'];
};

export class Signing {
  /** GM/T 0020 SOF_SetSignMethod is per application: here per client (browser origin or "native"). */
  private readonly signMethods = new Map<string, number>();
  private flushing: Promise<void> | undefined;
  private readonly quietUntil = new Map<string, number>();

  constructor(private readonly d: SigningDeps) {}

  getSignMethod(client: string): number {
    return this.signMethods.get(client) ?? SGD.SHA256_RSA;
  }

  setSignMethod(client: string, method: number): void {
    signatureAlgorithmFromSgd(method); // refuses an unknown method
    this.signMethods.set(client, method);
  }

  /**
   * The algorithm for this user: SM2 certificates always sign SM3 with Z_A; RSA certificates
   * use the RSA sign method in force (SHA-256 unless set to SHA-1 or SM3).
   */
  algorithmFor(user: User, client: string, override?: number): SignatureAlgorithm {
    if (user.cert.publicKey.algorithm === 'sm2') {
      if (override !== undefined && override !== SGD.SM3_SM2) throw Errors.badParams({ zh: 'SM2 证书只能使用 SGD_SM3_SM2', en: 'an SM2 certificate signs with SGD_SM3_SM2 only' });
      return 'sm2-with-sm3';
    }
    const method = override ?? this.getSignMethod(client);
    if (method === SGD.SM3_SM2) {
      if (override !== undefined) throw Errors.badParams({ zh: 'RSA 证书不能使用 SGD_SM3_SM2', en: 'an RSA certificate cannot sign with SGD_SM3_SM2' });
      return 'rsa-with-sha256';
    }
    return signatureAlgorithmFromSgd(method);
  }

  user(certId: string): User {
    const u = this.d.state.user(certId);
    if (!u) throw Errors.certNotFound();
    return u;
  }

  rawDigest(user: User, alg: SignatureAlgorithm, data: Uint8Array): Uint8Array {
    return signingDigest(alg, user.cert.publicKey, data);
  }

  /** The issuing CA certificate of `user`, carried in CMS so verifiers can build the chain. */
  private issuerOf(user: User): Uint8Array[] {
    const aki = user.cert.authorityKeyId;
    for (const name of ['sm2-issuing', 'rsa-issuing']) {
      const ca = this.d.trust.caCertificate(name);
      if (ca && ca.subjectKeyId === aki) return [ca.der];
    }
    return [];
  }

  private prepare(user: User, alg: SignatureAlgorithm, req: SignRequest, signingTime: Date, extra: Uint8Array[]): { digest: Uint8Array; finish(sig: Uint8Array): SignedMessageParts | Uint8Array } {
    if (req.kind === 'raw') return { digest: req.digest, finish: (sig) => sig };
    const parts: SignedMessageParts = {
      profile: req.profile,
      content: req.content,
      detached: req.detached,
      certificate: user.cert.der,
      includeCertificate: true,
      ...(extra.length ? { extraCertificates: extra } : {}),
      signingTime: new Date(Math.floor(signingTime.getTime() / 1000) * 1000),
      signatureAlgorithm: alg,
    };
    return { digest: signingDigest(alg, user.cert.publicKey, signedAttributesToSign(parts)), finish: (signature) => ({ ...parts, signature }) };
  }

  async timestamp(cms: Uint8Array, alg: SignatureAlgorithm): Promise<Uint8Array> {
    const request = signatureTimeStampRequest(cms, SIGNATURE_ALGORITHMS[alg].hash);
    const reply = await this.d.cloud.request<Uint8Array>('POST', '/pki/tsa', { binary: { type: 'application/timestamp-query', data: request }, raw: true });
    return addSignatureTimeStamp(cms, reply);
  }

  /** Sign `requests` in one cloud session (one phone approval); outputs in request order. */
  async run(op: Operation, user: User, alg: SignatureAlgorithm, requests: SignRequest[], app: string, emit: Emit): Promise<SignOutput[]> {
    const total = requests.length;
    const now = new Date();
    const extra = requests.some((r) => r.kind === 'cms') ? this.issuerOf(user) : [];
    const prepared = requests.map((r, i) => {
      if (total > 1 && i % 100 === 0) emit('progress', { operationId: op.operationId, stage: 'digesting', done: i, total });
      return this.prepare(user, alg, r, now, extra);
    });
    if (total > 1 && !user.emergency) emit('progress', { operationId: op.operationId, stage: 'waiting-for-phone', done: 0, total });
    // issue 7: an emergency certificate co-signs with the cloud directly, the agent holding the phone's half
    const cosign = user.emergency ? this.d.emergency.cosign.bind(this.d.emergency) : this.d.sessions.cosign.bind(this.d.sessions);
    const sigs = await cosign(
      op,
      user,
      alg,
      prepared.map((p, i) => ({ digest: p.digest, summary: requests[i]!.summary })),
      app,
      emit,
    );
    const out: SignOutput[] = new Array(total);
    const stamps: Promise<void>[] = [];
    let stamped = 0;
    for (let i = 0; i < total; i++) {
      const req = requests[i]!;
      const done = prepared[i]!.finish(sigs[i]!);
      if (req.kind === 'raw') {
        out[i] = { signature: b64(done as Uint8Array) };
        continue;
      }
      const cms = assembleSignedMessage(done as SignedMessageParts);
      const finish = (m: Uint8Array) => {
        out[i] = { signedMessage: b64(m), ...(req.compact ? { compact: b64(toCompact(m, { content: req.content })) } : {}) };
      };
      if (req.timestamp) {
        stamps.push(
          this.timestamp(cms, alg).then((m) => {
            finish(m);
            stamped++;
            if (total > 1 && stamped % 50 === 0) emit('progress', { operationId: op.operationId, stage: 'timestamping', done: stamped, total });
          }),
        );
        if (stamps.length >= 8) await Promise.all(stamps.splice(0));
      } else finish(cms);
      if (total > 1 && (i + 1) % 100 === 0) emit('progress', { operationId: op.operationId, stage: 'assembling', done: i + 1, total });
    }
    await Promise.all(stamps);
    if (total > 1) emit('progress', { operationId: op.operationId, stage: 'assembling', done: total, total });
    return out;
  }

  // ---- deferred signing (补签) ----

  /** Journal the call instead of signing, when deferral applies: no cloud now, and allowed. */
  /**
   * Journal this call instead of signing now? Only with the cloud offline; then per call
   * (`deferred: true`), or in `auto` mode unless the caller said `deferred: false` — a caller
   * that cannot take a ticket (the C library, the SOF facade) needs the signature or an error.
   */
  shouldDefer(askedFor: boolean | undefined): boolean {
    if (this.d.deferredSigning === 'off' || this.d.cloud.online || askedFor === false) return false;
    return this.d.deferredSigning === 'auto' || askedFor === true;
  }

  defer(item: Omit<DeferredItem, 'ticket' | 'createdAt'>): { deferred: true; ticket: string } {
    const saved = this.d.journal.add(item);
    this.d.log.info({ ticket: saved.ticket, certId: saved.certId, method: saved.method }, 'deferred signing journalled');
    return { deferred: true, ticket: saved.ticket };
  }

  /** Send the journal's items as one batch session per logged-in user (users in parallel). One flush at a time. */
  flushDeferred(): Promise<void> {
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** A new login of this user: their unanswered items may be asked again now. */
  resumeDeferred(certId: string): Promise<void> {
    this.quietUntil.delete(certId);
    return this.flushDeferred();
  }

  private async flush(): Promise<void> {
    const byUser = new Map<string, DeferredItem[]>();
    for (const item of this.d.journal.pending()) byUser.set(item.certId, [...(byUser.get(item.certId) ?? []), item]);
    await Promise.all(
      [...byUser].map(async ([certId, items]) => {
        const user = this.d.state.user(certId);
        // waits for the user's next login, the cloud, or the end of a quiet period after an unanswered batch
        if (!user || !this.d.cloud.online || (this.quietUntil.get(certId) ?? 0) > Date.now()) return;
        for (let i = 0; i < items.length; i += 1000) await this.flushGroup(user, items.slice(i, i + 1000));
      }),
    );
  }

  private async flushGroup(user: User, items: DeferredItem[]): Promise<void> {
    // one session per algorithm (an RSA user may have journalled with several sign methods)
    const byAlg = new Map<SignatureAlgorithm, DeferredItem[]>();
    for (const it of items) byAlg.set(it.alg, [...(byAlg.get(it.alg) ?? []), it]);
    for (const [alg, group] of byAlg) {
      const op = this.d.ops.create('sign', 'deferred', 'deferred', group.length, user.certId);
      const requests: SignRequest[] = group.map((it) =>
        it.message
          ? { kind: 'cms', content: new Uint8Array(Buffer.from(it.message.content, 'base64')), detached: it.message.detached, profile: it.message.profile, timestamp: it.message.timestamp, compact: it.message.compact ?? false, summary: it.summary }
          : { kind: 'raw', digest: new Uint8Array(Buffer.from(it.digest!, 'hex')), summary: it.summary },
      );
      try {
        const out = await this.run(op, user, alg, requests, `补签 ${group[0]!.app}`.slice(0, 64), this.d.broadcast);
        this.d.ops.finish(op, { count: out.length });
        group.forEach((it, i) => {
          this.d.journal.complete({ ticket: it.ticket, status: 'OK', result: out[i]! });
          this.d.broadcast('deferredResult', { ticket: it.ticket, status: 'OK', result: out[i]! });
        });
      } catch (err) {
        const e = toAgentError(err);
        this.d.ops.fail(op, e);
        const cause = e.code === 'INTERNAL' && e.cause instanceof Error ? { cause: e.cause.stack ?? e.cause.message } : {};
        this.d.log.warn({ code: e.code, count: group.length, ...cause }, 'deferred batch not signed');
        // the doctor's answer is final; a lost link or an expired login leaves the items for later;
        // an unanswered batch is not put to the phone again for a while (or until the next login)
        if (e.code === 'TIMEOUT' || e.code === 'SIGN_FAILED') this.quietUntil.set(user.certId, Date.now() + DEFERRED_QUIET_MS);
        if (e.retryable || e.code === 'NOT_LOGGED_IN') continue;
        for (const it of group) {
          this.d.journal.complete({ ticket: it.ticket, status: 'FAILED', error: e.toJSON() });
          this.d.broadcast('deferredResult', { ticket: it.ticket, status: 'FAILED', error: e.toJSON() });
        }
      }
    }
  }
}

