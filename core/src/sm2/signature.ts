/**
 * SM2 digital signature (GB/T 32918.2-2016 §6–7), over the digest e = SM3(Z_A ‖ M).
 * Scalar multiplications go through the runtime (OpenSSL's constant-time ECDH in Node,
 * noble in browsers); the equations are written out here.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { bigIntToBytes, bytesToBigInt, concatBytes, equalBytes } from '../encoding.js';
import { medsignError } from '../errors.js';
import { runtime } from '../runtime/current.js';
import { N, type Sm2Point } from './curve.js';
import { invN, isScalarInRange, modN, randomScalar } from './scalar.js';
import { sm2Digest, type UserId } from './za.js';

export interface Sm2Signature {
  r: bigint;
  s: bigint;
}

function digestToScalar(e: Uint8Array): bigint {
  if (e.length !== 32) throw medsignError('INPUT_LENGTH', { en: 'SM2 digest e must be 32 bytes', zh: 'SM2 摘要应为 32 字节' });
  return bytesToBigInt(e);
}

/** A valid SM2 private key is in [1, n-2], since (1 + d) must be invertible. */
export function assertSm2PrivateKey(d: bigint): void {
  if (!(d >= 1n && d <= N - 2n)) throw medsignError('KEY_INVALID', { en: 'SM2 private key outside [1, n-2]' });
}

/**
 * §6.1 A3–A7 with a given nonce k. Only the standard's worked example may fix k;
 * everything else calls sm2SignDigest, which draws k from the CSPRNG.
 * Returns null when k must be redrawn (r = 0, r + k = n, or s = 0).
 */
export function sm2SignDigestWithNonce(d: bigint, e: Uint8Array, k: bigint): Sm2Signature | null {
  assertSm2PrivateKey(d);
  if (!isScalarInRange(k)) throw medsignError('SCALAR_OUT_OF_RANGE', { en: 'nonce k' });
  const x1 = runtime().sm2.mulBase(k).toAffine().x; // A4: (x1, y1) = [k]G
  const r = modN(digestToScalar(e) + x1); // A5: r = (e + x1) mod n
  if (r === 0n || r + k === N) return null;
  const s = modN(invN(1n + d) * modN(k - r * d)); // A6: s = ((1 + d)⁻¹ · (k − r·d)) mod n
  if (s === 0n) return null;
  return { r, s };
}

/** Sign a 32-byte digest e with a fresh CSPRNG nonce. */
export function sm2SignDigest(d: bigint, e: Uint8Array): Sm2Signature {
  for (;;) {
    const sig = sm2SignDigestWithNonce(d, e, randomScalar());
    if (sig) return sig;
  }
}

/**
 * §7.1 B1–B7. With t = (r + s) mod n:  x1 = x([s]G + [t]P_A),  accept iff (e + x1) mod n = r.
 */
export function sm2VerifyDigest(publicKey: Sm2Point, e: Uint8Array, sig: Sm2Signature): boolean {
  const { r, s } = sig;
  if (!isScalarInRange(r) || !isScalarInRange(s)) return false; // B1, B2
  const t = modN(r + s); // B5
  if (t === 0n) return false;
  const x1 = runtime().sm2.mulAddX(s, t, publicKey); // B6
  return x1 !== null && modN(digestToScalar(e) + x1) === r; // B7
}

export interface Sm2SignOptions {
  /** Distinguishing identifier for Z_A; default "1234567812345678". */
  userId?: UserId;
}

/** Sign message M: e = SM3(Z_A ‖ M), then sign e. */
export function sm2Sign(d: bigint, publicKey: Sm2Point, message: Uint8Array, options: Sm2SignOptions = {}): Sm2Signature {
  return sm2SignDigest(d, sm2Digest(publicKey, message, options.userId));
}

export function sm2Verify(publicKey: Sm2Point, message: Uint8Array, sig: Sm2Signature, options: Sm2SignOptions = {}): boolean {
  return sm2VerifyDigest(publicKey, sm2Digest(publicKey, message, options.userId), sig);
}

// ---- encodings (GM/T 0009 §7.3: SM2Signature ::= SEQUENCE { R INTEGER, S INTEGER }) ----

function unsignedInteger(bytes: ArrayBuffer): bigint {
  const b = new Uint8Array(bytes);
  if (b.length > 0 && (b[0]! & 0x80) !== 0) throw medsignError('INPUT_INVALID', { en: 'negative INTEGER in signature' });
  return bytesToBigInt(b);
}

function integerContent(v: bigint): ArrayBuffer {
  const raw = bigIntToBytes(v, 32);
  let i = 0;
  while (i < raw.length - 1 && raw[i] === 0) i++;
  const minimal = raw.subarray(i);
  return ((minimal[0]! & 0x80) !== 0 ? concatBytes(new Uint8Array([0]), minimal) : minimal.slice()).buffer as ArrayBuffer;
}

/** DER SEQUENCE { r, s }. */
export function encodeSm2SignatureDer(sig: Sm2Signature): Uint8Array {
  const value = new ECDSASigValue({ r: integerContent(sig.r), s: integerContent(sig.s) });
  return new Uint8Array(AsnConvert.serialize(value));
}

/** Strict DER: must re-encode to the same bytes, so BER variants and trailing data are refused. */
export function decodeSm2SignatureDer(der: Uint8Array): Sm2Signature {
  let sig: Sm2Signature;
  try {
    const value = AsnConvert.parse(der, ECDSASigValue);
    sig = { r: unsignedInteger(value.r), s: unsignedInteger(value.s) };
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'SM2 signature is not DER SEQUENCE{r,s}', zh: 'SM2 签名不是 DER 编码' });
  }
  if (!isScalarInRange(sig.r) || !isScalarInRange(sig.s) || !equalBytes(encodeSm2SignatureDer(sig), der)) {
    throw medsignError('INPUT_INVALID', { en: 'SM2 signature is not canonical DER', zh: 'SM2 签名编码不规范' });
  }
  return sig;
}

/** Raw 64-byte r ‖ s (GM/T 0018-style fixed-length encoding). */
export function encodeSm2SignatureRaw(sig: Sm2Signature): Uint8Array {
  return concatBytes(bigIntToBytes(sig.r, 32), bigIntToBytes(sig.s, 32));
}

export function decodeSm2SignatureRaw(raw: Uint8Array): Sm2Signature {
  if (raw.length !== 64) throw medsignError('INPUT_LENGTH', { en: 'raw SM2 signature must be 64 bytes r‖s', zh: 'SM2 裸签名应为 64 字节' });
  return { r: bytesToBigInt(raw.subarray(0, 32)), s: bytesToBigInt(raw.subarray(32)) };
}
