import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../src/encoding.js';
import { toPem, fromPem } from '../src/pem.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { issueCertificate, parseCertificate, randomSerialNumber, verifyCertificateSignature } from '../src/pki/certificate.js';
import { getCertInfo, getCertInfoByOid, SGD_CERT } from '../src/pki/cert-info.js';
import { buildCsr, parseCsr } from '../src/pki/csr.js';
import * as X from '../src/pki/extensions.js';
import { buildName, nameToString } from '../src/pki/name.js';
import { generatePrivateKey, localSigner, privateKeyFromPkcs8, privateKeyToPkcs8, publicKeyToSpki } from '../src/pki/signer.js';
import { rsaDealerSplit } from '../src/cosign/mediated-rsa.js';
import { runSm2Keygen } from './cosign-helpers.js';
import { OpensslCli } from './openssl-cli.js';
import { cosignRsaSigner, cosignSm2Signer, issueStaff, makeCa, STAFF, type Issued, type KeyKind } from './pki-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
let cli: OpensslCli;
const cas = new Map<string, Issued>();
const staff = new Map<KeyKind, Issued>();

beforeAll(async () => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
  cas.set('sm2', await makeCa('sm2', 'MedSign SM2 Root'));
  cas.set('rsa', await makeCa('rsa-2048', 'MedSign RSA Root'));
  staff.set('sm2', await issueStaff('sm2', cas.get('sm2')!));
  staff.set('rsa-2048', await issueStaff('rsa-2048', cas.get('rsa')!));
  staff.set('rsa-1024', await issueStaff('rsa-1024', cas.get('rsa')!));
  cli.write('sm2-ca.pem', toPem(cas.get('sm2')!.der, 'CERTIFICATE'));
  cli.write('rsa-ca.pem', toPem(cas.get('rsa')!.der, 'CERTIFICATE'));
  for (const [k, v] of staff) cli.write(`${k}.pem`, toPem(v.der, 'CERTIFICATE'));
});
afterAll(() => cli.dispose());

const caFile = (k: KeyKind) => (k === 'sm2' ? 'sm2-ca.pem' : 'rsa-ca.pem');

describe('X.509 certificates checked by the openssl CLI', () => {
  it.each(['sm2', 'rsa-2048', 'rsa-1024'] as const)('openssl x509 -text parses the %s staff certificate with every extension', (kind) => {
    const { ok, out } = cli.run(['x509', '-in', `${kind}.pem`, '-text', '-noout', '-nameopt', 'utf8']);
    expect(ok, out).toBe(true);
    expect(out).toMatch(kind === 'sm2' ? /Signature Algorithm: SM2-with-SM3/ : /Signature Algorithm: sha256WithRSAEncryption/);
    expect(out).toMatch(kind === 'sm2' ? /ASN1 OID: SM2/ : new RegExp(`Public-Key: \\(${kind.slice(4)} bit\\)`));
    expect(out).toMatch(/Version: 3 \(0x2\)/);
    expect(out).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(out).toMatch(/CA:FALSE/);
    expect(out).toMatch(/TLS Web Client Authentication, E-mail Protection/);
    expect(out).toMatch(/URI:http:\/\/127.0.0.1:17900\/pki\/crl\/test.crl/);
    expect(out).toMatch(/OCSP - URI:http:\/\/127.0.0.1:17900\/pki\/ocsp/);
    expect(out).toMatch(/Policy: 2\.25\.190385213373104719302455126829584356120/);
    expect(out).toMatch(/Subject: C=CN, O=市第一人民医院, OU=心内科, CN=李医生/);
    // our display form is the same as openssl's -nameopt utf8
    const subject = cli.run(['x509', '-in', `${kind}.pem`, '-noout', '-subject', '-nameopt', 'utf8']).out.trim();
    expect(`subject=${staff.get(kind)!.cert.subjectText}`).toBe(subject);
    // the ID number is written as SM3(UTF-8), uppercase hex, as the template asks
    const idHash = createHash('sm3').update(STAFF.idNumber).digest('hex').toUpperCase();
    expect(out).toContain('1.2.156.10260.4.1.1:');
    expect(out).toContain(idHash);
    expect(out).not.toContain(STAFF.idNumber);
    expect(out).toContain(`${X.IDENTITY_OIDS.practitionerLicence}:`);
    expect(out).toContain(STAFF.licence);
  });

  it('openssl verify accepts the RSA chains as they are', () => {
    for (const k of ['rsa-2048', 'rsa-1024'] as const) {
      const r = cli.run(['verify', '-CAfile', caFile(k), `${k}.pem`]);
      expect(r.out.trim()).toBe(`${k}.pem: OK`);
    }
  });

  it('openssl verify accepts the SM2 chain with -vfyopt distid:1234567812345678, and not without (OpenSSL 3.0 default ID is empty)', () => {
    const ok = cli.run(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'sm2-ca.pem', 'sm2.pem']);
    expect(ok.out.trim()).toBe('sm2.pem: OK');
    const without = cli.run(['verify', '-CAfile', 'sm2-ca.pem', 'sm2.pem']);
    expect(without.ok).toBe(false);
    expect(without.out).toMatch(/certificate signature failure/);
  });

  it('a flipped bit in a certificate makes openssl verify and our check fail', () => {
    const der = staff.get('rsa-2048')!.der.slice();
    der[der.length - 300]! ^= 0x01; // inside the TBS (the subject public key)
    cli.write('bad.pem', toPem(der, 'CERTIFICATE'));
    expect(cli.run(['verify', '-CAfile', 'rsa-ca.pem', 'bad.pem']).ok).toBe(false);
    expect(verifyCertificateSignature(parseCertificate(der), cas.get('rsa')!.cert.publicKey)).toBe(false);
  });
});

