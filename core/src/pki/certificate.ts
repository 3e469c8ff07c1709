/**
 * X.509 v3 certificates (RFC 5280): issue with any Signer, parse, and check a signature
 * against an issuer key. Parsing keeps the exact TBS bytes, so third-party certificates
 * verify even where a re-encoding would differ.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyUsage,
  Name,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
  type KeyUsageType,
} from '@peculiar/asn1-x509';
import { assertSignedStructure } from '../der.js';
import { hash } from '../digest.js';
import { bytesToBigInt, toHex, exactBuffer } from '../encoding.js';
import { medsignError } from '../errors.js';
import { normalizeOid } from '../oids.js';
import { runtime } from '../runtime/current.js';
import { signatureAlgorithmFromOid, signatureAlgorithmIdentifier, type SignatureAlgorithm } from './algorithms.js';
import { EXT_OIDS } from './extensions.js';
import { nameToString, namesEqual } from './name.js';
import { publicKeyFromSpki, verifySignature, type PublicKey } from './public-key.js';
import type { Signer } from './signer.js';

export interface CertificateRequest {
  /** positive, at most 20 bytes (RFC 5280 §4.1.2.2); randomSerialNumber() gives 16 random bytes */
  serialNumber: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  /** subject public key, SubjectPublicKeyInfo DER */
  publicKey: Uint8Array;
  extensions: Extension[];
}

export function randomSerialNumber(): Uint8Array {
  const serial = runtime().randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, and a fixed length of 16 bytes
  return serial;
}

export async function issueCertificate(request: CertificateRequest, signer: Signer): Promise<Uint8Array> {
  const { serialNumber: serial } = request;
  if (serial.length === 0 || serial.length > 20 || (serial[0]! & 0x80) !== 0 || (serial.length > 1 && serial[0] === 0 && (serial[1]! & 0x80) === 0)) {
    throw medsignError('INPUT_INVALID', { en: 'serial number must be a positive minimal INTEGER of at most 20 bytes' });
  }
  if (!(request.notBefore < request.notAfter)) throw medsignError('INPUT_INVALID', { en: 'notBefore must be before notAfter', zh: '起始时间应早于截止时间' });
  const oids = request.extensions.map((e) => e.extnID);
  if (new Set(oids).size !== oids.length) throw medsignError('INPUT_INVALID', { en: 'an extension appears twice' });
  const sigAlg = signatureAlgorithmIdentifier(signer.algorithm);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: exactBuffer(serial),
    signature: sigAlg,
    issuer: request.issuer,
    validity: new Validity({ notBefore: request.notBefore, notAfter: request.notAfter }),
    subject: request.subject,
    subjectPublicKeyInfo: AsnConvert.parse(request.publicKey, SubjectPublicKeyInfo),
    ...(request.extensions.length ? { extensions: new Extensions(request.extensions) } : {}),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await signer.sign(tbsDer);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: sigAlg, signatureValue: exactBuffer(signature) });
  return new Uint8Array(AsnConvert.serialize(cert));
}

export interface ParsedCertificate {
  der: Uint8Array;
  tbs: Uint8Array;
  asn: Certificate;
  version: number;
  /** uppercase hex, as OpenSSL prints it */
  serialNumber: string;
  issuer: Name;
  subject: Name;
  issuerText: string;
  subjectText: string;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  publicKey: PublicKey;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  extensions: Extension[];
  keyUsage: KeyUsageType[] | undefined;
  extKeyUsage: string[] | undefined;
  basicConstraints: { ca: boolean; pathLen?: number } | undefined;
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  /** SHA-256 of the DER, hex: the certificate's identity in stores and compact records */
  sha256: string;
}

function extensionValue<T>(exts: Extension[], oid: string, type: new () => T): T | undefined {
  const e = exts.find((x) => x.extnID === oid);
  return e ? AsnConvert.parse(e.extnValue, type) : undefined;
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  let asn: Certificate;
  try {
    assertSignedStructure(der);
    asn = AsnConvert.parse(der, Certificate);
  } catch {
    throw medsignError('INPUT_INVALID', { en: 'not a DER X.509 certificate', zh: '不是 DER 编码的 X.509 证书' });
  }
  try {
    const t = asn.tbsCertificate;
    const exts = [...(t.extensions ?? [])];
    for (const e of exts) e.extnID = normalizeOid(e.extnID);
    const ku = extensionValue(exts, EXT_OIDS.keyUsage, KeyUsage);
    const bc = extensionValue(exts, EXT_OIDS.basicConstraints, BasicConstraints);
    const eku = extensionValue(exts, EXT_OIDS.extKeyUsage, ExtendedKeyUsage);
    const ski = extensionValue(exts, EXT_OIDS.subjectKeyIdentifier, SubjectKeyIdentifier);
    const aki = extensionValue(exts, EXT_OIDS.authorityKeyIdentifier, AuthorityKeyIdentifier);
    const spki = new Uint8Array(AsnConvert.serialize(t.subjectPublicKeyInfo));
    return {
      der,
      tbs: new Uint8Array(asn.tbsCertificateRaw ?? AsnConvert.serialize(t)),
      asn,
      version: t.version + 1,
      serialNumber: toHex(new Uint8Array(t.serialNumber)).replace(/^(00)+(?=.)/, '').toUpperCase(),
      issuer: t.issuer,
      subject: t.subject,
      issuerText: nameToString(t.issuer),
      subjectText: nameToString(t.subject),
      notBefore: t.validity.notBefore.getTime(),
      notAfter: t.validity.notAfter.getTime(),
      spki,
      publicKey: publicKeyFromSpki(spki),
      signatureAlgorithm: signatureAlgorithmFromOid(asn.signatureAlgorithm.algorithm),
      signature: new Uint8Array(asn.signatureValue),
      extensions: exts,
      keyUsage: ku?.toJSON(),
      extKeyUsage: eku ? [...eku] : undefined,
      basicConstraints: bc ? { ca: bc.cA, ...(bc.pathLenConstraint !== undefined ? { pathLen: bc.pathLenConstraint } : {}) } : undefined,
      subjectKeyId: ski ? toHex(new Uint8Array(ski.buffer)) : undefined,
      authorityKeyId: aki?.keyIdentifier ? toHex(new Uint8Array(aki.keyIdentifier.buffer)) : undefined,
      sha256: toHex(hash('sha256', der)),
    };
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw err;
    throw medsignError('INPUT_INVALID', { en: 'certificate fields are malformed', zh: '证书字段格式错误' });
  }
}

/** Is `cert` signed by `issuerKey`? (signature only; chain rules are in validation) */
export function verifyCertificateSignature(cert: ParsedCertificate, issuerKey: PublicKey): boolean {
  if (cert.asn.signatureAlgorithm.algorithm !== cert.asn.tbsCertificate.signature.algorithm) return false;
  return verifySignature(cert.signatureAlgorithm, issuerKey, cert.tbs, cert.signature);
}

export function isSelfIssued(cert: ParsedCertificate): boolean {
  return namesEqual(cert.issuer, cert.subject);
}

/** Time helpers exposed for CRL/OCSP builders. */
export const toAsnTime = (d: Date): Time => new Time(d);

export const serialOf = (cert: ParsedCertificate): bigint => bytesToBigInt(new Uint8Array(cert.asn.tbsCertificate.serialNumber));

