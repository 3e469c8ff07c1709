/**
 * Certificate revocation lists (RFC 5280 §5): issue a v2 CRL with any Signer, parse one
 * (ours or a third party's) keeping the exact signed bytes, check its signature, and look
 * up a serial number. Parsing walks the DER itself: asn1-schema silently drops list items
 * it cannot read, and a CRL that loses an entry would report a revoked certificate as good.
 */
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, AuthorityKeyIdentifier, Extension, Name, RevokedCertificate, Time } from '@peculiar/asn1-x509';
import { childrenOf, readTlv, type Tlv } from '../der.js';
import { bytesToBigInt, equalBytes, fromHex, toHex, exactBuffer } from '../encoding.js';
import { MedSignError, medsignError } from '../errors.js';
import { normalizeOid } from '../oids.js';
import { signatureAlgorithmFromOid, signatureAlgorithmIdentifier, type SignatureAlgorithm } from '../pki/algorithms.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import { authorityKeyIdentifierExtension, EXT_OIDS } from '../pki/extensions.js';
import { nameToString } from '../pki/name.js';
import { publicKeyToSpki, verifySignature, type PublicKey } from '../pki/public-key.js';
import type { Signer } from '../pki/signer.js';

/** CRLReason (RFC 5280 §5.3.1); 7 is not used. */
export const CRL_REASON = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export type CrlReasonCode = (typeof CRL_REASON)[keyof typeof CRL_REASON];

const REASON_CODES = new Set<number>(Object.values(CRL_REASON));
const INVALIDITY_DATE = '2.5.29.24';

export function isCrlReason(value: unknown): value is CrlReasonCode {
  return typeof value === 'number' && REASON_CODES.has(value);
}

export interface CrlEntryInput {
  /** uppercase hex, as ParsedCertificate.serialNumber */
  serialNumber: string;
  revocationDate: Date;
  /** RFC 5280 CRLReason code; unspecified (0) is written as no reasonCode (§5.3.1) */
  reason?: number;
}

export interface CrlRequest {
  issuer: ParsedCertificate;
  thisUpdate: Date;
  /** required by the RFC 5280 profile (§5.1.2.5) */
  nextUpdate: Date;
  /** monotonically increasing, at most 20 octets (§5.2.3) */
  crlNumber: bigint;
  entries: readonly CrlEntryInput[];
}

export interface CrlEntry {
  /** uppercase hex without leading 00 octets, as ParsedCertificate.serialNumber */
  serialNumber: string;
  revocationDate: Date;
  /** reasonCode entry extension, when present */
  reason?: number;
  /** invalidityDate entry extension (§5.3.2), when present */
  invalidityDate?: Date;
}

export interface ParsedCrl {
  der: Uint8Array;
  /** the TBSCertList exactly as signed */
  tbs: Uint8Array;
  /** 1 or 2 */
  version: number;
  issuer: Name;
  /** the issuer Name exactly as encoded */
  issuerDer: Uint8Array;
  issuerText: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  /** keyIdentifier of the authorityKeyIdentifier extension, lowercase hex (as ParsedCertificate.subjectKeyId) */
  authorityKeyId?: string;
  entries: CrlEntry[];
  extensions: Extension[];
  /**
   * Critical CRL or entry extensions this module does not process (e.g. issuingDistributionPoint,
   * deltaCRLIndicator, certificateIssuer). RFC 5280 §5.2: such a CRL must not be used for status.
   */
  unsupportedCriticalExtensions: string[];
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
}

// ---- helpers shared with ocsp.ts (@internal: not meant for the package API) ----

const badDer = (what: string) => medsignError('INPUT_INVALID', { en: what, zh: '数据格式错误' });

/** Canonical serial text: uppercase hex, no leading 00 octets (as ParsedCertificate.serialNumber). */
export function normalizeSerialHex(hex: string): string {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{1,80}$/.test(hex)) {
    throw medsignError('INPUT_INVALID', { en: 'a serial number must be 1-40 bytes of hex', zh: '序列号应为十六进制' });
  }
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.toUpperCase().replace(/^(00)+(?=.)/, '');
}

