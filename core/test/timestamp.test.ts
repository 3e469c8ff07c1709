import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedMessage, signMessage, verifySignedMessage } from '../src/cms/signed-data.js';
import { toBase64, toHex, utf8 } from '../src/encoding.js';
import { toPem } from '../src/pem.js';
import { issueCertificate, parseCertificate, randomSerialNumber } from '../src/pki/certificate.js';
import * as X from '../src/pki/extensions.js';
import { buildName } from '../src/pki/name.js';
import { generatePrivateKey, localSigner, privateKeyToPkcs8, publicKeyToSpki } from '../src/pki/signer.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import {
  addSignatureTimeStamp,
  createTimeStampRequest,
  createTimeStampResponse,
  getTimeStampInfo,
  parseTimeStampRequest,
  parseTimeStampResponse,
  parseTimeStampToken,
  SGD_TS,
  signatureTimeStampRequest,
  verifyTimeStamp,
  type TsaOptions,
} from '../src/tsp/timestamp.js';
import { BouncyCastle } from './bouncycastle.js';
import { OpensslCli } from './openssl-cli.js';
import { issueStaff, makeCa, type Issued } from './pki-fixtures.js';

const POLICY = '2.25.190385213373104719302455126829584356130';
let cli: OpensslCli;
let bc: BouncyCastle;
const ca = {} as Record<'sm2' | 'rsa', Issued>;
const tsa = {} as Record<'sm2' | 'rsa', TsaOptions & { der: Uint8Array; key: Awaited<ReturnType<typeof generatePrivateKey>> }>;
const data = utf8('手术知情同意书 surgical consent form v3');

async function makeTsa(kind: 'sm2' | 'rsa-2048', issuer: Issued, criticalEku = true) {
  const key = await generatePrivateKey(kind);
  const signer = localSigner(key);
  const spki = publicKeyToSpki(signer.publicKey);
  const eku = X.extendedKeyUsageExtension([X.EKU.timeStamping], criticalEku);
  const der = await issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: issuer.cert.subject,
      subject: buildName([{ type: 'C', value: 'CN' }, { type: 'O', value: 'MedSign' }, { type: 'L', value: '北京' }, { type: 'CN', value: `MedSign TSA ${kind}` }]),
      notBefore: new Date(Date.now() - 864e5),
      notAfter: new Date(Date.now() + 3650 * 864e5),
      publicKey: spki,
      extensions: [X.basicConstraintsExtension(false), X.keyUsageExtension(['digitalSignature', 'nonRepudiation']), eku, X.authorityKeyIdentifierExtension(issuer.cert.spki)],
    },
    issuer.signer,
  );
  return { signer, certificate: der, der, key, policy: POLICY, accuracy: { seconds: 1 } };
}

beforeAll(async () => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
  bc = new BouncyCastle();
  ca.sm2 = await makeCa('sm2', 'TSA SM2 Root');
  ca.rsa = await makeCa('rsa-2048', 'TSA RSA Root');
  tsa.sm2 = await makeTsa('sm2', ca.sm2);
  tsa.rsa = await makeTsa('rsa-2048', ca.rsa);
  cli.write('rsa-ca.pem', toPem(ca.rsa.der, 'CERTIFICATE'));
  cli.write('tsa.pem', toPem(tsa.rsa.der, 'CERTIFICATE'));
  cli.write('tsa.key', toPem(privateKeyToPkcs8(tsa.rsa.key), 'PRIVATE KEY'));
  cli.write('data.bin', data);
});
afterAll(() => cli.dispose());

