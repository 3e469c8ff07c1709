/** The cloud's PKI as relying parties see it: CA certificates, CRL, OCSP and TSA over HTTP, checked with openssl. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRL_REASON,
  buildOcspRequest,
  createTimeStampRequest,
  fromPem,
  generatePrivateKey,
  keyUsageExtension,
  localSigner,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
  publicKeyToSpki,
  toBase64,
  toPem,
  verifyCrlSignature,
  verifyOcspResponse,
  verifyTimeStamp,
  type ParsedCertificate,
} from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { adminToken, startTestCloud } from './cloud-fixture.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
let cloud: Cloud;
let cli: OpensslCli;
let token: string;
const staff: Record<'sm2' | 'rsa', { serial: string; cert: ParsedCertificate }> = {} as never;

async function get(path: string): Promise<Response> {
  return fetch(`${cloud.url}${path}`);
}

async function issueStaff(family: 'sm2' | 'rsa', cn: string) {
  const key = await generatePrivateKey(family === 'sm2' ? 'sm2' : 'rsa-2048');
  const rec = await cloud.pki.issue(family, {
    subject: [{ type: 'C', value: 'CN' }, { type: 'O', value: '市第一人民医院' }, { type: 'CN', value: cn }],
    publicKey: publicKeyToSpki(localSigner(key).publicKey),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 864e5),
    extensions: [keyUsageExtension(['digitalSignature', 'nonRepudiation'])],
    staffId: null,
  });
  return { serial: rec.serial, cert: parseCertificate(rec.der) };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  cli = new OpensslCli();
  token = await adminToken(cloud.url);
  for (const name of cloud.pki.caNames()) cli.write(`${name}.pem`, await (await get(`/pki/ca/${name}.pem`)).text());
  cli.write('rsa-chain.pem', cloud.pki.caPem('rsa-issuing') + cloud.pki.caPem('rsa-root'));
  staff.sm2 = await issueStaff('sm2', '王医生');
  staff.rsa = await issueStaff('rsa', '赵医生');
  cli.write('staff-rsa.pem', toPem(staff.rsa.cert.der, 'CERTIFICATE'));
  cli.write('staff-sm2.pem', toPem(staff.sm2.cert.der, 'CERTIFICATE'));
});
afterAll(async () => {
  cli.dispose();
  await cloud.dispose();
});

async function admin(path: string, body?: unknown) {
  const r = await fetch(`${cloud.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

describe('bootstrap', () => {
  it('creates SM2 and RSA roots, issuing CAs, TSAs and OCSP responders that openssl accepts', () => {
    expect(cloud.pki.caNames().sort()).toEqual(['rsa-issuing', 'rsa-ocsp', 'rsa-root', 'rsa-tsa', 'sm2-issuing', 'sm2-ocsp', 'sm2-root', 'sm2-tsa']);
    for (const leaf of ['rsa-issuing', 'rsa-tsa', 'rsa-ocsp']) {
      expect(cli.run(['verify', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem', `${leaf}.pem`]).out.trim()).toBe(`${leaf}.pem: OK`);
    }
    // OpenSSL 3.0 applies -vfyopt distid only to the certificate being verified, not to the
    // intermediates of its chain, so SM2 chains are checked one link at a time (-partial_chain)
    expect(cli.run(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'sm2-root.pem', 'sm2-issuing.pem']).out.trim()).toBe('sm2-issuing.pem: OK');
    for (const leaf of ['sm2-tsa', 'sm2-ocsp']) {
      expect(cli.run(['verify', '-partial_chain', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'sm2-issuing.pem', `${leaf}.pem`]).out.trim()).toBe(`${leaf}.pem: OK`);
    }
    expect(cli.run(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'sm2-root.pem', '-untrusted', 'sm2-issuing.pem', 'sm2-tsa.pem']).out).toMatch(/error 7 at 1 depth/);
    const tsa = cli.run(['x509', '-in', 'rsa-tsa.pem', '-noout', '-text']).out;
    expect(tsa).toMatch(/X509v3 Extended Key Usage: critical\s+Time Stamping\s/);
    const ocsp = cli.run(['x509', '-in', 'sm2-ocsp.pem', '-noout', '-text']).out;
    expect(ocsp).toMatch(/OCSP Signing/);
    expect(ocsp).toMatch(/OCSP No Check/);
    expect(cli.run(['verify', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem', 'staff-rsa.pem']).out.trim()).toBe('staff-rsa.pem: OK');
  });
});

describe('CRL', () => {
  it('serves DER CRLs that openssl verifies, and lists a revocation made through the admin API', async () => {
    const before = new Uint8Array(await (await get('/pki/crl/rsa-issuing.crl')).arrayBuffer());
    cli.write('before.crl', before);
    expect(cli.run(['crl', '-inform', 'DER', '-in', 'before.crl', '-CAfile', 'rsa-chain.pem', '-noout']).out).toMatch(/verify OK/);
    expect(parseCrl(before).entries).toHaveLength(0);

    const revoked = await issueStaff('rsa', '待吊销');
    const r = await admin(`/api/v1/admin/certificates/${revoked.serial}/revoke`, { reason: CRL_REASON.keyCompromise });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'revoked', reason: 1 });
    const after = new Uint8Array(await (await get('/pki/crl/rsa-issuing.crl')).arrayBuffer());
    cli.write('after.crl', after);
    const text = cli.run(['crl', '-inform', 'DER', '-in', 'after.crl', '-CAfile', 'rsa-chain.pem', '-text', '-noout']).out;
    expect(text).toMatch(/verify OK/);
    expect(text).toContain(`Serial Number: ${revoked.serial}`);
    expect(text).toMatch(/Key Compromise/);
    expect(text).toMatch(/Next Update:/);
    expect(parseCrl(after).crlNumber).toBeGreaterThan(parseCrl(before).crlNumber!);
    // openssl's own CRL check of the certificate
    cli.write('revoked.pem', toPem(revoked.cert.der, 'CERTIFICATE'));
    cli.write('after.pem', toPem(after, 'X509 CRL'));
    const v = cli.run(['verify', '-crl_check', '-CAfile', 'rsa-chain.pem', '-CRLfile', 'after.pem', 'revoked.pem']);
    expect(v.out).toMatch(/certificate revoked/);
    expect(cli.run(['verify', '-crl_check', '-CAfile', 'rsa-chain.pem', '-CRLfile', 'after.pem', 'staff-rsa.pem']).out).toMatch(/OK/);
    // revocation is final
    expect((await admin(`/api/v1/admin/certificates/${revoked.serial}/revoke`, { reason: 0 })).json).toMatchObject({ code: 'CERT_REVOKED' });
  });

  it('the SM2 CRL parses in openssl and verifies with the issuing CA key', async () => {
    const der = new Uint8Array(await (await get('/pki/crl/sm2-issuing.crl')).arrayBuffer());
    cli.write('sm2.crl', der);
    expect(cli.run(['crl', '-inform', 'DER', '-in', 'sm2.crl', '-noout', '-text']).out).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(verifyCrlSignature(parseCrl(der), cloud.pki.caCertificate('sm2-issuing').publicKey)).toBe(true);
  });
});

describe('OCSP', () => {
  it('openssl ocsp gets good, then revoked after a hold, then good after release, with the nonce checked', async () => {
    const ask = () =>
      cli.runAsync(['ocsp', '-issuer', 'rsa-issuing.pem', '-cert', 'staff-rsa.pem', '-url', `${cloud.url}/pki/ocsp`, '-CAfile', 'rsa-chain.pem', '-resp_text']);
    let r = await ask();
    expect(r.out).toMatch(/Response verify OK/);
    expect(r.out).toMatch(/staff-rsa\.pem: good/);
    expect(r.out).toMatch(/OCSP Nonce/);
    expect((await admin(`/api/v1/admin/certificates/${staff.rsa.serial}/hold`)).json).toMatchObject({ status: 'hold' });
    r = await ask();
    expect(r.out).toMatch(/staff-rsa\.pem: revoked/);
    expect(r.out).toMatch(/Reason: certificateHold/);
    expect((await admin(`/api/v1/admin/certificates/${staff.rsa.serial}/release`)).json).toMatchObject({ status: 'good' });
    expect((await ask()).out).toMatch(/staff-rsa\.pem: good/);
  });

  it('answers SM2 requests (POST and GET) with responses our verifier accepts; unknown serials are "unknown"', async () => {
    const issuer = cloud.pki.caCertificate('sm2-issuing');
    const nonce = new Uint8Array(16).fill(7);
    const req = buildOcspRequest({ certificate: staff.sm2.cert, issuer, nonce });
    const post = await fetch(`${cloud.url}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from(req) });
    expect(post.headers.get('content-type')).toMatch(/application\/ocsp-response/);
    const v = verifyOcspResponse(new Uint8Array(await post.arrayBuffer()), { issuer, certificate: staff.sm2.cert, nonce });
    expect(v).toMatchObject({ valid: true, status: { status: 'good' } });
    const viaGet = await get(`/pki/ocsp/${encodeURIComponent(toBase64(req))}`);
    expect(verifyOcspResponse(new Uint8Array(await viaGet.arrayBuffer()), { issuer, certificate: staff.sm2.cert, nonce }).valid).toBe(true);
    // a certificate this CA never issued
    const stranger = { ...staff.sm2.cert, serialNumber: '0123456789ABCDEF' };
    const unknown = await fetch(`${cloud.url}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from(buildOcspRequest({ certificate: stranger, issuer })) });
    expect(parseOcspResponse(new Uint8Array(await unknown.arrayBuffer())).responses[0]!.status).toEqual({ status: 'unknown' });
  });

  it('garbage gets an RFC 6960 malformedRequest, not an HTTP error', async () => {
    const r = await fetch(`${cloud.url}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from([1, 2, 3]) });
    expect(r.status).toBe(200);
    expect(parseOcspResponse(new Uint8Array(await r.arrayBuffer())).responseStatus).toBe('malformedRequest');
  });
});

describe('TSA', () => {
  it('openssl ts -verify accepts a token from the RSA TSA; an SM3 request is stamped by the SM2 TSA', async () => {
    cli.write('doc.txt', '会诊记录 consultation record');
    expect(cli.run(['ts', '-query', '-data', 'doc.txt', '-sha256', '-cert', '-out', 'q.tsq']).ok).toBe(true);
    const r = await fetch(`${cloud.url}/pki/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from(cli.read('q.tsq')) });
    expect(r.headers.get('content-type')).toMatch(/application\/timestamp-reply/);
    cli.write('r.tsr', new Uint8Array(await r.arrayBuffer()));
    expect(cli.run(['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'r.tsr', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']).out).toMatch(/Verification: OK/);

    const data = new TextEncoder().encode('麻醉记录 anaesthesia record');
    const req = createTimeStampRequest({ data, hash: 'sm3' });
    const sm2 = await fetch(`${cloud.url}/pki/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from(req) });
    const v = verifyTimeStamp(new Uint8Array(await sm2.arrayBuffer()), { data, request: req });
    expect(v.valid).toBe(true);
    expect(v.tsaCertificate!.subjectText).toContain('MedSign SM2 TSA');
  });
});

describe('persistence and secrets at rest', () => {
  it('a restart reuses the CAs, the administrator and the revocation state; the CRL number keeps rising', async () => {
    const dir = cloud.dataDir;
    const names = cloud.pki.caNames().map((n) => [n, cloud.pki.caCertificate(n).sha256]);
    const crlBefore = parseCrl(await cloud.pki.crl('rsa-issuing')).crlNumber!;
    const revokedSerial = (await issueStaff('rsa', '重启测试')).serial;
    await admin(`/api/v1/admin/certificates/${revokedSerial}/revoke`, { reason: CRL_REASON.superseded });
    await cloud.close();
    cloud = { ...(await startTestCloud(dir)), dataDir: dir } as Cloud;
    expect(cloud.pki.caNames().map((n) => [n, cloud.pki.caCertificate(n).sha256])).toEqual(names);
    expect(cloud.generatedAdminPassword).toBeUndefined();
    token = await adminToken(cloud.url);
    const r = await fetch(`${cloud.url}/api/v1/admin/certificates/${revokedSerial}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await r.json()).toMatchObject({ status: 'revoked', reason: CRL_REASON.superseded });
    const crl = parseCrl(new Uint8Array(await (await get('/pki/crl/rsa-issuing.crl')).arrayBuffer()));
    expect(crl.crlNumber!).toBeGreaterThan(crlBefore);
    expect(crl.entries.map((e) => e.serialNumber)).toContain(revokedSerial);
  });

  it('CA keys are sealed: the database alone does not open them, and a different KEK refuses to start', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${cloud.dataDir}/medsign.db`, { readonly: true });
    const rows = db.prepare('SELECT name, sealed_key FROM ca').all() as { name: string; sealed_key: Buffer }[];
    db.close();
    const { privateKeyFromPkcs8 } = await import('@medsign/core');
    for (const row of rows) expect(() => privateKeyFromPkcs8(new Uint8Array(row.sealed_key)), row.name).toThrow();
    const otherKek = Buffer.alloc(32, 9).toString('base64');
    await expect(startTestCloud(cloud.dataDir, { MEDSIGN_KEK: otherKek })).rejects.toThrow(/密钥加密密钥|key-encryption key/);
  });
});

describe('certificates used as a chain bundle', () => {
  it('the CA PEMs parse and the staff certificate links to the issuing CA', () => {
    const issuing = parseCertificate(fromPem(cloud.pki.caPem('sm2-issuing'), 'CERTIFICATE'));
    expect(staff.sm2.cert.authorityKeyId).toBe(issuing.subjectKeyId);
    expect(staff.sm2.cert.issuerText).toBe(issuing.subjectText);
  });
});
