/**
 * A phone for the cloud tests, built from core's phone-side protocol functions (the mobile
 * package will wrap the same calls): device key, signed requests, enrollment.
 */
import {
  fromHex,
  verificationCode,
  assembleCsr,
  buildCsrInfo,
  buildName,
  encodeSm2SignatureDer,
  generateSm2KeyPair,
  phoneKeygenFinish,
  phoneKeygenStart,
  phoneRsaSignFinish,
  phoneRsaSignStart,
  phoneSignFinish,
  phoneSignStart,
  pointFromHex,
  publicKeyToSpki,
  rsaDealerSplit,
  sealForTransport,
  signDeviceRequest,
  transportKeyFingerprint,
  sm2Digest,
  sm2PublicKeyToSpki,
  toHex,
  type PhoneRsaShare,
  type PhoneSm2Share,
  type Sm2KeyPair,
} from '@medsign/core';
import { createHash } from 'node:crypto';

export interface Phone {
  device: Sm2KeyPair & { id: string };
  share: PhoneSm2Share | PhoneRsaShare;
  certificate: Uint8Array;
  chain: Uint8Array[];
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string } };
}

/** A device-signed POST; `tamper` changes the body after signing (for negative tests). */
export async function devicePost(url: string, device: Sm2KeyPair & { id: string }, path: string, body: unknown, opts: { tamper?: (s: string) => string; headers?: Record<string, string> } = {}) {
  const text = JSON.stringify(body);
  const headers = opts.headers ?? { ...signDeviceRequest({ id: device.id, privateKey: device.privateKey, publicKey: device.publicKey }, 'POST', path, new TextEncoder().encode(text)) };
  const sent = opts.tamper ? opts.tamper(text) : text;
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string }, headers };
}

/** Enroll through the HTTP API, as the phone does after scanning the QR code. */
/**
 * Seal d2 to the cloud's share-transport key, after checking the key against the fingerprint
 * from the QR code (when given).
 */
export async function sealShareFor(url: string, enrollmentId: string, d2: string, expectedFingerprint?: string) {
  const r = (await (await fetch(`${url}/api/v1/mobile/transport-key`)).json()) as { spki: string; sha256: string };
  const spki = new Uint8Array(Buffer.from(r.spki, 'base64'));
  if (expectedFingerprint !== undefined && transportKeyFingerprint(spki) !== expectedFingerprint) throw new Error('transport key does not match the QR code');
  return sealForTransport(spki, enrollmentId, new TextEncoder().encode(d2));
}

export async function enroll(url: string, enrollmentId: string, activationCode: string, algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024', opts: { transportFingerprint?: string } = {}): Promise<Phone> {
  const deviceKeys = generateSm2KeyPair();
  const devicePublicKey = b64(sm2PublicKeyToSpki(deviceKeys.publicKey));
  if (algorithm === 'sm2') {
    const kg = phoneKeygenStart(enrollmentId);
    const start = await post(url, '/api/v1/mobile/enroll/start', { enrollmentId, activationCode, devicePublicKey, keygen: { type: 'sm2', hello: kg.message } });
    if (start.status !== 200) throw new Error(`start: ${JSON.stringify(start.json)}`);
    const device = { ...deviceKeys, id: start.json.deviceId as string };
    const { share, message: confirm } = phoneKeygenFinish(kg.state, start.json.keygenReply);
    const P = pointFromHex(share.publicKey);
    const info = buildCsrInfo(buildName([{ type: 'CN', value: 'enrollment' }]), publicKeyToSpki({ algorithm: 'sm2', point: P }));
    const sign = phoneSignStart({ sessionId: `csr-${enrollmentId}`, digests: [toHex(sm2Digest(P, info))] });
    const finish = await devicePost(url, device, '/api/v1/mobile/enroll/finish', { enrollmentId, keygenConfirm: confirm, csrInfo: b64(info), commit: sign.message });
    if (finish.status !== 200) throw new Error(`finish: ${JSON.stringify(finish.json)}`);
    const [sig] = phoneSignFinish(share, sign.state, finish.json.cosignReply);
    const done = await devicePost(url, device, '/api/v1/mobile/enroll/complete', { enrollmentId, csr: b64(assembleCsr(info, 'sm2-with-sm3', encodeSm2SignatureDer(sig!))) });
    if (done.status !== 200) throw new Error(`complete: ${JSON.stringify(done.json)}`);
    return { device, share, certificate: new Uint8Array(Buffer.from(done.json.certificate as string, 'base64')), chain: (done.json.chain as string[]).map((c) => new Uint8Array(Buffer.from(c, 'base64'))) };
  }
  const shares = await rsaDealerSplit(algorithm === 'rsa-2048' ? 2048 : 1024);
  const sealedD2 = await sealShareFor(url, enrollmentId, shares.cloud.d2, opts.transportFingerprint);
  const start = await post(url, '/api/v1/mobile/enroll/start', { enrollmentId, activationCode, devicePublicKey, keygen: { type: 'rsa', n: shares.cloud.n, e: shares.cloud.e, sealedD2 } });
  if (start.status !== 200) throw new Error(`start: ${JSON.stringify(start.json)}`);
  const device = { ...deviceKeys, id: start.json.deviceId as string };
  const spki = publicKeyToSpki({ algorithm: 'rsa', n: BigInt('0x' + shares.phone.n), e: BigInt('0x' + shares.phone.e) });
  const info = buildCsrInfo(buildName([{ type: 'CN', value: 'enrollment' }]), spki);
  const sign = phoneRsaSignStart({ sessionId: `csr-${enrollmentId}`, hash: 'sha256', digests: [createHash('sha256').update(info).digest('hex')] });
  const finish = await devicePost(url, device, '/api/v1/mobile/enroll/finish', { enrollmentId, csrInfo: b64(info), commit: sign.message });
  if (finish.status !== 200) throw new Error(`finish: ${JSON.stringify(finish.json)}`);
  const [sig] = phoneRsaSignFinish(shares.phone, sign.state, finish.json.cosignReply);
  const done = await devicePost(url, device, '/api/v1/mobile/enroll/complete', { enrollmentId, csr: b64(assembleCsr(info, 'rsa-with-sha256', sig!)) });
  if (done.status !== 200) throw new Error(`complete: ${JSON.stringify(done.json)}`);
  return { device, share: shares.phone, certificate: new Uint8Array(Buffer.from(done.json.certificate as string, 'base64')), chain: (done.json.chain as string[]).map((c) => new Uint8Array(Buffer.from(c, 'base64'))) };
}

