import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bigIntToBytes, bytesToBigInt, fromBase64 } from '../encoding.js';
import { modInverse } from '../modular.js';
import { medsignError } from '../errors.js';
import { Sm2Point } from '../sm2/curve.js';
import { Sm3 } from '../sm3.js';
import type { HashAlgorithm, Hasher, Runtime, RsaKeyParts } from './types.js';

function portableHasher(algorithm: HashAlgorithm): Hasher {
  const h = algorithm === 'sm3' ? new Sm3() : algorithm === 'sha256' ? sha256.create() : sha1.create();
  const hasher: Hasher = {
    update(data) {
      h.update(data);
      return hasher;
    },
    digest: () => h.digest(),
  };
  return hasher;
}

/** Square-and-multiply with a fixed ladder shape (every bit does a square and a multiply). */
function modPow(base: bigint, exponent: bigint, n: bigint): bigint {
  let r0 = 1n;
  let r1 = base % n;
  for (let i = exponent.toString(2).length - 1; i >= 0; i--) {
    // Montgomery ladder: keeps r1 = r0·base, does the same operations for 0 and 1 bits
    if ((exponent >> BigInt(i)) & 1n) {
      r0 = (r0 * r1) % n;
      r1 = (r1 * r1) % n;
    } else {
      r1 = (r0 * r1) % n;
      r0 = (r0 * r0) % n;
    }
  }
  return r0;
}


function base64UrlToBigInt(b64url: string): bigint {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  return bytesToBigInt(fromBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
}

function webCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.getRandomValues) throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'no WebCrypto getRandomValues in this runtime' });
  return c;
}

/** Pure TS + WebCrypto: runs in browsers, workers and Node alike. */
export const portableRuntime: Runtime = {
  name: 'portable',
  randomBytes(length) {
    const out = new Uint8Array(length);
    // getRandomValues is limited to 65536 bytes per call
    for (let i = 0; i < length; i += 65536) webCrypto().getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
    return out;
  },
  createHasher: portableHasher,
  sm2: {
    backend: 'noble',
    mulBase: (k) => Sm2Point.BASE.multiply(k),
    mulAddX(a, b, point) {
      const r = Sm2Point.BASE.multiply(a).add(point.multiply(b));
      return r.is0() ? null : r.toAffine().x;
    },
  },
  rsaExponentiator(n, exponent) {
    const length = Math.ceil(n.toString(16).length / 2);
    if (exponent < 1n || exponent >= n) throw medsignError('KEY_INVALID', { en: 'RSA exponent share outside [1, n)' });
    return (base) => {
      const m = bytesToBigInt(base);
      if (base.length !== length || m >= n) throw medsignError('INPUT_INVALID', { en: 'RSA input must be modulus-length and below n' });
      return bigIntToBytes(modPow(m, exponent, n), length);
    };
  },
  rsaSign(key, em) {
    // CRT (RFC 8017 §5.1.2): m1 = c^dP mod p, m2 = c^dQ mod q, h = qInv·(m1 − m2) mod p, m = m2 + q·h
    const c = bytesToBigInt(em);
    if (c >= key.n) throw medsignError('INPUT_INVALID', { en: 'RSA input must be below n' });
    const m1 = modPow(c, key.d % (key.p - 1n), key.p);
    const m2 = modPow(c, key.d % (key.q - 1n), key.q);
    const h = (((m1 - m2) % key.p) + key.p) % key.p * modInverse(key.q, key.p) % key.p;
    return bigIntToBytes(m2 + key.q * h, em.length);
  },
  async generateRsaKey(bits): Promise<RsaKeyParts> {
    const pair = (await webCrypto().subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const jwk = await webCrypto().subtle.exportKey('jwk', pair.privateKey);
    const get = (k: 'n' | 'e' | 'd' | 'p' | 'q'): bigint => base64UrlToBigInt(jwk[k] ?? '');
    return { n: get('n'), e: get('e'), d: get('d'), p: get('p'), q: get('q') };
  },
};

/** Exported for the test that checks the ladder against OpenSSL's modexp. */
export const modPowPortable = modPow;
