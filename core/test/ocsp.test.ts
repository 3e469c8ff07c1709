import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../src/encoding.js';
import { MedSignError } from '../src/errors.js';
import { toPem } from '../src/pem.js';
import { issueCertificate, parseCertificate, randomSerialNumber } from '../src/pki/certificate.js';
import * as X from '../src/pki/extensions.js';
import { buildName } from '../src/pki/name.js';
import { generatePrivateKey, localSigner, privateKeyToPkcs8, publicKeyToSpki } from '../src/pki/signer.js';
import { CRL_REASON } from '../src/revocation/crl.js';
import {
  buildOcspErrorResponse,
  buildOcspRequest,
  buildOcspResponse,
  ocspCertId,
  ocspNonce,
  parseOcspRequest,
  parseOcspResponse,
  verifyOcspResponse,
  type OcspBasicResponse,
  type OcspErrorStatus,
  type OcspResponseOptions,
  type OcspSingleResponseInput,
} from '../src/revocation/ocsp.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { OpensslCli } from './openssl-cli.js';
import { issueStaff, makeCa, type Issued } from './pki-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
const MIN = 60_000;
const DAY = 864e5;
type Kind = 'sm2' | 'rsa';
const keyKind = (k: Kind): 'sm2' | 'rsa-2048' => (k === 'sm2' ? 'sm2' : 'rsa-2048');

let cli: OpensslCli;
let bc: BcOcsp;
const ca = {} as Record<Kind, Issued>;
const good = {} as Record<Kind, Issued>;
const revoked = {} as Record<Kind, Issued>;
/** a delegated responder: issued by the CA, id-kp-OCSPSigning */
const responder = {} as Record<Kind, Issued>;
let noEku: Issued; // issued by the RSA CA, clientAuth only
let foreign: Issued; // id-kp-OCSPSigning, but issued by another CA
let otherCa: Issued;
let unlisted: Issued; // an RSA certificate missing from openssl's index

const now = new Date();
const thisUpdate = new Date(now.getTime() - MIN);
const nextUpdate = new Date(now.getTime() + DAY);
const revocationTime = new Date(Math.floor((now.getTime() - 3 * DAY) / 1000) * 1000);
const nonce = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

/** BouncyCastle as a second independent OCSP verifier (SM2 default ID 1234567812345678). */
class BcOcsp {
  private readonly dir = mkdtempSync(join(tmpdir(), 'medsign-bc-ocsp-'));
  private readonly cp = `${['bcprov', 'bcpkix', 'bcutil'].map((j) => `/usr/share/java/${j}.jar`).join(':')}:${this.dir}`;
  private n = 0;
  constructor() {
    writeFileSync(
      join(this.dir, 'BcOcsp.java'),
      `import java.nio.file.*; import java.security.Security; import org.bouncycastle.cert.X509CertificateHolder; import org.bouncycastle.cert.ocsp.*;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
public class BcOcsp { public static void main(String[] a) throws Exception {
  Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
  try {
    BasicOCSPResp b = (BasicOCSPResp) new OCSPResp(Files.readAllBytes(Paths.get(a[0]))).getResponseObject();
    X509CertificateHolder signer = new X509CertificateHolder(Files.readAllBytes(Paths.get(a[1])));
    if (!b.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider("BC").build(signer))) { System.out.println("FAIL signature"); System.exit(1); }
    StringBuilder sb = new StringBuilder("OK");
    for (SingleResp s : b.getResponses()) { Object st = s.getCertStatus();
      sb.append(" " + s.getCertID().getSerialNumber().toString(16).toUpperCase() + ":" + (st == null ? "good" : st instanceof RevokedStatus ? "revoked" : "unknown")); }
    System.out.println(sb);
  } catch (Exception e) { System.out.println("FAIL " + e); System.exit(1); } } }`,
    );
    const r = spawnSync('javac', ['-cp', this.cp, '-d', this.dir, join(this.dir, 'BcOcsp.java')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`javac BcOcsp failed: ${r.stderr}`);
  }
  run(respDer: Uint8Array, signerCertDer: Uint8Array): { ok: boolean; out: string } {
    const f = (d: Uint8Array) => {
      const p = join(this.dir, `in-${++this.n}.der`);
      writeFileSync(p, d);
      return p;
    };
    const r = spawnSync('java', ['-cp', this.cp, 'BcOcsp', f(respDer), f(signerCertDer)], { encoding: 'utf8' });
    return { ok: r.status === 0 && r.stdout.startsWith('OK'), out: (r.stdout + r.stderr).trim() };
  }
}

async function issueResponder(issuer: Issued, kind: 'sm2' | 'rsa-2048', ekus: string[], cn: string): Promise<Issued> {
  const key = await generatePrivateKey(kind);
  const signer = localSigner(key);
  const spki = publicKeyToSpki(signer.publicKey);
  const der = await issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      issuer: issuer.cert.subject,
      subject: buildName([{ type: 'C', value: 'CN' }, { type: 'O', value: 'MedSign 测试 CA' }, { type: 'CN', value: cn }]),
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 30 * DAY),
      publicKey: spki,
      extensions: [
        X.basicConstraintsExtension(false),
        X.keyUsageExtension(['digitalSignature']),
        X.extendedKeyUsageExtension(ekus),
        X.subjectKeyIdentifierExtension(spki),
        X.authorityKeyIdentifierExtension(issuer.cert.spki),
        X.ocspNoCheckExtension(),
      ],
    },
    issuer.signer,
  );
  return { der, cert: parseCertificate(der), key, signer };
}

