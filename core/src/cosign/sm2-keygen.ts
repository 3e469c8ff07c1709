/**
 * Two-party SM2 key generation with the multiplicative split (ARCHITECTURE.md, "Co-signing protocols"):
 *
 *   (1 + d)⁻¹ = d1·d2 mod n      phone holds d1, cloud holds d2, d is never formed
 *   P = d·G = (d1·d2)⁻¹·G − G
 *
 *   phone → cloud  hello:   P1 = d1⁻¹·G   + proof of knowledge of d1⁻¹
 *   cloud → phone  reply:   P2 = d2⁻¹·G   + proof of knowledge of d2⁻¹, and P = d2⁻¹·P1 − G
 *   phone → cloud  confirm: P = d1⁻¹·P2 − G, computed independently and compared
 *
 * Each step is a pure function over plain JSON-able messages and states. Functions that
 * consume a state mark it done and wipe its secret, so a replayed step is refused.
 * The phone must store only d1 (encrypted under its PIN) and P: P1 stored next to d1
 * would let a thief confirm PIN guesses offline.
 */
import { medsignError } from '../errors.js';
import { runtime } from '../runtime/current.js';
import { Sm2Point } from '../sm2/curve.js';
import { pointFromHex, pointToHex } from '../sm2/point.js';
import { invN, randomScalar, scalarFromHex, scalarToHex } from '../sm2/scalar.js';
import { proveKnowledge, verifyKnowledge, type SchnorrProof } from './schnorr.js';
import { expectMessage, expectSameSession, expectSessionId, PROTOCOL_VERSION } from './wire.js';

/** The phone's half of an SM2 key. Store d1 only encrypted; `publicKey` is P (also in the certificate). */
export interface PhoneSm2Share {
  algorithm: 'sm2';
  d1: string;
  publicKey: string;
}

/** The cloud's half of an SM2 key. The cloud stores d2 encrypted under its key-encryption key. */
export interface CloudSm2Share {
  algorithm: 'sm2';
  d2: string;
  publicKey: string;
}

export interface Sm2KeygenHello {
  type: 'sm2-keygen/phone-hello';
  v: 1;
  sessionId: string;
  p1: string;
  proof: SchnorrProof;
}

export interface Sm2KeygenReply {
  type: 'sm2-keygen/cloud-reply';
  v: 1;
  sessionId: string;
  p2: string;
  proof: SchnorrProof;
  publicKey: string;
}

export interface Sm2KeygenConfirm {
  type: 'sm2-keygen/phone-confirm';
  v: 1;
  sessionId: string;
  publicKey: string;
}

export interface PhoneKeygenState {
  role: 'phone';
  sessionId: string;
  step: 'awaiting-cloud-reply' | 'done';
  d1: string;
}

export interface CloudKeygenState {
  role: 'cloud';
  sessionId: string;
  step: 'awaiting-phone-hello' | 'awaiting-phone-confirm' | 'done';
  d2: string;
  publicKey: string;
}

const proofContext = (sessionId: string, role: 'phone' | 'cloud'): string => `sm2-keygen|${sessionId}|${role}`;

/** P = k·X − G, with a secret k: constant-time multiply. */
function derivePublicKey(k: bigint, X: Sm2Point): Sm2Point {
  const P = X.multiply(k).subtract(Sm2Point.BASE);
  if (P.is0()) throw medsignError('PUBLIC_KEY_MISMATCH', { en: 'derived public key is the identity' });
  return P;
}

function consume<S extends { step: string }>(state: S, expected: S['step']): void {
  if (state.step !== expected) throw medsignError('SESSION_REPLAY', { details: { step: state.step } });
}

