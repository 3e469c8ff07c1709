/**
 * PKCS#7 / CMS SignedData (RFC 5652), attached or detached, one signer, with signed
 * attributes contentType, messageDigest, signingTime and signingCertificateV2 (RFC 5035),
 * and an optional RFC 3161 token as the unsigned attribute id-aa-signatureTimeStampToken.
 *
 * Profiles:
 *  - 'rfc5652': id-signedData / id-data; SignerInfo algorithm rsaEncryption or SM3withSM2.
 *  - 'gmt0010': GM/T 0010 content types 1.2.156.10197.6.1.4.2.{2,1}; SM2 signerInfo algorithm
 *    sm2-1 (1.2.156.10197.1.301.1), as Chinese CA clients expect.
 * Verification accepts both profiles and both SM2 algorithm spellings.
 *
 * Building is split in two deterministic halves (the signed attributes, then the assembly)
 * so that a compact record can rebuild the exact bytes from its parts.
 */
import {
  Attribute,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignerIdentifier,
  SignerInfo,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { GeneralName, GeneralNames, Time } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { hash, type HashAlgorithm } from '../digest.js';
import { childrenOf, readTlv } from '../der.js';
import { equalBytes, toHex, exactBuffer } from '../encoding.js';
import { MedSignError, medsignError } from '../errors.js';
import { normalizeOid, OID } from '../oids.js';
import { HASH_OIDS, hashFromOid, SIGNATURE_ALGORITHMS, signatureAlgorithmFromOid, type SignatureAlgorithm } from '../pki/algorithms.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import { publicKeyToSpki, verifySignature } from '../pki/public-key.js';
import type { Signer } from '../pki/signer.js';
import { ESSCertIDv2, IssuerSerial, SigningCertificateV2 } from './ess.js';
import { RawDerSet, RawSignedData } from './raw-signed-data.js';

export type CmsProfile = 'rfc5652' | 'gmt0010';
export const CMS_PROFILES: readonly CmsProfile[] = ['rfc5652', 'gmt0010'];

const CONTENT_TYPES: Record<CmsProfile, { signedData: string; data: string }> = {
  rfc5652: { signedData: OID.signedData, data: OID.data },
  gmt0010: { signedData: OID.gmSignedData, data: OID.gmData },
};

/** Everything a SignedData is made of; the output is a pure function of these. */
export interface SignedMessageParts {
  profile: CmsProfile;
  /** the signed content; written into the message unless `detached` */
  content: Uint8Array;
  detached: boolean;
  /** signer certificate, DER */
  certificate: Uint8Array;
  includeCertificate: boolean;
  /** further certificates to carry (e.g. the issuing CA), DER */
  extraCertificates?: Uint8Array[];
  signingTime: Date;
  signatureAlgorithm: SignatureAlgorithm;
  /** the signature over the signed attributes; absent while preparing */
  signature?: Uint8Array;
  /** an RFC 3161 TimeStampToken (ContentInfo DER) over the signature value */
  timestampToken?: Uint8Array;
  /** eContentType when it is not the profile's data type (id-ct-TSTInfo for timestamp tokens) */
  eContentType?: string;
}

export interface SignMessageOptions {
  content: Uint8Array;
  signer: Signer;
  certificate: Uint8Array;
  detached?: boolean;
  includeCertificate?: boolean;
  extraCertificates?: Uint8Array[];
  signingTime?: Date;
  profile?: CmsProfile;
  /** eContentType other than data (timestamp tokens use id-ct-TSTInfo) */
  eContentType?: string;
}

const derOf = (v: unknown): Uint8Array => new Uint8Array(AsnConvert.serialize(v));

function attribute(type: string, value: ArrayBuffer): Attribute {
  return new Attribute({ attrType: type, attrValues: [value] });
}

/** X.690 §11.6: the components of a DER SET OF sorted by their encodings. */
function derSortedSet(attrs: Attribute[]): Attribute[] {
  const encoded = attrs.map((a) => ({ a, der: derOf(a) }));
  encoded.sort((x, y) => {
    const n = Math.max(x.der.length, y.der.length);
    for (let i = 0; i < n; i++) {
      const d = (x.der[i] ?? 0) - (y.der[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return encoded.map((e) => e.a);
}

function signedAttributes(parts: SignedMessageParts, cert: ParsedCertificate): Attribute[] {
  const digestAlg = SIGNATURE_ALGORITHMS[parts.signatureAlgorithm].hash;
  const time = new Time(parts.signingTime);
  const essCert = new ESSCertIDv2({
    // hashAlgorithm DEFAULT sha256 is omitted (DER)
    certHash: new OctetString(hash('sha256', parts.certificate)),
    issuerSerial: new IssuerSerial({
      issuer: new GeneralNames([new GeneralName({ directoryName: cert.issuer })]),
      serialNumber: cert.asn.tbsCertificate.serialNumber,
    }),
  });
  return derSortedSet([
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: parts.eContentType ?? CONTENT_TYPES[parts.profile].data }).toBER()),
    attribute(OID.signingTime, AsnConvert.serialize(time)),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: hash(digestAlg, parts.content) }).toBER()),
    attribute(OID.signingCertificateV2, AsnConvert.serialize(new SigningCertificateV2({ certs: [essCert] }))),
  ]);
}

