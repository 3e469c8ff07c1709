/**
 * Two-party SM2 signing over the split (1 + d)⁻¹ = d1·d2 (ARCHITECTURE.md):
 *
 *   phone → cloud  commit:  Q1 = k1·G                        (one per digest)
 *   cloud → phone  reply:   (x1, ·) = k3·Q1 + k2·G,  r = (e + x1) mod n,
 *                           s2 = d2·k3,  s3 = d2·(r + k2)      (mod n)
 *   phone                   s = d1·k1·s2 + d1·s3 − r  mod n
 *
 * Then s = d1d2(k1k3 + k2 + r) − r = (1 + d)⁻¹(k − r·d) with k = k1k3 + k2: an ordinary
 * SM2 signature. A batch of N digests is N independent instances in one round trip.
 *
 * Checks: every point validated; r, s2, s3 ∈ [1, n−1]; s ∉ {0, n − r}; fresh CSPRNG
 * nonces; the phone verifies each signature against P before releasing any (a reply
 * with s2 = 0, s3 = 1 would otherwise output s = d1 − r and leak d1); the cloud signs
 * the digests of its own authenticated session, never digests sent by the phone.
 */
import { bytesToBigInt, concatBytes, fromHex, toHex, utf8 } from '../encoding.js';
import { sm3 } from '../digest.js';
import { MedSignError, medsignError } from '../errors.js';
import { runtime } from '../runtime/current.js';
import { N, type Sm2Point } from '../sm2/curve.js';
import { pointFromHex, pointToHex } from '../sm2/point.js';
import { modN, randomScalar, scalarFromHex, scalarToHex } from '../sm2/scalar.js';
import { sm2VerifyDigest, type Sm2Signature } from '../sm2/signature.js';
import type { CloudSm2Share, PhoneSm2Share } from './sm2-keygen.js';
import { expectArray, expectDigestHex, expectMessage, expectSameSession, expectSessionId, PROTOCOL_VERSION } from './wire.js';

/** What is to be signed: the session and its SM2 digests e = SM3(Z_A ‖ M), hex. */
export interface Sm2SignRequest {
  sessionId: string;
  digests: string[];
}

export interface Sm2SignCommit {
  type: 'sm2-sign/phone-commit';
  v: 1;
  sessionId: string;
  q1: string[];
}

export interface Sm2SignReply {
  type: 'sm2-sign/cloud-reply';
  v: 1;
  sessionId: string;
  /** SM3 over the session, the digests and the Q1s the cloud answered: binds reply to commit. */
  commitment: string;
  r: string[];
  s2: string[];
  s3: string[];
}

export interface PhoneSignState {
  role: 'phone';
  sessionId: string;
  step: 'awaiting-cloud-reply' | 'done';
  digests: string[];
  k1: string[];
  commitment: string;
}

/** The cloud's record of a sign session, as its store keeps it. */
export interface CloudSignSession {
  sessionId: string;
  digests: string[];
  step: 'awaiting-phone-commit' | 'answered';
}

function commitmentOf(sessionId: string, digests: Uint8Array[], q1: string[]): string {
  const parts: Uint8Array[] = [utf8('MedSign/SM2/sign-commitment/v1'), utf8(sessionId), new Uint8Array([0])];
  for (const d of digests) parts.push(d);
  for (const q of q1) parts.push(fromHex(q));
  return toHex(sm3(concatBytes(...parts)));
}

function readDigests(digests: unknown): Uint8Array[] {
  return expectArray(digests, 'digests').map((d, i) => expectDigestHex(d, 32, `digests[${i}]`));
}

/** Phone, step 1: one fresh k1 per digest; send Q1 = k1·G. */
export function phoneSignStart(request: Sm2SignRequest): { state: PhoneSignState; message: Sm2SignCommit } {
  const sessionId = expectSessionId(request.sessionId);
  const digests = readDigests(request.digests);
  const k1 = digests.map(() => randomScalar());
  const q1 = k1.map((k) => pointToHex(runtime().sm2.mulBase(k)));
  return {
    state: {
      role: 'phone',
      sessionId,
      step: 'awaiting-cloud-reply',
      digests: digests.map(toHex),
      k1: k1.map(scalarToHex),
      commitment: commitmentOf(sessionId, digests, q1),
    },
    message: { type: 'sm2-sign/phone-commit', v: PROTOCOL_VERSION, sessionId, q1 },
  };
}

