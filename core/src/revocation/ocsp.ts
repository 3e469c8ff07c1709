/**
 * OCSP (RFC 6960): requests, basic responses signed by the CA or by a delegated responder
 * (id-kp-OCSPSigning, §4.2.2.2), error responses, and the client-side checks of §3.2.
 * Certificates carried in a response stay raw DER (asn1-schema re-encoding would change
 * UUID-arc extensions); parsing walks the DER so no list item is silently dropped.
 */
import { AsnArray, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, CRLReason, Extension, Name } from '@peculiar/asn1-x509';
import {
  CertID,
  CertStatus as AsnCertStatus,
  KeyHash,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import * as asn1js from 'asn1js';
import { childrenOf, readTlv, type Tlv } from '../der.js';
import { hash, HASH_LENGTH, type HashAlgorithm } from '../digest.js';
import { equalBytes, fromHex, toHex, exactBuffer } from '../encoding.js';
import { MedSignError, medsignError } from '../errors.js';
import { normalizeOid } from '../oids.js';
import { HASH_OIDS, hashFromOid, signatureAlgorithmFromOid, signatureAlgorithmIdentifier, type SignatureAlgorithm } from '../pki/algorithms.js';
import { parseCertificate, verifyCertificateSignature, type ParsedCertificate } from '../pki/certificate.js';
import { EKU } from '../pki/extensions.js';
import { nameToString } from '../pki/name.js';
import { verifySignature } from '../pki/public-key.js';
import { runtime } from '../runtime/current.js';
import type { Signer } from '../pki/signer.js';
import {
  certificateNameDer,
  isCrlReason,
  isValidDate,
  normalizeSerialHex,
  parseElement,
  parseExtensions,
  sameKey,
  serialHexOf,
  serialIntegerBytes,
  subjectPublicKeyBits,
} from './crl.js';

export const OCSP_OIDS = {
  basic: '1.3.6.1.5.5.7.48.1.1',
  nonce: '1.3.6.1.5.5.7.48.1.2',
} as const;

/** CertID (§4.1.1): hashes lowercase hex, serial uppercase hex as ParsedCertificate.serialNumber. */
export interface OcspCertId {
  hashAlgorithm: HashAlgorithm;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

export type CertStatus = { status: 'good' } | { status: 'revoked'; revocationTime: Date; reason?: number } | { status: 'unknown' };

export type OcspErrorStatus = 'malformedRequest' | 'internalError' | 'tryLater' | 'sigRequired' | 'unauthorized';
export type OcspResponseStatus = 'successful' | OcspErrorStatus;

const STATUS_CODES: Readonly<Record<OcspResponseStatus, number>> = {
  successful: OCSPResponseStatus.successful,
  malformedRequest: OCSPResponseStatus.malformedRequest,
  internalError: OCSPResponseStatus.internalError,
  tryLater: OCSPResponseStatus.tryLater,
  sigRequired: OCSPResponseStatus.sigRequired,
  unauthorized: OCSPResponseStatus.unauthorized,
};

const NULL_PARAMS = new Uint8Array([0x05, 0x00]).buffer;
/** accepted clock difference for thisUpdate/nextUpdate (OpenSSL's default is the same 5 minutes) */
export const OCSP_CLOCK_SKEW_MS = 5 * 60_000;

const buf = exactBuffer;
const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000); // GeneralizedTime without fractions (RFC 5280 §4.1.2.5.2)
const malformed = (what: string) => medsignError('INPUT_INVALID', { en: `OCSP: ${what}`, zh: 'OCSP 数据格式错误' });

// ---- CertID ----

function issuerHashes(issuer: ParsedCertificate, alg: HashAlgorithm): { issuerNameHash: string; issuerKeyHash: string } {
  return { issuerNameHash: toHex(hash(alg, certificateNameDer(issuer, 'subject'))), issuerKeyHash: toHex(hash(alg, subjectPublicKeyBits(issuer))) };
}

/**
 * The CertID of `certificate` (§4.1.1): issuerNameHash over the issuer Name DER,
 * issuerKeyHash over the issuer's subjectPublicKey BIT STRING value. SHA-1 by default,
 * as OpenSSL and most responders expect.
 */
export function ocspCertId(certificate: ParsedCertificate, issuer: ParsedCertificate, alg: HashAlgorithm = 'sha1'): OcspCertId {
  if (!HASH_OIDS[alg]) throw medsignError('ALGORITHM_UNSUPPORTED', { en: `CertID hash ${String(alg)}` });
  if (
    !equalBytes(certificateNameDer(certificate, 'issuer'), certificateNameDer(issuer, 'subject')) ||
    (certificate.authorityKeyId && issuer.subjectKeyId && certificate.authorityKeyId !== issuer.subjectKeyId)
  ) {
    throw medsignError('INPUT_INVALID', { en: 'the issuer certificate did not issue this certificate', zh: '颁发者证书与被查询证书不匹配' });
  }
  return { hashAlgorithm: alg, ...issuerHashes(issuer, alg), serialNumber: certificate.serialNumber };
}

/** Does this CertID name `issuer` (name and key hashes), whatever its serial? For responders. */
export function certIdMatchesIssuer(id: OcspCertId, issuer: ParsedCertificate): boolean {
  const h = issuerHashes(issuer, id.hashAlgorithm);
  return h.issuerNameHash === id.issuerNameHash.toLowerCase() && h.issuerKeyHash === id.issuerKeyHash.toLowerCase();
}

export function sameCertId(a: OcspCertId, b: OcspCertId): boolean {
  return (
    a.hashAlgorithm === b.hashAlgorithm &&
    a.issuerNameHash.toLowerCase() === b.issuerNameHash.toLowerCase() &&
    a.issuerKeyHash.toLowerCase() === b.issuerKeyHash.toLowerCase() &&
    normalizeSerialHex(a.serialNumber) === normalizeSerialHex(b.serialNumber)
  );
}

function certIdAsn(id: OcspCertId): CertID {
  const oid = HASH_OIDS[id.hashAlgorithm];
  if (!oid) throw medsignError('ALGORITHM_UNSUPPORTED', { en: `CertID hash ${String(id.hashAlgorithm)}` });
  const nameHash = fromHex(id.issuerNameHash);
  const keyHash = fromHex(id.issuerKeyHash);
  if (nameHash.length !== HASH_LENGTH[id.hashAlgorithm] || keyHash.length !== HASH_LENGTH[id.hashAlgorithm]) {
    throw medsignError('INPUT_INVALID', { en: `CertID hashes must be ${HASH_LENGTH[id.hashAlgorithm]} bytes for ${id.hashAlgorithm}` });
  }
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: oid, parameters: NULL_PARAMS }),
    issuerNameHash: new OctetString(nameHash),
    issuerKeyHash: new OctetString(keyHash),
    serialNumber: serialIntegerBytes(id.serialNumber),
  });
}