/** The DER SET OF signed attributes: exactly the bytes the signer signs (RFC 5652 §5.4). */
export function signedAttributesToSign(parts: SignedMessageParts): Uint8Array {
  return setOfDer(signedAttributes(parts, parseCertificate(parts.certificate)));
}

function setOfDer(attrs: Attribute[]): Uint8Array {
  // RFC 5652 §5.4: signed over the EXPLICIT SET OF tag (0x31), not the [0] IMPLICIT tag
  const set = new asn1js.Set({ value: attrs.map((a) => asn1js.fromBER(derOf(a)).result) });
  return new Uint8Array(set.toBER());
}

function signerAlgorithmIdentifier(profile: CmsProfile, alg: SignatureAlgorithm): SignatureAlgorithmIdentifier {
  if (SIGNATURE_ALGORITHMS[alg].key === 'rsa') {
    return new SignatureAlgorithmIdentifier({ algorithm: OID.rsaEncryption, parameters: new Uint8Array([5, 0]).buffer });
  }
  return new SignatureAlgorithmIdentifier({ algorithm: profile === 'gmt0010' ? OID.sm2Sign : OID.sm3WithSm2 });
}

/** Assemble the ContentInfo from complete parts. Deterministic: the same parts give the same bytes. */
export function assembleSignedMessage(parts: SignedMessageParts): Uint8Array {
  if (!parts.signature) throw medsignError('INTERNAL', { en: 'assembleSignedMessage needs the signature' });
  const cert = parseCertificate(parts.certificate);
  const digestAlg = new DigestAlgorithmIdentifier({ algorithm: HASH_OIDS[SIGNATURE_ALGORITHMS[parts.signatureAlgorithm].hash] });
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.asn.tbsCertificate.serialNumber }) }),
    digestAlgorithm: digestAlg,
    signedAttrs: signedAttributes(parts, cert),
    signatureAlgorithm: signerAlgorithmIdentifier(parts.profile, parts.signatureAlgorithm),
    signature: new OctetString(parts.signature),
    ...(parts.timestampToken ? { unsignedAttrs: [attribute(OID.signatureTimeStampToken, exactBuffer(parts.timestampToken))] } : {}),
  });
  const certs = parts.includeCertificate ? [parts.certificate, ...(parts.extraCertificates ?? [])] : (parts.extraCertificates ?? []);
  const types = CONTENT_TYPES[parts.profile];
  const signedData = new RawSignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([digestAlg]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: parts.eContentType ?? types.data,
      ...(parts.detached ? {} : { eContent: new EncapsulatedContent({ single: new OctetString(parts.content) }) }),
    }),
    ...(certs.length ? { certificates: new RawDerSet(certs.map((c) => exactBuffer(c))) } : {}),
    signerInfos: new RawDerSet([AsnConvert.serialize(signerInfo)]),
  });
  return derOf(new ContentInfo({ contentType: types.signedData, content: AsnConvert.serialize(signedData) }));
}

