import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../src/encoding.js';
import { MedSignError } from '../src/errors.js';
import { fromPem, toPem } from '../src/pem.js';
import { issueCertificate, parseCertificate, randomSerialNumber } from '../src/pki/certificate.js';
import * as X from '../src/pki/extensions.js';
import { buildName } from '../src/pki/name.js';
import { privateKeyToPkcs8, publicKeyToSpki } from '../src/pki/signer.js';
import { CRL_REASON, findRevokedEntry, issueCrl, parseCrl, verifyCrlSignature, type CrlEntryInput } from '../src/revocation/crl.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { OpensslCli } from './openssl-cli.js';
import { issueStaff, makeCa, type Issued } from './pki-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
const MIN = 60_000;
const DAY = 864e5;
type Kind = 'sm2' | 'rsa';

let cli: OpensslCli;
let bc: BcCrl;
const ca = {} as Record<Kind, Issued>;
const revoked = {} as Record<Kind, Issued>;
const good = {} as Record<Kind, Issued>;
const crl = {} as Record<Kind, Uint8Array>;
const now = new Date();
const thisUpdate = new Date(now.getTime() - 10 * MIN);
const nextUpdate = new Date(now.getTime() + 7 * DAY);
const BIG_CRL_NUMBER = 2n ** 70n + 5n; // above 2^53: must not pass through a JS number

/** BouncyCastle as a second independent CRL verifier (its SM2 default ID is 1234567812345678). */
class BcCrl {
  private readonly dir = mkdtempSync(join(tmpdir(), 'medsign-bc-crl-'));
  private readonly cp = `${['bcprov', 'bcpkix', 'bcutil'].map((j) => `/usr/share/java/${j}.jar`).join(':')}:${this.dir}`;
  private n = 0;
  constructor() {
    writeFileSync(
      join(this.dir, 'BcCrl.java'),
      `import java.io.ByteArrayInputStream; import java.nio.file.*; import java.security.Security; import java.security.cert.*;
public class BcCrl { public static void main(String[] a) throws Exception {
  Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
  CertificateFactory cf = CertificateFactory.getInstance("X.509", "BC");
  X509CRL crl = (X509CRL) cf.generateCRL(new ByteArrayInputStream(Files.readAllBytes(Paths.get(a[0]))));
  X509Certificate ca = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Paths.get(a[1]))));
  try { crl.verify(ca.getPublicKey(), "BC"); } catch (Exception e) { System.out.println("FAIL " + e); System.exit(1); }
  StringBuilder sb = new StringBuilder("OK " + crl.getSigAlgName());
  if (crl.getRevokedCertificates() != null) for (X509CRLEntry e : crl.getRevokedCertificates())
    sb.append(" " + e.getSerialNumber().toString(16).toUpperCase() + ":" + (e.getRevocationReason() == null ? "-" : e.getRevocationReason().toString()));
  System.out.println(sb); } }`,
    );
    const r = spawnSync('javac', ['-cp', this.cp, '-d', this.dir, join(this.dir, 'BcCrl.java')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`javac BcCrl failed: ${r.stderr}`);
  }
  run(crlDer: Uint8Array, caDer: Uint8Array): { ok: boolean; out: string } {
    const f = (d: Uint8Array) => {
      const p = join(this.dir, `in-${++this.n}.der`);
      writeFileSync(p, d);
      return p;
    };
    const r = spawnSync('java', ['-cp', this.cp, 'BcCrl', f(crlDer), f(caDer)], { encoding: 'utf8' });
    return { ok: r.status === 0 && r.stdout.startsWith('OK'), out: (r.stdout + r.stderr).trim() };
  }
}

/** TBS and signature value located by `openssl asn1parse` (not by our DER reader). */
function signedPartsByOpenssl(file: string, der: Uint8Array): { tbs: Uint8Array; sig: Uint8Array } {
  const top = cli
    .run(['asn1parse', '-inform', 'DER', '-in', file])
    .out.split('\n')
    .map((l) => /^\s*(\d+):d=1\s+hl=(\d+)\s+l=\s*(\d+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ off: +m[1]!, hl: +m[2]!, l: +m[3]! }));
  const [tbs, , sig] = top;
  return { tbs: der.slice(tbs!.off, tbs!.off + tbs!.hl + tbs!.l), sig: der.slice(sig!.off + sig!.hl + 1, sig!.off + sig!.hl + sig!.l) };
}

