/**
 * Enrollment (申请/发放): an administrator registers a staff member and opens an enrollment;
 * the phone redeems the one-time activation code, registers its device key, generates the
 * key together with the cloud (two-party SM2, or mediated RSA with the phone as dealer),
 * co-signs a PKCS#10 request as proof of possession, and receives its certificate.
 *
 *   start    (activation code)  → device registered, key generation round
 *   finish   (device-signed)    → key confirmed, the cloud's half of the CSR signature
 *   complete (device-signed)    → CSR verified, certificate issued, share stored
 *
 * The cloud's share is sealed under the KEK at every step; the code is stored only as a hash.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  renewalOpensAt,
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  cloudRsaSignRespond,
  cloudSignRespond,
  csrInfoPublicKey,
  equalBytes,
  parseCsr,
  pointFromHex,
  publicKeyToSpki,
  sm2Digest,
  sm2PublicKeyFromSpki,
  toHex,
  type CloudKeygenState,
  type CloudRsaShare,
  type CloudSm2Share,
} from '@medsign/core';
import { CloudError, Errors } from './errors.js';
import type { PkiService } from './pki.js';
import type { Sealer } from './secrets.js';
import type { AuditRecorder } from './audit.js';
import { renderProfile, templateForIssue } from './templates.js';
import type { EnrollmentRecord, KeyKind, StaffRecord, Store } from '../store/repositories.js';

export interface StaffInput {
  employeeNo: string;
  name: string;
  department: string;
  title?: string | undefined;
  licenceNo?: string | undefined;
  idNumber?: string | undefined;
  mobile?: string | undefined;
}

export const EnrollmentErrors = {
  invalidCode: () => new CloudError('ACTIVATION_INVALID', 404, '激活码无效，请核对或联系管理员', 'the activation code is not valid; check it or ask the administrator'),
  usedCode: () => new CloudError('ACTIVATION_USED', 409, '激活码已使用，每个激活码只能使用一次', 'the activation code has already been used'),
  expiredCode: () => new CloudError('ACTIVATION_EXPIRED', 410, '激活码已过期，请联系管理员重新发放', 'the activation code has expired; ask the administrator for a new one'),
  wrongStep: () => new CloudError('ENROLLMENT_STATE', 409, '申请流程状态不符，请重新开始', 'this enrollment is not at that step; start again'),
  keyMismatch: () => new CloudError('KEY_MISMATCH', 400, '证书请求中的公钥与协商的公钥不一致', 'the request does not carry the negotiated public key'),
};

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read aloud over the phone

function activationCode(): string {
  // 20 symbols × 5 bits = 100 bits from the CSPRNG
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b & 31]!);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}
const normalizeCode = (code: string): string => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

type SealedState = { kind: 'sm2-keygen'; state: CloudKeygenState } | { kind: 'sm2'; share: CloudSm2Share } | { kind: 'rsa'; share: CloudRsaShare };

/** For RSA, d2 has already been opened from its transport seal (the route does that, asynchronously). */
export type PhoneKeygen = { type: 'sm2'; hello: unknown } | { type: 'rsa'; n: string; e: string; d2: string };

