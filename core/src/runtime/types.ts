import type { Sm2Point } from '../sm2/curve.js';

/**
 * The runtime seam (after jose's): the only platform-specific code in core.
 * `node.ts` implements it with node:crypto (OpenSSL 3); `portable.ts` with pure TS,
 * @noble/curves and WebCrypto's getRandomValues, for browsers and the phone's H5 app.
 * Everything else in core is written once against this interface.
 */
export interface Runtime {
  readonly name: 'node' | 'portable';
  /** Cryptographically secure random bytes (crypto.randomBytes / getRandomValues only). */
  randomBytes(length: number): Uint8Array;
  /** Incremental hash, so files and large inputs can be hashed in chunks. */
  createHasher(algorithm: HashAlgorithm): Hasher;
  /** SM2 scalar multiplications with secret scalars; both must be constant-time. */
  readonly sm2: Sm2Arithmetic;
  /**
   * Returns m ↦ m^exponent mod n for a fixed (n, exponent), as modulus-length bytes.
   * Mediated RSA raises to a key share, so the exponent is secret and full-length.
   */
  rsaExponentiator(n: bigint, exponent: bigint): (base: Uint8Array) => Uint8Array;
  /**
   * The RSA private-key operation EM^d mod n on an already-encoded EM (CRT and blinding
   * where the platform has them), for whole keys: the CA, the TSA, the OCSP responder.
   */
  rsaSign(key: RsaKeyParts, em: Uint8Array): Uint8Array;
  /** A fresh RSA key (e = 65537) with its private parts, for the mediated-RSA dealer. */
  generateRsaKey(bits: number): Promise<RsaKeyParts>;
}

export type HashAlgorithm = 'sm3' | 'sha256' | 'sha1';

export interface Hasher {
  update(data: Uint8Array): Hasher;
  digest(): Uint8Array;
}

export interface Sm2Arithmetic {
  /** Which implementation: 'openssl-addon', 'openssl-ecdh' or 'noble'. */
  readonly backend: string;
  /** k·G for k in [1, n-1]. Constant-time in k. */
  mulBase(k: bigint): Sm2Point;
  /**
   * x-coordinate of a·G + b·P for a, b in [1, n-1] and a validated P, or null when the
   * sum is the identity. Constant-time in a and b (they are nonces in the cloud step).
   */
  mulAddX(a: bigint, b: bigint, point: Sm2Point): bigint | null;
}

export interface RsaKeyParts {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
}