/** OpenSSL's date form, e.g. "Nov  7 05:20:07 2026 GMT". */
const opensslDate = (d: Date) => {
  const s = d.toUTCString(); // "Sat, 07 Nov 2026 05:20:07 GMT"
  const [, day, mon, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(s)!;
  return `${mon} ${String(+day!).padStart(2, ' ')} ${time} ${year} GMT`;
};

const entriesFor = (k: Kind): CrlEntryInput[] => [
  { serialNumber: revoked[k].cert.serialNumber, revocationDate: new Date(now.getTime() - 5 * MIN), reason: CRL_REASON.keyCompromise },
  { serialNumber: '0ABC', revocationDate: new Date(now.getTime() - 4 * MIN), reason: CRL_REASON.superseded },
  { serialNumber: '7F01', revocationDate: new Date(now.getTime() - 3 * MIN), reason: CRL_REASON.certificateHold },
  { serialNumber: '00FF', revocationDate: new Date(now.getTime() - 2 * MIN), reason: CRL_REASON.unspecified },
  { serialNumber: '1234', revocationDate: new Date(now.getTime() - 1 * MIN) },
];

beforeAll(async () => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
  bc = new BcCrl();
  ca.sm2 = await makeCa('sm2', 'CRL SM2 Root');
  ca.rsa = await makeCa('rsa-2048', 'CRL RSA Root');
  for (const k of ['sm2', 'rsa'] as const) {
    revoked[k] = await issueStaff(k === 'sm2' ? 'sm2' : 'rsa-2048', ca[k], { cn: '已吊销医生' });
    good[k] = await issueStaff(k === 'sm2' ? 'sm2' : 'rsa-2048', ca[k]);
    crl[k] = await issueCrl({ issuer: ca[k].cert, thisUpdate, nextUpdate, crlNumber: BIG_CRL_NUMBER, entries: entriesFor(k) }, ca[k].signer);
    cli.write(`${k}-ca.pem`, toPem(ca[k].der, 'CERTIFICATE'));
    cli.write(`${k}-ca.key`, toPem(privateKeyToPkcs8(ca[k].key), 'PRIVATE KEY'));
    cli.write(`${k}-revoked.pem`, toPem(revoked[k].der, 'CERTIFICATE'));
    cli.write(`${k}-good.pem`, toPem(good[k].der, 'CERTIFICATE'));
    cli.write(`${k}.crl`, toPem(crl[k], 'X509 CRL'));
    cli.write(`${k}-crl.der`, crl[k]);
  }
});
afterAll(() => cli.dispose());