function parseCertId(bytes: Uint8Array, t: Tlv | undefined): OcspCertId {
  if (t?.tag !== 0x30) throw malformed('CertID is not a SEQUENCE');
  const [algT, nameT, keyT, serialT, ...rest] = childrenOf(bytes, t);
  if (algT?.tag !== 0x30 || nameT?.tag !== 0x04 || keyT?.tag !== 0x04 || serialT?.tag !== 0x02 || rest.length) throw malformed('CertID fields');
  const hashAlgorithm = hashFromOid(normalizeOid(parseElement(bytes, algT, AlgorithmIdentifier).algorithm));
  const issuerNameHash = bytes.slice(nameT.contentStart, nameT.end);
  const issuerKeyHash = bytes.slice(keyT.contentStart, keyT.end);
  if (issuerNameHash.length !== HASH_LENGTH[hashAlgorithm] || issuerKeyHash.length !== HASH_LENGTH[hashAlgorithm]) throw malformed('CertID hash length');
  return { hashAlgorithm, issuerNameHash: toHex(issuerNameHash), issuerKeyHash: toHex(issuerKeyHash), serialNumber: serialHexOf(bytes.slice(serialT.contentStart, serialT.end)) };
}

// ---- nonce (§4.4.1, RFC 8954) ----

/** A fresh 32-byte nonce (RFC 8954 allows 1..32 octets). */
export function ocspNonce(): Uint8Array {
  return runtime().randomBytes(32);
}

