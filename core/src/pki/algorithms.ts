/**
 * Signature algorithms MedSign signs and verifies with, and their identifiers:
 * SM3withSM2 (GM/T 0015 / GB/T 20518), and RSASSA-PKCS1-v1_5 with SHA-256, SHA-1 or SM3
 * (SM3withRSA, 1.2.156.10197.1.504). RSA identifiers carry NULL parameters (RFC 4055 §5);
 * SM3withSM2 carries none (GM/T 0015).
 */
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { HashAlgorithm } from '../digest.js';
import { medsignError } from '../errors.js';
import { OID } from '../oids.js';

export type SignatureAlgorithm = 'sm2-with-sm3' | 'rsa-with-sha256' | 'rsa-with-sha1' | 'rsa-with-sm3';
export type KeyAlgorithm = 'sm2' | 'rsa';

export interface SignatureAlgorithmInfo {
  oid: string;
  hash: HashAlgorithm;
  key: KeyAlgorithm;
  /** GM/T 0006 SGD_* sign-method constant, as SOF_SetSignMethod takes it */
  sgd: number;
}

export const SIGNATURE_ALGORITHMS: Readonly<Record<SignatureAlgorithm, SignatureAlgorithmInfo>> = {
  'sm2-with-sm3': { oid: OID.sm3WithSm2, hash: 'sm3', key: 'sm2', sgd: 0x00020201 },
  'rsa-with-sha256': { oid: OID.sha256WithRsa, hash: 'sha256', key: 'rsa', sgd: 0x00010004 },
  'rsa-with-sha1': { oid: OID.sha1WithRsa, hash: 'sha1', key: 'rsa', sgd: 0x00010002 },
  'rsa-with-sm3': { oid: OID.sm3WithRsa, hash: 'sm3', key: 'rsa', sgd: 0x00010001 },
};

const NULL_PARAMS = new Uint8Array([0x05, 0x00]).buffer;

export function signatureAlgorithmIdentifier(alg: SignatureAlgorithm): AlgorithmIdentifier {
  const info = SIGNATURE_ALGORITHMS[alg];
  return new AlgorithmIdentifier(info.key === 'rsa' ? { algorithm: info.oid, parameters: NULL_PARAMS } : { algorithm: info.oid });
}

/**
 * Map an algorithm OID to ours. Accepts SM2's two spellings (…501 SM3withSM2, and the bare
 * sm2-1 …301.1 some GM/T 0010 producers write), and rsaEncryption with a known hash
 * (CMS SignerInfo often names the key algorithm and gives the hash separately).
 */
export function signatureAlgorithmFromOid(oid: string, hashHint?: HashAlgorithm): SignatureAlgorithm {
  for (const [name, info] of Object.entries(SIGNATURE_ALGORITHMS) as [SignatureAlgorithm, SignatureAlgorithmInfo][]) {
    if (info.oid === oid) return name;
  }
  if (oid === OID.sm2Sign || oid === OID.sm2) return 'sm2-with-sm3';
  if (oid === OID.rsaEncryption && hashHint) return `rsa-with-${hashHint}` as SignatureAlgorithm;
  throw medsignError('ALGORITHM_UNSUPPORTED', { en: `signature algorithm ${oid}`, zh: `签名算法 ${oid}` });
}

export const HASH_OIDS: Readonly<Record<HashAlgorithm, string>> = { sm3: OID.sm3, sha256: OID.sha256, sha1: OID.sha1 };

export function hashFromOid(oid: string): HashAlgorithm {
  const found = (Object.entries(HASH_OIDS) as [HashAlgorithm, string][]).find(([, o]) => o === oid);
  if (!found) throw medsignError('ALGORITHM_UNSUPPORTED', { en: `digest algorithm ${oid}`, zh: `摘要算法 ${oid}` });
  return found[0];
}

export function signatureAlgorithmFromSgd(sgd: number): SignatureAlgorithm {
  const found = (Object.entries(SIGNATURE_ALGORITHMS) as [SignatureAlgorithm, SignatureAlgorithmInfo][]).find(([, i]) => i.sgd === sgd);
  if (!found) throw medsignError('ALGORITHM_UNSUPPORTED', { en: `sign method 0x${sgd.toString(16)}` });
  return found[0];
}
