/**
 * GM/T 0020 SOF_GetCertInfo / SOF_GetCertInfoByOid over a parsed certificate.
 * Output conventions (documented in docs/cert-info.md):
 *  - times are ISO 8601 UTC ("2026-11-27T05:10:04Z");
 *  - names are "C=CN, O=…, OU=…, CN=…" in encoding order;
 *  - key identifiers and serials are uppercase hex; DER values are base64;
 *  - an extension the certificate does not carry gives "" (SOF's "no value").
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificatePolicies, CRLDistributionPoints, Extensions } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { toBase64 } from '../encoding.js';
import { medsignError } from '../errors.js';
import { normalizeOid } from '../oids.js';
import { EXT_OIDS } from './extensions.js';
import { nameValues, NAME_OIDS } from './name.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';

export const SGD_CERT = {
  VERSION: 0x01,
  SERIAL: 0x02,
  ISSUER: 0x05,
  VALID_TIME: 0x06,
  SUBJECT: 0x07,
  DER_PUBLIC_KEY: 0x08,
  DER_EXTENSIONS: 0x09,
  EXT_AUTHORITYKEYIDENTIFIER_INFO: 0x11,
  EXT_SUBJECTKEYIDENTIFIER_INFO: 0x12,
  EXT_KEYUSAGE_INFO: 0x13,
  EXT_PRIVATEKEYUSAGEPERIOD_INFO: 0x14,
  EXT_CERTIFICATEPOLICIES_INFO: 0x15,
  EXT_POLICYMAPPINGS_INFO: 0x16,
  EXT_BASICCONSTRAINTS_INFO: 0x17,
  EXT_POLICYCONSTRAINTS_INFO: 0x18,
  EXT_EXTKEYUSAGE_INFO: 0x19,
  EXT_CRLDISTRIBUTIONPOINTS_INFO: 0x1a,
  EXT_NETSCAPE_CERT_TYPE_INFO: 0x1b,
  EXT_SELFDEFINED_EXTENSION_INFO: 0x1c,
  ISSUER_CN: 0x21,
  ISSUER_O: 0x22,
  ISSUER_OU: 0x23,
  SUBJECT_CN: 0x31,
  SUBJECT_O: 0x32,
  SUBJECT_OU: 0x33,
  SUBJECT_EMAIL: 0x34,
  NOTBEFORE_TIME: 0x35,
  NOTAFTER_TIME: 0x36,
} as const;

const STANDARD_EXTENSIONS = new Set<string>(Object.values(EXT_OIDS));

export const isoTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Text of a DER value: strings as text, INTEGER in decimal, BOOLEAN, else base64 of the DER. */
export function derValueText(der: Uint8Array): string {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === der.length) {
    const v = parsed.result;
    if (v instanceof asn1js.Utf8String || v instanceof asn1js.PrintableString || v instanceof asn1js.IA5String || v instanceof asn1js.BmpString || v instanceof asn1js.VisibleString) {
      return v.valueBlock.value;
    }
    if (v instanceof asn1js.Integer) return v.toBigInt().toString();
    if (v instanceof asn1js.Boolean) return String(v.getValue());
  }
  return toBase64(der);
}

function extensionDer(cert: ParsedCertificate, oid: string): Uint8Array | undefined {
  const e = cert.extensions.find((x) => x.extnID === oid);
  return e ? new Uint8Array(e.extnValue.buffer) : undefined;
}

function join(values: readonly string[]): string {
  return values.join(', ');
}

