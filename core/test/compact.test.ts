import { beforeAll, describe, expect, it } from 'vitest';
import { signMessage, verifySignedMessage, type CmsProfile } from '../src/cms/signed-data.js';
import { compactToText, fromCompact, parseCompact, toCompact } from '../src/compact/record.js';
import { hash } from '../src/digest.js';
import { toHex, utf8 } from '../src/encoding.js';
import { privateKeyToPkcs8 } from '../src/pki/signer.js';
import { toPem } from '../src/pem.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { addSignatureTimeStamp, createTimeStampResponse, signatureTimeStampRequest } from '../src/tsp/timestamp.js';
import { OpensslCli } from './openssl-cli.js';
import { issueStaff, makeCa, type Issued } from './pki-fixtures.js';
import { measureSizes } from '../bench/storage-sizes.js';

const staff = {} as Record<'sm2' | 'rsa-2048', Issued>;
const cas = {} as Record<'sm2' | 'rsa-2048', Issued>;
const content = utf8('门诊病历 outpatient record 2026-11-27 / 血压 120/80 mmHg');

const storeOf = (...certs: Uint8Array[]) => {
  const m = new Map(certs.map((c) => [toHex(hash('sha256', c)), c]));
  return (sha: string) => m.get(sha);
};

beforeAll(async () => {
  useRuntime(nodeRuntime);
  for (const kind of ['sm2', 'rsa-2048'] as const) {
    cas[kind] = await makeCa(kind, `Compact ${kind} Root`);
    staff[kind] = await issueStaff(kind, cas[kind]);
  }
});

describe('compact signature record', () => {
  it.each([
    ['sm2', 'rfc5652', false],
    ['sm2', 'gmt0010', true],
    ['rsa-2048', 'rfc5652', true],
    ['rsa-2048', 'gmt0010', false],
  ] as const)('%s %s detached=%s rebuilds the CMS byte for byte', async (kind, profile, detached) => {
    const s = staff[kind];
    const cms = await signMessage({ content, signer: s.signer, certificate: s.der, profile: profile as CmsProfile, detached, extraCertificates: [cas[kind].der] });
    const record = toCompact(cms, { content });
    const rebuilt = fromCompact(record, { content, certificates: storeOf(s.der, cas[kind].der) });
    expect(toHex(rebuilt)).toBe(toHex(cms));
    // text form
    const text = compactToText(record);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(toHex(fromCompact(text, { content, certificates: storeOf(s.der, cas[kind].der) }))).toBe(toHex(cms));
    const info = parseCompact(record);
    expect(info).toMatchObject({ detached, profile, certificateIncluded: true, certificateSha256: s.cert.sha256 });
  });

  it('handles a message without the certificate (taken from the store)', async () => {
    const s = staff.sm2;
    const cms = await signMessage({ content, signer: s.signer, certificate: s.der, includeCertificate: false });
    const record = toCompact(cms, { certificates: [s.der] });
    expect(parseCompact(record).certificateIncluded).toBe(false);
    expect(toHex(fromCompact(record, { content, certificates: storeOf(s.der) }))).toBe(toHex(cms));
  });

  it('meets the size targets: SM2 ≤ 10% and RSA-2048 ≤ 30% of the CMS with its certificate', async () => {
    const sizes = await measureSizes();
    for (const row of sizes) {
      expect(row.compactDer / row.cmsWithCertDer, row.algorithm).toBeLessThanOrEqual(row.algorithm === 'SM2' ? 0.1 : 0.3);
    }
  });

  it('wrong content rebuilds a CMS that fails verification; a missing certificate is reported', async () => {
    const s = staff['rsa-2048'];
    const cms = await signMessage({ content, signer: s.signer, certificate: s.der, detached: true });
    const record = toCompact(cms, { content });
    const wrong = fromCompact(record, { content: utf8('tampered'), certificates: storeOf(s.der) });
    expect(verifySignedMessage(wrong, { content: utf8('tampered') })).toMatchObject({ valid: false, failure: 'SIG_CRYPTO_FAILURE' });
    expect(() => fromCompact(record, { content, certificates: () => undefined })).toThrow(expect.objectContaining({ code: 'CERT_INVALID' }));
    // a store that answers with the wrong certificate is caught by the hash check
    expect(() => fromCompact(record, { content, certificates: () => staff.sm2.der })).toThrow(expect.objectContaining({ code: 'CERT_INVALID' }));
  });

  it('refuses messages it could not rebuild exactly (made by openssl), and garbage records', () => {
    const cli = new OpensslCli();
    try {
      const s = staff['rsa-2048'];
      cli.write('c.pem', toPem(s.der, 'CERTIFICATE'));
      cli.write('k.pem', toPem(privateKeyToPkcs8(s.key), 'PRIVATE KEY'));
      cli.write('d.txt', content);
      cli.run(['cms', '-sign', '-in', 'd.txt', '-signer', 'c.pem', '-inkey', 'k.pem', '-binary', '-nodetach', '-outform', 'DER', '-out', 'o.p7']);
      expect(() => toCompact(cli.read('o.p7'))).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
    } finally {
      cli.dispose();
    }
    for (const bad of [new Uint8Array(0), utf8('x'), 'not-base64!', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02])]) {
      expect(() => parseCompact(bad)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
  });
});

describe('compact records of timestamped signatures', () => {
  it('carry the token and rebuild exactly', async () => {
    const s = staff['rsa-2048'];
    const tsaKeyHolder = await issueStaff('rsa-2048', cas['rsa-2048'], { cn: 'TSA' });
    // a TSA certificate needs a critical timeStamping EKU: issue one
    const { issueCertificate, randomSerialNumber } = await import('../src/pki/certificate.js');
    const X = await import('../src/pki/extensions.js');
    const { buildName } = await import('../src/pki/name.js');
    const tsaCert = await issueCertificate(
      { serialNumber: randomSerialNumber(), issuer: cas['rsa-2048'].cert.subject, subject: buildName([{ type: 'CN', value: 'TSA' }]), notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 864e5), publicKey: tsaKeyHolder.cert.spki, extensions: [X.extendedKeyUsageExtension([X.EKU.timeStamping], true)] },
      cas['rsa-2048'].signer,
    );
    const cms = await signMessage({ content, signer: s.signer, certificate: s.der });
    const stamped = addSignatureTimeStamp(cms, await createTimeStampResponse(signatureTimeStampRequest(cms), { signer: tsaKeyHolder.signer, certificate: tsaCert, policy: '1.2.3.4' }));
    const record = toCompact(stamped);
    expect(parseCompact(record).timestampToken).toBeDefined();
    expect(toHex(fromCompact(record, { content, certificates: storeOf(s.der) }))).toBe(toHex(stamped));
  });
});
