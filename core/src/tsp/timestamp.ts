/**
 * RFC 3161 time-stamping: requests, responses and tokens (TSTInfo in a CMS SignedData with
 * eContentType id-ct-TSTInfo), for SOF_CreateTimeStampRequest / SOF_CreateTimeStampResponse /
 * SOF_VerifyTimeStamp / SOF_GetTimeStampInfo, and the CAdES-T style unsigned attribute
 * id-aa-signatureTimeStampToken on a signature.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Accuracy, MessageImprint, PKIFailureInfo, PKIFreeText, PKIStatus, PKIStatusInfo, TimeStampReq, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { ContentInfo } from '@peculiar/asn1-cms';
import { AlgorithmIdentifier, GeneralName } from '@peculiar/asn1-x509';
import { childrenOf, parseDer, readTlv } from '../der.js';
import { hash, HASH_LENGTH, type HashAlgorithm } from '../digest.js';
import { bytesToBigInt, equalBytes, toBase64, toHex } from '../encoding.js';
import { MedSignError, medsignError } from '../errors.js';
import { normalizeOid, OID } from '../oids.js';
import { HASH_OIDS, hashFromOid } from '../pki/algorithms.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import { EKU } from '../pki/extensions.js';
import { nameValues } from '../pki/name.js';
import { runtime } from '../runtime/current.js';
import type { Signer } from '../pki/signer.js';
import { parseSignedMessage, setUnsignedAttribute, signMessage, verifySignedMessage, type ParsedSignedMessage, type SignedMessageFailure } from '../cms/signed-data.js';

export interface TimeStampRequestOptions {
  /** the data to stamp (hashed here), or its digest */
  data?: Uint8Array;
  digest?: Uint8Array;
  hash?: HashAlgorithm;
  /** true (default) for a fresh 8-byte nonce, false for none, or the nonce itself */
  nonce?: boolean | Uint8Array;
  /** ask the TSA to include its certificate (default true) */
  certReq?: boolean;
  policy?: string;
}

function messageImprint(alg: HashAlgorithm, digest: Uint8Array): MessageImprint {
  return new MessageImprint({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OIDS[alg] }), hashedMessage: new OctetString(digest) });
}

function positiveInteger(bytes: Uint8Array): ArrayBuffer {
  const b = (bytes[0]! & 0x80) !== 0 ? Uint8Array.from([0, ...bytes]) : bytes.slice();
  return b.buffer as ArrayBuffer;
}

/** SOF_CreateTimeStampRequest: a DER TimeStampReq. */
export function createTimeStampRequest(options: TimeStampRequestOptions): Uint8Array {
  const alg = options.hash ?? 'sm3';
  const digest = options.digest ?? (options.data ? hash(alg, options.data) : undefined);
  if (!digest || digest.length !== HASH_LENGTH[alg]) {
    throw medsignError('INPUT_INVALID', { en: `give the data, or a ${HASH_LENGTH[alg]}-byte ${alg} digest`, zh: '需要原文或正确长度的摘要' });
  }
  const nonce = options.nonce === false ? undefined : options.nonce instanceof Uint8Array ? options.nonce : runtime().randomBytes(8);
  const req = new TimeStampReq({
    version: 1,
    messageImprint: messageImprint(alg, digest),
    certReq: options.certReq ?? true,
    ...(nonce ? { nonce: positiveInteger(nonce) } : {}),
    ...(options.policy ? { reqPolicy: options.policy } : {}),
  });
  return new Uint8Array(AsnConvert.serialize(req));
}

export interface ParsedTimeStampRequest {
  hash: HashAlgorithm;
  digest: Uint8Array;
  /** hex, without leading zero bytes */
  nonce: string | undefined;
  certReq: boolean;
  policy: string | undefined;
}

export function parseTimeStampRequest(der: Uint8Array): ParsedTimeStampRequest {
  const req = parseDer(der, TimeStampReq, () => medsignError('INPUT_INVALID', { en: 'not a DER TimeStampReq', zh: '不是时间戳请求' }));
  if (req.version !== 1) throw medsignError('INPUT_INVALID', { en: `TimeStampReq version ${req.version}` });
  const alg = hashFromOid(req.messageImprint.hashAlgorithm.algorithm);
  const digest = new Uint8Array(req.messageImprint.hashedMessage.buffer);
  if (digest.length !== HASH_LENGTH[alg]) throw medsignError('INPUT_LENGTH', { en: 'message imprint has the wrong length for its hash' });
  return {
    hash: alg,
    digest,
    nonce: req.nonce ? bytesToBigInt(new Uint8Array(req.nonce)).toString(16) : undefined,
    certReq: req.certReq ?? false,
    policy: req.reqPolicy ? normalizeOid(req.reqPolicy) : undefined,
  };
}