export function getCertInfo(certOrDer: ParsedCertificate | Uint8Array, type: number): string {
  const c = certOrDer instanceof Uint8Array ? parseCertificate(certOrDer) : certOrDer;
  const raw = (oid: string) => {
    const d = extensionDer(c, oid);
    return d ? toBase64(d) : '';
  };
  switch (type) {
    case SGD_CERT.VERSION:
      return `V${c.version}`;
    case SGD_CERT.SERIAL:
      return c.serialNumber;
    case SGD_CERT.ISSUER:
      return c.issuerText;
    case SGD_CERT.VALID_TIME:
      return `${isoTime(c.notBefore)} - ${isoTime(c.notAfter)}`;
    case SGD_CERT.SUBJECT:
      return c.subjectText;
    case SGD_CERT.DER_PUBLIC_KEY:
      return toBase64(c.spki);
    case SGD_CERT.DER_EXTENSIONS:
      return c.extensions.length ? toBase64(new Uint8Array(AsnConvert.serialize(new Extensions(c.extensions)))) : '';
    case SGD_CERT.EXT_AUTHORITYKEYIDENTIFIER_INFO:
      return c.authorityKeyId?.toUpperCase() ?? '';
    case SGD_CERT.EXT_SUBJECTKEYIDENTIFIER_INFO:
      return c.subjectKeyId?.toUpperCase() ?? '';
    case SGD_CERT.EXT_KEYUSAGE_INFO:
      return join(c.keyUsage ?? []);
    case SGD_CERT.EXT_PRIVATEKEYUSAGEPERIOD_INFO:
      return raw(EXT_OIDS.privateKeyUsagePeriod);
    case SGD_CERT.EXT_CERTIFICATEPOLICIES_INFO: {
      const d = extensionDer(c, EXT_OIDS.certificatePolicies);
      return d ? join([...AsnConvert.parse(d, CertificatePolicies)].map((p) => normalizeOid(p.policyIdentifier))) : '';
    }
    case SGD_CERT.EXT_POLICYMAPPINGS_INFO:
      return raw(EXT_OIDS.policyMappings);
    case SGD_CERT.EXT_BASICCONSTRAINTS_INFO:
      if (!c.basicConstraints) return '';
      return c.basicConstraints.ca ? `CA:TRUE${c.basicConstraints.pathLen !== undefined ? `, pathlen:${c.basicConstraints.pathLen}` : ''}` : 'CA:FALSE';
    case SGD_CERT.EXT_POLICYCONSTRAINTS_INFO:
      return raw(EXT_OIDS.policyConstraints);
    case SGD_CERT.EXT_EXTKEYUSAGE_INFO:
      return join(c.extKeyUsage ?? []);
    case SGD_CERT.EXT_CRLDISTRIBUTIONPOINTS_INFO: {
      const d = extensionDer(c, EXT_OIDS.cRLDistributionPoints);
      if (!d) return '';
      const urls = [...AsnConvert.parse(d, CRLDistributionPoints)].flatMap((dp) => (dp.distributionPoint?.fullName ?? []).map((g) => g.uniformResourceIdentifier ?? '').filter(Boolean));
      return join(urls);
    }
    case SGD_CERT.EXT_NETSCAPE_CERT_TYPE_INFO:
      return raw(EXT_OIDS.netscapeCertType);
    case SGD_CERT.EXT_SELFDEFINED_EXTENSION_INFO:
      return c.extensions
        .filter((e) => !STANDARD_EXTENSIONS.has(e.extnID))
        .map((e) => `${e.extnID}=${derValueText(new Uint8Array(e.extnValue.buffer))}`)
        .join('; ');
    case SGD_CERT.ISSUER_CN:
      return join(nameValues(c.issuer, 'CN'));
    case SGD_CERT.ISSUER_O:
      return join(nameValues(c.issuer, 'O'));
    case SGD_CERT.ISSUER_OU:
      return join(nameValues(c.issuer, 'OU'));
    case SGD_CERT.SUBJECT_CN:
      return join(nameValues(c.subject, 'CN'));
    case SGD_CERT.SUBJECT_O:
      return join(nameValues(c.subject, 'O'));
    case SGD_CERT.SUBJECT_OU:
      return join(nameValues(c.subject, 'OU'));
    case SGD_CERT.SUBJECT_EMAIL:
      return join(nameValues(c.subject, 'emailAddress'));
    case SGD_CERT.NOTBEFORE_TIME:
      return isoTime(c.notBefore);
    case SGD_CERT.NOTAFTER_TIME:
      return isoTime(c.notAfter);
    default:
      throw medsignError('NOT_SUPPORTED', { en: `certificate info type 0x${type.toString(16)}`, zh: `证书信息类型 0x${type.toString(16)}` });
  }
}

/**
 * SOF_GetCertInfoByOid: a subject-name attribute by its OID, or an extension's value by its
 * OID (decoded when it is a string, INTEGER or BOOLEAN, else base64 DER). "" when absent.
 */
export function getCertInfoByOid(certOrDer: ParsedCertificate | Uint8Array, oid: string): string {
  if (typeof oid !== 'string' || !/^[0-2](\.\d+)+$/.test(oid)) throw medsignError('INPUT_INVALID', { en: `invalid OID ${String(oid)}`, zh: 'OID 格式错误' });
  const c = certOrDer instanceof Uint8Array ? parseCertificate(certOrDer) : certOrDer;
  if ((Object.values(NAME_OIDS) as string[]).includes(oid)) return join(nameValues(c.subject, oid));
  const d = extensionDer(c, oid);
  return d ? derValueText(d) : '';
}