/** SOF_SignMessage: sign `content` as CMS SignedData. */
export async function signMessage(options: SignMessageOptions): Promise<Uint8Array> {
  const profile = options.profile ?? 'rfc5652';
  if (!CMS_PROFILES.includes(profile)) throw medsignError('ALGORITHM_UNSUPPORTED', { en: `CMS profile ${String(profile)}` });
  const cert = parseCertificate(options.certificate);
  const signer = options.signer;
  if (cert.publicKey.algorithm !== signer.publicKey.algorithm || !equalBytes(cert.spki, publicKeyToSpki(signer.publicKey))) {
    throw medsignError('KEY_INVALID', { en: 'the signer key does not match the certificate', zh: '签名密钥与证书不匹配' });
  }
  const signingTime = new Date(Math.floor((options.signingTime ?? new Date()).getTime() / 1000) * 1000);
  const parts: SignedMessageParts = {
    profile,
    content: options.content,
    detached: options.detached ?? false,
    certificate: options.certificate,
    includeCertificate: options.includeCertificate ?? true,
    ...(options.extraCertificates ? { extraCertificates: options.extraCertificates } : {}),
    signingTime,
    signatureAlgorithm: signer.algorithm,
    ...(options.eContentType ? { eContentType: options.eContentType } : {}),
  };
  const signature = await signer.sign(setOfDer(signedAttributes(parts, cert)));
  return assembleSignedMessage({ ...parts, signature });
}

// ---- parsing and verification ----

export interface ParsedSignedMessage {
  profile: CmsProfile;
  eContentType: string;
  /** the encapsulated content, if attached */
  content: Uint8Array | undefined;
  certificates: Uint8Array[];
  signerInfo: SignerInfo;
  digestAlgorithm: HashAlgorithm;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  /** the exact signed-attribute bytes (SET OF), as signed */
  signedAttributes: Uint8Array;
  signingTime: Date | undefined;
  messageDigest: Uint8Array | undefined;
  /** SHA-256 certHash from signingCertificateV2, hex */
  signingCertificateHash: string | undefined;
  timestampToken: Uint8Array | undefined;
}

function attrValue(attrs: Attribute[] | undefined, type: string): ArrayBuffer | undefined {
  const a = attrs?.find((x) => x.attrType === type);
  if (a && a.attrValues.length !== 1) throw medsignError('INPUT_INVALID', { en: `attribute ${type} must have one value` });
  return a?.attrValues[0];
}

