import { beforeAll, describe, expect, it } from 'vitest';
import { signMessage } from '../src/cms/signed-data.js';
import { utf8 } from '../src/encoding.js';
import { fromPem } from '../src/pem.js';
import { issueCertificate, randomSerialNumber } from '../src/pki/certificate.js';
import * as X from '../src/pki/extensions.js';
import { buildName } from '../src/pki/name.js';
import { issueCrl, CRL_REASON } from '../src/revocation/crl.js';
import { buildOcspResponse, ocspCertId } from '../src/revocation/ocsp.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { addSignatureTimeStamp, createTimeStampResponse, signatureTimeStampRequest } from '../src/tsp/timestamp.js';
import { sofValidateCertCode, validateCertificate, validateSignedMessage } from '../src/validation/validate.js';
import { OpensslCli } from './openssl-cli.js';
import { issueStaff, makeCa, type Issued } from './pki-fixtures.js';

const DAY = 864e5;
const content = utf8('出院记录 discharge record: 患者好转出院 / improved and discharged');

interface Pki {
  root: Issued;
  issuing: Issued;
  tsa: { signer: Issued['signer']; certificate: Uint8Array };
}
const pkis = {} as Record<'sm2' | 'rsa-2048', Pki>;

async function makePki(kind: 'sm2' | 'rsa-2048'): Promise<Pki> {
  const root = await makeCa(kind, `Validation ${kind} Root`);
  const issuing = await makeCa(kind, `Validation ${kind} Issuing CA`, root);
  const tsaHolder = await issueStaff(kind, issuing, { cn: 'TSA' });
  const certificate = await issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: issuing.cert.subject,
      subject: buildName([{ type: 'CN', value: `Validation TSA ${kind}` }]),
      notBefore: new Date(Date.now() - 10 * 365 * DAY),
      notAfter: new Date(Date.now() + 10 * 365 * DAY),
      publicKey: tsaHolder.cert.spki,
      extensions: [X.extendedKeyUsageExtension([X.EKU.timeStamping], true), X.authorityKeyIdentifierExtension(issuing.cert.spki)],
    },
    issuing.signer,
  );
  return { root, issuing, tsa: { signer: tsaHolder.signer, certificate } };
}

const crlFor = (pki: Pki, entries: { serialNumber: string; revocationDate: Date; reason?: number }[] = []) =>
  issueCrl({ issuer: pki.issuing.cert, thisUpdate: new Date(Date.now() - DAY), nextUpdate: new Date(Date.now() + 3650 * DAY), crlNumber: 7n, entries }, pki.issuing.signer);

/** the root's CRL (an ARL), so the issuing CA's status is known too */
const rootCrl = (pki: Pki) =>
  issueCrl({ issuer: pki.root.cert, thisUpdate: new Date(Date.now() - DAY), nextUpdate: new Date(Date.now() + 3650 * DAY), crlNumber: 1n, entries: [] }, pki.root.signer);

const trust = (pki: Pki) => ({ trustAnchors: [pki.root.der], intermediates: [pki.issuing.der] });

async function timestamped(pki: Pki, cms: Uint8Array, genTime?: Date): Promise<Uint8Array> {
  const resp = await createTimeStampResponse(signatureTimeStampRequest(cms), { ...pki.tsa, policy: '1.2.3.4', ...(genTime ? { genTime } : {}) });
  return addSignatureTimeStamp(cms, resp);
}

beforeAll(async () => {
  useRuntime(nodeRuntime);
  pkis.sm2 = await makePki('sm2');
  pkis['rsa-2048'] = await makePki('rsa-2048');
});

