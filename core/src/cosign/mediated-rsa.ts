/**
 * Mediated RSA (Boneh, Ding, Tsudik, Wong, "A method for fast revocation of public key
 * certificates and security capabilities", USENIX Security 2001), with the phone as dealer:
 *
 *   dealer (phone, once):  RSA key (n, e, d); d2 ←$ [1, φ(n)); d1 = d − d2 mod φ(n);
 *                          d2 goes to the cloud (encrypted); d, p, q, φ are dropped
 *   sign:   EM = EMSA-PKCS1-v1_5(hash, digest)
 *           cloud σ2 = EM^d2 mod n,  phone σ1 = EM^d1 mod n,  S = σ1·σ2 mod n
 *           phone checks S^e ≡ EM before releasing S
 *
 * d1 + d2 ≡ d (mod φ(n)), so S = EM^d, an ordinary RSASSA-PKCS1-v1_5 signature. No CRT is
 * possible without p and q, so each half is one full-length modexp, done natively by the
 * runtime where it can. JavaScript cannot reliably erase BigInt memory; "dropped" means no
 * reference is kept.
 */
import { HASH_LENGTH, type HashAlgorithm, assertHashAlgorithm } from '../digest.js';
import { bigIntToBytes, bytesToBigInt, concatBytes, equalBytes, fromHex, toHex, utf8 } from '../encoding.js';
import { sm3 } from '../digest.js';
import { MedSignError, medsignError } from '../errors.js';
import { runtime } from '../runtime/current.js';
import { emsaPkcs1v15 } from '../rsa/pkcs1.js';
import { expectArray, expectDigestHex, expectMessage, expectSameSession, expectSessionId, PROTOCOL_VERSION } from './wire.js';

export type RsaModulusBits = 1024 | 2048;
export const RSA_MODULUS_BITS: readonly RsaModulusBits[] = [2048, 1024];

/** The phone's share. n, e and d1 are hex. Store d1 only encrypted. */
export interface PhoneRsaShare {
  algorithm: 'rsa';
  n: string;
  e: string;
  d1: string;
}

/** The cloud's share, sent by the dealer (encrypted in transit and at rest). */
export interface CloudRsaShare {
  algorithm: 'rsa';
  n: string;
  e: string;
  d2: string;
}

export interface RsaSignRequest {
  sessionId: string;
  hash: HashAlgorithm;
  digests: string[];
}

export interface RsaSignPhoneRequest {
  type: 'rsa-sign/phone-request';
  v: 1;
  sessionId: string;
  count: number;
}

export interface RsaSignReply {
  type: 'rsa-sign/cloud-reply';
  v: 1;
  sessionId: string;
  commitment: string;
  sigma2: string[];
}

export interface PhoneRsaSignState {
  role: 'phone';
  sessionId: string;
  step: 'awaiting-cloud-reply' | 'done';
  hash: HashAlgorithm;
  digests: string[];
  commitment: string;
}

export interface CloudRsaSignSession {
  sessionId: string;
  hash: HashAlgorithm;
  digests: string[];
  step: 'awaiting-phone-request' | 'answered';
}

const hexToBig = (h: string): bigint => BigInt('0x' + h);
const modulusBytes = (n: bigint): number => Math.ceil(n.toString(16).length / 2);

/** Uniform in [1, bound) by rejection sampling from the CSPRNG. */
function randomBelow(bound: bigint): bigint {
  const bits = bound.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const excess = BigInt(bytes * 8 - bits);
  for (;;) {
    const v = bytesToBigInt(runtime().randomBytes(bytes)) >> excess;
    if (v >= 1n && v < bound) return v;
  }
}

/** Dealer: generate an RSA key and split d. Runs on the phone at enrollment. */
export async function rsaDealerSplit(bits: RsaModulusBits): Promise<{ phone: PhoneRsaShare; cloud: CloudRsaShare }> {
  if (!RSA_MODULUS_BITS.includes(bits)) throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'RSA modulus must be 1024 or 2048 bits' });
  const key = await runtime().generateRsaKey(bits);
  const phi = (key.p - 1n) * (key.q - 1n);
  let d1 = 0n;
  let d2 = 0n;
  while (d1 === 0n) {
    d2 = randomBelow(phi);
    d1 = (((key.d - d2) % phi) + phi) % phi;
  }
  const n = toHex(bigIntToBytes(key.n, bits / 8));
  const e = key.e.toString(16);
  return {
    phone: { algorithm: 'rsa', n, e, d1: d1.toString(16) },
    cloud: { algorithm: 'rsa', n, e, d2: d2.toString(16) },
  };
}