describe('certificates made by openssl, read and checked by us', () => {
  it('RSA and SM2 self-signed certificates from openssl req -x509', () => {
    cli.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'o-rsa.key']);
    const r = cli.run(['req', '-x509', '-new', '-key', 'o-rsa.key', '-sha256', '-days', '30', '-subj', '/C=CN/O=OpenSSL Made/CN=rsa', '-out', 'o-rsa.pem']);
    expect(r.ok, r.out).toBe(true);
    cli.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'o-sm2.key']);
    const s = cli.run(['req', '-x509', '-new', '-key', 'o-sm2.key', '-sm3', '-sigopt', 'distid:1234567812345678', '-days', '30', '-subj', '/C=CN/O=OpenSSL Made/CN=sm2', '-out', 'o-sm2.pem']);
    expect(s.ok, s.out).toBe(true);
    for (const f of ['o-rsa.pem', 'o-sm2.pem']) {
      const cert = parseCertificate(fromPem(new TextDecoder().decode(cli.read(f)), 'CERTIFICATE'));
      expect(cert.subjectText).toBe(`C=CN, O=OpenSSL Made, CN=${f === 'o-rsa.pem' ? 'rsa' : 'sm2'}`);
      expect(cert.signatureAlgorithm).toBe(f === 'o-rsa.pem' ? 'rsa-with-sha256' : 'sm2-with-sm3');
      expect(verifyCertificateSignature(cert, cert.publicKey)).toBe(true);
    }
  });
});

describe('PKCS#10 requests signed by a phone + cloud co-signature', () => {
  it('an SM2 request co-signed by the two-party protocol passes openssl req -verify', async () => {
    const { phone, cloud } = runSm2Keygen();
    const csr = await buildCsr(buildName([{ type: 'CN', value: '王护士' }, { type: 'O', value: '市第一人民医院' }]), cosignSm2Signer(phone, cloud), [
      X.keyUsageExtension(['digitalSignature', 'nonRepudiation']),
    ]);
    const parsed = parseCsr(csr);
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.subjectText).toBe('CN=王护士, O=市第一人民医院');
    expect(parsed.extensions.map((e) => e.extnID)).toEqual([X.EXT_OIDS.keyUsage]);
    cli.write('cosign.csr', toPem(csr, 'CERTIFICATE REQUEST'));
    const r = cli.run(['req', '-in', 'cosign.csr', '-verify', '-vfyopt', 'distid:1234567812345678', '-noout']);
    expect(r.out).toMatch(/verify OK/i);
    // tampering with the request breaks the proof of possession
    const bad = csr.slice();
    bad[20]! ^= 0x01;
    expect(() => parseCsr(bad).signatureValid).not.toThrow();
    expect(parseCsr(bad).signatureValid).toBe(false);
  });

  it('a mediated-RSA request (sha256 and SM3withRSA) has a valid proof of possession', async () => {
    const rsa = await rsaDealerSplit(2048);
    for (const alg of ['rsa-with-sha256', 'rsa-with-sm3'] as const) {
      const csr = await buildCsr(buildName([{ type: 'CN', value: 'mRSA' }]), cosignRsaSigner(rsa.phone, rsa.cloud, alg));
      expect(parseCsr(csr).signatureValid).toBe(true);
      if (alg === 'rsa-with-sha256') {
        cli.write('mrsa.csr', toPem(csr, 'CERTIFICATE REQUEST'));
        expect(cli.run(['req', '-in', 'mrsa.csr', '-verify', '-noout']).out).toMatch(/verify OK/i);
      }
    }
  });

  it('requests with whole keys for SM2, RSA-2048 and RSA-1024 pass openssl req -verify', async () => {
    for (const kind of ['sm2', 'rsa-2048', 'rsa-1024'] as const) {
      const signer = localSigner(await generatePrivateKey(kind));
      const csr = await buildCsr(buildName([{ type: 'CN', value: `csr-${kind}` }]), signer, [X.basicConstraintsExtension(false)]);
      expect(parseCsr(csr).signatureValid).toBe(true);
      cli.write(`${kind}.csr`, toPem(csr, 'CERTIFICATE REQUEST'));
      const r = cli.run(['req', '-in', `${kind}.csr`, '-verify', '-noout', ...(kind === 'sm2' ? ['-vfyopt', 'distid:1234567812345678'] : []), '-text']);
      expect(r.out).toMatch(/verify OK/i);
      expect(r.out).toContain(`CN = csr-${kind}`);
      expect(r.out).toMatch(/CA:FALSE/);
    }
  });

  it('we read and check requests made by openssl', () => {
    const r = cli.run(['req', '-new', '-key', 'o-sm2.key', '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=from-openssl', '-out', 'o.csr']);
    expect(r.ok, r.out).toBe(true);
    const parsed = parseCsr(fromPem(new TextDecoder().decode(cli.read('o.csr')), 'CERTIFICATE REQUEST'));
    expect(parsed.subjectText).toBe('CN=from-openssl');
    expect(parsed.signatureValid).toBe(true);
  });
});

