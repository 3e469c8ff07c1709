/**
 * A certificate template's custom extension (证书模板自定义扩展) with the ASN.1 type names the
 * cloud's template model uses. Strings, INTEGER and OCTET STRING are built by
 * `customExtension` (extensions.ts); BOOLEAN is added here (DER, X.690 §11.1: TRUE is 0xFF).
 *
 * With `hashSm3`, the value written is SM3(UTF-8 value) (GB/T 32905): an OCTET STRING holds
 * the 32 digest bytes, a string type the 64 uppercase hex digits (the form relying parties
 * read as text, e.g. the hashed ID number). INTEGER and BOOLEAN values cannot be hashed.
 */
import { OctetString } from '@peculiar/asn1-schema';
import { Extension } from '@peculiar/asn1-x509';
import { medsignError } from '../errors.js';
import { customExtension, type CustomExtensionType, type StaffAttributes } from './extensions.js';

export const TEMPLATE_VALUE_TYPES = ['utf8String', 'printableString', 'ia5String', 'integer', 'octetString', 'boolean'] as const;
export type TemplateValueType = (typeof TEMPLATE_VALUE_TYPES)[number];

export interface TemplateExtensionDefinition {
  oid: string;
  critical: boolean;
  type: TemplateValueType;
  value: { attribute: string } | { constant: string };
  hashSm3?: boolean;
}

const CORE_TYPE: Record<Exclude<TemplateValueType, 'boolean'>, CustomExtensionType> = {
  utf8String: 'utf8',
  printableString: 'printable',
  ia5String: 'ia5',
  integer: 'integer',
  octetString: 'octet',
};

/** Build the extension for one staff member's attributes. A missing attribute is an error. */
export function templateExtension(def: TemplateExtensionDefinition, attributes: StaffAttributes): Extension {
  if (def.type !== 'boolean') {
    if (def.hashSm3 && def.type === 'integer') throw medsignError('INPUT_INVALID', { en: 'an INTEGER extension cannot be SM3-hashed', zh: 'INTEGER 类型的扩展不能做 SM3 摘要' });
    return customExtension({ oid: def.oid, critical: def.critical, type: CORE_TYPE[def.type], value: def.value, ...(def.hashSm3 ? { hash: 'sm3' as const } : {}) }, attributes);
  }
  if (!/^[0-2](\.\d+)+$/.test(def.oid)) throw medsignError('INPUT_INVALID', { en: `invalid OID ${def.oid}` });
  if (def.hashSm3) throw medsignError('INPUT_INVALID', { en: 'a BOOLEAN extension cannot be SM3-hashed', zh: 'BOOLEAN 类型的扩展不能做 SM3 摘要' });
  const value = 'constant' in def.value ? def.value.constant : attributes[def.value.attribute];
  if (value !== 'true' && value !== 'false') throw medsignError('INPUT_INVALID', { en: `extension ${def.oid}: a BOOLEAN value is "true" or "false"`, zh: `扩展 ${def.oid}：BOOLEAN 的值应为 true 或 false` });
  const der = new Uint8Array([0x01, 0x01, value === 'true' ? 0xff : 0x00]);
  return new Extension({ extnID: def.oid, critical: def.critical, extnValue: new OctetString(der) });
}

/** The DER inside an extension's extnValue OCTET STRING. */
export function extensionValueDer(extension: Extension): Uint8Array {
  return new Uint8Array(extension.extnValue.buffer);
}

