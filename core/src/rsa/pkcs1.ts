/**
 * EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2): EM = 0x00 ‖ 0x01 ‖ PS(0xFF…) ‖ 0x00 ‖ DigestInfo,
 * with DigestInfo for SHA-1, SHA-256 and SM3 (SM3withRSA is 1.2.156.10197.1.504; its
 * DigestInfo names SM3, 1.2.156.10197.1.401, with NULL parameters as OpenSSL writes it).
 */
import { DigestInfo } from '@peculiar/asn1-rsa';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { HASH_LENGTH, type HashAlgorithm } from '../digest.js';
import { concatBytes } from '../encoding.js';
import { medsignError } from '../errors.js';
import { OID } from '../oids.js';

const NULL = new Uint8Array([0x05, 0x00]).buffer;

export function digestInfo(hash: HashAlgorithm, digest: Uint8Array): Uint8Array {
  if (digest.length !== HASH_LENGTH[hash]) {
    throw medsignError('INPUT_LENGTH', { en: `${hash} digest must be ${HASH_LENGTH[hash]} bytes`, zh: `${hash} 摘要应为 ${HASH_LENGTH[hash]} 字节` });
  }
  const info = new DigestInfo({
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: OID[hash], parameters: NULL }),
    digest: new OctetString(digest),
  });
  return new Uint8Array(AsnConvert.serialize(info));
}

/** EM of exactly `modulusBytes` bytes. */
export function emsaPkcs1v15(hash: HashAlgorithm, digest: Uint8Array, modulusBytes: number): Uint8Array {
  const t = digestInfo(hash, digest);
  const psLength = modulusBytes - t.length - 3;
  if (psLength < 8) throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'RSA modulus too short for this digest' });
  return concatBytes(new Uint8Array([0x00, 0x01]), new Uint8Array(psLength).fill(0xff), new Uint8Array([0x00]), t);
}