describe('SOF_GetCertInfo equivalents', () => {
  it('returns every SGD_CERT_* field of the SM2 staff certificate', () => {
    const { cert, der } = staff.get('sm2')!;
    const ca = cas.get('sm2')!.cert;
    const info = (t: number) => getCertInfo(der, t);
    expect(info(SGD_CERT.VERSION)).toBe('V3');
    expect(info(SGD_CERT.SERIAL)).toMatch(/^[0-9A-F]{32}$/);
    expect(info(SGD_CERT.SERIAL)).toBe(cli.run(['x509', '-in', 'sm2.pem', '-noout', '-serial']).out.trim().replace('serial=', ''));
    expect(info(SGD_CERT.ISSUER)).toBe('C=CN, O=MedSign 测试 CA, CN=MedSign SM2 Root');
    expect(info(SGD_CERT.SUBJECT)).toBe('C=CN, O=市第一人民医院, OU=心内科, CN=李医生, serialNumber=E10086');
    expect(info(SGD_CERT.SUBJECT_CN)).toBe('李医生');
    expect(info(SGD_CERT.SUBJECT_O)).toBe('市第一人民医院');
    expect(info(SGD_CERT.SUBJECT_OU)).toBe('心内科');
    expect(info(SGD_CERT.SUBJECT_EMAIL)).toBe('');
    expect(info(SGD_CERT.ISSUER_CN)).toBe('MedSign SM2 Root');
    expect(info(SGD_CERT.ISSUER_O)).toBe('MedSign 测试 CA');
    expect(info(SGD_CERT.ISSUER_OU)).toBe('');
    expect(info(SGD_CERT.NOTBEFORE_TIME)).toBe(cert.notBefore.toISOString().replace('.000', ''));
    expect(info(SGD_CERT.VALID_TIME)).toBe(`${info(SGD_CERT.NOTBEFORE_TIME)} - ${info(SGD_CERT.NOTAFTER_TIME)}`);
    expect(info(SGD_CERT.DER_PUBLIC_KEY)).toBe(Buffer.from(publicKeyToSpki(cert.publicKey)).toString('base64'));
    expect(info(SGD_CERT.DER_EXTENSIONS).length).toBeGreaterThan(100);
    expect(info(SGD_CERT.EXT_SUBJECTKEYIDENTIFIER_INFO)).toBe(cert.subjectKeyId!.toUpperCase());
    expect(info(SGD_CERT.EXT_AUTHORITYKEYIDENTIFIER_INFO)).toBe(ca.subjectKeyId!.toUpperCase());
    expect(info(SGD_CERT.EXT_KEYUSAGE_INFO)).toBe('digitalSignature, nonRepudiation');
    expect(info(SGD_CERT.EXT_BASICCONSTRAINTS_INFO)).toBe('CA:FALSE');
    expect(getCertInfo(cas.get('sm2')!.der, SGD_CERT.EXT_BASICCONSTRAINTS_INFO)).toBe('CA:TRUE');
    expect(info(SGD_CERT.EXT_EXTKEYUSAGE_INFO)).toBe(`${X.EKU.clientAuth}, ${X.EKU.emailProtection}`);
    expect(info(SGD_CERT.EXT_CRLDISTRIBUTIONPOINTS_INFO)).toBe('http://127.0.0.1:17900/pki/crl/test.crl');
    expect(info(SGD_CERT.EXT_CERTIFICATEPOLICIES_INFO)).toBe('2.25.190385213373104719302455126829584356120');
    expect(info(SGD_CERT.EXT_PRIVATEKEYUSAGEPERIOD_INFO)).toBe('');
    expect(info(SGD_CERT.EXT_POLICYMAPPINGS_INFO)).toBe('');
    expect(info(SGD_CERT.EXT_POLICYCONSTRAINTS_INFO)).toBe('');
    expect(info(SGD_CERT.EXT_NETSCAPE_CERT_TYPE_INFO)).toBe('');
    const idHash = createHash('sm3').update(STAFF.idNumber).digest('hex').toUpperCase();
    expect(info(SGD_CERT.EXT_SELFDEFINED_EXTENSION_INFO)).toBe(
      `1.2.156.10260.4.1.1=${idHash}; ${X.IDENTITY_OIDS.practitionerLicence}=${STAFF.licence}; 2.25.190385213373104719302455126829584356115=3`,
    );
    expect(() => info(0x99)).toThrow(code('NOT_SUPPORTED'));
  });

  it('looks up values by OID: identity extensions and name attributes', () => {
    const { der } = staff.get('rsa-2048')!;
    expect(getCertInfoByOid(der, X.IDENTITY_OIDS.idNumber)).toBe(createHash('sm3').update(STAFF.idNumber).digest('hex').toUpperCase());
    expect(getCertInfoByOid(der, X.IDENTITY_OIDS.practitionerLicence)).toBe(STAFF.licence);
    expect(getCertInfoByOid(der, '2.5.4.3')).toBe('李医生');
    expect(getCertInfoByOid(der, '2.5.4.5')).toBe(STAFF.employeeNo);
    expect(getCertInfoByOid(der, '1.2.3.4')).toBe('');
    expect(() => getCertInfoByOid(der, 'not-an-oid')).toThrow(code('INPUT_INVALID'));
  });
});