describe('RFC 3161 against the openssl CLI', () => {
  it('openssl ts -verify accepts our RSA TSA response to an openssl request (queryfile and data)', async () => {
    expect(cli.run(['ts', '-query', '-data', 'data.bin', '-sha256', '-cert', '-out', 'req.tsq']).ok).toBe(true);
    const resp = await createTimeStampResponse(cli.read('req.tsq'), tsa.rsa);
    cli.write('resp.tsr', resp);
    const text = cli.run(['ts', '-reply', '-in', 'resp.tsr', '-text']).out;
    expect(text).toMatch(/Status: Granted/);
    expect(text).toContain(`Policy OID: ${POLICY}`);
    expect(text).toMatch(/Nonce: 0x/);
    expect(text).toMatch(/Accuracy: 0x01 seconds/);
    expect(cli.run(['ts', '-verify', '-queryfile', 'req.tsq', '-in', 'resp.tsr', '-CAfile', 'rsa-ca.pem']).out).toMatch(/Verification: OK/);
    expect(cli.run(['ts', '-verify', '-data', 'data.bin', '-in', 'resp.tsr', '-CAfile', 'rsa-ca.pem']).out).toMatch(/Verification: OK/);
    // and openssl notices a different document
    cli.write('other.bin', utf8('another document'));
    expect(cli.run(['ts', '-verify', '-data', 'other.bin', '-in', 'resp.tsr', '-CAfile', 'rsa-ca.pem']).ok).toBe(false);
  });

  it('openssl parses our request; we parse openssl requests', () => {
    const req = createTimeStampRequest({ data, hash: 'sha256' });
    cli.write('ours.tsq', req);
    const text = cli.run(['ts', '-query', '-in', 'ours.tsq', '-text']).out;
    expect(text).toContain(createHash('sha256').update(data).digest('hex').replace(/(..)/g, '$1 ').trim().slice(0, 23));
    expect(text).toMatch(/Certificate required: yes/);
    expect(cli.run(['ts', '-query', '-data', 'data.bin', '-sha256', '-no_nonce', '-out', 'nn.tsq']).ok).toBe(true);
    const parsed = parseTimeStampRequest(cli.read('nn.tsq'));
    expect(parsed).toMatchObject({ hash: 'sha256', nonce: undefined, certReq: false });
    expect(toHex(parsed.digest)).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('we verify a token made by openssl acting as the TSA', () => {
    cli.write(
      'ts.cnf',
      ['[ tsa ]', 'default_tsa = tsa_config', '[ tsa_config ]', `serial = ${'tsaserial'}`, 'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256, sha1', 'accuracy = secs:1', 'ess_cert_id_alg = sha256', ''].join('\n'),
    );
    cli.write('tsaserial', '01\n');
    const req = createTimeStampRequest({ data, hash: 'sha256' });
    cli.write('q.tsq', req);
    const r = cli.run(['ts', '-reply', '-config', 'ts.cnf', '-queryfile', 'q.tsq', '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-out', 'o.tsr']);
    expect(r.ok, r.out).toBe(true);
    const v = verifyTimeStamp(cli.read('o.tsr'), { data, request: req });
    expect(v).toMatchObject({ valid: true });
    expect(v.info!.policy).toBe('1.2.3.4.1');
    expect(v.tsaCertificate!.sha256).toBe(parseCertificate(tsa.rsa.der).sha256);
  });
});

describe('SM2 timestamps verified by BouncyCastle', () => {
  it('an SM2 TSA token over an SM3 imprint', async () => {
    const req = createTimeStampRequest({ data, hash: 'sm3' });
    const resp = await createTimeStampResponse(req, tsa.sm2);
    const token = parseTimeStampResponse(resp).token!;
    const out = bc.run('tsp', token);
    expect(out.out).toMatch(/^OK /);
    expect(out.out).toContain(createHash('sm3').update(data).digest('hex'));
    expect(verifyTimeStamp(resp, { data, request: req })).toMatchObject({ valid: true });
  });
});

describe('timestamps on CMS signatures (CAdES-T)', () => {
  it('adds a token over the signature value; the signature, the token and openssl all still agree', async () => {
    for (const kind of ['rsa-2048', 'sm2'] as const) {
      const caKey = kind === 'sm2' ? ca.sm2 : ca.rsa;
      const staff = await issueStaff(kind, caKey);
      const cms = await signMessage({ content: data, signer: staff.signer, certificate: staff.der });
      const resp = await createTimeStampResponse(signatureTimeStampRequest(cms), kind === 'sm2' ? tsa.sm2 : tsa.rsa);
      const stamped = addSignatureTimeStamp(cms, resp);
      expect(stamped.length).toBeGreaterThan(cms.length + 500);
      expect(verifySignedMessage(stamped).valid).toBe(true);
      const msg = parseSignedMessage(stamped);
      expect(toHex(msg.signedAttributes)).toBe(toHex(parseSignedMessage(cms).signedAttributes));
      expect(verifyTimeStamp(msg.timestampToken!, { data: msg.signature })).toMatchObject({ valid: true });
      expect(bc.run('cms', stamped).ok).toBe(true);
      if (kind === 'rsa-2048') {
        cli.write('stamped.p7', stamped);
        expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', 'stamped.p7', '-CAfile', 'rsa-ca.pem', '-binary', '-out', 'x.out']).out).toMatch(/Verification successful/);
        expect(cli.run(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'stamped.p7']).out).toMatch(/id-smime-aa-timeStampToken/);
      }
      // a token over something else is refused
      const stray = await createTimeStampResponse(createTimeStampRequest({ data: utf8('x') }), tsa.rsa);
      expect(() => addSignatureTimeStamp(cms, stray)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
  });
});

describe('SOF_GetTimeStampInfo', () => {
  it('returns the GM/T 0006 §5.3.5 fields', async () => {
    const req = createTimeStampRequest({ data, hash: 'sm3' });
    const genTime = new Date('2026-11-27T08:30:15.250Z');
    const resp = await createTimeStampResponse(req, { ...tsa.rsa, genTime });
    expect(getTimeStampInfo(resp, SGD_TS.TIME_OF_STAMP)).toBe('2026-11-27T08:30:15.250Z');
    expect(getTimeStampInfo(resp, SGD_TS.CN_OF_TSSIGNER)).toBe('MedSign TSA rsa-2048');
    expect(getTimeStampInfo(resp, SGD_TS.ORIGINAL_DATA)).toBe(toBase64(createHash('sm3').update(data).digest()));
    expect(getTimeStampInfo(resp, SGD_TS.CERT_OF_TSSERVER)).toBe(toBase64(tsa.rsa.der));
    expect(getTimeStampInfo(resp, SGD_TS.SOURCE_OF_TIME)).toBe(POLICY);
    expect(getTimeStampInfo(resp, SGD_TS.TIME_PRECISION)).toBe('{"seconds":1}');
    expect(getTimeStampInfo(resp, SGD_TS.SUBJECT_COUNTRY_OF_TSSIGNER)).toBe('CN');
    expect(getTimeStampInfo(resp, SGD_TS.SUBJECT_ORGNIZATION_OF_TSSIGNER)).toBe('MedSign');
    expect(getTimeStampInfo(resp, SGD_TS.SUBJECT_CITY_OF_TSSIGNER)).toBe('北京');
    expect(() => getTimeStampInfo(resp, 0x2ff)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
    expect(parseTimeStampToken(resp).genTime.toISOString()).toBe(genTime.toISOString());
  });
});

describe('timestamps: tampering and bad input', () => {
  it('catches a flipped bit, another document, a replayed nonce and a TSA certificate without the critical EKU', async () => {
    const req = createTimeStampRequest({ data, hash: 'sha256' });
    const resp = await createTimeStampResponse(req, tsa.rsa);
    const token = parseTimeStampResponse(resp).token!;
    const flipped = token.slice();
    flipped[Math.floor(flipped.length / 3)]! ^= 0x01;
    expect(verifyTimeStamp(flipped, { data }).valid).toBe(false);
    expect(verifyTimeStamp(resp, { data: utf8('other') })).toMatchObject({ valid: false, failure: 'IMPRINT_MISMATCH' });
    const otherReq = createTimeStampRequest({ data, hash: 'sha256' }); // same data, fresh nonce
    expect(verifyTimeStamp(resp, { request: otherReq })).toMatchObject({ valid: false, failure: 'NONCE_MISMATCH' });
    const weak = await makeTsa('rsa-2048', ca.rsa, false);
    expect(verifyTimeStamp(await createTimeStampResponse(req, weak), { data })).toMatchObject({ valid: false, failure: 'TSA_CERTIFICATE_INVALID' });
  });

  it('a malformed or unacceptable request gets a rejection response that openssl reads', async () => {
    for (const [bad, fail, opensslText] of [
      [utf8('garbage'), 'badRequest', 'transaction not permitted or supported'],
      [createTimeStampRequest({ data, policy: '1.2.3.999' }), 'unacceptedPolicy', 'the requested TSA policy is not supported'],
    ] as const) {
      const resp = await createTimeStampResponse(bad, tsa.rsa);
      expect(parseTimeStampResponse(resp)).toMatchObject({ status: 'rejection', failInfo: [fail], token: undefined });
      cli.write('rej.tsr', resp);
      const text = cli.run(['ts', '-reply', '-in', 'rej.tsr', '-text']).out;
      expect(text).toMatch(/Status: Rejected/);
      expect(text).toContain(opensslText);
      expect(verifyTimeStamp(resp)).toMatchObject({ valid: false, failure: 'NOT_GRANTED' });
    }
  });

  it('requests need data or a digest of the right length; parsers refuse garbage', () => {
    expect(() => createTimeStampRequest({})).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => createTimeStampRequest({ digest: new Uint8Array(20), hash: 'sm3' })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    for (const bad of [new Uint8Array(0), utf8('x'), new Uint8Array([0x30, 0x00])]) {
      expect(() => parseTimeStampRequest(bad)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
      expect(() => parseTimeStampToken(bad)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
      expect(verifyTimeStamp(bad).valid).toBe(false);
    }
  });
});