export class EnrollmentService {
  /** issue 7: the audit log (set by server.ts) */
  audit?: AuditRecorder;

  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly pki: PkiService,
    private readonly options: { codeTtlMinutes: number; validityDays: number; renewalDays?: number | undefined },
  ) {}

  /** The staff member a registered device belongs to. */
  staffOfDevice(deviceId: string): string {
    const d = this.store.devices.get(deviceId);
    if (!d) throw Errors.notFound({ en: 'device', zh: '设备' });
    return d.staffId;
  }

  createStaff(input: StaffInput, now = Date.now()): StaffRecord {
    return this.store.transaction(() => {
      if (this.store.staff.getByEmployeeNo(input.employeeNo)) throw Errors.conflict({ en: `employee number ${input.employeeNo} exists`, zh: `工号 ${input.employeeNo} 已存在` });
      const record: StaffRecord = {
        id: randomUUID(),
        employeeNo: input.employeeNo,
        name: input.name,
        department: input.department,
        title: input.title ?? null,
        licenceNo: input.licenceNo ?? null,
        idNumber: input.idNumber ?? null,
        mobile: input.mobile ?? null,
        createdAt: now,
      };
      this.store.staff.insert(record);
      return record;
    });
  }

  /** `templateId`: the certificate template (default: staff-sm2 / staff-rsa2048 / staff-rsa1024-legacy by algorithm). */
  createEnrollment(staffId: string, algorithm: KeyKind, ttlMinutes = this.options.codeTtlMinutes, now = Date.now(), templateId?: string) {
    const code = activationCode();
    const record: EnrollmentRecord = {
      id: randomUUID(),
      staffId,
      algorithm,
      codeHash: sha256(normalizeCode(code)),
      expiresAt: now + ttlMinutes * 60_000,
      status: 'pending',
      deviceId: null,
      sealedState: null,
      csrInfoHash: null,
      createdAt: now,
      renewsSerial: null,
      templateId: null,
    };
    const template = this.store.transaction(() => {
      if (!this.store.staff.get(staffId)) throw Errors.notFound({ en: 'staff member', zh: '人员' });
      const t = templateForIssue(this.store, templateId ?? null, algorithm); // exists, active, allows the algorithm
      record.templateId = t.templateId;
      this.store.enrollments.insert(record);
      return t;
    });
    return { enrollment: record, activationCode: code, legacy: algorithm === 'rsa-1024', template: { id: template.templateId, version: template.version } };
  }

  private seal(enrollmentId: string, state: SealedState): Uint8Array {
    return this.sealer.seal(new TextEncoder().encode(JSON.stringify(state)), `enrollment:${enrollmentId}`);
  }

  private unseal(e: EnrollmentRecord): SealedState {
    return JSON.parse(new TextDecoder().decode(this.sealer.open(e.sealedState!, `enrollment:${e.id}`))) as SealedState;
  }

  /**
   * What a typed-in activation code is for (the CLI and phones without a camera): the
   * enrollment id and the key algorithm. It does not use the code up.
   */
  lookup(activationCode: string, now = Date.now()): { enrollmentId: string; algorithm: KeyKind } {
    const e = this.store.enrollments.getByCodeHash(sha256(normalizeCode(activationCode)));
    if (!e) throw EnrollmentErrors.invalidCode();
    if (e.status !== 'pending') throw EnrollmentErrors.usedCode();
    if (e.expiresAt <= now) throw EnrollmentErrors.expiredCode();
    return { enrollmentId: e.id, algorithm: e.algorithm };
  }

  /** Step 1: redeem the code, register the device, run the cloud's key generation step. */
  start(input: { enrollmentId: string; activationCode: string; devicePublicKey: Uint8Array; keygen: PhoneKeygen }, now = Date.now()) {
    return this.store.transaction(() => {
      const e = this.store.enrollments.getByCodeHash(sha256(normalizeCode(input.activationCode)));
      if (!e || e.id !== input.enrollmentId) throw EnrollmentErrors.invalidCode();
      if (e.status !== 'pending') throw EnrollmentErrors.usedCode();
      if (e.expiresAt <= now) throw EnrollmentErrors.expiredCode();
      sm2PublicKeyFromSpki(input.devicePublicKey); // the device key must be a valid SM2 key
      const { state, reply } = this.keygenStep(e, input.keygen);
      const deviceId = randomUUID();
      this.store.devices.insert({ id: deviceId, staffId: e.staffId, publicKey: input.devicePublicKey, createdAt: now, status: 'active' });
      this.store.enrollments.update({ ...e, status: 'keygen', deviceId, sealedState: this.seal(e.id, state) });
      this.audit?.record({ actorType: 'device', actor: deviceId, action: 'enrollment.activate', target: e.id, result: 'ok', details: { staffId: e.staffId, algorithm: e.algorithm } });
      return { enrollmentId: e.id, deviceId, algorithm: e.algorithm, ...(reply ? { keygenReply: reply } : {}) };
    });
  }

  private keygenStep(e: EnrollmentRecord, keygen: PhoneKeygen): { state: SealedState; reply?: unknown } {
    if (e.algorithm === 'sm2') {
      if (keygen.type !== 'sm2') throw Errors.badRequest({ en: 'this enrollment is for SM2', zh: '该申请为 SM2 密钥' });
      const s = cloudKeygenOpen(e.id);
      return { state: { kind: 'sm2-keygen', state: s }, reply: cloudKeygenRespond(s, keygen.hello) };
    }
    if (keygen.type !== 'rsa') throw Errors.badRequest({ en: `this enrollment is for ${e.algorithm}`, zh: `该申请为 ${e.algorithm} 密钥` });
    return { state: { kind: 'rsa', share: checkRsaShare(keygen, e.algorithm === 'rsa-2048' ? 2048 : 1024) } };
  }

  /**
   * Online renewal (在线更新), step 0: open a renewal for this device's current certificate. Only
   * in the renewal window (the last third of its lifetime, step-ca's rule, or the configured `renewalDays`), for a good
   * certificate and an active key, and only after the route has seen a successful online PIN
   * check from this device (so a copied phone store without the PIN cannot re-key). The phone
   * then runs the enrollment steps (renewStart → finish → complete) with its own device key.
   */
  /**
   * The certificate a device would renew now, after every check of renewOpen (an active key on
   * this device, the certificate good and not expired, its template allowing online renewal,
   * the window open); the errors are renewOpen's.
   */
  renewableSerial(deviceId: string, now = Date.now()): string {
    return this.renewable(deviceId, now).cert.serial;
  }

  private renewable(deviceId: string, now: number) {
    const device = this.store.devices.get(deviceId)!;
    const share = this.store.shares.currentForStaff(device.staffId);
    if (!share || share.deviceId !== deviceId || share.status !== 'active' || !share.certificateSerial) throw Errors.conflict({ en: 'no active key on this device to renew', zh: '此设备上没有可更新的签名密钥' });
    const cert = this.store.certificates.get(share.certificateSerial)!;
    if (cert.status !== 'good') throw Errors.conflict({ en: 'the certificate is revoked or on hold', zh: '证书已吊销或冻结，不能更新' });
    if (now >= cert.notAfter) throw new CloudError('CERT_EXPIRED', 409, '证书已过期，不能在线更新，请联系管理员重新申请', 'the certificate has expired: it cannot be renewed online; ask an administrator for a new one');
    // renewal issues from the current version of the certificate's template (issue 7), with its window
    const template = templateForIssue(this.store, cert.templateId ?? null, share.algorithm as KeyKind);
    const windowDays = template.definition.renewalWindowDays;
    if (windowDays === 0) throw new CloudError('RENEWAL_NOT_ALLOWED', 409, '该证书模板不允许在线更新（如应急证书），请联系管理员重新申请', 'this certificate template allows no online renewal (e.g. emergency); ask an administrator for a new certificate');
    const opens = renewalOpensAt(cert.notBefore, cert.notAfter, windowDays ?? this.options.renewalDays);
    if (now < opens) throw new CloudError('RENEWAL_NOT_OPEN', 409, `尚未到更新期，${new Date(opens).toISOString().slice(0, 10)} 起可在线更新`, `renewal opens on ${new Date(opens).toISOString().slice(0, 10)}`);
    return { device, share, cert, template };
  }

  renewOpen(deviceId: string, now = Date.now()): { enrollmentId: string; algorithm: KeyKind; serial: string } {
    return this.store.transaction(() => {
      const { device, share, cert, template } = this.renewable(deviceId, now);
      const record: EnrollmentRecord = {
        id: randomUUID(), staffId: device.staffId, algorithm: share.algorithm as KeyKind, codeHash: sha256(randomBytes(32).toString('hex')), expiresAt: now + 10 * 60_000,
        status: 'pending', deviceId, sealedState: null, csrInfoHash: null, createdAt: now, renewsSerial: cert.serial, // bound to this device from the start
        templateId: template.templateId,
      };
      this.store.enrollments.insert(record);
      return { enrollmentId: record.id, algorithm: record.algorithm, serial: cert.serial };
    });
  }

  /** Renewal step 1: the key generation round on the device that opened it (no new device). */
  renewStart(deviceId: string, input: { enrollmentId: string; keygen: PhoneKeygen }, now = Date.now()) {
    return this.store.transaction(() => {
      const e = this.store.enrollments.get(input.enrollmentId);
      if (!e || !e.renewsSerial || e.deviceId !== deviceId) throw Errors.notFound({ en: 'renewal', zh: '更新申请' });
      if (e.status !== 'pending') throw EnrollmentErrors.wrongStep();
      if (e.expiresAt <= now) throw EnrollmentErrors.expiredCode();
      const { state, reply } = this.keygenStep(e, input.keygen);
      this.store.enrollments.update({ ...e, status: 'keygen', deviceId, sealedState: this.seal(e.id, state) });
      return { enrollmentId: e.id, algorithm: e.algorithm, ...(reply ? { keygenReply: reply } : {}) };
    });
  }

  private owned(deviceId: string, enrollmentId: string, status: EnrollmentRecord['status']): EnrollmentRecord {
    const e = this.store.enrollments.get(enrollmentId);
    if (!e || e.deviceId !== deviceId) throw Errors.notFound({ en: 'enrollment', zh: '申请' });
    if (e.status !== status) throw EnrollmentErrors.wrongStep();
    return e;
  }

  /** Step 2: confirm the key (SM2), check the request's key, and answer the phone's co-sign commit for it. */
  finish(deviceId: string, input: { enrollmentId: string; keygenConfirm?: unknown; csrInfo: Uint8Array; commit: unknown }) {
    return this.store.transaction(() => {
      const e = this.owned(deviceId, input.enrollmentId, 'keygen');
      let state = this.unseal(e);
      if (state.kind === 'sm2-keygen') {
        if (input.keygenConfirm === undefined) throw Errors.badRequest({ en: 'keygenConfirm is required for SM2', zh: 'SM2 申请需要 keygenConfirm' });
        state = { kind: 'sm2', share: cloudKeygenConfirm(state.state, input.keygenConfirm) };
      }
      const spki = shareSpki(state);
      if (!equalBytes(csrInfoPublicKey(input.csrInfo), spki)) throw EnrollmentErrors.keyMismatch();
      const sessionId = `csr-${e.id}`;
      let reply: unknown;
      if (state.kind === 'sm2') {
        const e1 = sm2Digest(pointFromHex(state.share.publicKey), input.csrInfo);
        reply = cloudSignRespond(state.share, { sessionId, digests: [toHex(e1)], step: 'awaiting-phone-commit' }, input.commit);
      } else if (state.kind === 'rsa') {
        const h = createHash('sha256').update(input.csrInfo).digest('hex');
        reply = cloudRsaSignRespond(state.share, { sessionId, hash: 'sha256', digests: [h], step: 'awaiting-phone-request' }, input.commit);
      }
      this.store.enrollments.update({ ...e, status: 'csr', sealedState: this.seal(e.id, state), csrInfoHash: sha256(input.csrInfo) });
      return { enrollmentId: e.id, cosignReply: reply };
    });
  }

  /** Step 3: verify the co-signed request, issue the certificate from the staff attributes, keep the share. */
  async complete(deviceId: string, input: { enrollmentId: string; csr: Uint8Array }, now = new Date()) {
    const e = this.owned(deviceId, input.enrollmentId, 'csr');
    const state = this.unseal(e);
    if (state.kind === 'sm2-keygen') throw EnrollmentErrors.wrongStep();
    const csr = parseCsr(input.csr);
    if (sha256(csr.info) !== e.csrInfoHash) throw Errors.badRequest({ en: 'the request is not the one co-signed', zh: '证书请求与协同签名的内容不一致' });
    if (!csr.signatureValid) throw Errors.badRequest({ en: 'the request signature (proof of possession) is invalid', zh: '证书请求签名无效' });
    const staff = this.store.staff.get(e.staffId)!;
    const spki = shareSpki(state);
    // the template's current version at issue time (issue 7); the validity is exactly its validityDays
    const template = templateForIssue(this.store, e.templateId ?? null, e.algorithm);
    const profile = renderProfile(template.definition, staff, this.pki.organization, spki);
    const notBefore = new Date(now.getTime() - 60_000);
    const cert = await this.pki.prepareCertificate(e.algorithm === 'sm2' ? 'sm2' : 'rsa', {
      subject: profile.subject,
      publicKey: spki,
      notBefore,
      notAfter: new Date(notBefore.getTime() + profile.validityDays * 864e5),
      extensions: profile.extensions,
      staffId: staff.id,
      template: { id: template.templateId, version: template.version },
    });
    // the certificate, the share and the enrollment's end are one transaction
    this.store.transaction(() => {
      const current = this.owned(deviceId, input.enrollmentId, 'csr'); // still ours, not completed concurrently
      if (current.renewsSerial && this.store.certificates.get(current.renewsSerial)?.status !== 'good') {
        throw Errors.conflict({ en: 'the certificate being renewed was revoked or put on hold meanwhile', zh: '待更新的证书已被吊销或冻结' });
      }
      this.store.certificates.insert(cert);
      const shareId = randomUUID();
      this.store.shares.insert({
        id: shareId,
        staffId: staff.id,
        deviceId,
        algorithm: e.algorithm,
        // sealed under its own record id, so it cannot be swapped between rows
        sealedShare: this.sealer.seal(new TextEncoder().encode(JSON.stringify(state.share)), `share:${shareId}`),
        publicKey: spki,
        certificateSerial: cert.serial,
        status: 'active',
        failures: 0,
        createdAt: now.getTime(),
      });
      this.store.enrollments.update({ ...current, status: 'completed', sealedState: null });
      this.audit?.record({ actorType: 'device', actor: deviceId, action: current.renewsSerial ? 'certificate.renew' : 'certificate.issue', target: cert.serial, result: 'ok', details: { employeeNo: staff.employeeNo, staffName: staff.name, enrollmentId: current.id, algorithm: e.algorithm, caName: cert.caName, subject: cert.subject, notAfter: new Date(cert.notAfter), renews: current.renewsSerial } });
    });
    return { supersedes: e.renewsSerial, certificate: cert.der, chain: [this.pki.ca(`${e.algorithm === 'sm2' ? 'sm2' : 'rsa'}-issuing`).certificate, this.pki.ca(`${e.algorithm === 'sm2' ? 'sm2' : 'rsa'}-root`).certificate] };
  }

}