describe('custom extensions from template definitions', () => {
  it('encodes every ASN.1 type, plain and hashed, and refuses bad values', () => {
    const attrs = { a: 'ABC-123', n: '4096', cn: '张三' };
    const der = (d: X.CustomExtensionDefinition) => toHex(new Uint8Array(X.customExtension(d, attrs).extnValue.buffer));
    expect(der({ oid: '1.2.3', type: 'utf8', value: { attribute: 'cn' } })).toBe('0c06e5bca0e4b889');
    expect(der({ oid: '1.2.3', type: 'printable', value: { attribute: 'a' } })).toBe('1307' + toHex(utf8('ABC-123')));
    expect(der({ oid: '1.2.3', type: 'ia5', value: { constant: 'x@y' } })).toBe('1603' + toHex(utf8('x@y')));
    expect(der({ oid: '1.2.3', type: 'integer', value: { attribute: 'n' } })).toBe('02021000');
    expect(der({ oid: '1.2.3', type: 'integer', value: { constant: '128' } })).toBe('02020080');
    expect(der({ oid: '1.2.3', type: 'octet', value: { attribute: 'a' }, hash: 'sm3' })).toBe('0420' + createHash('sm3').update('ABC-123').digest('hex'));
    expect(der({ oid: '1.2.3', type: 'der', value: { constant: '300302012a' } })).toBe('300302012a');
    expect(X.customExtension({ oid: '1.2.3', critical: true, type: 'utf8', value: { constant: 'x' } }, attrs).critical).toBe(true);
    const bad: X.CustomExtensionDefinition[] = [
      { oid: '1.2.3', type: 'printable', value: { attribute: 'cn' } }, // not printable
      { oid: '1.2.3', type: 'integer', value: { attribute: 'a' } },
      { oid: '1.2.3', type: 'utf8', value: { attribute: 'missing' } },
      { oid: 'x.y', type: 'utf8', value: { constant: 'v' } },
      { oid: '1.2.3', type: 'der', value: { constant: '30030201' } }, // truncated
      { oid: '1.2.3', type: 'integer', value: { constant: '1' }, hash: 'sm3' },
    ];
    for (const d of bad) expect(() => X.customExtension(d, attrs), JSON.stringify(d)).toThrow(code('INPUT_INVALID'));
  });
});

