/**
 * SM2 key pairs and their standard DER forms: SubjectPublicKeyInfo (RFC 5480 with the
 * SM2 curve OID, as GM/T 0015 certificates carry it) and PKCS#8 with an RFC 5915
 * ECPrivateKey. OpenSSL 3 reads both as SM2 keys.
 */
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { bytesToBigInt, exactBuffer } from '../encoding.js';
import { medsignError } from '../errors.js';
import { OID } from '../oids.js';
import { runtime } from '../runtime/current.js';
import { N, type Sm2Point } from './curve.js';
import { decodePoint, encodePoint } from './point.js';
import { randomScalar, scalarToBytes } from './scalar.js';
import { assertSm2PrivateKey } from './signature.js';
import { parseDer } from '../der.js';

export interface Sm2KeyPair {
  privateKey: bigint;
  publicKey: Sm2Point;
}

/** d uniform in [1, n-2] (GB/T 32918.1 §6.1, with the SM2 signature's d ≠ n-1). */
export function generateSm2KeyPair(): Sm2KeyPair {
  let d = randomScalar();
  while (d === N - 1n) d = randomScalar();
  return { privateKey: d, publicKey: runtime().sm2.mulBase(d) };
}

export function sm2PublicKeyFromPrivate(d: bigint): Sm2Point {
  assertSm2PrivateKey(d);
  return runtime().sm2.mulBase(d);
}

const sm2Algorithm = (): AlgorithmIdentifier =>
  new AlgorithmIdentifier({ algorithm: OID.ecPublicKey, parameters: AsnConvert.serialize(new ECParameters({ namedCurve: OID.sm2 })) });

export function sm2PublicKeyToSpki(publicKey: Sm2Point): Uint8Array {
  const spki = new SubjectPublicKeyInfo({
    algorithm: sm2Algorithm(),
    subjectPublicKey: exactBuffer(encodePoint(publicKey)),
  });
  return new Uint8Array(AsnConvert.serialize(spki));
}

function curveOf(alg: AlgorithmIdentifier): string | undefined {
  if (alg.algorithm === OID.sm2) return OID.sm2; // some GM/T tools write the SM2 OID as the algorithm itself
  if (alg.algorithm !== OID.ecPublicKey || !alg.parameters) return undefined;
  return AsnConvert.parse(alg.parameters, ECParameters).namedCurve;
}

export function sm2PublicKeyFromSpki(der: Uint8Array): Sm2Point {
  const spki = parseDer(der, SubjectPublicKeyInfo, () => medsignError('KEY_INVALID', { en: 'not a DER SubjectPublicKeyInfo', zh: '公钥格式错误' }));
  if (curveOf(spki.algorithm) !== OID.sm2) throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'public key is not on the SM2 curve' });
  return decodePoint(new Uint8Array(spki.subjectPublicKey), 'public key');
}

export function sm2PrivateKeyToPkcs8(d: bigint, publicKey: Sm2Point = sm2PublicKeyFromPrivate(d)): Uint8Array {
  assertSm2PrivateKey(d);
  const ecKey = new ECPrivateKey({
    version: 1,
    privateKey: new OctetString(scalarToBytes(d)),
    publicKey: exactBuffer(encodePoint(publicKey)),
  });
  const info = new PrivateKeyInfo({
    version: 0,
    privateKeyAlgorithm: sm2Algorithm(),
    privateKey: new OctetString(AsnConvert.serialize(ecKey)),
  });
  return new Uint8Array(AsnConvert.serialize(info));
}

export function sm2PrivateKeyFromPkcs8(der: Uint8Array): Sm2KeyPair {
  let info: PrivateKeyInfo;
  let ecKey: ECPrivateKey;
  try {
    info = AsnConvert.parse(der, PrivateKeyInfo);
    ecKey = AsnConvert.parse(info.privateKey.buffer, ECPrivateKey);
  } catch {
    throw medsignError('KEY_INVALID', { en: 'not a PKCS#8 EC private key' });
  }
  if (curveOf(info.privateKeyAlgorithm as unknown as AlgorithmIdentifier) !== OID.sm2) {
    throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'private key is not on the SM2 curve' });
  }
  const d = bytesToBigInt(new Uint8Array(ecKey.privateKey.buffer));
  assertSm2PrivateKey(d);
  const publicKey = sm2PublicKeyFromPrivate(d);
  if (ecKey.publicKey && !publicKey.equals(decodePoint(new Uint8Array(ecKey.publicKey), 'public key'))) {
    throw medsignError('KEY_INVALID', { en: 'embedded public key does not match the private key' });
  }
  return { privateKey: d, publicKey };
}
