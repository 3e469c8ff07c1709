import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInfoFromSignedMessage, parseSignedMessage, signMessage, verifySignedMessage, type CmsProfile } from '../src/cms/signed-data.js';
import { rsaDealerSplit } from '../src/cosign/mediated-rsa.js';
import { toHex, utf8 } from '../src/encoding.js';
import { fromPem, toPem } from '../src/pem.js';
import { privateKeyToPkcs8 } from '../src/pki/signer.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { issueCertificate, parseCertificate, randomSerialNumber } from '../src/pki/certificate.js';
import { buildName } from '../src/pki/name.js';
import { publicKeyToSpki } from '../src/pki/public-key.js';
import { BouncyCastle } from './bouncycastle.js';
import { runSm2Keygen } from './cosign-helpers.js';
import { OpensslCli } from './openssl-cli.js';
import { cosignRsaSigner, cosignSm2Signer, issueStaff, makeCa, staffExtensions, type Issued } from './pki-fixtures.js';

let cli: OpensslCli;
let bc: BouncyCastle;
const ca: Record<'sm2' | 'rsa', Issued> = {} as never;
const staff: Record<'sm2' | 'rsa-2048' | 'rsa-1024', Issued> = {} as never;
const record = utf8('住院病历 inpatient record: 主诉 胸痛 3 天 / chest pain for 3 days');

beforeAll(async () => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
  bc = new BouncyCastle();
  ca.sm2 = await makeCa('sm2', 'CMS SM2 Root');
  ca.rsa = await makeCa('rsa-2048', 'CMS RSA Root');
  staff.sm2 = await issueStaff('sm2', ca.sm2);
  staff['rsa-2048'] = await issueStaff('rsa-2048', ca.rsa);
  staff['rsa-1024'] = await issueStaff('rsa-1024', ca.rsa);
  cli.write('rsa-ca.pem', toPem(ca.rsa.der, 'CERTIFICATE'));
  cli.write('record.txt', record);
});
afterAll(() => cli.dispose());

const CASES = [
  ['sm2', 'rfc5652'],
  ['sm2', 'gmt0010'],
  ['rsa-2048', 'rfc5652'],
  ['rsa-2048', 'gmt0010'],
  ['rsa-1024', 'rfc5652'],
] as const;