/** One cloud instance: returns r, s2, s3 for digest e and the phone's Q1. */
function cloudInstance(d2: bigint, e: bigint, Q1: Sm2Point): [bigint, bigint, bigint] {
  const { sm2 } = runtime();
  for (;;) {
    const k2 = randomScalar();
    const k3 = randomScalar();
    const x1 = sm2.mulAddX(k2, k3, Q1); // (x1, ·) = k3·Q1 + k2·G
    if (x1 === null) continue;
    const r = modN(e + x1);
    if (r === 0n) continue;
    const s3 = modN(d2 * (r + k2));
    if (s3 === 0n) continue;
    return [r, modN(d2 * k3), s3];
  }
}

/** Cloud, step 2: answer the phone's commit for the session's own digests. Marks the session answered. */
export function cloudSignRespond(share: CloudSm2Share, session: CloudSignSession, commit: unknown): Sm2SignReply {
  if (session.step !== 'awaiting-phone-commit') throw medsignError('SESSION_REPLAY', { details: { step: session.step } });
  const msg = expectMessage(commit, 'sm2-sign/phone-commit');
  expectSameSession(session.sessionId, msg.sessionId);
  const digests = readDigests(session.digests);
  const q1Hex = expectArray(msg.q1, 'q1', digests.length);
  const Q1 = q1Hex.map((q, i) => pointFromHex(q, `q1[${i}]`));
  const d2 = scalarFromHex(share.d2, 'd2');
  session.step = 'answered';
  const out = digests.map((e, i) => cloudInstance(d2, bytesToBigInt(e), Q1[i]!));
  return {
    type: 'sm2-sign/cloud-reply',
    v: PROTOCOL_VERSION,
    sessionId: session.sessionId,
    commitment: commitmentOf(session.sessionId, digests, q1Hex as string[]),
    r: out.map(([r]) => scalarToHex(r)),
    s2: out.map(([, s2]) => scalarToHex(s2)),
    s3: out.map(([, , s3]) => scalarToHex(s3)),
  };
}

/**
 * Phone, step 3: combine, then verify every signature against P. Nothing is returned
 * unless all of them verify. The state is consumed (k1 wiped) whatever the outcome.
 */
export function phoneSignFinish(share: PhoneSm2Share, state: PhoneSignState, reply: unknown): Sm2Signature[] {
  if (state.step !== 'awaiting-cloud-reply') throw medsignError('SESSION_REPLAY', { details: { step: state.step } });
  const k1 = state.k1.map((k) => scalarFromHex(k, 'k1'));
  state.step = 'done';
  state.k1 = [];

  const msg = expectMessage(reply, 'sm2-sign/cloud-reply');
  expectSameSession(state.sessionId, msg.sessionId);
  if (msg.commitment !== state.commitment) {
    throw medsignError('SESSION_MISMATCH', { zh: '云端签名的内容与手机显示的不一致', en: 'the cloud signed other documents than the phone showed' });
  }
  const count = k1.length;
  let r: bigint[], s2: bigint[], s3: bigint[];
  try {
    r = expectArray(msg.r, 'r', count).map((v) => scalarFromHex(v, 'r'));
    s2 = expectArray(msg.s2, 's2', count).map((v) => scalarFromHex(v, 's2'));
    s3 = expectArray(msg.s3, 's3', count).map((v) => scalarFromHex(v, 's3'));
  } catch (err) {
    throw medsignError('COSIGN_REPLY_INVALID', { en: err instanceof MedSignError ? err.en : 'malformed reply' });
  }

  const d1 = scalarFromHex(share.d1, 'd1');
  const P = pointFromHex(share.publicKey, 'publicKey');
  const signatures: Sm2Signature[] = [];
  for (let i = 0; i < count; i++) {
    const ri = r[i]!;
    const s = modN(d1 * modN(k1[i]! * s2[i]! + s3[i]!) - ri);
    if (s === 0n || s + ri === N) throw medsignError('COSIGN_REPLY_INVALID', { en: 's is 0 or n − r; sign again' });
    const sig = { r: ri, s };
    if (!sm2VerifyDigest(P, fromHex(state.digests[i]!), sig)) {
      throw medsignError('SIGNATURE_CHECK_FAILED', { details: { index: i } });
    }
    signatures.push(sig);
  }
  return signatures;
}