describe('our CRLs read by openssl', () => {
  it.each(['sm2', 'rsa'] as const)('openssl crl -text parses the %s CRL: version, issuer, dates, extensions, serials and reasons', (k) => {
    const { ok, out } = cli.run(['crl', '-in', `${k}.crl`, '-text', '-noout', '-nameopt', 'utf8']);
    expect(ok, out).toBe(true);
    expect(out).toMatch(/Version 2 \(0x1\)/);
    expect(out).toMatch(k === 'sm2' ? /Signature Algorithm: SM2-with-SM3/ : /Signature Algorithm: sha256WithRSAEncryption/);
    expect(out).toContain(`Issuer: C=CN, O=MedSign 测试 CA, CN=CRL ${k.toUpperCase()} Root`);
    expect(out).toContain(`Last Update: ${opensslDate(thisUpdate)}`);
    expect(out).toContain(`Next Update: ${opensslDate(nextUpdate)}`);
    expect(out).toMatch(new RegExp(`X509v3 CRL Number: \\s*\\n\\s*${BIG_CRL_NUMBER.toString()}\\n`));
    expect(out.replace(/:/g, '')).toContain(ca[k].cert.subjectKeyId!.toUpperCase()); // authorityKeyIdentifier = the CA's SKI
    const entry = (serial: string) => new RegExp(`Serial Number: ${serial}\\n\\s+Revocation Date: [^\\n]+\\n(\\s+CRL entry extensions:\\n\\s+X509v3 CRL Reason Code: \\n\\s+([^\\n]+))?`).exec(out);
    expect(entry(revoked[k].cert.serialNumber)?.[2]).toBe('Key Compromise');
    expect(entry('0ABC')?.[2]).toBe('Superseded');
    expect(entry('7F01')?.[2]).toBe('Certificate Hold');
    expect(entry('FF')?.[1]).toBeUndefined(); // unspecified: no reasonCode at all (RFC 5280 §5.3.1)
    expect(entry('1234')?.[1]).toBeUndefined();
    expect(out.match(/Serial Number:/g)).toHaveLength(5);
  });

  it('openssl crl -CAfile verifies the RSA CRL signature, and refuses it with another CA', () => {
    expect(cli.run(['crl', '-in', 'rsa.crl', '-CAfile', 'rsa-ca.pem', '-noout']).out).toMatch(/verify OK/);
    expect(cli.run(['crl', '-in', 'rsa.crl', '-CAfile', 'sm2-ca.pem', '-noout']).out).not.toMatch(/verify OK/);
  });

  it('openssl verify -crl_check reports the revoked RSA certificate as revoked and the other as OK', () => {
    const bad = cli.run(['verify', '-crl_check', '-CAfile', 'rsa-ca.pem', '-CRLfile', 'rsa.crl', 'rsa-revoked.pem']);
    expect(bad.ok).toBe(false);
    expect(bad.out).toMatch(/error 23 at 0 depth lookup: certificate revoked/);
    const ok = cli.run(['verify', '-crl_check', '-CAfile', 'rsa-ca.pem', '-CRLfile', 'rsa.crl', 'rsa-good.pem']);
    expect(ok.out.trim()).toBe('rsa-good.pem: OK');
    // without the CRL, -crl_check cannot decide
    expect(cli.run(['verify', '-crl_check', '-CAfile', 'rsa-ca.pem', 'rsa-good.pem']).out).toMatch(/unable to get certificate CRL/);
  });

  it('gap, pinned: OpenSSL 3.0 cannot verify SM2 CRL signatures (no distid for CRLs; default ID is empty), so openssl pkeyutl with distid and BouncyCastle check them', () => {
    expect(cli.run(['crl', '-in', 'sm2.crl', '-CAfile', 'sm2-ca.pem', '-noout']).out).not.toMatch(/verify OK/);
    const v = cli.run(['verify', '-vfyopt', 'distid:1234567812345678', '-crl_check', '-CAfile', 'sm2-ca.pem', '-CRLfile', 'sm2.crl', 'sm2-good.pem']);
    expect(v.out).toMatch(/CRL signature failure/);
    // the same signature checked with the standard ID: the bytes openssl's asn1parse locates
    const { tbs, sig } = signedPartsByOpenssl('sm2-crl.der', crl.sm2);
    cli.write('sm2-crl.tbs', tbs);
    cli.write('sm2-crl.sig', sig);
    cli.write('sm2-ca.pub', cli.run(['x509', '-in', 'sm2-ca.pem', '-pubkey', '-noout']).out);
    const pk = (extra: string[]) => cli.run(['pkeyutl', '-verify', '-pubin', '-inkey', 'sm2-ca.pub', '-rawin', '-digest', 'sm3', '-in', 'sm2-crl.tbs', '-sigfile', 'sm2-crl.sig', ...extra]).out;
    expect(pk(['-pkeyopt', 'distid:1234567812345678'])).toMatch(/Signature Verified Successfully/);
    expect(pk([])).toMatch(/Signature Verification Failure/);
  });

  it.each(['sm2', 'rsa'] as const)('BouncyCastle verifies the %s CRL and reads the serials and reasons', (k) => {
    const r = bc.run(crl[k], ca[k].der);
    expect(r.out).toMatch(k === 'sm2' ? /^OK SM3WITHSM2/i : /^OK SHA256WITHRSA/i);
    expect(r.out).toContain(`${revoked[k].cert.serialNumber}:KEY_COMPROMISE`);
    expect(r.out).toContain('ABC:SUPERSEDED');
    expect(r.out).toContain('7F01:CERTIFICATE_HOLD');
    expect(r.out).toContain('FF:-');
    expect(r.out).toContain('1234:-');
    expect(bc.run(crl[k], ca[k === 'sm2' ? 'rsa' : 'sm2'].der).ok).toBe(false);
  });
});

