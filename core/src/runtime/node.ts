import {
  constants,
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateEncrypt,
  publicEncrypt,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bigIntToBytes, bytesToBigInt, toBase64Url } from '../encoding.js';
import { modInverse } from '../modular.js';
import { medsignError } from '../errors.js';
import { SCALAR_BYTES, Sm2Point } from '../sm2/curve.js';
import { invN, modN } from '../sm2/scalar.js';
import type { HashAlgorithm, Hasher, Runtime, RsaKeyParts, Sm2Arithmetic } from './types.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const rsaKeyObjects = new WeakMap<RsaKeyParts, KeyObject>();


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

function ecdhMulBase(k: bigint): Sm2Point {
  ecdh.setPrivateKey(bigIntToBytes(k, SCALAR_BYTES));
  return Sm2Point.fromBytes(new Uint8Array(ecdh.getPublicKey()));
}

/**
 * Pure node:crypto: OpenSSL's constant-time ECDH.
 *  - k·G: ECDH setPrivateKey(k) computes the public key k·G;
 *  - a·G + b·P = b·((a·b⁻¹)·G + P), and x(b·U) is ECDH computeSecret(U) with private key b
 *    (SEC 1 §3.3.1). computeSecret also re-checks the object's own key pair, two more
 *    multiplications, which is why the addon below is preferred when it is built.
 */
export const ecdhArithmetic: Sm2Arithmetic = {
  backend: 'openssl-ecdh',
  mulBase: ecdhMulBase,
  mulAddX(a, b, point) {
    const u = ecdhMulBase(modN(a * invN(b))).add(point);
    if (u.is0()) return null;
    ecdh.setPrivateKey(bigIntToBytes(b, SCALAR_BYTES));
    try {
      return bytesToBigInt(new Uint8Array(ecdh.computeSecret(u.toBytes(false))));
    } catch {
      throw medsignError('POINT_INVALID');
    }
  },
};

interface Sm2EcAddon {
  mulBase(k: Uint8Array): Uint8Array;
  mulAddX(a: Uint8Array, b: Uint8Array, point: Uint8Array): Uint8Array | null;
}

/**
 * core/native/sm2_ec.node: direct EC_POINT_mul calls into the OpenSSL inside node
 * (single-term, so OpenSSL's constant-time ladder). Built by core/native/build-addon.mjs
 * at npm install; absent or MEDSIGN_SM2_ADDON=0 means the ECDH path above.
 */
function loadAddon(): Sm2Arithmetic | undefined {
  if (process.env.MEDSIGN_SM2_ADDON === '0') return undefined;
  const require = createRequire(import.meta.url);
  // src/runtime/node.ts in development, dist/index.js when built
  for (const rel of ['../../native/build/sm2_ec.node', '../native/build/sm2_ec.node']) {
    let addon: Sm2EcAddon;
    try {
      addon = require(fileURLToPath(new URL(rel, import.meta.url))) as Sm2EcAddon;
    } catch {
      continue;
    }
    return {
      backend: 'openssl-addon',
      mulBase: (k) => Sm2Point.fromBytes(addon.mulBase(bigIntToBytes(k, SCALAR_BYTES))),
      mulAddX(a, b, point) {
        let x: Uint8Array | null;
        try {
          x = addon.mulAddX(bigIntToBytes(a, SCALAR_BYTES), bigIntToBytes(b, SCALAR_BYTES), point.toBytes(false));
        } catch {
          throw medsignError('POINT_INVALID');
        }
        return x === null ? null : bytesToBigInt(x);
      },
    };
  }
  return undefined;
}

export const nodeRuntime: Runtime = {
  name: 'node',
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
  createHasher: nodeHasher,
  sm2: loadAddon() ?? ecdhArithmetic,
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
  rsaSign(key, em) {
    let keyObject = rsaKeyObjects.get(key);
    if (!keyObject) {
      const length = Math.ceil(key.n.toString(16).length / 2);
      const b64 = (v: bigint) => toBase64Url(bigIntToBytes(v, Math.max(1, Math.ceil(v.toString(16).length / 2))));
      keyObject = createPrivateKey({
        key: {
          kty: 'RSA',
          n: toBase64Url(bigIntToBytes(key.n, length)),
          e: b64(key.e),
          d: b64(key.d),
          p: b64(key.p),
          q: b64(key.q),
          dp: b64(key.d % (key.p - 1n)),
          dq: b64(key.d % (key.q - 1n)),
          qi: b64(modInverse(key.q, key.p)),
        },
        format: 'jwk',
      });
      rsaKeyObjects.set(key, keyObject);
    }
    try {
      // RSA_NO_PADDING private "encrypt" is the raw private-key operation, with OpenSSL's CRT and blinding
      return new Uint8Array(privateEncrypt({ key: keyObject, padding: constants.RSA_NO_PADDING }, em));
    } catch {
      throw medsignError('INPUT_INVALID', { en: 'RSA input must be modulus-length and below n' });
    }
  },
  async generateRsaKey(bits): Promise<RsaKeyParts> {
    const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 65537 });
    const jwk = privateKey.export({ format: 'jwk' });
    const get = (k: 'n' | 'e' | 'd' | 'p' | 'q'): bigint => base64UrlToBigInt(jwk[k] ?? '');
    return { n: get('n'), e: get('e'), d: get('d'), p: get('p'), q: get('q') };
  },
};

/** The same runtime without the addon, for tests and the benchmark. */
export const nodeEcdhRuntime: Runtime = { ...nodeRuntime, sm2: ecdhArithmetic };