describe('CMS SignedData verified by BouncyCastle', () => {
  it.each(CASES)('%s / %s, attached and detached, with and without the certificate', async (kind, profile) => {
    const s = staff[kind];
    for (const detached of [false, true]) {
      const der = await signMessage({ content: record, signer: s.signer, certificate: s.der, profile, detached });
      const bcOut = detached ? bc.run('cms', der, record) : bc.run('cms', der);
      expect(bcOut.out).toMatch(/^OK /);
      expect(bcOut.ok).toBe(true);
      const ours = verifySignedMessage(der, detached ? { content: record } : {});
      expect(ours.valid).toBe(true);
      expect(ours.message!.profile).toBe(profile);
      expect(ours.signerCertificate!.sha256).toBe(s.cert.sha256);
    }
    const noCert = await signMessage({ content: record, signer: s.signer, certificate: s.der, profile, includeCertificate: false });
    expect(parseSignedMessage(noCert).certificates).toHaveLength(0);
    expect(verifySignedMessage(noCert)).toMatchObject({ valid: false, failure: 'NO_SIGNING_CERTIFICATE_FOUND' });
    expect(verifySignedMessage(noCert, { certificates: [s.der] }).valid).toBe(true);
  });

  it('RSA with SHA-1 and SM3 (SM3withRSA) digests verifies in BouncyCastle and ours; openssl takes SHA-1', async () => {
    const { localSigner } = await import('../src/pki/signer.js');
    for (const alg of ['rsa-with-sha1', 'rsa-with-sm3'] as const) {
      const signer = localSigner(staff['rsa-2048'].key, alg);
      const der = await signMessage({ content: record, signer, certificate: staff['rsa-2048'].der });
      const v = verifySignedMessage(der);
      expect(v.valid).toBe(true);
      expect(v.message!.digestAlgorithm).toBe(alg === 'rsa-with-sha1' ? 'sha1' : 'sm3');
      const out = bc.run('cms', der);
      expect(out.out).toMatch(/^OK /);
      expect(out.out).toContain(alg === 'rsa-with-sha1' ? '1.3.14.3.2.26' : '1.2.156.10197.1.401');
      const bad = der.slice();
      bad[der.length - 5]! ^= 0x01; // inside the signature value
      expect(bc.run('cms', bad).ok).toBe(false);
      expect(verifySignedMessage(bad).valid).toBe(false);
      if (alg === 'rsa-with-sha1') {
        cli.write('sha1.p7', der);
        expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'sha1.p7', '-CAfile', 'rsa-ca.pem', '-binary', '-out', 'sha1.out']).out).toMatch(/Verification successful/);
      }
    }
  });

  it('SM2 GM/T 0010 profile writes the GM content types and the sm2-1 algorithm; rfc5652 writes the standard ones', async () => {
    const gm = await signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der, profile: 'gmt0010' });
    const parsed = cli.write('gm.der', gm) && cli.run(['asn1parse', '-inform', 'DER', '-in', 'gm.der']).out;
    expect(parsed).toContain('1.2.156.10197.6.1.4.2.2');
    expect(parsed).toContain('1.2.156.10197.6.1.4.2.1');
    expect(parsed).toContain('1.2.156.10197.1.301.1');
    const std = await signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der, profile: 'rfc5652' });
    cli.write('std.der', std);
    const out = cli.run(['asn1parse', '-inform', 'DER', '-in', 'std.der']).out;
    expect(out).toMatch(/:pkcs7-signedData/);
    expect(out).toMatch(/:pkcs7-data/);
    expect(out).toMatch(/:SM2-with-SM3/);
    expect(out).toMatch(/:sm3/);
    expect(out).toMatch(/:id-smime-aa-signingCertificateV2/);
    expect(out).toMatch(/:signingTime/);
  });

  it('a phone + cloud co-signed CMS (two-party SM2, mediated RSA) verifies in BouncyCastle', async () => {
    const { phone, cloud } = runSm2Keygen();
    const signer = cosignSm2Signer(phone, cloud);
    const spki = publicKeyToSpki(signer.publicKey);
    const certDer = await issueCertificate(
      { serialNumber: randomSerialNumber(), issuer: ca.sm2.cert.subject, subject: buildName([{ type: 'CN', value: '协同签名医生' }]), notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 864e5), publicKey: spki, extensions: staffExtensions(spki, ca.sm2) },
      ca.sm2.signer,
    );
    for (const profile of ['rfc5652', 'gmt0010'] as CmsProfile[]) {
      const der = await signMessage({ content: record, signer, certificate: certDer, profile });
      expect(bc.run('cms', der).out).toMatch(/^OK /);
    }
    const rsa = await rsaDealerSplit(2048);
    const rsaSigner = cosignRsaSigner(rsa.phone, rsa.cloud);
    const rsaSpki = publicKeyToSpki(rsaSigner.publicKey);
    const rsaCert = await issueCertificate(
      { serialNumber: randomSerialNumber(), issuer: ca.rsa.cert.subject, subject: buildName([{ type: 'CN', value: 'mRSA 医生' }]), notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 864e5), publicKey: rsaSpki, extensions: staffExtensions(rsaSpki, ca.rsa) },
      ca.rsa.signer,
    );
    const der = await signMessage({ content: record, signer: rsaSigner, certificate: rsaCert });
    expect(bc.run('cms', der).out).toMatch(/^OK /);
    cli.write('mrsa.p7', der);
    cli.write('mrsa-cert.pem', toPem(rsaCert, 'CERTIFICATE'));
    expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'mrsa.p7', '-CAfile', 'rsa-ca.pem', '-binary', '-out', 'mrsa.out']).out).toMatch(/Verification successful/);
    expect(parseCertificate(rsaCert).subjectText).toBe('CN=mRSA 医生');
  });
});

describe('CMS against the openssl CLI', () => {
  it('openssl cms -verify accepts our RSA rfc5652 messages, attached and detached, with the chain', async () => {
    for (const kind of ['rsa-2048', 'rsa-1024'] as const) {
      const att = await signMessage({ content: record, signer: staff[kind].signer, certificate: staff[kind].der });
      cli.write('att.p7', att);
      const a = cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'att.p7', '-CAfile', 'rsa-ca.pem', '-binary', '-out', 'att.out']);
      expect(a.out).toMatch(/CMS Verification successful/);
      expect(toHex(cli.read('att.out'))).toBe(toHex(record));
      const det = await signMessage({ content: record, signer: staff[kind].signer, certificate: staff[kind].der, detached: true });
      cli.write('det.p7', det);
      expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'det.p7', '-content', 'record.txt', '-CAfile', 'rsa-ca.pem', '-binary', '-out', 'det.out']).out).toMatch(/CMS Verification successful/);
    }
  });

  it('gap, pinned: OpenSSL 3.0 cannot verify SM2 CMS (so BouncyCastle is the independent check)', async () => {
    const der = await signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der });
    cli.write('sm2.p7', der);
    const r = cli.run(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', 'sm2.p7', '-binary', '-out', 'sm2.out']);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/verification failure/);
  });

  it('we verify what openssl cms -sign makes, attached and detached, and read its parts', () => {
    cli.write('signer.pem', toPem(staff['rsa-2048'].der, 'CERTIFICATE'));
    cli.write('signer.key', toPem(privateKeyToPkcs8(staff['rsa-2048'].key), 'PRIVATE KEY'));
    for (const md of ['sha256', 'sha1']) {
      expect(cli.run(['cms', '-sign', '-in', 'record.txt', '-signer', 'signer.pem', '-inkey', 'signer.key', '-md', md, '-binary', '-nodetach', '-outform', 'DER', '-out', 'o-att.p7']).ok).toBe(true);
      const att = cli.read('o-att.p7');
      const v = verifySignedMessage(att);
      expect(v).toMatchObject({ valid: true });
      expect(v.message!.digestAlgorithm).toBe(md);
      expect(toHex(getInfoFromSignedMessage(att, 1))).toBe(toHex(record));
      expect(toHex(getInfoFromSignedMessage(att, 2))).toBe(toHex(staff['rsa-2048'].der));
      expect(getInfoFromSignedMessage(att, 3).length).toBe(256);
    }
    expect(cli.run(['cms', '-sign', '-in', 'record.txt', '-signer', 'signer.pem', '-inkey', 'signer.key', '-binary', '-outform', 'DER', '-out', 'o-det.p7']).ok).toBe(true);
    const det = cli.read('o-det.p7');
    expect(verifySignedMessage(det, { content: record }).valid).toBe(true);
    expect(verifySignedMessage(det)).toMatchObject({ valid: false, failure: 'SIGNED_DATA_NOT_FOUND' });
    expect(verifySignedMessage(det, { content: utf8('another record') })).toMatchObject({ valid: false, failure: 'HASH_FAILURE' });
  });
});