export interface TsaOptions {
  signer: Signer;
  /** TSA certificate, DER: critical EKU timeStamping only (RFC 3161 §2.3) */
  certificate: Uint8Array;
  policy: string;
  /** unique per token; default 16 random bytes */
  serialNumber?: Uint8Array;
  genTime?: Date;
  /** e.g. { seconds: 1 } */
  accuracy?: { seconds?: number; millis?: number };
  /** carry the TSA certificate even if the request did not ask */
  alwaysIncludeCertificate?: boolean;
}

/** SOF_CreateTimeStampResponse: answer a request as the TSA. Malformed requests get a rejection, not an exception. */
export async function createTimeStampResponse(requestDer: Uint8Array, tsa: TsaOptions): Promise<Uint8Array> {
  let req: ParsedTimeStampRequest;
  try {
    req = parseTimeStampRequest(requestDer);
  } catch (err) {
    const algorithmProblem = err instanceof MedSignError && err.code === 'ALGORITHM_UNSUPPORTED';
    return createTimeStampRejection(algorithmProblem ? 'badAlg' : 'badRequest', 'request is malformed / 请求格式错误');
  }
  if (req.policy && req.policy !== tsa.policy) return createTimeStampRejection('unacceptedPolicy', 'policy not accepted / 不支持的策略');
  const serial = (tsa.serialNumber ?? runtime().randomBytes(16)).slice();
  if (serial.length === 0 || serial.length > 20) throw medsignError('INPUT_INVALID', { en: 'TSA serial number must be 1-20 bytes' });
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER
  const genTime = tsa.genTime ?? new Date();
  const tst = new TSTInfo({
    version: 1,
    policy: tsa.policy,
    messageImprint: messageImprint(req.hash, req.digest),
    serialNumber: positiveInteger(serial),
    genTime,
    ...(tsa.accuracy ? { accuracy: new Accuracy(tsa.accuracy) } : {}),
    ordering: false,
    ...(req.nonce ? { nonce: positiveInteger(bigHexBytes(req.nonce)) } : {}),
    tsa: new GeneralName({ directoryName: parseCertificate(tsa.certificate).subject }),
  });
  const token = await signMessage({
    content: new Uint8Array(AsnConvert.serialize(tst)),
    signer: tsa.signer,
    certificate: tsa.certificate,
    includeCertificate: req.certReq || (tsa.alwaysIncludeCertificate ?? false),
    signingTime: genTime,
    eContentType: OID.tstInfo,
  });
  const resp = new TimeStampResp({
    status: new PKIStatusInfo({ status: PKIStatus.granted }),
    timeStampToken: AsnConvert.parse(token, ContentInfo),
  });
  return new Uint8Array(AsnConvert.serialize(resp));
}

function bigHexBytes(hex: string): Uint8Array {
  const h = hex.length % 2 ? '0' + hex : hex;
  return Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
}

export type TimeStampFailure = 'badAlg' | 'badRequest' | 'badDataFormat' | 'timeNotAvailable' | 'unacceptedPolicy' | 'unacceptedExtension' | 'systemFailure';

const FAILURE_BITS: Record<TimeStampFailure, number> = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  systemFailure: 25,
};

