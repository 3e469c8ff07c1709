/**
 * X.500 distinguished names. Built from an ordered list of attributes (the order is the
 * encoding order, C first by convention); strings are UTF8String, except countryName
 * (PrintableString, RFC 5280 §A.1), emailAddress (IA5String) and serialNumber/dnQualifier
 * (PrintableString). Displayed as "C=CN, O=…, OU=…, CN=…" in encoding order, the form
 * SOF_GetCertInfo callers are used to.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { equalBytes } from '../encoding.js';
import { medsignError } from '../errors.js';

/** Attribute short names as OpenSSL prints them (so our display matches `-nameopt utf8`). */
export const NAME_OIDS = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  title: '2.5.4.12',
  serialNumber: '2.5.4.5',
  GN: '2.5.4.42',
  SN: '2.5.4.4',
  dnQualifier: '2.5.4.46',
  emailAddress: '1.2.840.113549.1.9.1',
  UID: '0.9.2342.19200300.100.1.1',
} as const;

/** Accepted on input, case-insensitively, besides the names above. */
const ALIASES: Record<string, string> = { E: NAME_OIDS.emailAddress, EMAIL: NAME_OIDS.emailAddress, T: NAME_OIDS.title, SERIALNUMBER: NAME_OIDS.serialNumber, GIVENNAME: NAME_OIDS.GN, SURNAME: NAME_OIDS.SN };
const BY_UPPER = new Map<string, string>([...Object.entries(NAME_OIDS).map(([k, v]) => [k.toUpperCase(), v] as [string, string]), ...Object.entries(ALIASES)]);

export type NameAttribute = keyof typeof NAME_OIDS;
export interface NameEntry {
  /** a short name (CN, O, …) or a dotted OID */
  type: NameAttribute | string;
  value: string;
}

const SHORT_BY_OID = new Map<string, string>(Object.entries(NAME_OIDS).map(([k, v]) => [v, k]));
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function oidOf(type: string): string {
  const known = BY_UPPER.get(type.toUpperCase());
  if (known) return known;
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  throw medsignError('INPUT_INVALID', { en: `unknown name attribute ${type}`, zh: `未知的名称属性 ${type}` });
}

export function buildName(entries: readonly NameEntry[]): Name {
  if (entries.length === 0) throw medsignError('INPUT_INVALID', { en: 'a name needs at least one attribute' });
  return new Name(
    entries.map(({ type, value }) => {
      const oid = oidOf(type);
      if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
        throw medsignError('INPUT_INVALID', { en: `${type} must be 1-256 characters`, zh: `${type} 长度应为 1-256` });
      }
      let v: AttributeValue;
      if (oid === NAME_OIDS.C) {
        if (!/^[A-Z]{2}$/.test(value)) throw medsignError('INPUT_INVALID', { en: 'C must be a two-letter country code', zh: '国家代码应为两位大写字母' });
        v = new AttributeValue({ printableString: value });
      } else if (oid === NAME_OIDS.emailAddress) {
        if (!/^[\x20-\x7e]+$/.test(value)) throw medsignError('INPUT_INVALID', { en: 'emailAddress must be ASCII' });
        v = new AttributeValue({ ia5String: value });
      } else if ((oid === NAME_OIDS.serialNumber || oid === NAME_OIDS.dnQualifier) && PRINTABLE.test(value)) {
        v = new AttributeValue({ printableString: value });
      } else {
        v = new AttributeValue({ utf8String: value });
      }
      return new RelativeDistinguishedName([new AttributeTypeAndValue({ type: oid, value: v })]);
    }),
  );
}

/** Attribute values of a given type (short name or OID), in order. */
export function nameValues(name: Name, type: string): string[] {
  const oid = oidOf(type);
  const out: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (atv.type === oid) out.push(attributeText(atv.value));
  return out;
}

function attributeText(v: AttributeValue): string {
  if (v.anyValue) return '#' + [...new Uint8Array(v.anyValue)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return v.toString();
}

export function nameToString(name: Name): string {
  const parts: string[] = [];
  for (const rdn of name) {
    parts.push(
      [...rdn]
        .map((atv) => `${SHORT_BY_OID.get(atv.type) ?? atv.type}=${attributeText(atv.value)}`)
        .join(' + '),
    );
  }
  return parts.join(', ');
}

export function nameToEntries(name: Name): NameEntry[] {
  const out: NameEntry[] = [];
  for (const rdn of name) for (const atv of rdn) out.push({ type: SHORT_BY_OID.get(atv.type) ?? atv.type, value: attributeText(atv.value) });
  return out;
}

export function nameToDer(name: Name): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(name));
}

export function namesEqual(a: Name, b: Name): boolean {
  return equalBytes(nameToDer(a), nameToDer(b));
}