const singles = (k: Kind): OcspSingleResponseInput[] => [
  { certId: ocspCertId(good[k].cert, ca[k].cert), status: { status: 'good' }, thisUpdate, nextUpdate },
  { certId: ocspCertId(revoked[k].cert, ca[k].cert), status: { status: 'revoked', revocationTime, reason: CRL_REASON.keyCompromise }, thisUpdate, nextUpdate },
  { certId: { ...ocspCertId(good[k].cert, ca[k].cert), serialNumber: '0ABCDEF0' }, status: { status: 'unknown' }, thisUpdate },
];

/** A response to `singles(k)` signed by the CA itself, or by its delegated responder (carried). */
async function respond(k: Kind, opts: Partial<OcspResponseOptions> & { by?: Issued } = {}): Promise<Uint8Array> {
  const by = opts.by ?? ca[k];
  return buildOcspResponse({
    signer: by.signer,
    responderCertificate: by.der,
    producedAt: now,
    responses: singles(k),
    nonce,
    ...(by !== ca[k] ? { certificates: [by.der] } : {}),
    ...opts,
  });
}

const basic = (der: Uint8Array): OcspBasicResponse => {
  const r = parseOcspResponse(der);
  if (r.responseStatus !== 'successful') throw new Error(`OCSP response status ${r.responseStatus}`);
  return r;
};

/** TBS and signature value of the BasicOCSPResponse, located by `openssl asn1parse` (not by our DER reader). */
function signedPartsByOpenssl(name: string): { tbs: Uint8Array; sig: Uint8Array } {
  const octet = /^\s*(\d+):d=3\s+hl=\d+\s+l=\s*\d+\s+prim: OCTET STRING/m.exec(cli.run(['asn1parse', '-inform', 'DER', '-in', name]).out)!;
  cli.run(['asn1parse', '-inform', 'DER', '-in', name, '-strparse', octet[1]!, '-noout', '-out', `${name}.basic`]);
  const der = cli.read(`${name}.basic`);
  const top = [...cli.run(['asn1parse', '-inform', 'DER', '-in', `${name}.basic`]).out.matchAll(/^\s*(\d+):d=1\s+hl=(\d+)\s+l=\s*(\d+)/gm)].map((m) => ({ off: +m[1]!, hl: +m[2]!, l: +m[3]! }));
  const [tbs, , sig] = top;
  return { tbs: der.slice(tbs!.off, tbs!.off + tbs!.hl + tbs!.l), sig: der.slice(sig!.off + sig!.hl + 1, sig!.off + sig!.hl + sig!.l) };
}

beforeAll(async () => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
  bc = new BcOcsp();
  ca.sm2 = await makeCa('sm2', 'OCSP SM2 Root');
  ca.rsa = await makeCa('rsa-2048', 'OCSP RSA Root');
  otherCa = await makeCa('sm2', 'Another Root');
  for (const k of ['sm2', 'rsa'] as const) {
    good[k] = await issueStaff(keyKind(k), ca[k]);
    revoked[k] = await issueStaff(keyKind(k), ca[k], { cn: '已吊销医生' });
    responder[k] = await issueResponder(ca[k], keyKind(k), [X.EKU.ocspSigning], `OCSP Responder ${k}`);
    for (const [name, v] of [['ca', ca[k]], ['good', good[k]], ['revoked', revoked[k]], ['responder', responder[k]]] as const) {
      cli.write(`${k}-${name}.pem`, toPem(v.der, 'CERTIFICATE'));
      cli.write(`${k}-${name}.key`, toPem(privateKeyToPkcs8(v.key), 'PRIVATE KEY'));
    }
  }
  noEku = await issueResponder(ca.rsa, 'rsa-2048', [X.EKU.clientAuth], 'Not a responder');
  foreign = await issueResponder(otherCa, 'sm2', [X.EKU.ocspSigning], 'Foreign responder');
  unlisted = await issueStaff('rsa-2048', ca.rsa, { key: good.rsa.key, cn: '未登记' });
  cli.write('noeku.pem', toPem(noEku.der, 'CERTIFICATE'));
  cli.write('unlisted.pem', toPem(unlisted.der, 'CERTIFICATE'));
});
afterAll(() => cli.dispose());

