/**
 * Public keys of either kind, from and to SubjectPublicKeyInfo, and signature verification
 * over raw data for every SignatureAlgorithm. Verification runs on the runtime seam, so it
 * works the same in Node and browsers (RSA: S^e mod n compared with the EMSA-PKCS1-v1_5
 * encoding, which also covers SM3withRSA that OpenSSL 3.0's RSA provider refuses).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { RSAPublicKey } from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { hash } from '../digest.js';
import { bigIntToBytes, bytesToBigInt, equalBytes } from '../encoding.js';
import { medsignError } from '../errors.js';
import { OID } from '../oids.js';
import { runtime } from '../runtime/current.js';
import { emsaPkcs1v15 } from '../rsa/pkcs1.js';
import type { Sm2Point } from '../sm2/curve.js';
import { sm2PublicKeyFromSpki, sm2PublicKeyToSpki } from '../sm2/keys.js';
import { decodeSm2SignatureDer, sm2VerifyDigest } from '../sm2/signature.js';
import { sm2Digest, type UserId } from '../sm2/za.js';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithms.js';
import { parseDer } from '../der.js';

export type PublicKey = { algorithm: 'sm2'; point: Sm2Point } | { algorithm: 'rsa'; n: bigint; e: bigint };

const NULL_PARAMS = new Uint8Array([0x05, 0x00]).buffer;

export function rsaModulusBits(key: { n: bigint }): number {
  return key.n.toString(2).length;
}

export function publicKeyToSpki(key: PublicKey): Uint8Array {
  if (key.algorithm === 'sm2') return sm2PublicKeyToSpki(key.point);
  const bytes = Math.ceil(rsaModulusBits(key) / 8);
  const rsa = new RSAPublicKey({
    modulus: unsignedInteger(bigIntToBytes(key.n, bytes)),
    publicExponent: unsignedInteger(bigIntToBytes(key.e, Math.ceil(key.e.toString(16).length / 2))),
  });
  const spki = new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({ algorithm: OID.rsaEncryption, parameters: NULL_PARAMS }),
    subjectPublicKey: AsnConvert.serialize(rsa),
  });
  return new Uint8Array(AsnConvert.serialize(spki));
}

/** INTEGER content for a positive value: a leading 00 when the top bit is set. */
function unsignedInteger(bytes: Uint8Array): ArrayBuffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  const out = (b[0]! & 0x80) !== 0 ? Uint8Array.from([0, ...b]) : b.slice();
  return out.buffer as ArrayBuffer;
}

export function publicKeyFromSpki(der: Uint8Array): PublicKey {
  const spki = parseDer(der, SubjectPublicKeyInfo, () => medsignError('KEY_INVALID', { en: 'not a DER SubjectPublicKeyInfo', zh: '公钥格式错误' }));
  if (spki.algorithm.algorithm === OID.rsaEncryption) {
    try {
      const rsa = AsnConvert.parse(spki.subjectPublicKey, RSAPublicKey);
      const n = bytesToBigInt(new Uint8Array(rsa.modulus));
      const e = bytesToBigInt(new Uint8Array(rsa.publicExponent));
      if (n < 2n ** 1000n || e < 3n || e % 2n === 0n) throw new Error('weak');
      return { algorithm: 'rsa', n, e };
    } catch {
      throw medsignError('KEY_INVALID', { en: 'malformed or weak RSA public key' });
    }
  }
  return { algorithm: 'sm2', point: sm2PublicKeyFromSpki(der) };
}

export function publicKeyDescription(key: PublicKey): string {
  return key.algorithm === 'sm2' ? 'SM2 (256 bit)' : `RSA (${rsaModulusBits(key)} bit)`;
}

/** The digest an algorithm signs: e = SM3(Z_A ‖ data) for SM2, hash(data) for RSA. */
export function signingDigest(alg: SignatureAlgorithm, key: PublicKey, data: Uint8Array, userId?: UserId): Uint8Array {
  if (key.algorithm === 'sm2') return sm2Digest(key.point, data, userId);
  return hash(SIGNATURE_ALGORITHMS[alg].hash, data);
}

/** Verify a signature over a precomputed digest (see signingDigest). Never throws on a bad signature. */
export function verifyDigestSignature(alg: SignatureAlgorithm, key: PublicKey, digest: Uint8Array, signature: Uint8Array): boolean {
  const info = SIGNATURE_ALGORITHMS[alg];
  if (info.key !== key.algorithm) return false;
  if (key.algorithm === 'sm2') {
    try {
      return sm2VerifyDigest(key.point, digest, decodeSm2SignatureDer(signature));
    } catch {
      return false;
    }
  }
  const k = Math.ceil(rsaModulusBits(key) / 8);
  if (signature.length !== k || bytesToBigInt(signature) >= key.n) return false;
  try {
    const em = emsaPkcs1v15(info.hash, digest, k);
    return equalBytes(runtime().rsaExponentiator(key.n, key.e)(signature), em);
  } catch {
    return false;
  }
}

export function verifySignature(alg: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array, userId?: UserId): boolean {
  if (SIGNATURE_ALGORITHMS[alg].key !== key.algorithm) return false;
  return verifyDigestSignature(alg, key, signingDigest(alg, key, data, userId), signature);
}