function encodeAll(hash: HashAlgorithm, digests: Uint8Array[], n: bigint): Uint8Array[] {
  return digests.map((d) => emsaPkcs1v15(hash, d, modulusBytes(n)));
}

function commitmentOf(sessionId: string, hash: HashAlgorithm, digests: Uint8Array[]): string {
  return toHex(sm3(concatBytes(utf8('MedSign/RSA/sign-commitment/v1'), utf8(sessionId), new Uint8Array([0]), utf8(hash), ...digests)));
}

function readDigests(hash: unknown, digests: unknown): { hash: HashAlgorithm; digests: Uint8Array[] } {
  assertHashAlgorithm(hash);
  return { hash, digests: expectArray(digests, 'digests').map((d, i) => expectDigestHex(d, HASH_LENGTH[hash], `digests[${i}]`)) };
}

/** Phone, step 1: ask the cloud for its halves. */
export function phoneRsaSignStart(request: RsaSignRequest): { state: PhoneRsaSignState; message: RsaSignPhoneRequest } {
  const sessionId = expectSessionId(request.sessionId);
  const { hash, digests } = readDigests(request.hash, request.digests);
  return {
    state: { role: 'phone', sessionId, step: 'awaiting-cloud-reply', hash, digests: digests.map(toHex), commitment: commitmentOf(sessionId, hash, digests) },
    message: { type: 'rsa-sign/phone-request', v: PROTOCOL_VERSION, sessionId, count: digests.length },
  };
}

/** Cloud, step 2: σ2 = EM^d2 mod n for each digest of the session. Marks the session answered. */
export function cloudRsaSignRespond(share: CloudRsaShare, session: CloudRsaSignSession, request: unknown): RsaSignReply {
  if (session.step !== 'awaiting-phone-request') throw medsignError('SESSION_REPLAY', { details: { step: session.step } });
  const msg = expectMessage(request, 'rsa-sign/phone-request');
  expectSameSession(session.sessionId, msg.sessionId);
  const { hash, digests } = readDigests(session.hash, session.digests);
  if (msg.count !== digests.length) throw medsignError('SESSION_MISMATCH', { en: 'digest count differs from the session' });
  const n = hexToBig(share.n);
  const raise = runtime().rsaExponentiator(n, hexToBig(share.d2));
  session.step = 'answered';
  return {
    type: 'rsa-sign/cloud-reply',
    v: PROTOCOL_VERSION,
    sessionId: session.sessionId,
    commitment: commitmentOf(session.sessionId, hash, digests),
    sigma2: encodeAll(hash, digests, n).map((em) => toHex(raise(em))),
  };
}

/** Phone, step 3: σ1, S = σ1·σ2 mod n, and S^e ≡ EM for every digest before any S is released. */
export function phoneRsaSignFinish(share: PhoneRsaShare, state: PhoneRsaSignState, reply: unknown): Uint8Array[] {
  if (state.step !== 'awaiting-cloud-reply') throw medsignError('SESSION_REPLAY', { details: { step: state.step } });
  state.step = 'done';
  const msg = expectMessage(reply, 'rsa-sign/cloud-reply');
  expectSameSession(state.sessionId, msg.sessionId);
  if (msg.commitment !== state.commitment) {
    throw medsignError('SESSION_MISMATCH', { zh: '云端签名的内容与手机显示的不一致', en: 'the cloud signed other documents than the phone showed' });
  }
  const n = hexToBig(share.n);
  const k = modulusBytes(n);
  const ems = encodeAll(state.hash, state.digests.map((d) => fromHex(d)), n);
  let sigma2: bigint[];
  try {
    sigma2 = expectArray(msg.sigma2, 'sigma2', ems.length).map((v) => {
      const b = expectDigestHex(v, k, 'sigma2');
      const x = bytesToBigInt(b);
      if (x <= 1n || x >= n) throw medsignError('INPUT_INVALID', { en: 'sigma2 outside (1, n)' });
      return x;
    });
  } catch (err) {
    throw medsignError('COSIGN_REPLY_INVALID', { en: err instanceof MedSignError ? err.en : 'malformed reply' });
  }
  const rt = runtime();
  const raiseD1 = rt.rsaExponentiator(n, hexToBig(share.d1));
  const raiseE = rt.rsaExponentiator(n, hexToBig(share.e));
  return ems.map((em, i) => {
    const S = bigIntToBytes((bytesToBigInt(raiseD1(em)) * sigma2[i]!) % n, k);
    if (!equalBytes(raiseE(S), em)) throw medsignError('SIGNATURE_CHECK_FAILED', { details: { index: i } });
    return S;
  });
}
