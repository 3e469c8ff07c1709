import {
  constants,
  createECDH,
  createHash,
  createPublicKey,
  generateKeyPair,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import { bigIntToBytes, bytesToBigInt, toBase64Url } from '../encoding.js';
import { medsignError } from '../errors.js';
import { SCALAR_BYTES, Sm2Point } from '../sm2/curve.js';
import type { HashAlgorithm, Hasher, Runtime, RsaKeyParts } from './types.js';

const generateKeyPairAsync = promisify(generateKeyPair);

function nodeHasher(algorithm: HashAlgorithm): Hasher {
  const h = createHash(algorithm);
  const hasher: Hasher = {
    update(data) {
      h.update(data);
      return hasher;
    },
    digest: () => new Uint8Array(h.digest()),
  };
  return hasher;
}

function base64UrlToBigInt(b64url: string): bigint {
  return bytesToBigInt(new Uint8Array(Buffer.from(b64url, 'base64url')));
}

// One ECDH context is enough: JS is single-threaded and each call sets its own key.
const ecdh = createECDH('SM2');

/**
 * node:crypto (OpenSSL 3). SM2 scalar multiplication goes through OpenSSL's ECDH,
 * which is constant-time (EC_POINT_mul ladder):
 *  - k·G: ECDH setPrivateKey(k) computes the public key k·G;
 *  - x(k·P): ECDH computeSecret(P) with private key k is exactly x(k·P) (SEC 1 §3.3.1).
 */
export const nodeRuntime: Runtime = {
  name: 'node',
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
  createHasher: nodeHasher,
  sm2: {
    mulBase(k) {
      ecdh.setPrivateKey(bigIntToBytes(k, SCALAR_BYTES));
      return Sm2Point.fromBytes(new Uint8Array(ecdh.getPublicKey()));
    },
    mulX(k, point) {
      ecdh.setPrivateKey(bigIntToBytes(k, SCALAR_BYTES));
      try {
        return bytesToBigInt(new Uint8Array(ecdh.computeSecret(point.toBytes(false))));
      } catch {
        throw medsignError('POINT_INVALID');
      }
    },
  },
  rsaExponentiator(n, exponent) {
    // A "public key" whose exponent is the share: an RSA public operation without padding
    // is one OpenSSL modexp (BN_mod_exp_mont), ~8x faster than JS BigInt.
    // OpenSSL allows a large public exponent for moduli up to 3072 bits (OPENSSL_RSA_SMALL_MODULUS_BITS).
    const length = Math.ceil(n.toString(16).length / 2);
    if (exponent < 1n || exponent >= n) throw medsignError('KEY_INVALID', { en: 'RSA exponent share outside [1, n)' });
    const key = createPublicKey({
      key: { kty: 'RSA', n: toBase64Url(bigIntToBytes(n, length)), e: toBase64Url(bigIntToBytes(exponent, length)) },
      format: 'jwk',
    });
    return (base) => {
      try {
        return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, base));
      } catch {
        throw medsignError('INPUT_INVALID', { en: 'RSA input must be modulus-length and below n' });
      }
    };
  },
  async generateRsaKey(bits): Promise<RsaKeyParts> {
    const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 65537 });
    const jwk = privateKey.export({ format: 'jwk' });
    const get = (k: 'n' | 'e' | 'd' | 'p' | 'q'): bigint => base64UrlToBigInt(jwk[k] ?? '');
    return { n: get('n'), e: get('e'), d: get('d'), p: get('p'), q: get('q') };
  },
};