function nonceExtension(nonce: Uint8Array): Extension {
  if (!(nonce instanceof Uint8Array) || nonce.length < 1 || nonce.length > 32) throw medsignError('INPUT_INVALID', { en: 'an OCSP nonce is 1-32 bytes (RFC 8954)' });
  return new Extension({ extnID: OCSP_OIDS.nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) });
}

/** extnValue holds an OCTET STRING (RFC 8954); some old responders put the bare bytes. */
function nonceFrom(exts: Extension[]): Uint8Array | undefined {
  const e = exts.find((x) => x.extnID === OCSP_OIDS.nonce);
  if (!e) return undefined;
  const value = new Uint8Array(e.extnValue.buffer);
  try {
    const t = readTlv(value);
    if (t.tag === 0x04 && t.end === value.length) return value.slice(t.contentStart, t.end);
  } catch {
    /* bare bytes */
  }
  return value;
}

// ---- requests ----

export interface OcspRequestOptions {
  certificate: ParsedCertificate;
  issuer: ParsedCertificate;
  nonce?: Uint8Array;
  hash?: HashAlgorithm;
}

/** An unsigned OCSPRequest (§4.1.1) for one certificate. */
export function buildOcspRequest(options: OcspRequestOptions): Uint8Array {
  const id = ocspCertId(options.certificate, options.issuer, options.hash ?? 'sha1');
  const req = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: certIdAsn(id) })],
      ...(options.nonce !== undefined ? { requestExtensions: [nonceExtension(options.nonce)] } : {}),
    }),
  });
  return new Uint8Array(AsnConvert.serialize(req));
}

export interface ParsedOcspRequest {
  requests: OcspCertId[];
  nonce?: Uint8Array;
  /** whether optionalSignature is present (not checked here) */
  signed: boolean;
}

function wrappedSingle(bytes: Uint8Array, t: Tlv): Tlv {
  const inner = childrenOf(bytes, t);
  if (inner.length !== 1) throw malformed('explicit tag must wrap one element');
  return inner[0]!;
}

function checkedDer(der: Uint8Array, what: string): Tlv {
  if (!(der instanceof Uint8Array)) throw malformed('expected DER bytes');
  const outer = readTlv(der);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw malformed(`not a DER ${what}`);
  return outer;
}

export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  try {
    const outer = checkedDer(der, 'OCSPRequest');
    const [tbsT, sigT, ...extra] = childrenOf(der, outer);
    if (tbsT?.tag !== 0x30 || (sigT && sigT.tag !== 0xa0) || extra.length) throw malformed('OCSPRequest fields');
    const f = childrenOf(der, tbsT);
    let i = 0;
    if (f[i]?.tag === 0xa0) {
      const v = wrappedSingle(der, f[i++]!);
      if (v.tag !== 0x02 || v.end - v.contentStart !== 1 || der[v.contentStart] !== 0) throw malformed('version must be v1');
    }
    if (f[i]?.tag === 0xa1) i++; // requestorName
    const listT = f[i++];
    if (listT?.tag !== 0x30) throw malformed('missing requestList');
    const requests = childrenOf(der, listT).map((r) => {
      if (r.tag !== 0x30) throw malformed('Request is not a SEQUENCE');
      const [idT, extT, ...more] = childrenOf(der, r);
      if ((extT && extT.tag !== 0xa0) || more.length) throw malformed('Request fields');
      if (extT) parseExtensions(der, wrappedSingle(der, extT));
      return parseCertId(der, idT);
    });
    if (requests.length === 0) throw malformed('empty requestList');
    let exts: Extension[] = [];
    if (f[i]?.tag === 0xa2) exts = parseExtensions(der, wrappedSingle(der, f[i++]!));
    if (i !== f.length) throw malformed('unexpected TBSRequest field');
    const nonce = nonceFrom(exts);
    return { requests, ...(nonce ? { nonce } : {}), signed: sigT !== undefined };
  } catch (err) {
    if (err instanceof MedSignError) throw err;
    throw malformed('fields are malformed');
  }
}

