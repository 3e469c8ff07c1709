/**
 * The pluggable signer behind certificates, CSRs, CRLs, OCSP responses, CMS and timestamps.
 * A Signer turns bytes into a signature value; where the key lives is its own business:
 *  - localSigner: a whole private key (the CA, the TSA, the OCSP responder, tests);
 *  - digestSigner: anything that can sign a digest, such as a phone + cloud co-signature.
 * sign() is async because a co-signature waits for the phone.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { RSAPrivateKey } from '@peculiar/asn1-rsa';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { bigIntToBytes, bytesToBigInt } from '../encoding.js';
import { modInverse } from '../modular.js';
import { medsignError } from '../errors.js';
import { OID } from '../oids.js';
import { runtime } from '../runtime/current.js';
import type { RsaKeyParts } from '../runtime/types.js';
import { emsaPkcs1v15 } from '../rsa/pkcs1.js';
import { generateSm2KeyPair, sm2PrivateKeyFromPkcs8, sm2PrivateKeyToPkcs8, sm2PublicKeyFromPrivate } from '../sm2/keys.js';
import { encodeSm2SignatureDer, sm2SignDigest } from '../sm2/signature.js';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithms.js';
import { publicKeyToSpki, rsaModulusBits, signingDigest, type PublicKey } from './public-key.js';
import { parseDer } from '../der.js';

export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  readonly publicKey: PublicKey;
  /** Signature value over `data`: DER SEQUENCE{r,s} for SM2, k bytes for RSA. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export type PrivateKey = { algorithm: 'sm2'; d: bigint } | ({ algorithm: 'rsa' } & RsaKeyParts);

/** Sign with a digest function: e = SM3(Z_A ‖ data) for SM2, hash(data) for RSA, computed here. */
export function digestSigner(
  algorithm: SignatureAlgorithm,
  publicKey: PublicKey,
  signDigest: (digest: Uint8Array) => Promise<Uint8Array>,
): Signer {
  if (SIGNATURE_ALGORITHMS[algorithm].key !== publicKey.algorithm) {
    throw medsignError('ALGORITHM_UNSUPPORTED', { en: `${algorithm} does not match a ${publicKey.algorithm} key` });
  }
  return { algorithm, publicKey, sign: (data) => signDigest(signingDigest(algorithm, publicKey, data)) };
}

export function publicKeyOf(key: PrivateKey): PublicKey {
  return key.algorithm === 'sm2' ? { algorithm: 'sm2', point: sm2PublicKeyFromPrivate(key.d) } : { algorithm: 'rsa', n: key.n, e: key.e };
}

/** A signer holding the whole private key. */
export function localSigner(key: PrivateKey, algorithm: SignatureAlgorithm = key.algorithm === 'sm2' ? 'sm2-with-sm3' : 'rsa-with-sha256'): Signer {
  const publicKey = publicKeyOf(key);
  if (key.algorithm === 'sm2') {
    return digestSigner(algorithm, publicKey, async (e) => encodeSm2SignatureDer(sm2SignDigest(key.d, e)));
  }
  const k = Math.ceil(rsaModulusBits(key) / 8);
  return digestSigner(algorithm, publicKey, async (digest) => runtime().rsaSign(key, emsaPkcs1v15(SIGNATURE_ALGORITHMS[algorithm].hash, digest, k)));
}

export async function generatePrivateKey(algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024'): Promise<PrivateKey> {
  if (algorithm === 'sm2') return { algorithm: 'sm2', d: generateSm2KeyPair().privateKey };
  return { algorithm: 'rsa', ...(await runtime().generateRsaKey(algorithm === 'rsa-2048' ? 2048 : 1024)) };
}

function intBytes(v: bigint): ArrayBuffer {
  const b = bigIntToBytes(v, Math.max(1, Math.ceil(v.toString(16).length / 2)));
  return ((b[0]! & 0x80) !== 0 ? Uint8Array.from([0, ...b]) : b).buffer as ArrayBuffer;
}

/** PKCS#8 DER (RFC 5958) for either key kind; OpenSSL reads both. */
export function privateKeyToPkcs8(key: PrivateKey): Uint8Array {
  if (key.algorithm === 'sm2') return sm2PrivateKeyToPkcs8(key.d);
  const { n, e, d, p, q } = key;
  const rsa = new RSAPrivateKey({
    version: 0,
    modulus: intBytes(n),
    publicExponent: intBytes(e),
    privateExponent: intBytes(d),
    prime1: intBytes(p),
    prime2: intBytes(q),
    exponent1: intBytes(d % (p - 1n)),
    exponent2: intBytes(d % (q - 1n)),
    coefficient: intBytes(modInverse(q, p)),
  });
  const info = new PrivateKeyInfo({
    version: 0,
    // asn1-pkcs8 declares its own AlgorithmIdentifier type; the encoding is the same
    privateKeyAlgorithm: new AlgorithmIdentifier({ algorithm: OID.rsaEncryption, parameters: new Uint8Array([5, 0]).buffer }) as never,
    privateKey: new OctetString(AsnConvert.serialize(rsa)),
  });
  return new Uint8Array(AsnConvert.serialize(info));
}

export function privateKeyFromPkcs8(der: Uint8Array): PrivateKey {
  const info = parseDer(der, PrivateKeyInfo, () => medsignError('KEY_INVALID', { en: 'not a PKCS#8 private key', zh: '私钥格式错误' }));
  if (info.privateKeyAlgorithm.algorithm !== OID.rsaEncryption) return { algorithm: 'sm2', d: sm2PrivateKeyFromPkcs8(der).privateKey };
  const rsa = AsnConvert.parse(info.privateKey.buffer, RSAPrivateKey);
  const big = (b: ArrayBuffer) => bytesToBigInt(new Uint8Array(b));
  return { algorithm: 'rsa', n: big(rsa.modulus), e: big(rsa.publicExponent), d: big(rsa.privateExponent), p: big(rsa.prime1), q: big(rsa.prime2) };
}


export { publicKeyToSpki };