export function parseSignedMessage(der: Uint8Array): ParsedSignedMessage {
  try {
    const info = AsnConvert.parse(der, ContentInfo);
    const profile: CmsProfile | undefined = info.contentType === OID.signedData ? 'rfc5652' : info.contentType === OID.gmSignedData ? 'gmt0010' : undefined;
    if (!profile) throw medsignError('INPUT_INVALID', { en: `content type ${info.contentType} is not SignedData`, zh: '不是 SignedData 签名消息' });
    const sd = AsnConvert.parse(info.content, RawSignedData);
    if (sd.signerInfos.length !== 1) throw medsignError('NOT_SUPPORTED', { en: `messages with ${sd.signerInfos.length} signers`, zh: '仅支持单一签名者' });
    const siDer = new Uint8Array(sd.signerInfos[0]!);
    const si = AsnConvert.parse(siDer, SignerInfo);
    const econtent = sd.encapContentInfo.eContent;
    let content: Uint8Array | undefined;
    if (econtent?.single) content = new Uint8Array(econtent.single.buffer);
    else if (econtent?.any) {
      // a constructed (BER) OCTET STRING, as streaming encoders write it
      const os = asn1js.fromBER(econtent.any).result;
      if (!(os instanceof asn1js.OctetString)) throw medsignError('INPUT_INVALID', { en: 'eContent is not an OCTET STRING' });
      content = new Uint8Array(os.getValue());
    }
    const digestAlgorithm = hashFromOid(si.digestAlgorithm.algorithm);
    const signatureAlgorithm = signatureAlgorithmFromOid(normalizeOid(si.signatureAlgorithm.algorithm), digestAlgorithm);
    if (SIGNATURE_ALGORITHMS[signatureAlgorithm].hash !== digestAlgorithm) {
      throw medsignError('ALGORITHM_UNSUPPORTED', { en: 'signature and digest algorithms disagree' });
    }
    // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL, … }
    const attrsTlv = childrenOf(siDer, readTlv(siDer))[3];
    if (!si.signedAttrs || !attrsTlv || attrsTlv.tag !== 0xa0) throw medsignError('NOT_SUPPORTED', { en: 'messages without signed attributes', zh: '不支持无签名属性的消息' });
    const raw = siDer.slice(attrsTlv.start, attrsTlv.end);
    raw[0] = 0x31; // [0] IMPLICIT → SET OF, as signed (RFC 5652 §5.4)
    const timeRaw = attrValue(si.signedAttrs, OID.signingTime);
    const mdRaw = attrValue(si.signedAttrs, OID.messageDigest);
    const scRaw = attrValue(si.signedAttrs, OID.signingCertificateV2);
    const ctRaw = attrValue(si.signedAttrs, OID.contentType);
    const eContentType = normalizeOid(sd.encapContentInfo.eContentType);
    // RFC 5652 §11.1: the contentType attribute must name the eContentType
    if (!ctRaw || normalizeOid((asn1js.fromBER(ctRaw).result as asn1js.ObjectIdentifier).valueBlock.toString()) !== eContentType) {
      throw medsignError('INPUT_INVALID', { en: 'contentType attribute missing or different from eContentType' });
    }
    const tst = attrValue(si.unsignedAttrs, OID.signatureTimeStampToken);
    return {
      profile,
      eContentType,
      content,
      // only X.509 certificates (a SEQUENCE); other CertificateChoices are [n]-tagged
      certificates: [...(sd.certificates ?? [])].map((c) => new Uint8Array(c)).filter((c) => c[0] === 0x30),
      signerInfo: si,
      digestAlgorithm,
      signatureAlgorithm,
      signature: new Uint8Array(si.signature.buffer),
      signedAttributes: raw,
      signingTime: timeRaw ? AsnConvert.parse(timeRaw, Time).getTime() : undefined,
      messageDigest: mdRaw ? new Uint8Array(AsnConvert.parse(mdRaw, OctetString).buffer) : undefined,
      signingCertificateHash: scRaw ? toHex(new Uint8Array(AsnConvert.parse(scRaw, SigningCertificateV2).certs[0]?.certHash.buffer ?? new ArrayBuffer(0))) : undefined,
      timestampToken: tst ? new Uint8Array(tst) : undefined,
    };
  } catch (err) {
    if (err instanceof MedSignError) throw err;
    throw medsignError('INPUT_INVALID', { en: 'not a DER CMS/PKCS#7 SignedData', zh: '不是 PKCS#7 签名消息' });
  }
}

/** Find the signer's certificate among those given, by issuer and serial number (or SKI). */
export function findSignerCertificate(msg: ParsedSignedMessage, extra: readonly Uint8Array[] = []): ParsedCertificate | undefined {
  const sid = msg.signerInfo.sid;
  for (const der of [...msg.certificates, ...extra]) {
    let c: ParsedCertificate;
    try {
      c = parseCertificate(der);
    } catch {
      continue;
    }
    if (sid.issuerAndSerialNumber) {
      const want = sid.issuerAndSerialNumber;
      if (equalBytes(new Uint8Array(want.serialNumber), new Uint8Array(c.asn.tbsCertificate.serialNumber)) && equalBytes(derOf(want.issuer), derOf(c.issuer))) return c;
    } else if (sid.subjectKeyIdentifier && c.subjectKeyId === toHex(new Uint8Array(sid.subjectKeyIdentifier.buffer))) {
      return c;
    }
  }
  return undefined;
}

export type SignedMessageFailure =
  | 'FORMAT_FAILURE'
  | 'SIGNED_DATA_NOT_FOUND'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'SIGNING_CERTIFICATE_MISMATCH';