// ---- responses ----

/**
 * Certificate ::= SEQUENCE { tbs SEQUENCE, AlgorithmIdentifier, BIT STRING with no unused bits }.
 * Checked here because parseCertificate tolerates a malformed unsigned envelope.
 */
function checkedCertificate(der: Uint8Array): Uint8Array {
  const outer = readTlv(der);
  const [tbs, alg, sig, ...more] = outer.tag === 0x30 && outer.end === der.length ? childrenOf(der, outer) : [];
  if (tbs?.tag !== 0x30 || alg?.tag !== 0x30 || sig?.tag !== 0x03 || more.length || sig.end === sig.contentStart || der[sig.contentStart] !== 0) {
    throw malformed('a carried certificate is not a DER Certificate');
  }
  return der;
}

@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Any })
class RawDerSequence extends AsnArray<ArrayBuffer> {
  constructor(items?: ArrayBuffer[]) {
    super(items);
    Object.setPrototypeOf(this, RawDerSequence.prototype);
  }
}

/** BasicOCSPResponse (§4.2.1) with tbsResponseData as signed and the certificates as raw DER. */
class BasicOcspResponseDer {
  @AsnProp({ type: AsnPropTypes.Any })
  tbsResponseData: ArrayBuffer = new ArrayBuffer(0);

  @AsnProp({ type: AlgorithmIdentifier })
  signatureAlgorithm = new AlgorithmIdentifier();

  @AsnProp({ type: AsnPropTypes.BitString })
  signature: ArrayBuffer = new ArrayBuffer(0);

  @AsnProp({ type: RawDerSequence, context: 0, optional: true })
  certs?: RawDerSequence;

  constructor(params: Partial<BasicOcspResponseDer> = {}) {
    Object.assign(this, params);
  }
}