/** A rejection TimeStampResp (PKIStatus rejection with failInfo). */
export function createTimeStampRejection(failure: TimeStampFailure, text: string): Uint8Array {
  // PKIFailureInfo is a named BIT STRING numbered from the most significant bit (RFC 3161 §2.4.2);
  // DER drops trailing zero bits, so the value ends at the one bit set.
  const bit = FAILURE_BITS[failure];
  const bytes = new Uint8Array((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  const resp = new TimeStampResp({
    status: new PKIStatusInfo({ status: PKIStatus.rejection, statusString: new PKIFreeText([text]), failInfo: new PKIFailureInfo(bytes, 7 - (bit & 7)) }),
  });
  return new Uint8Array(AsnConvert.serialize(resp));
}

function failureNames(info: PKIFailureInfo): string[] {
  const bytes = new Uint8Array(info.value);
  return (Object.entries(FAILURE_BITS) as [TimeStampFailure, number][])
    .filter(([, bit]) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0)
    .map(([name]) => name);
}

export interface ParsedTimeStampResponse {
  status: 'granted' | 'grantedWithMods' | 'rejection' | 'waiting' | 'revocationWarning' | 'revocationNotification';
  statusText: string | undefined;
  failInfo: string[];
  /** the TimeStampToken, DER exactly as in the response */
  token: Uint8Array | undefined;
}

export function parseTimeStampResponse(der: Uint8Array): ParsedTimeStampResponse {
  const resp = parseDer(der, TimeStampResp, () => medsignError('INPUT_INVALID', { en: 'not a DER TimeStampResp', zh: '不是时间戳响应' }));
  const top = childrenOf(der, readTlv(der));
  const tokenTlv = top[1];
  return {
    status: PKIStatus[resp.status.status] as ParsedTimeStampResponse['status'],
    statusText: resp.status.statusString ? [...resp.status.statusString].join('; ') : undefined,
    failInfo: resp.status.failInfo ? failureNames(resp.status.failInfo) : [],
    token: tokenTlv ? der.slice(tokenTlv.start, tokenTlv.end) : undefined,
  };
}

/** A response, or a bare token: either way the token's DER. */
export function timeStampTokenOf(der: Uint8Array): Uint8Array {
  try {
    const msg = parseSignedMessage(der);
    if (msg.eContentType === OID.tstInfo) return der;
  } catch {
    /* not a bare token: try a response */
  }
  const resp = parseTimeStampResponse(der);
  if (!resp.token) throw medsignError('INPUT_INVALID', { en: `the TSA did not grant a token (${resp.status}: ${resp.statusText ?? resp.failInfo.join(',')})`, zh: '时间戳服务未签发时间戳' });
  return resp.token;
}

export interface TimeStampInfo {
  policy: string;
  hash: HashAlgorithm;
  digest: Uint8Array;
  /** uppercase hex */
  serialNumber: string;
  genTime: Date;
  accuracy: { seconds?: number; millis?: number; micros?: number } | undefined;
  nonce: string | undefined;
  message: ParsedSignedMessage;
}

export function parseTimeStampToken(der: Uint8Array): TimeStampInfo {
  const token = timeStampTokenOf(der);
  const message = parseSignedMessage(token);
  if (message.eContentType !== OID.tstInfo || !message.content) throw medsignError('INPUT_INVALID', { en: 'not a timestamp token (eContentType is not id-ct-TSTInfo)' });
  const tst = parseDer(message.content, TSTInfo, () => medsignError('INPUT_INVALID', { en: 'TSTInfo is malformed', zh: '时间戳信息格式错误' }));
  return {
    policy: normalizeOid(tst.policy),
    hash: hashFromOid(tst.messageImprint.hashAlgorithm.algorithm),
    digest: new Uint8Array(tst.messageImprint.hashedMessage.buffer),
    serialNumber: toHex(new Uint8Array(tst.serialNumber)).replace(/^(00)+(?=.)/, '').toUpperCase(),
    genTime: tst.genTime,
    accuracy: tst.accuracy ? { ...(tst.accuracy.seconds ? { seconds: tst.accuracy.seconds } : {}), ...(tst.accuracy.millis ? { millis: tst.accuracy.millis } : {}), ...(tst.accuracy.micros ? { micros: tst.accuracy.micros } : {}) } : undefined,
    nonce: tst.nonce ? bytesToBigInt(new Uint8Array(tst.nonce)).toString(16) : undefined,
    message,
  };
}

export type TimeStampVerifyFailure = SignedMessageFailure | 'IMPRINT_MISMATCH' | 'NONCE_MISMATCH' | 'TSA_CERTIFICATE_INVALID' | 'NOT_GRANTED';

export interface TimeStampVerification {
  valid: boolean;
  failure?: TimeStampVerifyFailure;
  info?: TimeStampInfo;
  tsaCertificate?: ParsedCertificate;
}

/**
 * SOF_VerifyTimeStamp: the token's CMS signature, its imprint against the data (or digest),
 * the nonce when the request is given, and the TSA certificate's critical timeStamping EKU
 * (RFC 3161 §2.3). Trust in the TSA chain is for the validation module.
 */
export function verifyTimeStamp(
  responseOrToken: Uint8Array,
  options: { data?: Uint8Array; digest?: Uint8Array; request?: Uint8Array; certificates?: readonly Uint8Array[] } = {},
): TimeStampVerification {
  let info: TimeStampInfo;
  try {
    info = parseTimeStampToken(responseOrToken);
  } catch {
    try {
      const r = parseTimeStampResponse(responseOrToken);
      if (r.status !== 'granted' && r.status !== 'grantedWithMods') return { valid: false, failure: 'NOT_GRANTED' };
    } catch {
      /* neither */
    }
    return { valid: false, failure: 'FORMAT_FAILURE' };
  }
  const token = timeStampTokenOf(responseOrToken);
  const cms = verifySignedMessage(token, options.certificates ? { certificates: options.certificates } : {});
  if (!cms.valid) return { valid: false, failure: cms.failure!, info };
  const tsaCertificate = cms.signerCertificate!;
  const eku = tsaCertificate.extensions.find((e) => e.extnID === '2.5.29.37');
  if (!eku?.critical || tsaCertificate.extKeyUsage?.length !== 1 || tsaCertificate.extKeyUsage[0] !== EKU.timeStamping) {
    return { valid: false, failure: 'TSA_CERTIFICATE_INVALID', info, tsaCertificate };
  }
  const expected = options.digest ?? (options.data ? hash(info.hash, options.data) : undefined);
  if (expected && !equalBytes(expected, info.digest)) return { valid: false, failure: 'IMPRINT_MISMATCH', info, tsaCertificate };
  if (options.request) {
    const req = parseTimeStampRequest(options.request);
    if (!equalBytes(req.digest, info.digest) || req.hash !== info.hash) return { valid: false, failure: 'IMPRINT_MISMATCH', info, tsaCertificate };
    if (req.nonce !== info.nonce) return { valid: false, failure: 'NONCE_MISMATCH', info, tsaCertificate };
  }
  return { valid: true, info, tsaCertificate };
}

/** GM/T 0006 §5.3.5 timestamp information types, for SOF_GetTimeStampInfo. */
export const SGD_TS = {
  TIME_OF_STAMP: 0x201,
  CN_OF_TSSIGNER: 0x202,
  ORIGINAL_DATA: 0x203,
  CERT_OF_TSSERVER: 0x204,
  CERTCHAIN_OF_TSSERVER: 0x205,
  SOURCE_OF_TIME: 0x206,
  TIME_PRECISION: 0x207,
  RESPONSE_TYPE: 0x208,
  SUBJECT_COUNTRY_OF_TSSIGNER: 0x209,
  SUBJECT_ORGNIZATION_OF_TSSIGNER: 0x20a,
  SUBJECT_CITY_OF_TSSIGNER: 0x20b,
  SUBJECT_EMAIL_OF_TSSIGNER: 0x20c,
} as const;

/** SOF_GetTimeStampInfo. Times are ISO 8601 UTC with milliseconds when present; DER values base64. */
export function getTimeStampInfo(responseOrToken: Uint8Array, type: number): string {
  const info = parseTimeStampToken(responseOrToken);
  const certs = info.message.certificates.map(parseCertificate);
  const tsa = certs.find((c) => c.extKeyUsage?.includes(EKU.timeStamping));
  const tsaField = (attr: string) => (tsa ? nameValues(tsa.subject, attr).join(', ') : '');
  switch (type) {
    case SGD_TS.TIME_OF_STAMP:
      return info.genTime.toISOString().replace('.000Z', 'Z');
    case SGD_TS.CN_OF_TSSIGNER:
      return tsaField('CN');
    case SGD_TS.ORIGINAL_DATA:
      return toBase64(info.digest);
    case SGD_TS.CERT_OF_TSSERVER:
      return tsa ? toBase64(tsa.der) : '';
    case SGD_TS.CERTCHAIN_OF_TSSERVER:
      return certs.map((c) => toBase64(c.der)).join(',');
    case SGD_TS.SOURCE_OF_TIME:
      return info.policy;
    case SGD_TS.TIME_PRECISION:
      return info.accuracy ? JSON.stringify(info.accuracy) : '';
    case SGD_TS.RESPONSE_TYPE:
      return 'granted';
    case SGD_TS.SUBJECT_COUNTRY_OF_TSSIGNER:
      return tsaField('C');
    case SGD_TS.SUBJECT_ORGNIZATION_OF_TSSIGNER:
      return tsaField('O');
    case SGD_TS.SUBJECT_CITY_OF_TSSIGNER:
      return tsaField('L');
    case SGD_TS.SUBJECT_EMAIL_OF_TSSIGNER:
      return tsaField('emailAddress');
    default:
      throw medsignError('NOT_SUPPORTED', { en: `timestamp info type 0x${type.toString(16)}` });
  }
}

// ---- CAdES-T: a token over a CMS signature, as an unsigned attribute ----

/** The request to timestamp a CMS signature: the imprint is the hash of its signature value (RFC 3161 App. A). */
export function signatureTimeStampRequest(cmsDer: Uint8Array, hashAlg: HashAlgorithm = 'sha256'): Uint8Array {
  return createTimeStampRequest({ data: parseSignedMessage(cmsDer).signature, hash: hashAlg });
}

/**
 * Add a token to a SignedData as id-aa-signatureTimeStampToken (CAdES-T). Only the unsigned
 * attributes change, so the signature stays valid.
 */
export function addSignatureTimeStamp(cmsDer: Uint8Array, responseOrToken: Uint8Array): Uint8Array {
  const token = timeStampTokenOf(responseOrToken);
  const msg = parseSignedMessage(cmsDer);
  const info = parseTimeStampToken(token);
  if (!equalBytes(info.digest, hash(info.hash, msg.signature))) {
    throw medsignError('INPUT_INVALID', { en: 'the token does not stamp this signature', zh: '时间戳与该签名不对应' });
  }
  return setUnsignedAttribute(cmsDer, OID.signatureTimeStampToken, token);
}