/** @internal INTEGER contents for a serial given as hex: a leading 00 when the top bit is set. */
export function serialIntegerBytes(hex: string): ArrayBuffer {
  const b = fromHex(normalizeSerialHex(hex));
  return ((b[0]! & 0x80) !== 0 ? Uint8Array.from([0, ...b]) : b).buffer as ArrayBuffer;
}

/** @internal Serial text of INTEGER contents (same form as ParsedCertificate.serialNumber). */
export function serialHexOf(integerContents: Uint8Array): string {
  if (integerContents.length === 0) throw badDer('empty INTEGER');
  return toHex(integerContents).replace(/^(00)+(?=.)/, '').toUpperCase();
}

function tbsCertificateFields(cert: ParsedCertificate): { bytes: Uint8Array; fields: Tlv[] } {
  const bytes = cert.tbs;
  const fields = childrenOf(bytes, readTlv(bytes));
  return { bytes, fields: fields[0]?.tag === 0xa0 ? fields.slice(1) : fields };
}

/** @internal A certificate's issuer or subject Name exactly as encoded in it (no re-encoding). */
export function certificateNameDer(cert: ParsedCertificate, which: 'issuer' | 'subject'): Uint8Array {
  const { bytes, fields } = tbsCertificateFields(cert);
  const t = fields[which === 'issuer' ? 2 : 4];
  if (!t || t.tag !== 0x30) throw badDer('certificate has no name field');
  return bytes.slice(t.start, t.end);
}

/** @internal The subjectPublicKey BIT STRING value (no tag, length or unused-bits octet): what key hashes cover. */
export function subjectPublicKeyBits(cert: ParsedCertificate): Uint8Array {
  const { bytes, fields } = tbsCertificateFields(cert);
  const spki = fields[5];
  const bits = spki && spki.tag === 0x30 ? childrenOf(bytes, spki)[1] : undefined;
  if (!bits || bits.tag !== 0x03 || bits.end - bits.contentStart < 2 || bytes[bits.contentStart] !== 0) {
    throw badDer('certificate has a malformed subjectPublicKeyInfo');
  }
  return bytes.slice(bits.contentStart + 1, bits.end);
}

/** @internal */
export function sameKey(a: PublicKey, b: PublicKey): boolean {
  return equalBytes(publicKeyToSpki(a), publicKeyToSpki(b));
}

/** @internal */
export function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

// ---- issuing ----

/** TBSCertList (§5.1.2) with the issuer Name as raw DER, copied from the issuer certificate. */
class TbsCertListDer {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 1; // v2

  @AsnProp({ type: AlgorithmIdentifier })
  signature = new AlgorithmIdentifier();

  @AsnProp({ type: AsnPropTypes.Any })
  issuer: ArrayBuffer = new ArrayBuffer(0);

  @AsnProp({ type: Time })
  thisUpdate = new Time();

  @AsnProp({ type: Time, optional: true })
  nextUpdate?: Time;

  /** absent, not empty, when nothing is revoked (§5.1.2.6) */
  @AsnProp({ type: RevokedCertificate, repeated: 'sequence', optional: true })
  revokedCertificates?: RevokedCertificate[];

  @AsnProp({ type: Extension, context: 0, repeated: 'sequence', optional: true })
  crlExtensions?: Extension[];

  constructor(params: Partial<TbsCertListDer> = {}) {
    Object.assign(this, params);
  }
}

/** CertificateList (§5.1) around TBS bytes exactly as signed. */
class CertificateListDer {
  @AsnProp({ type: AsnPropTypes.Any })
  tbsCertList: ArrayBuffer = new ArrayBuffer(0);

  @AsnProp({ type: AlgorithmIdentifier })
  signatureAlgorithm = new AlgorithmIdentifier();

  @AsnProp({ type: AsnPropTypes.BitString })
  signature: ArrayBuffer = new ArrayBuffer(0);

  constructor(params: Partial<CertificateListDer> = {}) {
    Object.assign(this, params);
  }
}