export interface OcspSingleResponseInput {
  certId: OcspCertId;
  status: CertStatus;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface OcspResponseOptions {
  signer: Signer;
  /** the certificate of `signer` (the CA or a delegated responder); ResponderID is byKey from it */
  responderCertificate: Uint8Array;
  producedAt: Date;
  responses: readonly OcspSingleResponseInput[];
  /** echo of the request nonce */
  nonce?: Uint8Array;
  /** raw DER certificates to carry, e.g. the delegated responder certificate */
  certificates?: readonly Uint8Array[];
}

function certStatusAsn(s: CertStatus): AsnCertStatus {
  switch (s?.status) {
    case 'good':
      return new AsnCertStatus({ good: null });
    case 'unknown':
      return new AsnCertStatus({ unknown: null });
    case 'revoked': {
      if (!isValidDate(s.revocationTime)) throw medsignError('INPUT_INVALID', { en: 'revocationTime is not a date' });
      if (s.reason !== undefined && !isCrlReason(s.reason)) throw medsignError('INPUT_INVALID', { en: `reason ${String(s.reason)} is not a CRLReason` });
      return new AsnCertStatus({
        revoked: new RevokedInfo({ revocationTime: seconds(s.revocationTime), ...(s.reason !== undefined ? { revocationReason: new CRLReason(s.reason) } : {}) }),
      });
    }
    default:
      throw medsignError('INPUT_INVALID', { en: 'status must be good, revoked or unknown' });
  }
}

/** A successful OCSPResponse carrying a BasicOCSPResponse signed by `signer` (§4.2.1). */
export async function buildOcspResponse(options: OcspResponseOptions): Promise<Uint8Array> {
  const { signer, producedAt, responses } = options;
  const responder = parseCertificate(options.responderCertificate);
  if (!sameKey(signer.publicKey, responder.publicKey)) {
    throw medsignError('KEY_INVALID', { en: 'the signer key is not the responder certificate key', zh: '签名密钥与 OCSP 响应者证书不匹配' });
  }
  if (!isValidDate(producedAt)) throw medsignError('INPUT_INVALID', { en: 'producedAt is not a date' });
  if (!responses?.length) throw medsignError('INPUT_INVALID', { en: 'a response needs at least one SingleResponse' });
  const certificates = options.certificates ?? [];
  for (const c of certificates) parseCertificate(checkedCertificate(c)); // refuse garbage early; carried as given
  const single = responses.map((r) => {
    if (!isValidDate(r.thisUpdate) || (r.nextUpdate !== undefined && (!isValidDate(r.nextUpdate) || r.nextUpdate < r.thisUpdate))) {
      throw medsignError('INPUT_INVALID', { en: 'thisUpdate must be a date not after nextUpdate' });
    }
    return new SingleResponse({
      certID: certIdAsn(r.certId),
      certStatus: certStatusAsn(r.status),
      thisUpdate: seconds(r.thisUpdate),
      ...(r.nextUpdate ? { nextUpdate: seconds(r.nextUpdate) } : {}),
    });
  });
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new KeyHash(hash('sha1', subjectPublicKeyBits(responder))) }), // §4.2.2.3
    producedAt: seconds(producedAt),
    responses: single,
    ...(options.nonce !== undefined ? { responseExtensions: [nonceExtension(options.nonce)] } : {}),
  });
  const tbs = new Uint8Array(AsnConvert.serialize(data));
  const signature = await signer.sign(tbs);
  const basic = new BasicOcspResponseDer({
    tbsResponseData: buf(tbs),
    signatureAlgorithm: signatureAlgorithmIdentifier(signer.algorithm),
    signature: buf(signature),
    ...(certificates.length ? { certs: new RawDerSequence(certificates.map(buf)) } : {}),
  });
  const resp = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: OCSP_OIDS.basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return new Uint8Array(AsnConvert.serialize(resp));
}

/** An unsuccessful OCSPResponse: status only, no responseBytes (§4.2.1). */
export function buildOcspErrorResponse(status: OcspErrorStatus): Uint8Array {
  if (status === ('successful' as string) || !Object.prototype.hasOwnProperty.call(STATUS_CODES, status)) {
    throw medsignError('INPUT_INVALID', { en: `unknown OCSP error status ${String(status)}` });
  }
  return new Uint8Array(AsnConvert.serialize(new OCSPResponse({ responseStatus: STATUS_CODES[status] })));
}

export interface OcspSingleResponse extends OcspCertId {
  status: CertStatus;
  thisUpdate: Date;
  nextUpdate?: Date;
}

interface OcspResponseBase {
  der: Uint8Array;
  responses: OcspSingleResponse[];
  certificates: Uint8Array[];
}

export interface OcspErrorResponse extends OcspResponseBase {
  responseStatus: OcspErrorStatus;
}

export interface OcspBasicResponse extends OcspResponseBase {
  responseStatus: 'successful';
  producedAt: Date;
  nonce?: Uint8Array;
  /** ResponseData exactly as signed */
  tbsResponseData: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  /** ResponderID byKey: SHA-1 of the responder's subjectPublicKey, lowercase hex */
  responderKeyHash?: string;
  /** ResponderID byName, for display, and its exact DER for matching */
  responderName?: string;
  responderNameDer?: Uint8Array;
}

export type ParsedOcspResponse = OcspBasicResponse | OcspErrorResponse;

function parseGeneralizedTime(bytes: Uint8Array, t: Tlv | undefined): Date {
  if (t?.tag !== 0x18) throw malformed('expected a GeneralizedTime');
  const r = asn1js.fromBER(bytes.slice(t.start, t.end));
  if (r.offset === -1 || !(r.result instanceof asn1js.GeneralizedTime)) throw malformed('bad GeneralizedTime');
  const d = r.result.toDate();
  if (!isValidDate(d)) throw malformed('bad GeneralizedTime');
  return d;
}

