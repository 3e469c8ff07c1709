/** Arithmetic modulo the SM2 group order n, and scalar encodings. */
import { bigIntToBytes, bytesToBigInt, toHex } from '../encoding.js';
import { medsignError } from '../errors.js';
import { modInverse } from '../modular.js';
import { runtime } from '../runtime/current.js';
import { N, SCALAR_BYTES } from './curve.js';

/** a mod n, in [0, n). */
export function modN(a: bigint): bigint {
  const r = a % N;
  return r < 0n ? r + N : r;
}

/** a⁻¹ mod n (n is prime). */
export function invN(a: bigint): bigint {
  if (modN(a) === 0n) throw medsignError('SCALAR_OUT_OF_RANGE', { en: 'zero has no inverse' });
  return modInverse(a, N);
}

export function isScalarInRange(k: bigint): boolean {
  return k >= 1n && k < N;
}

/**
 * Uniform scalar in [1, n-1] by rejection sampling 256-bit strings from the CSPRNG
 * (runtime.randomBytes: crypto.randomBytes or getRandomValues). A rejection happens
 * with probability < 2^-32, so the loop is effectively one draw.
 */
export function randomScalar(): bigint {
  for (;;) {
    const k = bytesToBigInt(runtime().randomBytes(SCALAR_BYTES));
    if (isScalarInRange(k)) return k;
  }
}

export function scalarToBytes(k: bigint): Uint8Array {
  return bigIntToBytes(k, SCALAR_BYTES);
}

export function scalarToHex(k: bigint): string {
  return toHex(scalarToBytes(k));
}

/** Parse a 64-hex-digit scalar and require it to be in [1, n-1]. */
export function scalarFromHex(hex: unknown, field = 'scalar'): bigint {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/i.test(hex)) {
    throw medsignError('INPUT_INVALID', { en: `${field} must be 64 hex digits`, zh: `${field} 应为 64 位十六进制` });
  }
  const k = BigInt('0x' + hex);
  if (!isScalarInRange(k)) throw medsignError('SCALAR_OUT_OF_RANGE', { en: field, zh: field });
  return k;
}