/** Phone, step 1: pick d1, send P1 = d1⁻¹·G with a proof. */
export function phoneKeygenStart(sessionId: string): { state: PhoneKeygenState; message: Sm2KeygenHello } {
  expectSessionId(sessionId);
  const d1 = randomScalar();
  const x = invN(d1);
  const P1 = runtime().sm2.mulBase(x);
  return {
    state: { role: 'phone', sessionId, step: 'awaiting-cloud-reply', d1: scalarToHex(d1) },
    message: { type: 'sm2-keygen/phone-hello', v: PROTOCOL_VERSION, sessionId, p1: pointToHex(P1), proof: proveKnowledge(x, P1, proofContext(sessionId, 'phone')) },
  };
}

/** Cloud, when an enrollment opens a key-generation session. */
export function cloudKeygenOpen(sessionId: string): CloudKeygenState {
  return { role: 'cloud', sessionId: expectSessionId(sessionId), step: 'awaiting-phone-hello', d2: '', publicKey: '' };
}

/** Cloud, step 2: check the phone's proof, pick d2, compute P and answer. */
export function cloudKeygenRespond(state: CloudKeygenState, hello: unknown): Sm2KeygenReply {
  consume(state, 'awaiting-phone-hello');
  const msg = expectMessage(hello, 'sm2-keygen/phone-hello');
  expectSameSession(state.sessionId, msg.sessionId);
  const P1 = pointFromHex(msg.p1, 'p1');
  verifyKnowledge(P1, msg.proof, proofContext(state.sessionId, 'phone'));

  const d2 = randomScalar();
  const x = invN(d2);
  const P2 = runtime().sm2.mulBase(x);
  const P = derivePublicKey(x, P1);
  state.step = 'awaiting-phone-confirm';
  state.d2 = scalarToHex(d2);
  state.publicKey = pointToHex(P);
  return {
    type: 'sm2-keygen/cloud-reply',
    v: PROTOCOL_VERSION,
    sessionId: state.sessionId,
    p2: pointToHex(P2),
    proof: proveKnowledge(x, P2, proofContext(state.sessionId, 'cloud')),
    publicKey: state.publicKey,
  };
}

/** Phone, step 3: check the cloud's proof, compute P itself, compare, and confirm. */
export function phoneKeygenFinish(
  state: PhoneKeygenState,
  reply: unknown,
): { share: PhoneSm2Share; message: Sm2KeygenConfirm } {
  consume(state, 'awaiting-cloud-reply');
  const d1 = scalarFromHex(state.d1, 'd1');
  state.step = 'done';
  state.d1 = '';
  const msg = expectMessage(reply, 'sm2-keygen/cloud-reply');
  expectSameSession(state.sessionId, msg.sessionId);
  const P2 = pointFromHex(msg.p2, 'p2');
  verifyKnowledge(P2, msg.proof, proofContext(state.sessionId, 'cloud'));
  const P = derivePublicKey(invN(d1), P2);
  if (!P.equals(pointFromHex(msg.publicKey, 'publicKey'))) throw medsignError('PUBLIC_KEY_MISMATCH');
  const publicKey = pointToHex(P);
  return {
    share: { algorithm: 'sm2', d1: scalarToHex(d1), publicKey },
    message: { type: 'sm2-keygen/phone-confirm', v: PROTOCOL_VERSION, sessionId: state.sessionId, publicKey },
  };
}

/** Cloud, step 4: the phone's P must equal the cloud's; only then is the share kept. */
export function cloudKeygenConfirm(state: CloudKeygenState, confirm: unknown): CloudSm2Share {
  consume(state, 'awaiting-phone-confirm');
  const msg = expectMessage(confirm, 'sm2-keygen/phone-confirm');
  expectSameSession(state.sessionId, msg.sessionId);
  state.step = 'done';
  if (!pointFromHex(msg.publicKey, 'publicKey').equals(pointFromHex(state.publicKey))) {
    state.d2 = '';
    throw medsignError('PUBLIC_KEY_MISMATCH');
  }
  const share: CloudSm2Share = { algorithm: 'sm2', d2: state.d2, publicKey: state.publicKey };
  state.d2 = '';
  return share;
}