describe('CRLs made by openssl ca -gencrl, read and checked by us', () => {
  const ts = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const revokedAt = new Date(Math.floor((now.getTime() - DAY) / 1000) * 1000);
  function gencrl(k: Kind, opts: { extensions: boolean; extra?: string[]; crlExt?: string }): Uint8Array {
    const expiry = ts(new Date(now.getTime() + 365 * DAY));
    const rev = ts(revokedAt);
    const lines = [
      `R\t${expiry}\t${rev},keyCompromise\t${revoked[k].cert.serialNumber}\tunknown\t/CN=revoked`,
      `V\t${expiry}\t\t${good[k].cert.serialNumber}\tunknown\t/CN=good`,
      `R\t${expiry}\t${rev},superseded\t0ABC\tunknown\t/CN=superseded`,
      `R\t${expiry}\t${rev},certificateHold,holdInstructionReject\t7F01\tunknown\t/CN=held`,
      `R\t${expiry}\t${rev},keyTime,20250102030405Z\t4455\tunknown\t/CN=key-time`,
      `R\t${expiry}\t${rev}\t66\tunknown\t/CN=no-reason`,
    ];
    // without extensions, no reasons either: entry extensions would make openssl write a v2 CRL
    cli.write(`${k}-index.txt`, (opts.extensions ? lines : lines.map((l) => l.replace(/(\t\d{12}Z),[^\t]+/, '$1'))).join('\n') + '\n');
    cli.write(`${k}-crlnumber`, '1000\n');
    cli.write(
      `${k}-ca.cnf`,
      `[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = ${k}-index.txt\ndefault_md = ${k === 'sm2' ? 'sm3' : 'sha256'}\ndefault_crl_days = 7\n` +
        (opts.extensions ? `crlnumber = ${k}-crlnumber\ncrl_extensions = crl_ext\n[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n${opts.crlExt ?? ''}` : ''),
    );
    const r = cli.run(['ca', '-config', `${k}-ca.cnf`, '-gencrl', '-keyfile', `${k}-ca.key`, '-cert', `${k}-ca.pem`, '-out', `o-${k}.crl`, ...(opts.extra ?? [])]);
    expect(r.ok, r.out).toBe(true);
    return fromPem(new TextDecoder().decode(cli.read(`o-${k}.crl`)), 'X509 CRL');
  }

  it('an RSA v2 CRL with cRLNumber, AKI, reasons, a hold instruction and an invalidity date', () => {
    const der = gencrl('rsa', { extensions: true });
    const c = parseCrl(der);
    expect(c.version).toBe(2);
    expect(c.signatureAlgorithm).toBe('rsa-with-sha256');
    expect(c.crlNumber).toBe(0x1000n);
    expect(c.authorityKeyId).toBe(ca.rsa.cert.subjectKeyId);
    expect(c.issuerText).toBe(ca.rsa.cert.subjectText);
    expect(c.unsupportedCriticalExtensions).toEqual([]);
    expect(c.nextUpdate!.getTime() - c.thisUpdate.getTime()).toBe(7 * DAY);
    expect(verifyCrlSignature(c, ca.rsa.cert.publicKey)).toBe(true);
    expect(verifyCrlSignature(c, ca.sm2.cert.publicKey)).toBe(false);
    expect(findRevokedEntry(c, revoked.rsa.cert.serialNumber)).toMatchObject({ reason: CRL_REASON.keyCompromise });
    expect(findRevokedEntry(c, good.rsa.cert.serialNumber)).toBeUndefined();
    expect(findRevokedEntry(c, 'abc')).toMatchObject({ serialNumber: '0ABC', reason: CRL_REASON.superseded });
    expect(findRevokedEntry(c, '7f01')).toMatchObject({ reason: CRL_REASON.certificateHold });
    expect(findRevokedEntry(c, '4455')).toEqual({ serialNumber: '4455', revocationDate: revokedAt, reason: CRL_REASON.keyCompromise, invalidityDate: new Date('2025-01-02T03:04:05Z') });
    expect(findRevokedEntry(c, '66')).toEqual({ serialNumber: '66', revocationDate: revokedAt });
    expect(c.entries).toHaveLength(5);
  });

  it('a critical issuingDistributionPoint (not processed here) is reported, as RFC 5280 §5.2 requires', () => {
    const c = parseCrl(gencrl('rsa', { extensions: true, crlExt: 'issuingDistributionPoint = critical, @idp\n[ idp ]\nfullname = URI:http://127.0.0.1:17900/pki/crl/test.crl\n' }));
    expect(c.unsupportedCriticalExtensions).toEqual(['2.5.29.28']);
    expect(c.extensions.find((e) => e.extnID === '2.5.29.28')?.critical).toBe(true);
    expect(verifyCrlSignature(c, ca.rsa.cert.publicKey)).toBe(true);
  });

  it('an RSA v1 CRL (no extensions)', () => {
    const c = parseCrl(gencrl('rsa', { extensions: false }));
    expect(c.version).toBe(1);
    expect(c.crlNumber).toBeUndefined();
    expect(c.extensions).toEqual([]);
    expect(c.entries).toHaveLength(5);
    expect(c.entries.every((e) => e.reason === undefined && e.revocationDate.getTime() === revokedAt.getTime())).toBe(true);
    expect(verifyCrlSignature(c, ca.rsa.cert.publicKey)).toBe(true);
  });

  it('an SM2 CRL signed by openssl ca -sigopt distid:1234567812345678 verifies with our SM2 (and BouncyCastle), though not in openssl itself', () => {
    const der = gencrl('sm2', { extensions: true, extra: ['-sigopt', 'distid:1234567812345678'] });
    const c = parseCrl(der);
    expect(c.signatureAlgorithm).toBe('sm2-with-sm3');
    expect(verifyCrlSignature(c, ca.sm2.cert.publicKey)).toBe(true);
    expect(bc.run(der, ca.sm2.der).ok).toBe(true);
    expect(findRevokedEntry(c, revoked.sm2.cert.serialNumber)?.reason).toBe(CRL_REASON.keyCompromise);
    expect(cli.run(['crl', '-in', 'o-sm2.crl', '-CAfile', 'sm2-ca.pem', '-noout']).out).not.toMatch(/verify OK/);
    // signed with openssl's default (empty) ID instead, it is not a standard SM2 signature
    const empty = parseCrl(gencrl('sm2', { extensions: true }));
    expect(verifyCrlSignature(empty, ca.sm2.cert.publicKey)).toBe(false);
  });
});