const buf = exactBuffer;

function unsignedIntegerDer(value: bigint): Uint8Array {
  const hex = value.toString(16);
  const b = fromHex(hex.length % 2 ? `0${hex}` : hex);
  const content = (b[0]! & 0x80) !== 0 ? Uint8Array.from([0, ...b]) : b;
  return Uint8Array.from([0x02, content.length, ...content]);
}

/** Issue a v2 CRL (§5) signed by `signer`, the key of `request.issuer`. */
export async function issueCrl(request: CrlRequest, signer: Signer): Promise<Uint8Array> {
  const { issuer, thisUpdate, nextUpdate, crlNumber, entries } = request;
  if (!isValidDate(thisUpdate) || !isValidDate(nextUpdate) || !(thisUpdate < nextUpdate)) {
    throw medsignError('INPUT_INVALID', { en: 'thisUpdate must be a date before nextUpdate', zh: '本次更新时间应早于下次更新时间' });
  }
  if (typeof crlNumber !== 'bigint' || crlNumber < 0n || crlNumber >= 1n << 159n) {
    throw medsignError('INPUT_INVALID', { en: 'cRLNumber must be a non-negative integer of at most 20 octets (RFC 5280 §5.2.3)', zh: 'CRL 编号无效' });
  }
  if (!sameKey(signer.publicKey, issuer.publicKey)) {
    throw medsignError('KEY_INVALID', { en: 'the signer key is not the CRL issuer certificate key', zh: '签名密钥与 CRL 签发者证书不匹配' });
  }
  if (issuer.keyUsage && !issuer.keyUsage.includes('crlSign')) {
    throw medsignError('CERT_INVALID', { en: 'the issuer certificate does not allow cRLSign (RFC 5280 §4.2.1.3)', zh: '签发者证书无 CRL 签名用途' });
  }
  const seen = new Set<string>();
  const revoked = entries.map((e) => {
    const serial = normalizeSerialHex(e.serialNumber);
    if (seen.has(serial)) throw medsignError('INPUT_INVALID', { en: `serial ${serial} is listed twice`, zh: `序列号 ${serial} 重复` });
    seen.add(serial);
    if (!isValidDate(e.revocationDate)) throw medsignError('INPUT_INVALID', { en: `revocation date of ${serial} is not a date` });
    if (e.reason !== undefined && (!isCrlReason(e.reason) || e.reason === CRL_REASON.removeFromCRL)) {
      // removeFromCRL only appears in delta CRLs (§5.3.1); this issues complete CRLs
      throw medsignError('INPUT_INVALID', { en: `reason ${String(e.reason)} is not a CRLReason for a complete CRL`, zh: '吊销原因无效' });
    }
    const reason =
      e.reason !== undefined && e.reason !== CRL_REASON.unspecified
        ? [new Extension({ extnID: EXT_OIDS.cRLReason, critical: false, extnValue: new OctetString(Uint8Array.of(0x0a, 0x01, e.reason)) })]
        : undefined;
    return new RevokedCertificate({ userCertificate: serialIntegerBytes(serial), revocationDate: new Time(e.revocationDate), ...(reason ? { crlEntryExtensions: reason } : {}) });
  });
  const sigAlg = signatureAlgorithmIdentifier(signer.algorithm);
  const tbs = new TbsCertListDer({
    signature: sigAlg,
    issuer: buf(certificateNameDer(issuer, 'subject')),
    thisUpdate: new Time(thisUpdate),
    nextUpdate: new Time(nextUpdate),
    ...(revoked.length ? { revokedCertificates: revoked } : {}),
    crlExtensions: [
      authorityKeyIdentifierExtension(issuer.spki), // §5.2.1
      new Extension({ extnID: EXT_OIDS.cRLNumber, critical: false, extnValue: new OctetString(unsignedIntegerDer(crlNumber)) }), // §5.2.3
    ],
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await signer.sign(tbsDer);
  return new Uint8Array(AsnConvert.serialize(new CertificateListDer({ tbsCertList: buf(tbsDer), signatureAlgorithm: sigAlg, signature: buf(signature) })));
}

// ---- parsing ----

const malformed = (what: string) => medsignError('INPUT_INVALID', { en: `CRL: ${what}`, zh: 'CRL 格式错误' });

/** @internal Parse one element with asn1-schema (it throws on a mismatch). */
export function parseElement<T>(bytes: Uint8Array, t: Tlv, type: new () => T): T {
  return AsnConvert.parse(bytes.slice(t.start, t.end), type);
}

/** An Extension, with its OID normalised (UUID arcs). */
function parseExtension(bytes: Uint8Array, t: Tlv): Extension {
  if (t.tag !== 0x30) throw badDer('extension is not a SEQUENCE');
  const e = parseElement(bytes, t, Extension);
  e.extnID = normalizeOid(e.extnID);
  return e;
}

/** @internal Extensions ::= SEQUENCE OF Extension, no OID twice (RFC 5280 §4.2). */
export function parseExtensions(bytes: Uint8Array, seq: Tlv): Extension[] {
  if (seq.tag !== 0x30) throw badDer('extensions are not a SEQUENCE');
  const exts = childrenOf(bytes, seq).map((t) => parseExtension(bytes, t));
  if (new Set(exts.map((e) => e.extnID)).size !== exts.length) throw badDer('an extension appears twice');
  return exts;
}

function parseTime(bytes: Uint8Array, t: Tlv | undefined): Date {
  if (!t || (t.tag !== 0x17 && t.tag !== 0x18)) throw malformed('expected a Time');
  return parseElement(bytes, t, Time).getTime();
}

function integerContents(bytes: Uint8Array, t: Tlv | undefined): Uint8Array {
  if (!t || t.tag !== 0x02 || t.end === t.contentStart) throw malformed('expected an INTEGER');
  return bytes.slice(t.contentStart, t.end);
}

function nonNegative(contents: Uint8Array): bigint {
  if ((contents[0]! & 0x80) !== 0) throw malformed('negative INTEGER');
  return bytesToBigInt(contents);
}

function single(value: Uint8Array, tag: number): Uint8Array {
  const t = readTlv(value);
  if (t.tag !== tag || t.end !== value.length) throw malformed('extension value is malformed');
  return value.slice(t.contentStart, t.end);
}

function reasonOf(e: Extension): number {
  const c = single(new Uint8Array(e.extnValue.buffer), 0x0a);
  if (c.length !== 1 || !isCrlReason(c[0])) throw malformed('unknown CRLReason');
  return c[0];
}

function parseEntry(bytes: Uint8Array, t: Tlv, unsupported: Set<string>): CrlEntry {
  if (t.tag !== 0x30) throw malformed('revoked entry is not a SEQUENCE');
  const [serial, date, exts, ...rest] = childrenOf(bytes, t);
  if (rest.length) throw malformed('revoked entry has extra fields');
  const entry: CrlEntry = { serialNumber: serialHexOf(integerContents(bytes, serial)), revocationDate: parseTime(bytes, date) };
  for (const e of exts ? parseExtensions(bytes, exts) : []) {
    if (e.extnID === EXT_OIDS.cRLReason) entry.reason = reasonOf(e);
    else if (e.extnID === INVALIDITY_DATE) {
      const value = new Uint8Array(e.extnValue.buffer);
      single(value, 0x18); // GeneralizedTime (§5.3.2)
      entry.invalidityDate = AsnConvert.parse(value, Time).getTime();
    } else if (e.critical) unsupported.add(e.extnID);
  }
  return entry;
}

export function parseCrl(der: Uint8Array): ParsedCrl {
  if (!(der instanceof Uint8Array)) throw malformed('expected DER bytes');
  try {
    const outer = readTlv(der);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw malformed('not a DER CertificateList');
    const [tbsT, algT, sigT, ...extra] = childrenOf(der, outer);
    if (!tbsT || !algT || !sigT || extra.length || tbsT.tag !== 0x30 || algT.tag !== 0x30 || sigT.tag !== 0x03) throw malformed('not a CertificateList');

    const f = childrenOf(der, tbsT);
    let i = 0;
    let version = 1;
    if (f[i]?.tag === 0x02) version = Number(nonNegative(integerContents(der, f[i++]))) + 1;
    if (version !== 1 && version !== 2) throw malformed(`version ${version}`);
    const innerAlgT = f[i++];
    if (innerAlgT?.tag !== 0x30) throw malformed('missing signature algorithm');
    const innerAlg = normalizeOid(parseElement(der, innerAlgT, AlgorithmIdentifier).algorithm);
    const issuerT = f[i++];
    if (issuerT?.tag !== 0x30) throw malformed('missing issuer');
    const issuerDer = der.slice(issuerT.start, issuerT.end);
    const issuer = AsnConvert.parse(issuerDer, Name);
    const thisUpdate = parseTime(der, f[i++]);
    let nextUpdate: Date | undefined;
    if (f[i]?.tag === 0x17 || f[i]?.tag === 0x18) nextUpdate = parseTime(der, f[i++]);
    const unsupported = new Set<string>();
    let entries: CrlEntry[] = [];
    if (f[i]?.tag === 0x30) entries = childrenOf(der, f[i++]!).map((t) => parseEntry(der, t, unsupported));
    let extensions: Extension[] = [];
    if (f[i]?.tag === 0xa0) {
      const wrapped = childrenOf(der, f[i++]!);
      if (wrapped.length !== 1) throw malformed('crlExtensions');
      extensions = parseExtensions(der, wrapped[0]!);
    }
    if (i !== f.length) throw malformed('unexpected TBSCertList field');

    let crlNumber: bigint | undefined;
    let authorityKeyId: string | undefined;
    for (const e of extensions) {
      const value = new Uint8Array(e.extnValue.buffer);
      if (e.extnID === EXT_OIDS.cRLNumber) crlNumber = nonNegative(single(value, 0x02));
      else if (e.extnID === EXT_OIDS.authorityKeyIdentifier) {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
        if (aki.keyIdentifier) authorityKeyId = toHex(new Uint8Array(aki.keyIdentifier.buffer));
      } else if (e.critical) unsupported.add(e.extnID);
    }

    const outerAlg = normalizeOid(parseElement(der, algT, AlgorithmIdentifier).algorithm);
    if (outerAlg !== innerAlg || !equalBytes(der.subarray(algT.start, algT.end), der.subarray(innerAlgT.start, innerAlgT.end))) {
      throw malformed('signatureAlgorithm differs from the TBSCertList signature field (RFC 5280 §5.1.1.2)');
    }
    if (sigT.end - sigT.contentStart < 2 || der[sigT.contentStart] !== 0) throw malformed('signature BIT STRING');

    return {
      der,
      tbs: der.slice(tbsT.start, tbsT.end),
      version,
      issuer,
      issuerDer,
      issuerText: nameToString(issuer),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      ...(crlNumber !== undefined ? { crlNumber } : {}),
      ...(authorityKeyId ? { authorityKeyId } : {}),
      entries,
      extensions,
      unsupportedCriticalExtensions: [...unsupported],
      signatureAlgorithm: signatureAlgorithmFromOid(outerAlg),
      signature: der.slice(sigT.contentStart + 1, sigT.end),
    };
  } catch (err) {
    if (err instanceof MedSignError) throw err;
    throw malformed('fields are malformed');
  }
}

/** Is the CRL signed by `issuerPublicKey`? Never throws. */
export function verifyCrlSignature(crl: ParsedCrl, issuerPublicKey: PublicKey): boolean {
  try {
    return verifySignature(crl.signatureAlgorithm, issuerPublicKey, crl.tbs, crl.signature);
  } catch {
    return false;
  }
}

/** The CRL entry for a serial number (hex, any case, leading zeros ignored), if listed. */
export function findRevokedEntry(crl: ParsedCrl, serialHex: string): CrlEntry | undefined {
  const serial = normalizeSerialHex(serialHex);
  return crl.entries.find((e) => e.serialNumber === serial);
}