export interface SignedMessageVerification {
  valid: boolean;
  failure?: SignedMessageFailure;
  message?: ParsedSignedMessage;
  signerCertificate?: ParsedCertificate;
  content?: Uint8Array;
}

/**
 * SOF_VerifySignedMessage: the cryptographic checks (content digest, signature,
 * signing-certificate binding). Chain, validity and revocation are in validation.ts.
 */
export function verifySignedMessage(der: Uint8Array, options: { content?: Uint8Array; certificates?: readonly Uint8Array[] } = {}): SignedMessageVerification {
  let msg: ParsedSignedMessage;
  try {
    msg = parseSignedMessage(der);
  } catch {
    return { valid: false, failure: 'FORMAT_FAILURE' };
  }
  const content = msg.content ?? options.content;
  if (!content) return { valid: false, failure: 'SIGNED_DATA_NOT_FOUND', message: msg };
  if (msg.content && options.content && !equalBytes(msg.content, options.content)) return { valid: false, failure: 'HASH_FAILURE', message: msg, content };
  const cert = findSignerCertificate(msg, options.certificates);
  if (!cert) return { valid: false, failure: 'NO_SIGNING_CERTIFICATE_FOUND', message: msg, content };
  const base = { message: msg, signerCertificate: cert, content };
  if (!msg.messageDigest || !equalBytes(msg.messageDigest, hash(msg.digestAlgorithm, content))) return { valid: false, failure: 'HASH_FAILURE', ...base };
  if (!verifySignature(msg.signatureAlgorithm, cert.publicKey, msg.signedAttributes, msg.signature)) return { valid: false, failure: 'SIG_CRYPTO_FAILURE', ...base };
  if (msg.signingCertificateHash !== undefined && msg.signingCertificateHash !== cert.sha256) return { valid: false, failure: 'SIGNING_CERTIFICATE_MISMATCH', ...base };
  return { valid: true, ...base };
}

/**
 * Set (add or replace) an unsigned attribute of the single SignerInfo, leaving every signed
 * byte as it was. Refuses if re-encoding would change the signed attributes (non-DER input).
 */
export function setUnsignedAttribute(der: Uint8Array, type: string, value: Uint8Array): Uint8Array {
  const before = parseSignedMessage(der);
  const info = AsnConvert.parse(der, ContentInfo);
  const sd = AsnConvert.parse(info.content, RawSignedData);
  const si = AsnConvert.parse(sd.signerInfos[0]!, SignerInfo);
  si.unsignedAttrs = [...(si.unsignedAttrs ?? []).filter((a) => a.attrType !== type), attribute(type, exactBuffer(value))];
  sd.signerInfos = new RawDerSet([AsnConvert.serialize(si)]);
  const out = derOf(new ContentInfo({ contentType: info.contentType, content: AsnConvert.serialize(sd) }));
  const after = parseSignedMessage(out);
  if (!equalBytes(after.signedAttributes, before.signedAttributes) || !equalBytes(after.signature, before.signature)) {
    throw medsignError('NOT_SUPPORTED', { en: 'the message is not DER-encoded; cannot add attributes without changing signed bytes' });
  }
  return out;
}

/** SOF_GetInfoFromSignedMessage: 1 = content, 2 = signer certificate, 3 = signature value. */
export function getInfoFromSignedMessage(der: Uint8Array, type: 1 | 2 | 3): Uint8Array {
  const msg = parseSignedMessage(der);
  if (type === 1) {
    if (!msg.content) throw medsignError('INPUT_INVALID', { en: 'the message is detached: it carries no content', zh: '分离式签名不含原文' });
    return msg.content;
  }
  if (type === 2) {
    const cert = findSignerCertificate(msg);
    if (!cert) throw medsignError('INPUT_INVALID', { en: 'the message does not carry the signer certificate', zh: '签名消息不含签名证书' });
    return cert.der;
  }
  if (type === 3) return msg.signature;
  throw medsignError('NOT_SUPPORTED', { en: `info type ${String(type)}` });
}