describe('issueCrl and parseCrl', () => {
  it.each(['sm2', 'rsa'] as const)('round-trips the %s CRL and verifies its signature', (k) => {
    const c = parseCrl(crl[k]);
    expect(c.version).toBe(2);
    expect(c.signatureAlgorithm).toBe(k === 'sm2' ? 'sm2-with-sm3' : 'rsa-with-sha256');
    expect(c.issuerText).toBe(ca[k].cert.subjectText);
    expect(c.thisUpdate).toEqual(new Date(Math.floor(thisUpdate.getTime() / 1000) * 1000));
    expect(c.nextUpdate).toEqual(new Date(Math.floor(nextUpdate.getTime() / 1000) * 1000));
    expect(c.crlNumber).toBe(BIG_CRL_NUMBER);
    expect(c.authorityKeyId).toBe(ca[k].cert.subjectKeyId);
    expect(c.entries.map((e) => [e.serialNumber, e.reason])).toEqual([
      [revoked[k].cert.serialNumber, 1],
      ['0ABC', 4],
      ['7F01', 6],
      ['FF', undefined],
      ['1234', undefined],
    ]);
    expect(verifyCrlSignature(c, ca[k].cert.publicKey)).toBe(true);
    expect(findRevokedEntry(c, revoked[k].cert.serialNumber.toLowerCase())?.reason).toBe(CRL_REASON.keyCompromise);
    expect(findRevokedEntry(c, '0000FF')).toBeDefined();
    expect(findRevokedEntry(c, good[k].cert.serialNumber)).toBeUndefined();
    expect(() => findRevokedEntry(c, 'xyz')).toThrow(code('INPUT_INVALID'));
  });

  it('an empty CRL has no revokedCertificates field (RFC 5280 §5.1.2.6), and dates from 2050 are GeneralizedTime', async () => {
    const der = await issueCrl({ issuer: ca.rsa.cert, thisUpdate: new Date('2049-12-31T00:00:00Z'), nextUpdate: new Date('2050-01-07T00:00:00Z'), crlNumber: 0n, entries: [] }, ca.rsa.signer);
    cli.write('empty.crl', toPem(der, 'X509 CRL'));
    const out = cli.run(['crl', '-in', 'empty.crl', '-text', '-noout']).out;
    expect(out).toMatch(/No Revoked Certificates\./);
    expect(out).toContain('Next Update: Jan  7 00:00:00 2050 GMT');
    cli.write('empty-crl.der', der);
    const asn = cli.run(['asn1parse', '-inform', 'DER', '-in', 'empty-crl.der']).out;
    expect(asn).toMatch(/UTCTIME\s+:491231000000Z/);
    expect(asn).toMatch(/GENERALIZEDTIME\s+:20500107000000Z/);
    const c = parseCrl(der);
    expect(c.entries).toEqual([]);
    expect(c.crlNumber).toBe(0n);
    expect(c.nextUpdate).toEqual(new Date('2050-01-07T00:00:00Z'));
    expect(verifyCrlSignature(c, ca.rsa.cert.publicKey)).toBe(true);
  });

  it('refuses bad requests', async () => {
    const base = { issuer: ca.rsa.cert, thisUpdate, nextUpdate, crlNumber: 1n, entries: [] as CrlEntryInput[] };
    const entry = { serialNumber: '01', revocationDate: now };
    const bad: [Partial<typeof base>, string][] = [
      [{ nextUpdate: thisUpdate }, 'INPUT_INVALID'],
      [{ thisUpdate: new Date(NaN) }, 'INPUT_INVALID'],
      [{ crlNumber: -1n }, 'INPUT_INVALID'],
      [{ crlNumber: 1n << 160n }, 'INPUT_INVALID'], // more than 20 octets
      [{ entries: [entry, { ...entry, serialNumber: '0001' }] }, 'INPUT_INVALID'], // the same serial twice
      [{ entries: [{ ...entry, serialNumber: 'not hex' }] }, 'INPUT_INVALID'],
      [{ entries: [{ ...entry, reason: 7 }] }, 'INPUT_INVALID'],
      [{ entries: [{ ...entry, reason: CRL_REASON.removeFromCRL }] }, 'INPUT_INVALID'], // delta CRLs only
      [{ entries: [{ ...entry, revocationDate: new Date('x') }] }, 'INPUT_INVALID'],
      [{ issuer: ca.sm2.cert }, 'KEY_INVALID'], // signer is the RSA CA
      [{ issuer: good.rsa.cert }, 'KEY_INVALID'],
    ];
    for (const [change, c] of bad) await expect(issueCrl({ ...base, ...change }, ca.rsa.signer), JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? String(v) : v))).rejects.toMatchObject({ code: c });
    // an issuer whose keyUsage lacks cRLSign
    await expect(issueCrl({ ...base, issuer: good.rsa.cert }, good.rsa.signer)).rejects.toMatchObject({ code: 'CERT_INVALID' });
  });

  it('keeps the issuer name exactly as encoded in the issuer certificate', async () => {
    // a CA whose subject carries a UUID-arc attribute type (asn1js cannot re-encode it once parsed)
    const subject = buildName([{ type: 'CN', value: 'UUID CA' }, { type: '2.25.190385213373104719302455126829584356113', value: 'x' }]);
    const spki = publicKeyToSpki(ca.rsa.signer.publicKey);
    const der = await issueCertificate(
      { serialNumber: randomSerialNumber(), issuer: subject, subject, notBefore: thisUpdate, notAfter: nextUpdate, publicKey: spki, extensions: [X.keyUsageExtension(['keyCertSign', 'crlSign']), X.subjectKeyIdentifierExtension(spki)] },
      ca.rsa.signer,
    );
    const uuidCa = parseCertificate(der);
    const c = parseCrl(await issueCrl({ issuer: uuidCa, thisUpdate, nextUpdate, crlNumber: 1n, entries: [] }, ca.rsa.signer));
    expect(Buffer.from(der).includes(Buffer.from(c.issuerDer))).toBe(true);
    expect(c.issuerText).toBe(uuidCa.subjectText);
    expect(verifyCrlSignature(c, uuidCa.publicKey)).toBe(true);
  });
});

