/**
 * The compact signature record (电子签名值存储优化), documented in docs/storage.md.
 *
 * Most of a stored PKCS#7 is the signer's certificate, repeated in every signature. The
 * record keeps only what differs per signature and refers to the certificate by its SHA-256;
 * with the signed data and a certificate store it rebuilds, byte for byte, the CMS that was
 * returned at signing time (assembleSignedMessage is deterministic).
 *
 *   MedSignCompactSignature ::= SEQUENCE {
 *     version            INTEGER (1),
 *     flags              INTEGER,                -- 1 detached, 2 certificate included, 4 GM/T 0010 profile
 *     algorithm          INTEGER,                -- 1 sm2-with-sm3, 2 rsa-with-sha256, 3 rsa-with-sha1, 4 rsa-with-sm3
 *     certificate        OCTET STRING (SIZE(32)),-- SHA-256 of the signer certificate (DER)
 *     signingTime        INTEGER,                -- seconds since 1970-01-01T00:00:00Z
 *     signature          OCTET STRING,           -- SM2: r‖s (64 bytes); RSA: the signature
 *     timestampToken     [0] IMPLICIT OCTET STRING OPTIONAL,   -- RFC 3161 token DER, as carried
 *     extraCertificates  [1] IMPLICIT SEQUENCE OF OCTET STRING OPTIONAL -- SHA-256 of each
 *   }
 * Text form: base64url of the DER.
 */
import { AsnArray, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { assembleSignedMessage, findSignerCertificate, parseSignedMessage, type SignedMessageParts } from '../cms/signed-data.js';
import { hash } from '../digest.js';
import { equalBytes, fromBase64, toBase64Url, toHex, exactBuffer } from '../encoding.js';
import { MedSignError, medsignError } from '../errors.js';
import { parseCertificate } from '../pki/certificate.js';
import type { SignatureAlgorithm } from '../pki/algorithms.js';
import { decodeSm2SignatureDer, decodeSm2SignatureRaw, encodeSm2SignatureDer, encodeSm2SignatureRaw } from '../sm2/signature.js';

const ALGORITHM_CODES: Record<SignatureAlgorithm, number> = { 'sm2-with-sm3': 1, 'rsa-with-sha256': 2, 'rsa-with-sha1': 3, 'rsa-with-sm3': 4 };
const FLAG = { detached: 1, certificateIncluded: 2, gmt0010: 4 } as const;

@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.OctetString })
class CertificateHashes extends AsnArray<ArrayBuffer> {
  constructor(items?: ArrayBuffer[]) {
    super(items);
    Object.setPrototypeOf(this, CertificateHashes.prototype);
  }
}

export class CompactSignatureRecord {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 1;

  @AsnProp({ type: AsnPropTypes.Integer })
  flags = 0;

  @AsnProp({ type: AsnPropTypes.Integer })
  algorithm = 0;

  @AsnProp({ type: AsnPropTypes.OctetString })
  certificate = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Integer })
  signingTime = 0;

  @AsnProp({ type: AsnPropTypes.OctetString })
  signature = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.OctetString, context: 0, implicit: true, optional: true })
  timestampToken?: ArrayBuffer;

  @AsnProp({ type: CertificateHashes, context: 1, implicit: true, optional: true })
  extraCertificates?: CertificateHashes;

  constructor(params: Partial<CompactSignatureRecord> = {}) {
    Object.assign(this, params);
  }
}

export interface CompactRecordInfo {
  version: number;
  detached: boolean;
  certificateIncluded: boolean;
  profile: 'rfc5652' | 'gmt0010';
  signatureAlgorithm: SignatureAlgorithm;
  /** SHA-256 of the signer certificate, hex */
  certificateSha256: string;
  signingTime: Date;
  signature: Uint8Array;
  timestampToken: Uint8Array | undefined;
  extraCertificateSha256: string[];
}

/** Find a certificate by the SHA-256 of its DER (hex). */
export type CertificateStore = (sha256: string) => Uint8Array | undefined;

const buf = exactBuffer;

/**
 * Make the compact record of a CMS made by signMessage. Refuses (NOT_SUPPORTED) a message the
 * record could not rebuild exactly, such as one made by another product: store that one as is.
 */