describe('OCSP requests', () => {
  it.each(['sm2', 'rsa'] as const)('openssl ocsp -req_text parses our %s request: SHA-1 CertID and the nonce', (k) => {
    const der = buildOcspRequest({ certificate: revoked[k].cert, issuer: ca[k].cert, nonce });
    cli.write(`${k}-req.der`, der);
    const { ok, out } = cli.run(['ocsp', '-reqin', `${k}-req.der`, '-req_text']);
    expect(ok, out).toBe(true);
    const id = ocspCertId(revoked[k].cert, ca[k].cert);
    expect(out).toMatch(/Hash Algorithm: sha1/);
    expect(out).toContain(`Issuer Name Hash: ${id.issuerNameHash.toUpperCase()}`);
    expect(out).toContain(`Issuer Key Hash: ${id.issuerKeyHash.toUpperCase()}`);
    expect(id.issuerKeyHash).toBe(ca[k].cert.subjectKeyId); // both SHA-1 of the CA's subjectPublicKey
    expect(out).toContain(`Serial Number: ${revoked[k].cert.serialNumber}`);
    expect(out).toMatch(new RegExp(`OCSP Nonce: \\s*\\n\\s*0410${toHex(nonce).toUpperCase()}`));
    expect(parseOcspRequest(der)).toEqual({ requests: [id], nonce, signed: false });
  });

  it.each(['sm2', 'rsa'] as const)('without a nonce our %s request is byte-identical to openssl ocsp -no_nonce, with SHA-1 and SHA-256 CertIDs', (k) => {
    for (const hash of ['sha1', 'sha256'] as const) {
      const r = cli.run(['ocsp', '-issuer', `${k}-ca.pem`, `-${hash}`, '-cert', `${k}-good.pem`, '-no_nonce', '-reqout', `o-${k}-${hash}.der`]);
      expect(r.ok, r.out).toBe(true);
      const theirs = cli.read(`o-${k}-${hash}.der`);
      expect(toHex(buildOcspRequest({ certificate: good[k].cert, issuer: ca[k].cert, hash }))).toBe(toHex(theirs));
      expect(parseOcspRequest(theirs)).toEqual({ requests: [ocspCertId(good[k].cert, ca[k].cert, hash)], signed: false });
    }
  });

  it("we read openssl's request with its nonce and several certificates", () => {
    const r = cli.run(['ocsp', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-good.pem', '-cert', 'rsa-revoked.pem', '-cert', 'unlisted.pem', '-reqout', 'o-multi.der']);
    expect(r.ok, r.out).toBe(true);
    const req = parseOcspRequest(cli.read('o-multi.der'));
    expect(req.requests.map((q) => q.serialNumber)).toEqual([good.rsa.cert.serialNumber, revoked.rsa.cert.serialNumber, unlisted.cert.serialNumber]);
    expect(req.nonce).toHaveLength(16);
    const text = cli.run(['ocsp', '-reqin', 'o-multi.der', '-req_text']).out;
    expect(text).toMatch(new RegExp(`OCSP Nonce: \\s*\\n\\s*0410${toHex(req.nonce!).toUpperCase()}`));
  });

  it('refuses a wrong issuer, a bad nonce and garbage', () => {
    expect(() => buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.sm2.cert })).toThrow(code('INPUT_INVALID'));
    expect(() => buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.rsa.cert, nonce: new Uint8Array(0) })).toThrow(code('INPUT_INVALID'));
    expect(() => buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.rsa.cert, nonce: new Uint8Array(33) })).toThrow(code('INPUT_INVALID'));
    expect(ocspNonce()).toHaveLength(32);
    expect(toHex(ocspNonce())).not.toBe(toHex(ocspNonce()));
    const der = buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.rsa.cert, nonce });
    for (const bad of [new Uint8Array(0), utf8('GET /ocsp'), ca.rsa.der, der.subarray(0, der.length - 2), Uint8Array.from([...der, 0]), new Uint8Array([0x30, 0x02, 0x30, 0x00])]) {
      expect(() => parseOcspRequest(bad)).toThrow(code('INPUT_INVALID'));
    }
  });
});

