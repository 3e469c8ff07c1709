import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { extensionValueDer, templateExtension, type TemplateExtensionDefinition } from '../src/pki/template-extension.js';
import { OpensslCli } from './openssl-cli.js';

const OID = '2.25.190385213373104719302455126829584356199';
const attrs = { licenceNo: '110110000012345', idNumber: '11010119850101123X', name: '王医生' };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const der = (def: Omit<TemplateExtensionDefinition, 'oid' | 'critical'>, critical = false) => {
  const e = templateExtension({ oid: OID, critical, ...def }, attrs);
  expect(e.extnID).toBe(OID);
  expect(e.critical).toBe(critical);
  return extensionValueDer(e);
};

let cli: OpensslCli;
beforeAll(() => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
});

describe('templateExtension', () => {
  it('encodes each ASN.1 type as openssl asn1parse reads it', () => {
    const cases: [Omit<TemplateExtensionDefinition, 'oid' | 'critical'>, RegExp][] = [
      [{ type: 'utf8String', value: { attribute: 'name' } }, /UTF8STRING\s+:王医生/],
      [{ type: 'printableString', value: { attribute: 'licenceNo' } }, /PRINTABLESTRING\s+:110110000012345/],
      [{ type: 'ia5String', value: { constant: 'http://ca.example/x' } }, /IA5STRING\s+:http:\/\/ca\.example\/x/],
      [{ type: 'integer', value: { constant: '300' } }, /INTEGER\s+:012C/],
      [{ type: 'octetString', value: { constant: 'AB' } }, /OCTET STRING\s+:AB/],
      [{ type: 'octetString', value: { attribute: 'name' } }, new RegExp(`OCTET STRING\\s+\\[HEX DUMP\\]:${Buffer.from('王医生').toString('hex').toUpperCase()}`)],
      [{ type: 'boolean', value: { constant: 'true' } }, /BOOLEAN\s+:255/],
      [{ type: 'boolean', value: { constant: 'false' } }, /BOOLEAN\s+:0/],
    ];
    for (const [def, expected] of cases) {
      cli.write('v.der', der(def));
      const r = cli.run(['asn1parse', '-inform', 'DER', '-in', 'v.der']);
      expect(r.ok, r.out).toBe(true);
      expect(r.out).toMatch(expected);
    }
    // DER BOOLEAN TRUE is 0xFF (X.690 §11.1)
    expect(hex(der({ type: 'boolean', value: { constant: 'true' } }, true))).toBe('0101ff');
  });

  it('SM3-hashes the UTF-8 value: raw digest in an OCTET STRING, uppercase hex in a string type', () => {
    const digest = createHash('sm3').update(Buffer.from(attrs.idNumber, 'utf8')).digest();
    expect(hex(der({ type: 'octetString', value: { attribute: 'idNumber' }, hashSm3: true }))).toBe('0420' + digest.toString('hex'));
    const printable = der({ type: 'printableString', value: { attribute: 'idNumber' }, hashSm3: true });
    expect(Buffer.from(printable.slice(2)).toString('latin1')).toBe(digest.toString('hex').toUpperCase());
    // a non-ASCII value is hashed as UTF-8
    const name = createHash('sm3').update(Buffer.from('王医生', 'utf8')).digest('hex');
    expect(hex(der({ type: 'octetString', value: { attribute: 'name' }, hashSm3: true }))).toBe('0420' + name);
  });

  it('refuses what cannot be encoded', () => {
    const bad: Omit<TemplateExtensionDefinition, 'oid' | 'critical'>[] = [
      { type: 'boolean', value: { constant: 'yes' } },
      { type: 'boolean', value: { constant: 'true' }, hashSm3: true },
      { type: 'integer', value: { constant: '12' }, hashSm3: true },
      { type: 'integer', value: { constant: '12a' } },
      { type: 'printableString', value: { attribute: 'name' } },
      { type: 'utf8String', value: { attribute: 'mobile' } }, // missing attribute
    ];
    for (const def of bad) expect(() => der(def), JSON.stringify(def)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => templateExtension({ oid: 'x.1', critical: false, type: 'boolean', value: { constant: 'true' } }, {})).toThrow(/invalid OID/);
  });
});