export function toCompact(cmsDer: Uint8Array, options: { content?: Uint8Array; certificates?: readonly Uint8Array[] } = {}): Uint8Array {
  const msg = parseSignedMessage(cmsDer);
  const content = msg.content ?? options.content;
  if (!content) throw medsignError('INPUT_INVALID', { en: 'a detached message needs its content', zh: '分离式签名需要提供原文' });
  const signer = findSignerCertificate(msg, options.certificates);
  if (!signer) throw medsignError('INPUT_INVALID', { en: 'the signer certificate is neither in the message nor given', zh: '缺少签名证书' });
  const included = msg.certificates.some((c) => equalBytes(c, signer.der));
  const extra = msg.certificates.filter((c) => !equalBytes(c, signer.der));
  const sm2 = msg.signatureAlgorithm === 'sm2-with-sm3';
  const signature = sm2 ? encodeSm2SignatureRaw(decodeSm2SignatureDer(msg.signature)) : msg.signature;
  const record = new CompactSignatureRecord({
    version: 1,
    flags: (msg.content ? 0 : FLAG.detached) | (included ? FLAG.certificateIncluded : 0) | (msg.profile === 'gmt0010' ? FLAG.gmt0010 : 0),
    algorithm: ALGORITHM_CODES[msg.signatureAlgorithm],
    certificate: buf(hash('sha256', signer.der)),
    signingTime: Math.floor((msg.signingTime?.getTime() ?? NaN) / 1000),
    signature: buf(signature),
    ...(msg.timestampToken ? { timestampToken: buf(msg.timestampToken) } : {}),
    ...(extra.length ? { extraCertificates: new CertificateHashes(extra.map((c) => buf(hash('sha256', c)))) } : {}),
  });
  if (!Number.isFinite(record.signingTime)) throw medsignError('NOT_SUPPORTED', { en: 'messages without a signingTime attribute' });
  const der = new Uint8Array(AsnConvert.serialize(record));
  // the promise of the format: prove the rebuild now, not in 30 years
  const store = new Map([signer.der, ...extra].map((c) => [toHex(hash('sha256', c)), c]));
  let rebuilt: Uint8Array | undefined;
  try {
    rebuilt = fromCompact(der, { content, certificates: (h) => store.get(h) });
  } catch {
    rebuilt = undefined;
  }
  if (!rebuilt || !equalBytes(rebuilt, cmsDer)) {
    throw medsignError('NOT_SUPPORTED', { en: 'this message cannot be rebuilt exactly from a compact record; store the CMS itself', zh: '该签名无法精确压缩存储，请保存原始 PKCS#7' });
  }
  return der;
}

export function parseCompact(record: Uint8Array | string): CompactRecordInfo {
  let der: Uint8Array;
  let r: CompactSignatureRecord;
  try {
    der = typeof record === 'string' ? fromBase64(record.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (record.length % 4)) % 4)) : record;
    r = AsnConvert.parse(der, CompactSignatureRecord);
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'not a MedSign compact signature record', zh: '不是压缩签名记录' });
  }
  const algorithm = (Object.entries(ALGORITHM_CODES) as [SignatureAlgorithm, number][]).find(([, c]) => c === r.algorithm)?.[0];
  if (r.version !== 1) throw medsignError('NOT_SUPPORTED', { en: `compact record version ${r.version}` });
  if (!algorithm || r.certificate.byteLength !== 32 || (algorithm === 'sm2-with-sm3' && r.signature.byteLength !== 64) || r.flags < 0 || r.flags > 7) {
    throw medsignError('INPUT_INVALID', { en: 'compact record fields are out of range', zh: '压缩签名记录字段无效' });
  }
  return {
    version: r.version,
    detached: (r.flags & FLAG.detached) !== 0,
    certificateIncluded: (r.flags & FLAG.certificateIncluded) !== 0,
    profile: r.flags & FLAG.gmt0010 ? 'gmt0010' : 'rfc5652',
    signatureAlgorithm: algorithm,
    certificateSha256: toHex(new Uint8Array(r.certificate)),
    signingTime: new Date(r.signingTime * 1000),
    signature: new Uint8Array(r.signature),
    timestampToken: r.timestampToken ? new Uint8Array(r.timestampToken) : undefined,
    extraCertificateSha256: [...(r.extraCertificates ?? [])].map((h) => toHex(new Uint8Array(h))),
  };
}

/** Rebuild the CMS, byte for byte, from the record, the signed data and the certificate store. */
export function fromCompact(record: Uint8Array | string, options: { content: Uint8Array; certificates: CertificateStore }): Uint8Array {
  const info = parseCompact(record);
  const need = (sha: string): Uint8Array => {
    const der = options.certificates(sha);
    if (!der || toHex(hash('sha256', der)) !== sha) {
      throw medsignError('CERT_INVALID', { en: `certificate ${sha.slice(0, 16)}… is not in the store`, zh: '证书库中找不到该证书' });
    }
    return der;
  };
  const certificate = need(info.certificateSha256);
  parseCertificate(certificate);
  const parts: SignedMessageParts = {
    profile: info.profile,
    content: options.content,
    detached: info.detached,
    certificate,
    includeCertificate: info.certificateIncluded,
    ...(info.extraCertificateSha256.length ? { extraCertificates: info.extraCertificateSha256.map(need) } : {}),
    signingTime: info.signingTime,
    signatureAlgorithm: info.signatureAlgorithm,
    signature: info.signatureAlgorithm === 'sm2-with-sm3' ? encodeSm2SignatureDer(decodeSm2SignatureRaw(info.signature)) : info.signature,
    ...(info.timestampToken ? { timestampToken: info.timestampToken } : {}),
  };
  try {
    return assembleSignedMessage(parts);
  } catch (err) {
    if (err instanceof MedSignError) throw err;
    throw medsignError('INPUT_INVALID', { en: 'the record cannot be rebuilt' });
  }
}

export const compactToText = (record: Uint8Array): string => toBase64Url(record);