describe('CMS: tampering and bad input', () => {
  it('a flipped bit in the content, the signature or the certificate is caught', async () => {
    for (const kind of ['sm2', 'rsa-2048'] as const) {
      const der = await signMessage({ content: record, signer: staff[kind].signer, certificate: staff[kind].der });
      const at = (needle: Uint8Array) => Buffer.from(der).indexOf(Buffer.from(needle));
      // content
      const c = der.slice();
      c[at(record) + 3]! ^= 0x01;
      expect(verifySignedMessage(c)).toMatchObject({ valid: false, failure: 'HASH_FAILURE' });
      // signature value (the last bytes of the message)
      const sigPos = at(getInfoFromSignedMessage(der, 3));
      const s = der.slice();
      s[sigPos + 10]! ^= 0x01;
      expect(verifySignedMessage(s)).toMatchObject({ valid: false, failure: 'SIG_CRYPTO_FAILURE' });
      // the carried certificate: its key changes, so the signature no longer matches it
      const certPos = at(staff[kind].der);
      const k = der.slice();
      k[certPos + staff[kind].der.length - 90]! ^= 0x01;
      expect(verifySignedMessage(k).valid).toBe(false);
      expect(bc.run('cms', c).ok).toBe(false);
      expect(bc.run('cms', s).ok).toBe(false);
    }
  });

  it('a message signed for one certificate cannot be passed off with another', async () => {
    const other = await issueStaff('rsa-2048', ca.rsa, { key: staff['rsa-2048'].key, cn: '另一医生' }); // same key, different certificate
    const der = await signMessage({ content: record, signer: staff['rsa-2048'].signer, certificate: staff['rsa-2048'].der, includeCertificate: false });
    // the issuer/serial of `other` does not match the SignerInfo, so it is not taken as the signer
    expect(verifySignedMessage(der, { certificates: [other.der] })).toMatchObject({ valid: false, failure: 'NO_SIGNING_CERTIFICATE_FOUND' });
  });

  it('signMessage refuses a signer whose key is not the certificate key', async () => {
    await expect(signMessage({ content: record, signer: staff.sm2.signer, certificate: staff['rsa-2048'].der })).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der, profile: 'pkcs7' as CmsProfile })).rejects.toMatchObject({ code: 'ALGORITHM_UNSUPPORTED' });
  });

  it('garbage is FORMAT_FAILURE for verify and INPUT_INVALID for parse', () => {
    for (const bad of [new Uint8Array(0), utf8('not cms'), staff.sm2.der, new Uint8Array([0x30, 0x80, 0, 0])]) {
      expect(verifySignedMessage(bad)).toMatchObject({ valid: false, failure: 'FORMAT_FAILURE' });
      expect(() => parseSignedMessage(bad)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
  });

  it('getInfoFromSignedMessage: content of a detached message and an unknown type are errors', async () => {
    const det = await signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der, detached: true });
    expect(() => getInfoFromSignedMessage(det, 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => getInfoFromSignedMessage(det, 4 as 1)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
    expect(parseCertificate(getInfoFromSignedMessage(det, 2)).subjectText).toContain('CN=李医生');
  });

  it('the messageDigest attribute is the hash of the content', async () => {
    const der = await signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der });
    expect(toHex(parseSignedMessage(der).messageDigest!)).toBe(createHash('sm3').update(record).digest('hex'));
  });

  it('PEM armour round-trips', async () => {
    const der = await signMessage({ content: record, signer: staff.sm2.signer, certificate: staff.sm2.der });
    expect(verifySignedMessage(fromPem(toPem(der, 'CMS'), 'CMS')).valid).toBe(true);
  });
});