export async function deviceGet(url: string, device: Sm2KeyPair & { id: string }, path: string) {
  const headers = signDeviceRequest({ id: device.id, privateKey: device.privateKey, publicKey: device.publicKey }, 'GET', path, new Uint8Array(0));
  const r = await fetch(`${url}${path}`, { headers: { ...headers } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string } };
}

export interface PendingSession {
  sessionId: string;
  kind: string;
  app: string;
  workstation: string;
  count: number;
  summaries: string[];
  hash: 'sm3' | 'sha256' | 'sha1';
  digests: string[];
  verificationCode: string;
}

/**
 * Approve a pending session as the phone does: recompute the verification code from the
 * digests it is about to sign, then commit → finish (verified locally) → complete.
 * `wrongPin` simulates a PIN that decrypts to the wrong share.
 */
export async function approve(url: string, phone: Phone, s: PendingSession, opts: { wrongPin?: boolean } = {}): Promise<{ status: string; code?: string }> {
  if (verificationCode(s.digests.map((d) => fromHex(d))) !== s.verificationCode) throw new Error('verification code mismatch');
  const share = opts.wrongPin ? wrongShare(phone.share) : phone.share;
  const path = `/api/v1/mobile/sessions/${s.sessionId}`;
  if (share.algorithm === 'sm2') {
    const st = phoneSignStart({ sessionId: s.sessionId, digests: s.digests });
    const c = await devicePost(url, phone.device, `${path}/commit`, { commit: st.message });
    if (c.status !== 200) return { status: 'commit-refused', ...(c.json.code ? { code: c.json.code } : {}) };
    let sigs: Uint8Array[];
    try {
      sigs = phoneSignFinish(share, st.state, c.json.reply).map((g) => encodeSm2SignatureDer(g));
    } catch {
      await devicePost(url, phone.device, `${path}/reject`, {});
      return { status: 'phone-check-failed' };
    }
    const done = await devicePost(url, phone.device, `${path}/complete`, { signatures: sigs.map(b64) });
    return { status: done.json.status as string };
  }
  const st = phoneRsaSignStart({ sessionId: s.sessionId, hash: s.hash, digests: s.digests });
  const c = await devicePost(url, phone.device, `${path}/commit`, { commit: st.message });
  if (c.status !== 200) return { status: 'commit-refused', ...(c.json.code ? { code: c.json.code } : {}) };
  let sigs: Uint8Array[];
  try {
    sigs = phoneRsaSignFinish(share as PhoneRsaShare, st.state, c.json.reply);
  } catch {
    await devicePost(url, phone.device, `${path}/reject`, {});
    return { status: 'phone-check-failed' };
  }
  const done = await devicePost(url, phone.device, `${path}/complete`, { signatures: sigs.map(b64) });
  return { status: done.json.status as string };
}

function wrongShare(share: PhoneSm2Share | PhoneRsaShare): PhoneSm2Share | PhoneRsaShare {
  if (share.algorithm === 'sm2') {
    const d1 = ((BigInt('0x' + share.d1) + 1n) % 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n).toString(16).padStart(64, '0');
    return { ...share, d1 };
  }
  return { ...share, d1: (BigInt('0x' + share.d1) + 1n).toString(16) };
}

export async function pending(url: string, phone: Phone): Promise<PendingSession[]> {
  const r = await deviceGet(url, phone.device, '/api/v1/mobile/pending');
  return r.json.sessions as PendingSession[];
}