describe('tampering and bad input', () => {
  it.each(['sm2', 'rsa'] as const)('a flipped bit in the %s CRL fails our, openssl and BouncyCastle verification', (k) => {
    const der = crl[k].slice();
    const at = Buffer.from(der).indexOf(Buffer.from('02020ABC', 'hex')); // INTEGER 0x0ABC
    der[at + 3]! ^= 0x01; // serial 0ABC becomes 0ABD: still a well-formed CRL
    const c = parseCrl(der);
    expect(findRevokedEntry(c, '0ABD')).toBeDefined();
    expect(verifyCrlSignature(c, ca[k].cert.publicKey)).toBe(false);
    expect(bc.run(der, ca[k].der).ok).toBe(false);
    const sig = crl[k].slice();
    sig[sig.length - 3]! ^= 0x80; // inside the signature value
    expect(verifyCrlSignature(parseCrl(sig), ca[k].cert.publicKey)).toBe(false);
    if (k === 'rsa') {
      cli.write('flipped.crl', toPem(der, 'X509 CRL'));
      expect(cli.run(['crl', '-in', 'flipped.crl', '-CAfile', 'rsa-ca.pem', '-noout']).out).not.toMatch(/verify OK/);
    }
  });

  it('garbage, truncated, padded and BER input is INPUT_INVALID', () => {
    const der = crl.rsa;
    const bad = [
      new Uint8Array(0),
      new Uint8Array([0x30]),
      new Uint8Array([0x30, 0x00]),
      utf8('-----BEGIN X509 CRL-----'),
      utf8('not a crl at all'),
      ca.rsa.der, // a certificate is not a CRL
      der.subarray(0, der.length - 1),
      der.subarray(0, 100),
      Uint8Array.from([...der, 0]), // trailing byte
      Uint8Array.from([0x30, 0x80, ...der.subarray(4), 0, 0]), // indefinite length (BER)
    ];
    for (const b of bad) expect(() => parseCrl(b)).toThrow(code('INPUT_INVALID'));
    expect(() => parseCrl('not bytes' as unknown as Uint8Array)).toThrow(code('INPUT_INVALID'));
  });

  it('a flipped bit anywhere never crashes the parser: a CRL or a MedSignError', () => {
    for (const k of ['sm2', 'rsa'] as const) {
      for (let i = 0; i < crl[k].length; i++) {
        for (const bit of [0x01, 0x80]) {
          const der = crl[k].slice();
          der[i]! ^= bit;
          try {
            const c = parseCrl(der);
            expect(verifyCrlSignature(c, ca[k].cert.publicKey), `byte ${i}`).toBe(false);
          } catch (err) {
            expect(err, `byte ${i} bit ${bit}`).toBeInstanceOf(MedSignError);
            expect(['INPUT_INVALID', 'ALGORITHM_UNSUPPORTED']).toContain((err as MedSignError).code);
          }
        }
      }
    }
  });
});