describe.each(['sm2', 'rsa-2048'] as const)('validating %s signatures', (kind) => {
  it('a good signature with a chain and a CRL is TOTAL_PASSED, with every check reported', async () => {
    const pki = pkis[kind];
    const staff = await issueStaff(kind, pki.issuing);
    const cms = await signMessage({ content, signer: staff.signer, certificate: staff.der, extraCertificates: [pki.issuing.der] });
    const report = validateSignedMessage(cms, { trustAnchors: [pki.root.der], crls: [await crlFor(pki), await rootCrl(pki)], requireRevocation: true });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.subIndication).toBeUndefined();
    expect(report.summary).toContain('签名有效');
    expect(report.signer!.subject).toContain('CN=李医生');
    expect(report.chain.map((c) => c.subject)).toEqual([staff.cert.subjectText, pki.issuing.cert.subjectText, pki.root.cert.subjectText]);
    expect(report.revocation).toMatchObject([{ source: 'crl', status: 'good' }, { source: 'crl', status: 'good' }]);
    // without the root's CRL the issuing CA's status is unknown, which requireRevocation refuses
    expect(validateSignedMessage(cms, { trustAnchors: [pki.root.der], crls: [await crlFor(pki)], requireRevocation: true })).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
    const names = report.checks.filter((c) => c.result === 'passed').map((c) => c.name);
    for (const n of ['format', 'content-digest', 'signature', 'signing-certificate', 'chain', 'validity', 'key-usage', 'revocation']) expect(names).toContain(n);
    expect(report.claimedSigningTime).toBeDefined();
  });

  it('flipped bits: data → HASH_FAILURE, signature → SIG_CRYPTO_FAILURE, certificate → TOTAL_FAILED, timestamp → TOTAL_FAILED', async () => {
    const pki = pkis[kind];
    const staff = await issueStaff(kind, pki.issuing);
    const det = await signMessage({ content, signer: staff.signer, certificate: staff.der, detached: true });
    const tampered = content.slice();
    tampered[5]! ^= 0x01;
    expect(validateSignedMessage(det, { ...trust(pki), content: tampered })).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    expect(validateSignedMessage(det, trust(pki))).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });

    const cms = await signMessage({ content, signer: staff.signer, certificate: staff.der });
    const badSig = cms.slice();
    badSig[cms.length - 10]! ^= 0x01; // the signature value is the last element of the message
    expect(validateSignedMessage(badSig, trust(pki))).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });

    const certAt = Buffer.from(cms).indexOf(Buffer.from(staff.der));
    const badCert = cms.slice();
    badCert[certAt + 200]! ^= 0x01; // inside the carried certificate's TBS
    expect(validateSignedMessage(badCert, trust(pki)).indication).toBe('TOTAL_FAILED');

    const ts = await timestamped(pki, cms);
    const tokenAt = Buffer.from(ts).indexOf(Buffer.from([0x06, 0x03, 0x2a, 0x03, 0x04])); // the TSA policy OID 1.2.3.4 in the TSTInfo
    const badTs = ts.slice();
    badTs[tokenAt + 40]! ^= 0x01; // inside the TSTInfo
    const r = validateSignedMessage(badTs, trust(pki));
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(['HASH_FAILURE', 'SIG_CRYPTO_FAILURE', 'FORMAT_FAILURE']).toContain(r.subIndication);
    expect(r.checks.find((c) => c.name === 'timestamp')?.result).toBe('failed');
    expect(validateSignedMessage(ts, trust(pki))).toMatchObject({ indication: 'TOTAL_PASSED' });
  });

  it('revoked (CRL and OCSP) → REVOKED; on hold → TRY_LATER; revoked after a timestamp → TOTAL_PASSED', async () => {
    const pki = pkis[kind];
    const staff = await issueStaff(kind, pki.issuing);
    const cms = await signMessage({ content, signer: staff.signer, certificate: staff.der });
    const revokedAt = new Date(Date.now() - 3_600_000);
    const crl = await crlFor(pki, [{ serialNumber: staff.cert.serialNumber, revocationDate: revokedAt, reason: CRL_REASON.keyCompromise }]);
    const r = validateSignedMessage(cms, { ...trust(pki), crls: [crl] });
    expect(r).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
    expect(r.revocation[0]).toMatchObject({ status: 'revoked', source: 'crl', reason: 1 });

    const ocsp = await buildOcspResponse({
      signer: pki.issuing.signer,
      responderCertificate: pki.issuing.der,
      producedAt: new Date(),
      responses: [{ certId: ocspCertId(staff.cert, pki.issuing.cert), status: { status: 'revoked', revocationTime: revokedAt, reason: CRL_REASON.superseded }, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + DAY) }],
    });
    expect(validateSignedMessage(cms, { ...trust(pki), ocspResponses: [ocsp] })).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });

    const hold = await crlFor(pki, [{ serialNumber: staff.cert.serialNumber, revocationDate: revokedAt, reason: CRL_REASON.certificateHold }]);
    expect(validateSignedMessage(cms, { ...trust(pki), crls: [hold] })).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
    expect(sofValidateCertCode(validateCertificate(staff.der, { ...trust(pki), crls: [hold] }))).toBe(-4);

    // signed and timestamped two hours ago, revoked one hour ago: the signature stands
    const earlier = await signMessage({ content, signer: staff.signer, certificate: staff.der, signingTime: new Date(Date.now() - 7_200_000) });
    const proven = await timestamped(pki, earlier, new Date(Date.now() - 7_100_000));
    const ok = validateSignedMessage(proven, { ...trust(pki), crls: [crl] });
    expect(ok.indication).toBe('TOTAL_PASSED');
    expect(ok.timestampTime).toBeDefined();
    // the same claim without a timestamp proves nothing
    expect(validateSignedMessage(earlier, { ...trust(pki), crls: [crl] })).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE' });
  });

  it('expired at signing time → EXPIRED; expired since, with a timestamp → TOTAL_PASSED, without → OUT_OF_BOUNDS', async () => {
    const pki = pkis[kind];
    const expired = await issueStaff(kind, pki.issuing, { from: new Date(Date.now() - 40 * DAY), to: new Date(Date.now() - DAY) });
    const cms = await signMessage({ content, signer: expired.signer, certificate: expired.der });
    expect(validateSignedMessage(cms, trust(pki))).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'EXPIRED' });

    const notYet = await issueStaff(kind, pki.issuing, { from: new Date(Date.now() + DAY), to: new Date(Date.now() + 40 * DAY) });
    const early = await signMessage({ content, signer: notYet.signer, certificate: notYet.der });
    expect(validateSignedMessage(early, trust(pki))).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'NOT_YET_VALID' });

    // a one-year certificate, validated 30 years later (EMR retention)
    const staff = await issueStaff(kind, pki.issuing);
    const signed = await signMessage({ content, signer: staff.signer, certificate: staff.der });
    const in30y = new Date(Date.now() + 30 * 365 * DAY);
    const longTrust = { ...trust(pki), validationTime: in30y };
    expect(validateSignedMessage(signed, longTrust)).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
    const stamped = await timestamped(pki, signed);
    // the CA certificates made by the fixture last 10 years; at the timestamp time they were valid
    expect(validateSignedMessage(stamped, longTrust)).toMatchObject({ indication: 'TOTAL_PASSED' });
  });

  it('untrusted roots, missing certificates, wrong key usage and missing revocation data are INDETERMINATE', async () => {
    const pki = pkis[kind];
    const staff = await issueStaff(kind, pki.issuing);
    const cms = await signMessage({ content, signer: staff.signer, certificate: staff.der });
    const stranger = await makeCa(kind, 'Stranger Root');
    expect(validateSignedMessage(cms, { trustAnchors: [stranger.der], intermediates: [pki.issuing.der] })).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    expect(validateSignedMessage(cms, { trustAnchors: [pki.root.der] })).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    const noCert = await signMessage({ content, signer: staff.signer, certificate: staff.der, includeCertificate: false });
    expect(validateSignedMessage(noCert, trust(pki))).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' });
    expect(validateSignedMessage(cms, { ...trust(pki), requireRevocation: true })).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
    const lenient = validateSignedMessage(cms, trust(pki));
    expect(lenient.indication).toBe('TOTAL_PASSED');
    expect(lenient.checks.find((c) => c.name === 'revocation')?.result).toBe('warning');
  });
});

