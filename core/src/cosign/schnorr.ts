/**
 * Non-interactive Schnorr proof of knowledge of x with X = x·G (Fiat–Shamir, RFC 8235 §3):
 *   prover:   w ←$ [1, n-1], A = w·G, c = H(ctx ‖ G ‖ X ‖ A) mod n, z = w + c·x mod n
 *   verifier: z·G == A + c·X
 * H is SM3 with a domain-separation tag; ctx binds the proof to one session and one
 * role, so a proof can't be replayed in another session or reflected back to its sender.
 */
import { concatBytes, utf8 } from '../encoding.js';
import { bytesToBigInt } from '../encoding.js';
import { sm3 } from '../digest.js';
import { medsignError } from '../errors.js';
import { runtime } from '../runtime/current.js';
import { Sm2Point } from '../sm2/curve.js';
import { pointFromHex, pointToHex } from '../sm2/point.js';
import { modN, randomScalar, scalarFromHex, scalarToHex } from '../sm2/scalar.js';
import { expectObject } from './wire.js';

export interface SchnorrProof {
  /** commitment A = w·G, hex 04‖x‖y */
  a: string;
  /** response z, 64 hex digits */
  z: string;
}

const TAG = utf8('MedSign/SM2/schnorr-pok/v1');

function challenge(context: string, X: Sm2Point, A: Sm2Point): bigint {
  const ctx = utf8(context);
  const len = new Uint8Array([ctx.length >> 8, ctx.length & 0xff]);
  return modN(bytesToBigInt(sm3(concatBytes(TAG, len, ctx, Sm2Point.BASE.toBytes(false), X.toBytes(false), A.toBytes(false)))));
}

export function proveKnowledge(x: bigint, X: Sm2Point, context: string): SchnorrProof {
  const w = randomScalar();
  const A = runtime().sm2.mulBase(w);
  const z = modN(w + challenge(context, X, A) * x);
  return { a: pointToHex(A), z: scalarToHex(z) };
}

/** Throws PROOF_INVALID unless the proof is well-formed and z·G = A + c·X. All values are public, so variable-time arithmetic is fine. */
export function verifyKnowledge(X: Sm2Point, proof: unknown, context: string): void {
  const p = expectObject(proof, 'proof');
  let A: Sm2Point;
  let z: bigint;
  try {
    A = pointFromHex(p.a, 'proof.a');
    z = scalarFromHex(p.z, 'proof.z');
  } catch {
    throw medsignError('PROOF_INVALID', { en: 'malformed proof' });
  }
  const c = challenge(context, X, A);
  const lhs = Sm2Point.BASE.multiplyUnsafe(z);
  const rhs = c === 0n ? A : A.add(X.multiplyUnsafe(c));
  if (!lhs.equals(rhs)) throw medsignError('PROOF_INVALID');
}