function parseCertStatus(bytes: Uint8Array, t: Tlv | undefined): CertStatus {
  if (t?.tag === 0x80 && t.end === t.contentStart) return { status: 'good' };
  if (t?.tag === 0x82 && t.end === t.contentStart) return { status: 'unknown' };
  if (t?.tag !== 0xa1) throw malformed('certStatus');
  const [timeT, reasonT, ...rest] = childrenOf(bytes, t);
  if (rest.length || (reasonT && reasonT.tag !== 0xa0)) throw malformed('RevokedInfo');
  const revocationTime = parseGeneralizedTime(bytes, timeT);
  if (!reasonT) return { status: 'revoked', revocationTime };
  const e = wrappedSingle(bytes, reasonT);
  if (e.tag !== 0x0a || e.end - e.contentStart !== 1 || !isCrlReason(bytes[e.contentStart])) throw malformed('revocationReason');
  return { status: 'revoked', revocationTime, reason: bytes[e.contentStart]! };
}

function parseSingleResponse(bytes: Uint8Array, t: Tlv): OcspSingleResponse {
  if (t.tag !== 0x30) throw malformed('SingleResponse is not a SEQUENCE');
  const f = childrenOf(bytes, t);
  const certId = parseCertId(bytes, f[0]);
  const status = parseCertStatus(bytes, f[1]);
  const thisUpdate = parseGeneralizedTime(bytes, f[2]);
  let i = 3;
  let nextUpdate: Date | undefined;
  if (f[i]?.tag === 0xa0) nextUpdate = parseGeneralizedTime(bytes, wrappedSingle(bytes, f[i++]!));
  if (f[i]?.tag === 0xa1) parseExtensions(bytes, wrappedSingle(bytes, f[i++]!));
  if (i !== f.length) throw malformed('unexpected SingleResponse field');
  return { ...certId, status, thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) };
}