describe('keys, names and bad input', () => {
  it('private keys round-trip through PKCS#8 and openssl reads them', async () => {
    for (const kind of ['sm2', 'rsa-1024'] as const) {
      const key = await generatePrivateKey(kind);
      const der = privateKeyToPkcs8(key);
      expect(privateKeyFromPkcs8(der)).toEqual(key);
      cli.write(`k-${kind}.pem`, toPem(der, 'PRIVATE KEY'));
      expect(cli.run(['pkey', '-in', `k-${kind}.pem`, '-check', '-noout']).out).toMatch(/valid/i);
    }
  });

  it('names: attribute types, display string and validation', () => {
    const n = buildName([{ type: 'C', value: 'CN' }, { type: 'CN', value: 'a' }, { type: 'E', value: 'a@b.cn' }, { type: '2.5.4.97', value: 'x' }]);
    expect(nameToString(n)).toBe('C=CN, CN=a, emailAddress=a@b.cn, 2.5.4.97=x');
    expect(() => buildName([{ type: 'C', value: 'China' }])).toThrow(code('INPUT_INVALID'));
    expect(() => buildName([{ type: 'XX', value: 'a' }])).toThrow(code('INPUT_INVALID'));
    expect(() => buildName([])).toThrow(code('INPUT_INVALID'));
    expect(() => buildName([{ type: 'CN', value: '' }])).toThrow(code('INPUT_INVALID'));
  });

  it('parseCertificate and parseCsr refuse garbage with INPUT_INVALID', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([0x30, 0x03, 1, 2, 3]), utf8('-----BEGIN CERTIFICATE-----'), staff.get('sm2')!.der.subarray(0, 100)]) {
      expect(() => parseCertificate(bad)).toThrow(code('INPUT_INVALID'));
      expect(() => parseCsr(bad)).toThrow(code('INPUT_INVALID'));
    }
  });

  it('the unsigned outer layer is parsed strictly: trailing bytes, a wrong tag or unused signature bits are refused', () => {
    const der = staff.get('rsa-2048')!.der;
    const trailing = Uint8Array.from([...der, 0]);
    // the signatureAlgorithm SEQUENCE sits right after the TBS; retag it
    const tbsEnd = 4 + ((der[6]! << 8) | der[7]!) + 4; // 30 82 LL LL | 30 82 LL LL …
    const retagged = der.slice();
    retagged[tbsEnd] = 0xb0;
    const unusedBits = der.slice();
    unusedBits[der.length - 257] = 0x01; // the BIT STRING's unused-bits octet before a 256-byte signature
    for (const bad of [trailing, retagged, unusedBits]) {
      expect(() => parseCertificate(bad)).toThrow(code('INPUT_INVALID'));
    }
    expect(parseCertificate(der).serialNumber).toBe(staff.get('rsa-2048')!.cert.serialNumber);
  });

  it('issueCertificate refuses bad serials, inverted validity and duplicate extensions', async () => {
    const ca = cas.get('sm2')!;
    const base = { issuer: ca.cert.subject, subject: ca.cert.subject, notBefore: new Date(), notAfter: new Date(Date.now() + 1000), publicKey: ca.cert.spki, extensions: [] };
    await expect(issueCertificate({ ...base, serialNumber: new Uint8Array([0x80, 1]) }, ca.signer)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(issueCertificate({ ...base, serialNumber: new Uint8Array(21).fill(1) }, ca.signer)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(issueCertificate({ ...base, serialNumber: randomSerialNumber(), notAfter: new Date(0) }, ca.signer)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const dup = [X.basicConstraintsExtension(false), X.basicConstraintsExtension(false)];
    await expect(issueCertificate({ ...base, serialNumber: randomSerialNumber(), extensions: dup }, ca.signer)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('a certificate valid past 2049 uses GeneralizedTime, which openssl reads', async () => {
    const ca = cas.get('rsa')!;
    const key = await generatePrivateKey('sm2');
    const der = await issueCertificate(
      { serialNumber: randomSerialNumber(), issuer: ca.cert.subject, subject: buildName([{ type: 'CN', value: 'long' }]), notBefore: new Date('2049-06-01T00:00:00Z'), notAfter: new Date('2056-06-01T00:00:00Z'), publicKey: publicKeyToSpki(localSigner(key).publicKey), extensions: [] },
      ca.signer,
    );
    cli.write('long.pem', toPem(der, 'CERTIFICATE'));
    expect(cli.run(['x509', '-in', 'long.pem', '-noout', '-enddate']).out.trim()).toBe('notAfter=Jun  1 00:00:00 2056 GMT');
    expect(parseCertificate(der).notAfter.toISOString()).toBe('2056-06-01T00:00:00.000Z');
  });
});