describe('our OCSP responses checked by openssl and BouncyCastle', () => {
  it.each(['sm2', 'rsa'] as const)('openssl ocsp -resp_text parses our %s response: statuses, reason, nonce, responder key id', async (k) => {
    cli.write(`${k}-resp.der`, await respond(k));
    const { ok, out } = cli.run(['ocsp', '-respin', `${k}-resp.der`, '-resp_text', '-noverify']);
    expect(ok, out).toBe(true);
    expect(out).toMatch(/OCSP Response Status: successful \(0x0\)/);
    expect(out).toMatch(/Response Type: Basic OCSP Response/);
    expect(out).toContain(`Responder Id: ${ca[k].cert.subjectKeyId!.toUpperCase()}`); // byKey
    expect(out).toMatch(k === 'sm2' ? /Signature Algorithm: SM2-with-SM3/ : /Signature Algorithm: sha256WithRSAEncryption/);
    const statuses = [...out.matchAll(/Serial Number: (\w+)\n\s+Cert Status: (\w+)/g)].map((m) => [m[1], m[2]]);
    expect(statuses).toEqual([
      [good[k].cert.serialNumber, 'good'],
      [revoked[k].cert.serialNumber, 'revoked'],
      ['0ABCDEF0', 'unknown'],
    ]);
    expect(out).toMatch(/Revocation Reason: keyCompromise \(0x1\)/);
    expect(out).toMatch(new RegExp(`OCSP Nonce: \\s*\\n\\s*0410${toHex(nonce).toUpperCase()}`));
  });

  it('openssl verifies an RSA response signed by the CA and reports each status', async () => {
    cli.write('rsa-resp.der', await respond('rsa'));
    const rev = cli.run(['ocsp', '-respin', 'rsa-resp.der', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-revoked.pem', '-CAfile', 'rsa-ca.pem', '-no_nonce']);
    expect(rev.out).toMatch(/Response verify OK/);
    expect(rev.out).toMatch(/rsa-revoked\.pem: revoked\n[\s\S]*Reason: keyCompromise/);
    const ok = cli.run(['ocsp', '-respin', 'rsa-resp.der', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-good.pem', '-CAfile', 'rsa-ca.pem', '-no_nonce']);
    expect(ok.out).toMatch(/Response verify OK/);
    expect(ok.out).toMatch(/^rsa-good\.pem: good$/m);
  });

  it('openssl verifies an RSA response from a delegated responder (chained to -CAfile, and trusted with -VAfile)', async () => {
    cli.write('rsa-delegated.der', await respond('rsa', { by: responder.rsa }));
    const chained = cli.run(['ocsp', '-respin', 'rsa-delegated.der', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-revoked.pem', '-CAfile', 'rsa-ca.pem', '-no_nonce']);
    expect(chained.out).toMatch(/Response verify OK/);
    expect(chained.out).toMatch(/^rsa-revoked\.pem: revoked$/m);
    const va = cli.run(['ocsp', '-respin', 'rsa-delegated.der', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-good.pem', '-VAfile', 'rsa-responder.pem', '-no_nonce']);
    expect(va.out).toMatch(/Response verify OK/);
    expect(va.out).toMatch(/^rsa-good\.pem: good$/m);
  });

  it("openssl checks our response's nonce against our request", async () => {
    cli.write('n-req.der', buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.rsa.cert, nonce }));
    cli.write('n-resp.der', await respond('rsa'));
    const same = cli.run(['ocsp', '-reqin', 'n-req.der', '-respin', 'n-resp.der', '-CAfile', 'rsa-ca.pem', '-verify_other', 'rsa-ca.pem']);
    expect(same.out).toMatch(/Response verify OK/);
    expect(same.out).not.toMatch(/Nonce/);
    cli.write('n-resp2.der', await respond('rsa', { nonce: new Uint8Array(16).fill(9) }));
    expect(cli.run(['ocsp', '-reqin', 'n-req.der', '-respin', 'n-resp2.der', '-CAfile', 'rsa-ca.pem', '-verify_other', 'rsa-ca.pem']).out).toMatch(/Nonce Verify error/);
  });

  it('openssl and we refuse a responder certificate without id-kp-OCSPSigning', async () => {
    const der = await respond('rsa', { by: noEku });
    cli.write('noeku-resp.der', der);
    const r = cli.run(['ocsp', '-respin', 'noeku-resp.der', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-good.pem', '-CAfile', 'rsa-ca.pem', '-no_nonce']);
    expect(r.out).toMatch(/Response Verify Failure/);
    expect(r.out).toMatch(/missing ocspsigning usage/);
    expect(verifyOcspResponse(der, { issuer: ca.rsa.cert, certificate: good.rsa.cert })).toMatchObject({ valid: false, failure: 'RESPONDER_NOT_AUTHORIZED' });
  });

  it('gap, pinned: OpenSSL 3.0 cannot verify SM2 OCSP responses (no distid option; default ID is empty), so openssl pkeyutl with distid, BouncyCastle and we check them', async () => {
    for (const by of [ca.sm2, responder.sm2]) {
      const der = await respond('sm2', { by });
      cli.write('sm2-resp.der', der);
      const r = cli.run(['ocsp', '-respin', 'sm2-resp.der', '-issuer', 'sm2-ca.pem', '-cert', 'sm2-good.pem', '-CAfile', 'sm2-ca.pem', '-no_nonce']);
      expect(r.out).toMatch(/Response Verify Failure/);
      const { tbs, sig } = signedPartsByOpenssl('sm2-resp.der');
      cli.write('sm2-resp.tbs', tbs);
      cli.write('sm2-resp.sig', sig);
      cli.write('sm2-signer.pub', cli.run(['x509', '-in', by === ca.sm2 ? 'sm2-ca.pem' : 'sm2-responder.pem', '-pubkey', '-noout']).out);
      const pk = (extra: string[]) => cli.run(['pkeyutl', '-verify', '-pubin', '-inkey', 'sm2-signer.pub', '-rawin', '-digest', 'sm3', '-in', 'sm2-resp.tbs', '-sigfile', 'sm2-resp.sig', ...extra]).out;
      expect(pk(['-pkeyopt', 'distid:1234567812345678'])).toMatch(/Signature Verified Successfully/);
      expect(pk([])).toMatch(/Signature Verification Failure/);
      expect(bc.run(der, by.der).out).toBe(`OK ${good.sm2.cert.serialNumber}:good ${revoked.sm2.cert.serialNumber}:revoked ABCDEF0:unknown`);
      const v = verifyOcspResponse(der, { issuer: ca.sm2.cert, certificate: revoked.sm2.cert, nonce });
      expect(v).toMatchObject({ valid: true, status: { status: 'revoked', revocationTime, reason: CRL_REASON.keyCompromise } });
      expect(v.responder!.sha256).toBe(by.cert.sha256);
    }
  });

  it('BouncyCastle verifies our RSA responses, CA-signed and delegated', async () => {
    for (const by of [ca.rsa, responder.rsa]) {
      expect(bc.run(await respond('rsa', { by }), by.der).out).toBe(`OK ${good.rsa.cert.serialNumber}:good ${revoked.rsa.cert.serialNumber}:revoked ABCDEF0:unknown`);
    }
    expect(bc.run(await respond('rsa'), responder.rsa.der).ok).toBe(false);
  });
});

describe('responses made by the openssl ocsp responder, verified by us', () => {
  const ts = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  function opensslRespond(k: Kind, req: string, out: string, args: string[]): Uint8Array {
    const expiry = ts(new Date(now.getTime() + 365 * DAY));
    cli.write(
      `${k}-index.txt`,
      `V\t${expiry}\t\t${good[k].cert.serialNumber}\tunknown\t/CN=good\n` + `R\t${expiry}\t${ts(revocationTime)},superseded\t${revoked[k].cert.serialNumber}\tunknown\t/CN=revoked\n`,
    );
    const r = cli.run(['ocsp', '-index', `${k}-index.txt`, '-CA', `${k}-ca.pem`, '-reqin', req, '-respout', out, '-ndays', '1', ...args]);
    expect(r.ok, r.out).toBe(true);
    return cli.read(out);
  }

  it('a delegated RSA responder (ResponderID byName, certificate carried, nonce echoed), three certificates in one request', () => {
    expect(cli.run(['ocsp', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-good.pem', '-cert', 'rsa-revoked.pem', '-cert', 'unlisted.pem', '-reqout', 'd-req.der']).ok).toBe(true);
    const reqNonce = parseOcspRequest(cli.read('d-req.der')).nonce!;
    const der = opensslRespond('rsa', 'd-req.der', 'd-resp.der', ['-rsigner', 'rsa-responder.pem', '-rkey', 'rsa-responder.key']);
    const resp = basic(der);
    expect(resp.responderName).toBe(responder.rsa.cert.subjectText);
    expect(resp.responderKeyHash).toBeUndefined();
    expect(resp.certificates.map(toHex)).toEqual([toHex(responder.rsa.der)]);
    expect(resp.nonce).toEqual(reqNonce);
    expect(Math.abs(resp.responses[0]!.nextUpdate!.getTime() - resp.responses[0]!.thisUpdate.getTime() - DAY)).toBeLessThanOrEqual(1000); // -ndays 1
    const check = (certificate: Issued) => verifyOcspResponse(der, { issuer: ca.rsa.cert, certificate: certificate.cert, nonce: reqNonce });
    expect(check(good.rsa)).toMatchObject({ valid: true, status: { status: 'good' } });
    expect(check(revoked.rsa)).toMatchObject({ valid: true, status: { status: 'revoked', revocationTime, reason: CRL_REASON.superseded } });
    expect(check(unlisted)).toMatchObject({ valid: true, status: { status: 'unknown' } });
    expect(check(good.rsa).responder!.sha256).toBe(responder.rsa.cert.sha256);
    expect(verifyOcspResponse(der, { issuer: ca.rsa.cert, certificate: good.rsa.cert, nonce })).toMatchObject({ valid: false, failure: 'NONCE_MISMATCH' });
    expect(verifyOcspResponse(der, { issuer: ca.rsa.cert, certificate: good.rsa.cert, at: new Date(now.getTime() + 2 * DAY) })).toMatchObject({ valid: false, failure: 'EXPIRED' });
  });

  it('ResponderID byKey (-resp_key_id), and the CA itself as responder without certificates', () => {
    cli.write('k-req.der', buildOcspRequest({ certificate: revoked.rsa.cert, issuer: ca.rsa.cert, nonce }));
    const byKey = basic(opensslRespond('rsa', 'k-req.der', 'k-resp.der', ['-rsigner', 'rsa-responder.pem', '-rkey', 'rsa-responder.key', '-resp_key_id']));
    expect(byKey.responderKeyHash).toBe(responder.rsa.cert.subjectKeyId);
    expect(verifyOcspResponse(byKey, { issuer: ca.rsa.cert, certificate: revoked.rsa.cert, nonce })).toMatchObject({ valid: true, status: { status: 'revoked' } });
    const byCa = opensslRespond('rsa', 'k-req.der', 'c-resp.der', ['-rsigner', 'rsa-ca.pem', '-rkey', 'rsa-ca.key', '-resp_no_certs']);
    expect(basic(byCa).certificates).toEqual([]);
    expect(verifyOcspResponse(byCa, { issuer: ca.rsa.cert, certificate: revoked.rsa.cert, nonce })).toMatchObject({ valid: true, status: { status: 'revoked' } });
    // a delegated responder that does not carry its certificate cannot be checked
    const bare = opensslRespond('rsa', 'k-req.der', 'b-resp.der', ['-rsigner', 'rsa-responder.pem', '-rkey', 'rsa-responder.key', '-resp_no_certs']);
    expect(verifyOcspResponse(bare, { issuer: ca.rsa.cert, certificate: revoked.rsa.cert })).toMatchObject({ valid: false, failure: 'RESPONDER_NOT_FOUND' });
  });

  it('an SM2 responder with -rsigopt distid:1234567812345678 verifies; with openssl\'s default (empty) ID it does not', () => {
    cli.write('s-req.der', buildOcspRequest({ certificate: good.sm2.cert, issuer: ca.sm2.cert, nonce }));
    for (const [signer, key] of [['sm2-responder.pem', 'sm2-responder.key'], ['sm2-ca.pem', 'sm2-ca.key']]) {
      const std = opensslRespond('sm2', 's-req.der', 's-resp.der', ['-rsigner', signer!, '-rkey', key!, '-rmd', 'sm3', '-rsigopt', 'distid:1234567812345678']);
      expect(basic(std).signatureAlgorithm).toBe('sm2-with-sm3');
      expect(verifyOcspResponse(std, { issuer: ca.sm2.cert, certificate: good.sm2.cert, nonce })).toMatchObject({ valid: true, status: { status: 'good' } });
      const empty = opensslRespond('sm2', 's-req.der', 's-resp0.der', ['-rsigner', signer!, '-rkey', key!, '-rmd', 'sm3']);
      expect(verifyOcspResponse(empty, { issuer: ca.sm2.cert, certificate: good.sm2.cert, nonce })).toMatchObject({ valid: false, failure: 'SIG_CRYPTO_FAILURE' });
    }
  });
});

describe('verifyOcspResponse refuses', () => {
  it.each(['sm2', 'rsa'] as const)('a flipped bit in a %s response', async (k) => {
    const der = await respond(k);
    const flipped = der.slice();
    const serial = Buffer.from(revoked[k].cert.serialNumber, 'hex');
    flipped[Buffer.from(der).indexOf(serial) + serial.length - 1]! ^= 0x01; // the CertID serial: still well formed
    expect(verifyOcspResponse(flipped, { issuer: ca[k].cert })).toMatchObject({ valid: false, failure: 'SIG_CRYPTO_FAILURE' });
    expect(bc.run(flipped, ca[k].der).ok).toBe(false);
    const sig = der.slice();
    sig[sig.length - 2]! ^= 0x40; // inside the signature value
    expect(verifyOcspResponse(sig, { issuer: ca[k].cert, certificate: good[k].cert })).toMatchObject({ valid: false, failure: 'SIG_CRYPTO_FAILURE' });
    if (k === 'rsa') {
      cli.write('flipped.der', flipped);
      expect(cli.run(['ocsp', '-respin', 'flipped.der', '-issuer', 'rsa-ca.pem', '-cert', 'rsa-good.pem', '-CAfile', 'rsa-ca.pem', '-no_nonce']).out).toMatch(/Response Verify Failure/);
    }
    expect(verifyOcspResponse(der, { issuer: ca[k].cert, certificate: good[k].cert, nonce })).toMatchObject({ valid: true, status: { status: 'good' } });
  });

  it('a wrong or missing nonce', async () => {
    const der = await respond('rsa');
    expect(verifyOcspResponse(der, { issuer: ca.rsa.cert, certificate: good.rsa.cert, nonce: nonce.map((b) => b ^ 1) })).toMatchObject({ valid: false, failure: 'NONCE_MISMATCH' });
    const without = await respond('rsa', { nonce: undefined });
    expect(basic(without).nonce).toBeUndefined();
    expect(verifyOcspResponse(without, { issuer: ca.rsa.cert, certificate: good.rsa.cert, nonce })).toMatchObject({ valid: false, failure: 'NONCE_MISMATCH' });
    expect(verifyOcspResponse(without, { issuer: ca.rsa.cert, certificate: good.rsa.cert })).toMatchObject({ valid: true });
  });

  it('a response about another certificate, or from another CA', async () => {
    const onlyRevoked = await respond('rsa', { responses: [singles('rsa')[1]!] });
    expect(verifyOcspResponse(onlyRevoked, { issuer: ca.rsa.cert, certificate: good.rsa.cert })).toMatchObject({ valid: false, failure: 'CERT_ID_MISMATCH' });
    expect(verifyOcspResponse(onlyRevoked, { issuer: ca.rsa.cert, certificate: unlisted.cert })).toMatchObject({ valid: false, failure: 'CERT_ID_MISMATCH' });
    // without a certificate, the first response for this issuer is taken
    expect(verifyOcspResponse(onlyRevoked, { issuer: ca.rsa.cert })).toMatchObject({ valid: true, status: { status: 'revoked' } });
    // the SM2 CA's response does not speak for the RSA CA's certificates
    const sm2 = await respond('sm2');
    expect(verifyOcspResponse(sm2, { issuer: ca.rsa.cert, certificate: good.rsa.cert })).toMatchObject({ valid: false, failure: 'RESPONDER_NOT_FOUND' });
    // right signer, wrong issuer hashes: a response listing only the SM2 CA's certificates, signed by the RSA CA
    const mixed = await respond('rsa', { responses: singles('sm2') });
    expect(verifyOcspResponse(mixed, { issuer: ca.rsa.cert })).toMatchObject({ valid: false, failure: 'CERT_ID_MISMATCH' });
  });

  it('unauthorised responders: no OCSP EKU, issued by another CA, or expired', async () => {
    expect(verifyOcspResponse(await respond('rsa', { by: noEku }), { issuer: ca.rsa.cert })).toMatchObject({ valid: false, failure: 'RESPONDER_NOT_AUTHORIZED' });
    const foreignResp = await respond('sm2', { by: foreign });
    expect(verifyOcspResponse(foreignResp, { issuer: ca.sm2.cert, certificate: good.sm2.cert })).toMatchObject({ valid: false, failure: 'RESPONDER_NOT_AUTHORIZED' });
    // the delegated responder's own certificate is out of its validity period
    const delegated = await respond('rsa', { by: responder.rsa });
    expect(verifyOcspResponse(delegated, { issuer: ca.rsa.cert, at: new Date(now.getTime() + 40 * DAY) })).toMatchObject({ valid: false, failure: 'RESPONDER_NOT_AUTHORIZED' });
    expect(verifyOcspResponse(delegated, { issuer: ca.rsa.cert, certificate: revoked.rsa.cert })).toMatchObject({ valid: true, status: { status: 'revoked' } });
  });

  it('a response that is not yet valid or out of date (5 minutes of clock skew allowed)', async () => {
    const der = await respond('rsa');
    const at = (ms: number) => verifyOcspResponse(der, { issuer: ca.rsa.cert, certificate: good.rsa.cert, at: new Date(ms) });
    const t = Math.floor(thisUpdate.getTime() / 1000) * 1000;
    const n = Math.floor(nextUpdate.getTime() / 1000) * 1000;
    expect(at(t - 6 * MIN)).toMatchObject({ valid: false, failure: 'NOT_YET_VALID' });
    expect(at(t - 4 * MIN)).toMatchObject({ valid: true });
    expect(at(n + 4 * MIN)).toMatchObject({ valid: true });
    expect(at(n + 6 * MIN)).toMatchObject({ valid: false, failure: 'EXPIRED' });
  });
});

describe('error responses, building and bad input', () => {
  it.each(['malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'] as const)('an error response %s is read by openssl and by us', (status: OcspErrorStatus) => {
    const der = buildOcspErrorResponse(status);
    cli.write('err.der', der);
    const codes = { malformedRequest: 1, internalError: 2, tryLater: 3, sigRequired: 5, unauthorized: 6 };
    expect(cli.run(['ocsp', '-respin', 'err.der', '-resp_text']).out).toMatch(new RegExp(`Responder Error: ${status.toLowerCase()} \\(${codes[status]}\\)`, 'i'));
    expect(parseOcspResponse(der)).toEqual({ der, responseStatus: status, responses: [], certificates: [] });
    expect(verifyOcspResponse(der, { issuer: ca.rsa.cert })).toMatchObject({ valid: false, failure: 'UNSUCCESSFUL_RESPONSE' });
  });

  it('parses our response fields exactly, and carries certificates byte for byte (UUID-arc extensions intact)', async () => {
    const der = await respond('sm2', { certificates: [good.sm2.der, responder.sm2.der] });
    const r = basic(der);
    expect(r.producedAt).toEqual(new Date(Math.floor(now.getTime() / 1000) * 1000));
    expect(r.responderKeyHash).toBe(ca.sm2.cert.subjectKeyId);
    expect(r.certificates.map(toHex)).toEqual([toHex(good.sm2.der), toHex(responder.sm2.der)]);
    expect(parseCertificate(r.certificates[0]!).sha256).toBe(good.sm2.cert.sha256);
    expect(r.responses).toEqual([
      { ...ocspCertId(good.sm2.cert, ca.sm2.cert), status: { status: 'good' }, thisUpdate: new Date(Math.floor(thisUpdate.getTime() / 1000) * 1000), nextUpdate: new Date(Math.floor(nextUpdate.getTime() / 1000) * 1000) },
      expect.objectContaining({ serialNumber: revoked.sm2.cert.serialNumber, status: { status: 'revoked', revocationTime, reason: 1 } }),
      expect.objectContaining({ serialNumber: '0ABCDEF0', status: { status: 'unknown' } }),
    ]);
    expect(r.responses[2]!.nextUpdate).toBeUndefined();
    // a response answering a parsed request, SHA-256 CertID
    const req = parseOcspRequest(buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.rsa.cert, hash: 'sha256', nonce }));
    const answer = await buildOcspResponse({ signer: ca.rsa.signer, responderCertificate: ca.rsa.der, producedAt: now, nonce: req.nonce!, responses: req.requests.map((certId) => ({ certId, status: { status: 'good' as const }, thisUpdate })) });
    expect(verifyOcspResponse(answer, { issuer: ca.rsa.cert, certificate: good.rsa.cert, nonce })).toMatchObject({ valid: true, single: { hashAlgorithm: 'sha256' } });
  });

  it('buildOcspResponse refuses bad options', async () => {
    const base: OcspResponseOptions = { signer: ca.rsa.signer, responderCertificate: ca.rsa.der, producedAt: now, responses: singles('rsa') };
    const id = ocspCertId(good.rsa.cert, ca.rsa.cert);
    const bad: [Partial<OcspResponseOptions>, string][] = [
      [{ responderCertificate: responder.rsa.der }, 'KEY_INVALID'],
      [{ responses: [] }, 'INPUT_INVALID'],
      [{ responses: [{ certId: { ...id, issuerKeyHash: 'abcd' }, status: { status: 'good' }, thisUpdate }] }, 'INPUT_INVALID'],
      [{ responses: [{ certId: { ...id, serialNumber: 'zz' }, status: { status: 'good' }, thisUpdate }] }, 'INPUT_INVALID'],
      [{ responses: [{ certId: id, status: { status: 'revoked', revocationTime, reason: 7 }, thisUpdate }] }, 'INPUT_INVALID'],
      [{ responses: [{ certId: id, status: { status: 'fine' } as never, thisUpdate }] }, 'INPUT_INVALID'],
      [{ responses: [{ certId: id, status: { status: 'good' }, thisUpdate, nextUpdate: new Date(thisUpdate.getTime() - 1000) }] }, 'INPUT_INVALID'],
      [{ nonce: new Uint8Array(0) }, 'INPUT_INVALID'],
      [{ nonce: new Uint8Array(33) }, 'INPUT_INVALID'],
      [{ certificates: [utf8('not a certificate')] }, 'INPUT_INVALID'],
      [{ producedAt: new Date(NaN) }, 'INPUT_INVALID'],
    ];
    for (const [change, c] of bad) await expect(buildOcspResponse({ ...base, ...change }), JSON.stringify(Object.keys(change))).rejects.toMatchObject({ code: c });
    expect(() => buildOcspErrorResponse('successful' as OcspErrorStatus)).toThrow(code('INPUT_INVALID'));
    expect(() => buildOcspErrorResponse('nope' as OcspErrorStatus)).toThrow(code('INPUT_INVALID'));
  });

  it('garbage is INPUT_INVALID for parseOcspResponse and FORMAT_FAILURE for verifyOcspResponse', async () => {
    const der = await respond('rsa');
    const request = buildOcspRequest({ certificate: good.rsa.cert, issuer: ca.rsa.cert });
    for (const bad of [new Uint8Array(0), utf8('HTTP/1.1 200 OK'), ca.rsa.der, request, der.subarray(0, der.length - 1), Uint8Array.from([...der, 0]), new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x04]), new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00])]) {
      expect(() => parseOcspResponse(bad)).toThrow(code('INPUT_INVALID'));
      expect(verifyOcspResponse(bad, { issuer: ca.rsa.cert })).toMatchObject({ valid: false, failure: 'FORMAT_FAILURE' });
    }
    expect(() => parseOcspResponse(undefined as unknown as Uint8Array)).toThrow(code('INPUT_INVALID'));
    expect(() => parseOcspRequest(der)).toThrow(code('INPUT_INVALID'));
  });

  it('a flipped bit anywhere never crashes the parsers: a result or a MedSignError', async () => {
    const inputs: [Uint8Array, (d: Uint8Array) => unknown][] = [
      [await respond('sm2', { by: responder.sm2 }), parseOcspResponse],
      [await respond('rsa'), parseOcspResponse],
      [buildOcspRequest({ certificate: good.sm2.cert, issuer: ca.sm2.cert, nonce }), parseOcspRequest],
    ];
    for (const [original, parse] of inputs) {
      for (let i = 0; i < original.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const der = original.slice();
          der[i]! ^= bit;
          try {
            parse(der);
          } catch (err) {
            expect(err, `byte ${i} bit ${bit}`).toBeInstanceOf(MedSignError);
            expect(['INPUT_INVALID', 'ALGORITHM_UNSUPPORTED', 'NOT_SUPPORTED']).toContain((err as MedSignError).code);
          }
          const v = verifyOcspResponse(der, { issuer: ca.sm2.cert, certificate: good.sm2.cert, nonce });
          if (parse === parseOcspResponse) expect(v.valid, `byte ${i} bit ${bit}`).toBe(false);
        }
      }
    }
  });
});