export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  try {
    const outer = checkedDer(der, 'OCSPResponse');
    const [statusT, bytesT, ...extra] = childrenOf(der, outer);
    if (statusT?.tag !== 0x0a || statusT.end - statusT.contentStart !== 1 || extra.length || (bytesT && bytesT.tag !== 0xa0)) throw malformed('OCSPResponse fields');
    const code = der[statusT.contentStart]!;
    const responseStatus = (Object.keys(STATUS_CODES) as OcspResponseStatus[]).find((k) => STATUS_CODES[k] === code);
    if (!responseStatus) throw malformed(`responseStatus ${code}`);
    if (responseStatus !== 'successful') return { der, responseStatus, responses: [], certificates: [] };
    if (!bytesT) throw malformed('a successful response without responseBytes');

    const rb = wrappedSingle(der, bytesT);
    const [typeT, octetsT, ...more] = rb.tag === 0x30 ? childrenOf(der, rb) : [];
    if (typeT?.tag !== 0x06 || octetsT?.tag !== 0x04 || more.length) throw malformed('ResponseBytes');
    const responseType = normalizeOid(parseElement(der, rb, ResponseBytes).responseType);
    if (responseType !== OCSP_OIDS.basic) throw medsignError('NOT_SUPPORTED', { en: `OCSP response type ${responseType}` });

    const basic = der.slice(octetsT.contentStart, octetsT.end);
    const b = checkedDer(basic, 'BasicOCSPResponse');
    const [tbsT, algT, sigT, certsT, ...rest] = childrenOf(basic, b);
    if (tbsT?.tag !== 0x30 || algT?.tag !== 0x30 || sigT?.tag !== 0x03 || (certsT && certsT.tag !== 0xa0) || rest.length) throw malformed('BasicOCSPResponse fields');
    if (sigT.end - sigT.contentStart < 2 || basic[sigT.contentStart] !== 0) throw malformed('signature BIT STRING');
    const certificates: Uint8Array[] = [];
    if (certsT) {
      const seq = wrappedSingle(basic, certsT);
      if (seq.tag !== 0x30) throw malformed('certs');
      for (const c of childrenOf(basic, seq)) certificates.push(checkedCertificate(basic.slice(c.start, c.end)));
    }

    const f = childrenOf(basic, tbsT);
    let i = 0;
    if (f[i]?.tag === 0xa0) {
      const v = wrappedSingle(basic, f[i++]!);
      if (v.tag !== 0x02 || v.end - v.contentStart !== 1 || basic[v.contentStart] !== 0) throw malformed('version must be v1');
    }
    const rid = f[i++];
    let responderKeyHash: string | undefined;
    let responderNameDer: Uint8Array | undefined;
    let responderName: string | undefined;
    if (rid?.tag === 0xa2) {
      const kh = wrappedSingle(basic, rid);
      if (kh.tag !== 0x04 || kh.end - kh.contentStart !== 20) throw malformed('ResponderID byKey');
      responderKeyHash = toHex(basic.slice(kh.contentStart, kh.end));
    } else if (rid?.tag === 0xa1) {
      const n = wrappedSingle(basic, rid);
      if (n.tag !== 0x30) throw malformed('ResponderID byName');
      responderNameDer = basic.slice(n.start, n.end);
      responderName = nameToString(AsnConvert.parse(responderNameDer, Name));
    } else throw malformed('ResponderID');
    const producedAt = parseGeneralizedTime(basic, f[i++]);
    const listT = f[i++];
    if (listT?.tag !== 0x30) throw malformed('responses');
    const responses = childrenOf(basic, listT).map((t) => parseSingleResponse(basic, t));
    let exts: Extension[] = [];
    if (f[i]?.tag === 0xa1) exts = parseExtensions(basic, wrappedSingle(basic, f[i++]!));
    if (i !== f.length) throw malformed('unexpected ResponseData field');
    const nonce = nonceFrom(exts);

    return {
      der,
      responseStatus,
      producedAt,
      responses,
      ...(nonce ? { nonce } : {}),
      certificates,
      tbsResponseData: basic.slice(tbsT.start, tbsT.end),
      signatureAlgorithm: signatureAlgorithmFromOid(normalizeOid(parseElement(basic, algT, AlgorithmIdentifier).algorithm)),
      signature: basic.slice(sigT.contentStart + 1, sigT.end),
      ...(responderKeyHash ? { responderKeyHash } : {}),
      ...(responderNameDer ? { responderName, responderNameDer } : {}),
    };
  } catch (err) {
    if (err instanceof MedSignError) throw err;
    throw malformed('fields are malformed');
  }
}

// ---- client-side checks (§3.2) ----

export type OcspVerificationFailure =
  | 'FORMAT_FAILURE'
  | 'UNSUCCESSFUL_RESPONSE'
  | 'RESPONDER_NOT_FOUND'
  | 'RESPONDER_NOT_AUTHORIZED'
  | 'SIG_CRYPTO_FAILURE'
  | 'CERT_ID_MISMATCH'
  | 'NONCE_MISMATCH'
  | 'NOT_YET_VALID'
  | 'EXPIRED';

export interface OcspVerifyOptions {
  /** the CA that issued the certificate in question */
  issuer: ParsedCertificate;
  /** the certificate asked about; without it, the first response for this issuer is taken */
  certificate?: ParsedCertificate;
  /** the request nonce: the response must echo it */
  nonce?: Uint8Array;
  /** the time to check thisUpdate/nextUpdate and the responder certificate against (default now) */
  at?: Date;
}

export interface OcspVerification {
  valid: boolean;
  failure?: OcspVerificationFailure;
  /** only when valid */
  status?: CertStatus;
  response?: ParsedOcspResponse;
  single?: OcspSingleResponse;
  /** the certificate whose key signed the response (the issuer or a delegated responder) */
  responder?: ParsedCertificate;
}

function responderMatches(resp: OcspBasicResponse, cert: ParsedCertificate): boolean {
  if (resp.responderKeyHash !== undefined) return toHex(hash('sha1', subjectPublicKeyBits(cert))) === resp.responderKeyHash;
  return resp.responderNameDer !== undefined && equalBytes(certificateNameDer(cert, 'subject'), resp.responderNameDer);
}