describe('SOF_ValidateCert codes and chains made by openssl', () => {
  it('0 valid, −1 untrusted, −2 expired, −3 revoked, −5 not yet valid', async () => {
    const pki = pkis.sm2;
    const good = await issueStaff('sm2', pki.issuing);
    const expired = await issueStaff('sm2', pki.issuing, { from: new Date(Date.now() - 40 * DAY), to: new Date(Date.now() - DAY) });
    const future = await issueStaff('sm2', pki.issuing, { from: new Date(Date.now() + DAY), to: new Date(Date.now() + 40 * DAY) });
    const revoked = await issueStaff('sm2', pki.issuing);
    const crl = await crlFor(pki, [{ serialNumber: revoked.cert.serialNumber, revocationDate: new Date(Date.now() - 1000), reason: CRL_REASON.affiliationChanged }]);
    const opts = { ...trust(pki), crls: [crl] };
    expect(sofValidateCertCode(validateCertificate(good.der, opts))).toBe(0);
    expect(sofValidateCertCode(validateCertificate(good.der, { trustAnchors: [pkis['rsa-2048'].root.der] }))).toBe(-1);
    expect(sofValidateCertCode(validateCertificate(expired.der, opts))).toBe(-2);
    expect(sofValidateCertCode(validateCertificate(revoked.der, opts))).toBe(-3);
    expect(sofValidateCertCode(validateCertificate(future.der, opts))).toBe(-5);
    expect(validateCertificate(new Uint8Array([1, 2, 3]), opts)).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  it('a certificate that may not sign (keyUsage keyEncipherment only) is SIG_CONSTRAINTS_FAILURE', async () => {
    const pki = pkis['rsa-2048'];
    const base = await issueStaff('rsa-2048', pki.issuing);
    const der = await issueCertificate(
      { serialNumber: randomSerialNumber(), issuer: pki.issuing.cert.subject, subject: buildName([{ type: 'CN', value: 'encrypt-only' }]), notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + DAY), publicKey: base.cert.spki, extensions: [X.keyUsageExtension(['keyEncipherment'])] },
      pki.issuing.signer,
    );
    const cms = await signMessage({ content, signer: base.signer, certificate: der });
    expect(validateSignedMessage(cms, trust(pki))).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
  });

  it('validates a chain and a CMS made entirely by the openssl CLI (RSA and SM2 chains)', () => {
    const cli = new OpensslCli();
    try {
      for (const [alg, md, opts] of [
        ['RSA', 'sha256', ['-pkeyopt', 'rsa_keygen_bits:2048']],
        ['EC', 'sm3', ['-pkeyopt', 'ec_paramgen_curve:SM2']],
      ] as const) {
        const sm2 = alg === 'EC' ? ['-sigopt', 'distid:1234567812345678'] : [];
        cli.write('ext.cnf', '[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
        cli.run(['genpkey', '-algorithm', alg, ...opts, '-out', 'root.key']);
        expect(cli.run(['req', '-x509', '-new', '-key', 'root.key', `-${md}`, ...sm2, '-days', '30', '-subj', '/CN=OpenSSL Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem']).ok).toBe(true);
        cli.run(['genpkey', '-algorithm', alg, ...opts, '-out', 'leaf.key']);
        cli.run(['req', '-new', '-key', 'leaf.key', `-${md}`, ...sm2, '-subj', '/CN=OpenSSL Leaf', '-out', 'leaf.csr']);
        const r = cli.run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root.key', `-${md}`, ...sm2, ...(alg === 'EC' ? ['-vfyopt', 'distid:1234567812345678'] : []), '-days', '10', '-set_serial', '42', '-extfile', 'ext.cnf', '-extensions', 'leaf', '-out', 'leaf.pem']);
        expect(r.ok, r.out).toBe(true);
        const root = fromPem(new TextDecoder().decode(cli.read('root.pem')), 'CERTIFICATE');
        const leaf = fromPem(new TextDecoder().decode(cli.read('leaf.pem')), 'CERTIFICATE');
        expect(validateCertificate(leaf, { trustAnchors: [root] }).indication).toBe('TOTAL_PASSED');
        if (alg === 'RSA') {
          cli.write('d.txt', content);
          expect(cli.run(['cms', '-sign', '-in', 'd.txt', '-signer', 'leaf.pem', '-inkey', 'leaf.key', '-binary', '-nodetach', '-outform', 'DER', '-out', 'o.p7']).ok).toBe(true);
          const rep = validateSignedMessage(cli.read('o.p7'), { trustAnchors: [root] });
          expect(rep.indication).toBe('TOTAL_PASSED');
          expect(rep.signer!.subject).toBe('CN=OpenSSL Leaf');
        }
      }
    } finally {
      cli.dispose();
    }
  });

  it('garbage is TOTAL_FAILED / FORMAT_FAILURE', () => {
    expect(validateSignedMessage(utf8('garbage'), { trustAnchors: [] })).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
  });
});
