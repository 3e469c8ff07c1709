/**
 * X.509 v3 extensions (RFC 5280 §4.2): builders for the standard ones MedSign certificates
 * carry, custom extensions from a certificate-template definition, and readers.
 */
import { AsnConvert, OctetString, AsnIntegerArrayBufferConverter } from '@peculiar/asn1-schema';
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CRLDistributionPoints,
  CertificatePolicies,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  PolicyInformation,
  PolicyQualifierInfo,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  type KeyUsageType,
} from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { hash } from '../digest.js';
import { bigIntToBytes, fromHex, toHex, utf8, exactBuffer } from '../encoding.js';
import { medsignError } from '../errors.js';

export const EXT_OIDS = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  privateKeyUsagePeriod: '2.5.29.16',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  netscapeCertType: '2.16.840.1.113730.1.1',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
} as const;

export const EKU = {
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  documentSigning: '1.3.6.1.4.1.311.10.3.12',
} as const;

/**
 * Identity OIDs read by Chinese relying parties, and MedSign's example arc.
 * - idNumber: 1.2.156.10260.4.1.1 (GM/T 0015 身份证号 / identity number)
 * - practitionerLicence: no standard OID exists for 执业证书编码, so this is a private arc
 *   under 2.25 (ITU-T X.667: an OID from a UUID, usable without registration). A hospital
 *   may configure its own arc in the template instead.
 */
export const IDENTITY_OIDS = {
  idNumber: '1.2.156.10260.4.1.1',
  residentIdNumber: '1.2.156.10260.4.1.1.1',
  passportNumber: '1.2.156.10260.4.1.1.2',
  legacyIdNumber: '1.2.86.11.7.1',
  practitionerLicence: '2.25.190385213373104719302455126829584356113',
  /** marks an emergency (应急) certificate; same private arc */
  emergencyCertificate: '2.25.190385213373104719302455126829584356114',
} as const;

const ext = (extnID: string, critical: boolean, value: unknown): Extension =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

export function keyUsageExtension(usages: readonly KeyUsageType[], critical = true): Extension {
  let flags = 0;
  for (const u of usages) {
    const f = (KeyUsageFlags as unknown as Record<string, number>)[u === 'crlSign' ? 'cRLSign' : u];
    if (f === undefined) throw medsignError('INPUT_INVALID', { en: `unknown key usage ${u}` });
    flags |= f;
  }
  return ext(EXT_OIDS.keyUsage, critical, new KeyUsage(flags));
}

export function extendedKeyUsageExtension(purposes: readonly string[], critical = false): Extension {
  return ext(EXT_OIDS.extKeyUsage, critical, new ExtendedKeyUsage([...purposes]));
}

export function basicConstraintsExtension(ca: boolean, pathLen?: number): Extension {
  return ext(EXT_OIDS.basicConstraints, true, new BasicConstraints(ca ? { cA: true, ...(pathLen !== undefined ? { pathLenConstraint: pathLen } : {}) } : {}));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const spki = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  return hash('sha1', new Uint8Array(spki.subjectPublicKey));
}

export function subjectKeyIdentifierExtension(spkiDer: Uint8Array): Extension {
  return ext(EXT_OIDS.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(spkiDer)));
}

export function authorityKeyIdentifierExtension(issuerSpkiDer: Uint8Array): Extension {
  return ext(EXT_OIDS.authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(issuerSpkiDer)) }));
}

export function crlDistributionPointsExtension(urls: readonly string[]): Extension {
  return ext(
    EXT_OIDS.cRLDistributionPoints,
    false,
    new CRLDistributionPoints(
      urls.map((u) => new DistributionPoint({ distributionPoint: new DistributionPointName({ fullName: [new GeneralName({ uniformResourceIdentifier: u })] }) })),
    ),
  );
}