/** §4.2.2.2: issued directly by the CA, with id-kp-OCSPSigning, and valid at `at`. */
function authorizedResponder(cert: ParsedCertificate, issuer: ParsedCertificate, at: Date): boolean {
  try {
    return (
      equalBytes(certificateNameDer(cert, 'issuer'), certificateNameDer(issuer, 'subject')) &&
      verifyCertificateSignature(cert, issuer.publicKey) &&
      (cert.extKeyUsage ?? []).map(normalizeOid).includes(EKU.ocspSigning) &&
      (cert.keyUsage === undefined || cert.keyUsage.includes('digitalSignature')) &&
      cert.notBefore <= at &&
      at <= cert.notAfter
    );
  } catch {
    return false; // a carried certificate too odd to read is no responder
  }
}

function signatureValid(resp: OcspBasicResponse, signer: ParsedCertificate): boolean {
  try {
    return verifySignature(resp.signatureAlgorithm, signer.publicKey, resp.tbsResponseData, resp.signature);
  } catch {
    return false;
  }
}

/**
 * Check an OCSP response as a client (§3.2): signed by the issuer or by an authorised
 * delegated responder carried in the response, about this certificate, echoing the nonce,
 * and current. Revocation of a delegated responder certificate is not checked (id-pkix-ocsp-nocheck).
 */
export function verifyOcspResponse(response: ParsedOcspResponse | Uint8Array, options: OcspVerifyOptions): OcspVerification {
  let resp: ParsedOcspResponse;
  try {
    resp = response instanceof Uint8Array ? parseOcspResponse(response) : response;
  } catch {
    return { valid: false, failure: 'FORMAT_FAILURE' };
  }
  if (resp.responseStatus !== 'successful') return { valid: false, failure: 'UNSUCCESSFUL_RESPONSE', response: resp };
  const { issuer, certificate } = options;
  const at = options.at ?? new Date();

  let responder: ParsedCertificate | undefined;
  let issuerResponds: boolean;
  try {
    issuerResponds = responderMatches(resp, issuer);
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'the issuer certificate is malformed' });
  }
  if (issuerResponds) responder = issuer;
  else {
    const carried = resp.certificates.flatMap((der) => {
      try {
        const c = parseCertificate(der);
        return responderMatches(resp, c) ? [c] : [];
      } catch {
        return [];
      }
    });
    if (carried.length === 0) return { valid: false, failure: 'RESPONDER_NOT_FOUND', response: resp };
    responder = carried.find((c) => authorizedResponder(c, issuer, at));
    if (!responder) return { valid: false, failure: 'RESPONDER_NOT_AUTHORIZED', response: resp };
  }
  const base = { response: resp, responder };
  if (!signatureValid(resp, responder)) return { valid: false, failure: 'SIG_CRYPTO_FAILURE', ...base };

  const single = resp.responses.find((r) => {
    try {
      if (certificate) return sameCertId(r, ocspCertId(certificate, issuer, r.hashAlgorithm));
      const h = issuerHashes(issuer, r.hashAlgorithm);
      return r.issuerNameHash === h.issuerNameHash && r.issuerKeyHash === h.issuerKeyHash;
    } catch {
      return false;
    }
  });
  if (!single) return { valid: false, failure: 'CERT_ID_MISMATCH', ...base };
  if (options.nonce !== undefined && !(resp.nonce && equalBytes(resp.nonce, options.nonce))) return { valid: false, failure: 'NONCE_MISMATCH', ...base, single };
  if (single.thisUpdate.getTime() > at.getTime() + OCSP_CLOCK_SKEW_MS) return { valid: false, failure: 'NOT_YET_VALID', ...base, single };
  if (single.nextUpdate && single.nextUpdate.getTime() < at.getTime() - OCSP_CLOCK_SKEW_MS) return { valid: false, failure: 'EXPIRED', ...base, single };
  return { valid: true, status: single.status, ...base, single };
}