function checkRsaShare(input: { n: string; e: string; d2: string }, bits: number): CloudRsaShare {
  const hex = /^[0-9a-f]{1,1024}$/;
  if (!hex.test(input.n) || !hex.test(input.e) || !hex.test(input.d2)) throw Errors.badRequest({ en: 'n, e and d2 must be lowercase hex', zh: 'n、e、d2 应为小写十六进制' });
  const n = BigInt('0x' + input.n);
  const d2 = BigInt('0x' + input.d2);
  if (n.toString(2).length !== bits) throw Errors.badRequest({ en: `the modulus must be ${bits} bits`, zh: `模数应为 ${bits} 位` });
  if (BigInt('0x' + input.e) !== 65537n) throw Errors.badRequest({ en: 'e must be 65537', zh: '公钥指数应为 65537' });
  if (d2 <= 1n || d2 >= n) throw Errors.badRequest({ en: 'd2 out of range', zh: 'd2 超出范围' });
  return { algorithm: 'rsa', n: input.n, e: input.e, d2: input.d2 };
}

function shareSpki(state: SealedState): Uint8Array {
  if (state.kind === 'sm2') return publicKeyToSpki({ algorithm: 'sm2', point: pointFromHex(state.share.publicKey) });
  if (state.kind === 'rsa') return publicKeyToSpki({ algorithm: 'rsa', n: BigInt('0x' + state.share.n), e: BigInt('0x' + state.share.e) });
  throw EnrollmentErrors.wrongStep();
}