export function authorityInfoAccessExtension(access: { ocsp?: readonly string[]; caIssuers?: readonly string[] }): Extension {
  const items = [
    ...(access.ocsp ?? []).map((u) => new AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.1', accessLocation: new GeneralName({ uniformResourceIdentifier: u }) })),
    ...(access.caIssuers ?? []).map((u) => new AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.2', accessLocation: new GeneralName({ uniformResourceIdentifier: u }) })),
  ];
  return ext(EXT_OIDS.authorityInfoAccess, false, new AuthorityInfoAccessSyntax(items));
}

export function certificatePoliciesExtension(policies: readonly { oid: string; cps?: string }[]): Extension {
  return ext(
    EXT_OIDS.certificatePolicies,
    false,
    new CertificatePolicies(
      policies.map(
        (p) =>
          new PolicyInformation({
            policyIdentifier: p.oid,
            ...(p.cps
              ? { policyQualifiers: [new PolicyQualifierInfo({ policyQualifierId: '1.3.6.1.5.5.7.2.1', qualifier: new asn1js.IA5String({ value: p.cps }).toBER() })] }
              : {}),
          }),
      ),
    ),
  );
}

/** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): NULL. */
export function ocspNoCheckExtension(): Extension {
  return new Extension({ extnID: EXT_OIDS.ocspNoCheck, critical: false, extnValue: new OctetString(new Uint8Array([5, 0])) });
}

// ---- custom extensions from certificate templates ----

export type CustomExtensionType = 'utf8' | 'printable' | 'ia5' | 'integer' | 'octet' | 'der';

/** One custom extension in a certificate template (证书模板自定义扩展). */
export interface CustomExtensionDefinition {
  oid: string;
  critical?: boolean;
  type: CustomExtensionType;
  /** where the value comes from: a staff attribute (e.g. "idNumber") or a constant */
  value: { attribute: string } | { constant: string };
  /**
   * 'sm3': write SM3(UTF-8 value) instead of the value, for privacy. With a string type the
   * hash is written as 64 uppercase hex digits; with 'octet' as the 32 raw bytes.
   */
  hash?: 'sm3';
}

export type StaffAttributes = Readonly<Record<string, string | undefined>>;

function encodeCustomValue(type: CustomExtensionType, value: string, hashed: Uint8Array | undefined): ArrayBuffer {
  const text = hashed ? toHex(hashed).toUpperCase() : value;
  switch (type) {
    case 'utf8':
      return new asn1js.Utf8String({ value: text }).toBER();
    case 'printable':
      if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw medsignError('INPUT_INVALID', { en: 'value is not a PrintableString', zh: '值含有 PrintableString 不允许的字符' });
      return new asn1js.PrintableString({ value: text }).toBER();
    case 'ia5':
      if (!/^[\x00-\x7f]*$/.test(text)) throw medsignError('INPUT_INVALID', { en: 'value is not ASCII (IA5String)', zh: '值不是 ASCII' });
      return new asn1js.IA5String({ value: text }).toBER();
    case 'integer': {
      if (hashed) throw medsignError('INPUT_INVALID', { en: 'an INTEGER extension cannot be hashed' });
      if (!/^-?\d{1,100}$/.test(value)) throw medsignError('INPUT_INVALID', { en: 'value is not a decimal integer', zh: '值不是整数' });
      const v = BigInt(value);
      if (v < 0n) throw medsignError('INPUT_INVALID', { en: 'negative INTEGER values are not supported' });
      const bytes = bigIntToBytes(v, Math.max(1, Math.ceil(v.toString(16).length / 2)));
      return AsnConvert.serialize(AsnIntegerArrayBufferConverter.toASN(((bytes[0]! & 0x80) !== 0 ? Uint8Array.from([0, ...bytes]) : bytes).buffer as ArrayBuffer));
    }
    case 'octet':
      return new asn1js.OctetString({ valueHex: hashed ?? utf8(value) }).toBER();
    case 'der': {
      if (hashed) throw medsignError('INPUT_INVALID', { en: 'a raw DER extension cannot be hashed' });
      const der = fromHex(value);
      const parsed = asn1js.fromBER(der);
      if (parsed.offset === -1 || parsed.offset !== der.length) throw medsignError('INPUT_INVALID', { en: 'value is not one DER element (hex)', zh: '值不是一个 DER 元素' });
      return exactBuffer(der);
    }
  }
}

/** Build a template's custom extension for one staff member. A missing attribute is an error, not an empty value. */
export function customExtension(def: CustomExtensionDefinition, attributes: StaffAttributes): Extension {
  if (!/^[0-2](\.\d+)+$/.test(def.oid)) throw medsignError('INPUT_INVALID', { en: `invalid OID ${def.oid}` });
  const value = 'constant' in def.value ? def.value.constant : attributes[def.value.attribute];
  if (value === undefined || value === '') {
    const name = 'attribute' in def.value ? def.value.attribute : '';
    throw medsignError('INPUT_INVALID', { en: `staff attribute "${name}" is required by extension ${def.oid}`, zh: `扩展 ${def.oid} 需要人员属性 ${name}` });
  }
  const hashed = def.hash === 'sm3' ? hash('sm3', utf8(value)) : undefined;
  return new Extension({ extnID: def.oid, critical: def.critical ?? false, extnValue: new OctetString(encodeCustomValue(def.type, value, hashed)) });
}

