/**
 * Certificate templates (证书模板): CRUD and versions over the admin API, certificates issued from
 * templates and read back with the openssl CLI (asn1parse of every extension value, an
 * independent SM3 with `openssl dgst -sm3`) and BouncyCastle, the built-ins against issue 4's
 * staff profile byte for byte, the emergency template, refusals and roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  EKU,
  IDENTITY_OIDS,
  certificatePoliciesExtension,
  customExtension,
  extendedKeyUsageExtension,
  getCertInfoByOid,
  keyUsageExtension,
  parseCertificate,
  subjectKeyIdentifierExtension,
  toPem,
} from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { BouncyCastle } from '../../core/test/bouncycastle.js';
import { adminToken, startTestCloud } from './cloud-fixture.js';
import { enroll, post } from './phone.js';

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let token: string;
let cli: OpensslCli;

const auth = (t = token) => ({ authorization: `Bearer ${t}` });
const admin = (path: string, body: unknown, t = token) => post(cloud.url, path, body, auth(t));
async function get(path: string, t = token) {
  const r = await fetch(`${cloud.url}${path}`, { headers: auth(t) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string; message?: string } };
}
const T = '/api/v1/admin/templates';
const PRIVATE = '2.25.190385213373104719302455126829584356'; // MedSign's example arc (docs/decisions.md #6)
const STAFF_POLICY = '2.25.190385213373104719302455126829584356121';

const STAFF = { name: '刘医生', department: '急诊科', title: '主治医师', licenceNo: '110110000099999', idNumber: '11010119850101123X', mobile: '13800000000' };

async function newStaff(employeeNo: string, extra: Record<string, string> = STAFF) {
  const r = await admin('/api/v1/admin/staff', { employeeNo, ...extra });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.id as string;
}

/** Enroll a phone for a new staff member (or `staffId`) with a template; returns the certificate. */
async function issue(algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024', templateId: string | undefined, staffId: string) {
  const e = await admin('/api/v1/admin/enrollments', { staffId, algorithm, ...(templateId ? { templateId } : {}) });
  expect(e.status, JSON.stringify(e.json)).toBe(200);
  const phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, algorithm);
  return { der: phone.certificate, chain: phone.chain, phone, enrollment: e.json };
}

const defaultDefinition = (over: Record<string, unknown> = {}) => ({
  name: '测试模板',
  allowedAlgorithms: ['sm2'],
  subjectDn: 'C=CN, O={hospital}, OU={department}, CN={name}',
  keyUsage: ['digitalSignature', 'nonRepudiation'],
  ...over,
});

interface OpensslExtension {
  /** as openssl names it: a long name for known extensions, else the dotted OID */
  oid: string;
  critical: boolean;
  /** `openssl asn1parse -strparse` of the extnValue contents */
  value: string;
}

/** Every extension of a certificate, read by openssl asn1parse (not by our own parser). */
function opensslExtensions(der: Uint8Array): OpensslExtension[] {
  cli.write('c.der', der);
  const lines = cli.run(['asn1parse', '-inform', 'DER', '-in', 'c.der']).out.split('\n');
  const parsed = lines.map((l) => /^\s*(\d+):d=(\d+)\s+hl=\d+\s+l=\s*\d+\s+(?:prim|cons):\s+(.*?)\s*$/.exec(l)).filter((m): m is RegExpExecArray => !!m);
  const start = parsed.findIndex((m) => m[3]!.startsWith('cont [ 3 ]'));
  const depth = Number(parsed[start]![2]);
  const out: OpensslExtension[] = [];
  for (const m of parsed.slice(start + 1)) {
    const d = Number(m[2]);
    if (d <= depth) break;
    if (d !== depth + 3) continue;
    const body = m[3]!;
    if (body.startsWith('OBJECT')) out.push({ oid: body.replace(/^OBJECT\s*:/, '').trim(), critical: false, value: '' });
    else if (body.startsWith('BOOLEAN')) out.at(-1)!.critical = /:255$/.test(body);
    else if (body.startsWith('OCTET STRING')) out.at(-1)!.value = cli.run(['asn1parse', '-inform', 'DER', '-in', 'c.der', '-strparse', m[1]!]).out.trim();
  }
  return out;
}

const certRow = (serial: string) => cloud.store.certificates.get(serial)!;

/** A token for a new administrator of `role` (created by the sysadmin, first-login password change done). */
async function roleToken(username: string, role: string): Promise<string> {
  const first = 'initial-password-123';
  const c = await admin('/api/v1/admin/accounts', { username, role, password: first });
  expect(c.status, JSON.stringify(c.json)).toBe(200);
  const login = async (password: string) => (await post(cloud.url, '/api/v1/admin/login', { username, password })).json as { token: string; mustChangePassword?: boolean };
  const l = await login(first);
  if (!l.mustChangePassword) return l.token;
  const changed = await admin('/api/v1/admin/me/password', { oldPassword: first, newPassword: 'changed-password-456' }, l.token);
  expect(changed.status, JSON.stringify(changed.json)).toBe(200);
  return (await login('changed-password-456')).token;
}

beforeAll(async () => {
  cloud = await startTestCloud();
  token = await adminToken(cloud.url);
  cli = new OpensslCli();
});
afterAll(async () => {
  cli.dispose();
  await cloud.dispose();
});

describe('built-in templates', () => {
  it('exist at first start, version 1, with the legacy and emergency flags', async () => {
    const r = await get(T);
    expect(r.status).toBe(200);
    const list = r.json.templates as { id: string; builtin: boolean; currentVersion: number; legacy: boolean; emergency: boolean; status: string; allowedAlgorithms: string[] }[];
    expect(list.map((t) => t.id).sort()).toEqual(['emergency', 'staff-rsa1024-legacy', 'staff-rsa2048', 'staff-sm2']);
    for (const t of list) expect([t.builtin, t.currentVersion, t.status]).toEqual([true, 1, 'active']);
    expect(list.find((t) => t.id === 'staff-rsa1024-legacy')).toMatchObject({ legacy: true, allowedAlgorithms: ['rsa-1024'] });
    expect(list.find((t) => t.id === 'staff-sm2')).toMatchObject({ legacy: false, emergency: false, allowedAlgorithms: ['sm2'] });
    expect(list.find((t) => t.id === 'emergency')).toMatchObject({ emergency: true, allowedAlgorithms: ['sm2', 'rsa-2048'] });
    const one = await get(`${T}/emergency`);
    expect(one.json.current).toMatchObject({ validityDays: 3, renewalWindowDays: 0, emergency: true });
    expect((one.json.versions as unknown[]).length).toBe(1);
  });

  it.each(['sm2', 'rsa-2048', 'rsa-1024'] as const)('%s: the default template reproduces the issue 4 staff profile byte for byte', async (algorithm) => {
    const staffId = await newStaff(`B-${algorithm}`);
    const { der, enrollment } = await issue(algorithm, undefined, staffId);
    const defaults = { sm2: 'staff-sm2', 'rsa-2048': 'staff-rsa2048', 'rsa-1024': 'staff-rsa1024-legacy' } as const;
    expect(enrollment.template).toEqual({ id: defaults[algorithm], version: 1 });
    const cert = parseCertificate(der);
    expect(cert.subjectText).toBe(`C=CN, O=MedSign, OU=急诊科, CN=刘医生, serialNumber=B-${algorithm}`);
    expect(Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 864e5)).toBe(365);
    // what enrollment.ts wrote before templates (staffExtensions), rebuilt here from core's builders
    const attrs = { idNumber: STAFF.idNumber, licenceNo: STAFF.licenceNo };
    const previous = [
      keyUsageExtension(['digitalSignature', 'nonRepudiation']),
      extendedKeyUsageExtension([EKU.clientAuth, EKU.emailProtection]),
      subjectKeyIdentifierExtension(cert.spki),
      certificatePoliciesExtension([{ oid: STAFF_POLICY }]),
      customExtension({ oid: IDENTITY_OIDS.idNumber, type: 'printable', value: { attribute: 'idNumber' }, hash: 'sm3' }, attrs),
      customExtension({ oid: IDENTITY_OIDS.practitionerLicence, type: 'utf8', value: { attribute: 'licenceNo' } }, attrs),
    ].map((e) => Buffer.from(AsnConvert.serialize(e)));
    const bytes = Buffer.from(der);
    const at = previous.map((p) => bytes.indexOf(p));
    expect(at.every((i) => i > 0), 'every previous extension, byte-identical').toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at); // in the same order
    // and nothing else: openssl lists exactly the CA's three and these six
    expect(opensslExtensions(der).map((e) => `${e.oid}${e.critical ? '!' : ''}`)).toEqual([
      'X509v3 Authority Key Identifier',
      'X509v3 CRL Distribution Points',
      'Authority Information Access',
      'X509v3 Key Usage!',
      'X509v3 Extended Key Usage',
      'X509v3 Subject Key Identifier',
      'X509v3 Certificate Policies',
      IDENTITY_OIDS.idNumber,
      IDENTITY_OIDS.practitionerLicence,
    ]);
    const row = certRow(cert.serialNumber);
    expect([row.templateId, row.templateVersion]).toEqual([defaults[algorithm], 1]);
  });

  it('a staff member without ID or licence number gets the profile without those extensions, as before', async () => {
    const staffId = await newStaff('B-bare', { name: '赵护士', department: '儿科' });
    const { der } = await issue('sm2', undefined, staffId);
    const oids = opensslExtensions(der).map((e) => e.oid);
    expect(oids).not.toContain(IDENTITY_OIDS.idNumber);
    expect(oids).not.toContain(IDENTITY_OIDS.practitionerLicence);
    expect(oids).toContain('X509v3 Certificate Policies');
  });

  it('emergency: at most 72 h, marked by the emergency extension, no online renewal', async () => {
    const staffId = await newStaff('B-emergency');
    const { der, phone } = await issue('sm2', 'emergency', staffId);
    cli.write('e.pem', toPem(der, 'CERTIFICATE'));
    const dates = cli.run(['x509', '-in', 'e.pem', '-noout', '-startdate', '-enddate']).out;
    const start = Date.parse(/notBefore=(.*)/.exec(dates)![1]!);
    const end = Date.parse(/notAfter=(.*)/.exec(dates)![1]!);
    expect(end - start).toBeLessThanOrEqual(72 * 3_600_000);
    expect(end - start).toBeGreaterThan(71 * 3_600_000);
    const marker = opensslExtensions(der).find((e) => e.oid === IDENTITY_OIDS.emergencyCertificate);
    expect(marker).toBeDefined();
    expect(marker!.critical).toBe(false);
    expect(marker!.value).toMatch(/UTF8STRING\s+:emergency$/);
    expect(cli.run(['x509', '-in', 'e.pem', '-noout', '-text']).out).toContain(`${IDENTITY_OIDS.emergencyCertificate}:`);
    expect(getCertInfoByOid(parseCertificate(der), IDENTITY_OIDS.emergencyCertificate)).toBe('emergency'); // what SOF_GetCertInfoByOid returns
    expect(() => cloud.services.enrollment.renewOpen(phone.device.id)).toThrow(expect.objectContaining({ code: 'RENEWAL_NOT_ALLOWED' }));
  });
});

describe('a custom template', () => {
  const X = (n: number) => `${PRIVATE}${200 + n}`;
  const custom = {
    name: '全部类型的自定义扩展',
    allowedAlgorithms: ['sm2', 'rsa-2048'],
    validityDays: 30,
    subjectDn: 'C=CN, O={hospital}, OU={department}, title={title}, CN={name} ({employeeNo})',
    keyUsage: ['digitalSignature'],
    extKeyUsage: ['documentSigning', '1.3.6.1.5.5.7.3.4'],
    certificatePolicies: [{ oid: `${PRIVATE}122`, cps: 'https://ca.hospital.example/cps' }],
    customExtensions: [
      { oid: X(1), type: 'utf8String', value: { attribute: 'name' } },
      { oid: X(2), critical: true, type: 'printableString', value: { attribute: 'licenceNo' } },
      { oid: X(3), type: 'ia5String', value: { constant: 'https://ca.hospital.example/info' } },
      { oid: X(4), critical: true, type: 'integer', value: { constant: '2026' } },
      { oid: X(5), type: 'octetString', value: { attribute: 'idNumber' }, hashSm3: true },
      { oid: X(6), critical: true, type: 'boolean', value: { constant: 'true' } },
      { oid: X(7), type: 'octetString', value: { constant: 'MedSign' } },
      { oid: X(8), type: 'utf8String', value: { attribute: 'mobile' } },
    ],
  };

  it('every ASN.1 type, critical and not, from attributes and constants, one SM3-hashed: read back by openssl and BouncyCastle', async () => {
    const created = await admin(T, { id: 'custom-all', definition: custom });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    expect(created.json.warnings).toEqual([]);
    const staffId = await newStaff('C-all');
    const { der, chain } = await issue('sm2', 'custom-all', staffId);
    const cert = parseCertificate(der);
    expect(cert.subjectText).toBe('C=CN, O=MedSign, OU=急诊科, title=主治医师, CN=刘医生 (C-all)');
    expect(Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 864e5)).toBe(30);

    const exts = opensslExtensions(der);
    const by = (oid: string) => exts.find((e) => e.oid === oid)!;
    expect(exts.map((e) => e.oid)).toEqual([
      'X509v3 Authority Key Identifier', 'X509v3 CRL Distribution Points', 'Authority Information Access',
      'X509v3 Key Usage', 'X509v3 Extended Key Usage', 'X509v3 Subject Key Identifier', 'X509v3 Certificate Policies',
      ...[1, 2, 3, 4, 5, 6, 7, 8].map(X),
    ]);
    expect(by(X(1))).toMatchObject({ critical: false, value: expect.stringMatching(/UTF8STRING\s+:刘医生$/) });
    expect(by(X(2))).toMatchObject({ critical: true, value: expect.stringMatching(/PRINTABLESTRING\s+:110110000099999$/) });
    expect(by(X(3))).toMatchObject({ critical: false, value: expect.stringMatching(/IA5STRING\s+:https:\/\/ca\.hospital\.example\/info$/) });
    expect(by(X(4))).toMatchObject({ critical: true, value: expect.stringMatching(/INTEGER\s+:07EA$/) }); // 2026
    expect(by(X(6))).toMatchObject({ critical: true, value: expect.stringMatching(/BOOLEAN\s+:255$/) });
    expect(by(X(7))).toMatchObject({ critical: false, value: expect.stringMatching(/OCTET STRING\s+:MedSign$/) });
    expect(by(X(8)).value).toMatch(/UTF8STRING\s+:13800000000$/);
    // the hashed ID number: an OCTET STRING of SM3(UTF-8), equal to openssl's own SM3
    cli.write('id.txt', STAFF.idNumber);
    const sm3 = /= ?([0-9a-f]{64})/.exec(cli.run(['dgst', '-sm3', 'id.txt']).out)![1]!;
    const hashed = by(X(5));
    expect(hashed.critical).toBe(false);
    expect(hashed.value).toMatch(/prim: OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]{64})$/);
    expect(/\[HEX DUMP\]:([0-9A-F]{64})$/.exec(hashed.value)![1]!.toLowerCase()).toBe(sm3);
    expect(Buffer.from(der).includes(Buffer.from(STAFF.idNumber))).toBe(false); // never in the clear
    // openssl's text view agrees on the standard ones and marks the critical custom extensions
    cli.write('c.pem', toPem(der, 'CERTIFICATE'));
    const text = cli.run(['x509', '-in', 'c.pem', '-noout', '-text']).out;
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+1\.3\.6\.1\.4\.1\.311\.10\.3\.12, E-mail Protection/);
    expect(text).toMatch(new RegExp(`Policy: ${PRIVATE}122\\s+CPS: https://ca\\.hospital\\.example/cps`));
    for (const n of [2, 4, 6]) expect(text).toContain(`${X(n)}: critical`);
    for (const n of [1, 3, 5, 7, 8]) expect(text).toMatch(new RegExp(`${X(n).replace(/\./g, '\\.')}: ?\\n`));
    expect(cli.run(['x509', '-in', 'c.pem', '-noout', '-ext', 'keyUsage,extendedKeyUsage']).out).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    // BouncyCastle parses it (with four critical private extensions) and checks the CA's signature
    const bc = new BouncyCastle().run('cert', der, chain[0]!);
    expect(bc.ok, bc.out).toBe(true);
    expect(bc.out).toMatch(/^OK SM3WITHSM2/i);
    expect([certRow(cert.serialNumber).templateId, certRow(cert.serialNumber).templateVersion]).toEqual(['custom-all', 1]);
  });

  it('preview renders the subject and extensions for a staff member without issuing; missing attributes are listed', async () => {
    const staffId = await newStaff('C-preview', { name: '钱医生', department: '内科' }); // no title, licence, ID or mobile
    const before = (await get(T)).json;
    const r = await admin(`${T}/custom-all/preview`, { staffId });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.subject).toBe('C=CN, O=MedSign, OU=内科, CN=钱医生 (C-preview)'); // the title RDN is left out
    const exts = r.json.extensions as { oid: string; critical: boolean; valueHex: string }[];
    expect(exts.map((e) => e.oid)).toEqual(['2.5.29.15', '2.5.29.37', '2.5.29.32', X(1), X(3), X(4), X(6), X(7)]);
    expect(exts.find((e) => e.oid === X(1))!.valueHex).toBe('0c09' + Buffer.from('钱医生').toString('hex'));
    expect(exts.find((e) => e.oid === X(6))).toEqual({ oid: X(6), critical: true, valueHex: '0101ff' });
    expect(r.json.omitted).toEqual([
      { oid: X(2), attribute: 'licenceNo' },
      { oid: X(5), attribute: 'idNumber' },
      { oid: X(8), attribute: 'mobile' },
    ]);
    expect(r.json.validityDays).toBe(30);
    expect((await get(T)).json).toEqual(before);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${cloud.dataDir}/medsign.db`, { readonly: true });
    const issued = (db.prepare('SELECT count(*) AS n FROM certificate WHERE staff_id = ?').get(staffId) as { n: number }).n;
    db.close();
    expect(issued).toBe(0);
    // a required attribute the staff member lacks refuses issuance (preview says so too)
    const req = await admin(T, { id: 'needs-licence', definition: defaultDefinition({ customExtensions: [{ oid: X(9), type: 'utf8String', value: { attribute: 'licenceNo' }, required: true }] }) });
    expect(req.status).toBe(200);
    const p = await admin(`${T}/needs-licence/preview`, { staffId });
    expect([p.status, p.json.code]).toEqual([409, 'TEMPLATE_VALUE_INVALID']);
    expect((await admin(`${T}/custom-all/preview`, { staffId, version: 9 })).json.code).toBe('TEMPLATE_VERSION_NOT_FOUND');
    expect((await admin(`${T}/custom-all/preview`, { staffId: '00000000-0000-4000-8000-000000000000' })).json.code).toBe('NOT_FOUND');
  });
});

describe('versions', () => {
  it('an update is a new version; a certificate issued before keeps v1, one issued after has v2; old versions are immutable', async () => {
    const ext = (v: string) => [{ oid: `${PRIVATE}210`, type: 'utf8String', value: { constant: v } }];
    expect((await admin(T, { id: 'versioned', definition: defaultDefinition({ customExtensions: ext('first') }) })).status).toBe(200);
    const a = await issue('sm2', 'versioned', await newStaff('V-a'));
    const upd = await admin(`${T}/versioned/versions`, { definition: defaultDefinition({ name: '测试模板 v2', customExtensions: ext('second') }), expectedVersion: 1 });
    expect(upd.status, JSON.stringify(upd.json)).toBe(200);
    expect(upd.json.template).toMatchObject({ id: 'versioned', currentVersion: 2, name: '测试模板 v2' });
    const b = await issue('sm2', 'versioned', await newStaff('V-b'));
    const value = (der: Uint8Array) => opensslExtensions(der).find((e) => e.oid === `${PRIVATE}210`)!.value;
    expect(value(a.der)).toMatch(/:first$/);
    expect(value(b.der)).toMatch(/:second$/);
    const sa = parseCertificate(a.der).serialNumber;
    const sb = parseCertificate(b.der).serialNumber;
    expect([certRow(sa).templateId, certRow(sa).templateVersion]).toEqual(['versioned', 1]);
    expect([certRow(sb).templateId, certRow(sb).templateVersion]).toEqual(['versioned', 2]);
    // both versions are kept, the first unchanged
    const g = await get(`${T}/versioned`);
    const versions = g.json.versions as { version: number; createdBy: string; definition: { name: string; customExtensions: { value: unknown }[] } }[];
    expect(versions.map((v) => [v.version, v.definition.name, v.createdBy])).toEqual([[1, '测试模板', 'admin'], [2, '测试模板 v2', 'admin']]);
    expect(versions[0]!.definition.customExtensions[0]!.value).toEqual({ constant: 'first' });
    // a change based on a stale version is refused
    const stale = await admin(`${T}/versioned/versions`, { definition: defaultDefinition(), expectedVersion: 1 });
    expect([stale.status, stale.json.code]).toEqual([409, 'TEMPLATE_VERSION_CONFLICT']);
    // the store refuses to edit or delete a version
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${cloud.dataDir}/medsign.db`);
    expect(() => db.prepare("UPDATE template_version SET definition = '{}' WHERE template_id = 'versioned'").run()).toThrow(/immutable/);
    expect(() => db.prepare("DELETE FROM template_version WHERE template_id = 'versioned'").run()).toThrow(/immutable/);
    db.close();
    // template changes are in the audit log
    const log = cloud.store.audit.query({ action: 'template.update', target: 'versioned', order: 'asc', limit: 10, offset: 0 });
    expect(log.entries.map((e) => e.result)).toEqual(['ok', 'failed']);
  });

  it('renewal issues from the current version of the certificate’s template', async () => {
    const staffId = await newStaff('V-renew');
    const def = (v: string) => defaultDefinition({ renewalWindowDays: 400, customExtensions: [{ oid: `${PRIVATE}211`, type: 'utf8String', value: { constant: v } }] });
    expect((await admin(T, { id: 'renewable', definition: def('r1') })).status).toBe(200);
    const { phone } = await issue('sm2', 'renewable', staffId);
    expect((await admin(`${T}/renewable/versions`, { definition: def('r2') })).status).toBe(200);
    const opened = cloud.services.enrollment.renewOpen(phone.device.id); // window of 400 days: open now
    expect(cloud.store.enrollments.get(opened.enrollmentId)!.templateId).toBe('renewable');
    // the window comes from the template: a 1-day window is not open on a fresh 365-day certificate
    expect((await admin(`${T}/renewable/versions`, { definition: { ...def('r3'), renewalWindowDays: 1 } })).status).toBe(200);
    expect(() => cloud.services.enrollment.renewOpen(phone.device.id)).toThrow(expect.objectContaining({ code: 'RENEWAL_NOT_OPEN' }));
  });
});

describe('refusals', () => {
  it('an algorithm the template does not allow, a disabled or unknown template', async () => {
    const staffId = await newStaff('R-alg');
    const r = await admin('/api/v1/admin/enrollments', { staffId, algorithm: 'rsa-2048', templateId: 'staff-sm2' });
    expect([r.status, r.json.code]).toEqual([400, 'TEMPLATE_ALGORITHM_NOT_ALLOWED']);
    expect(r.json.message).toMatch(/不允许 rsa-2048.*\(template staff-sm2 does not allow rsa-2048 keys; allowed: sm2\)/);
    expect((await admin('/api/v1/admin/enrollments', { staffId, algorithm: 'rsa-1024', templateId: 'emergency' })).json.code).toBe('TEMPLATE_ALGORITHM_NOT_ALLOWED');
    expect((await admin('/api/v1/admin/enrollments', { staffId, algorithm: 'sm2', templateId: 'no-such' })).json.code).toBe('TEMPLATE_NOT_FOUND');
    expect((await admin(T, { id: 'to-disable', definition: defaultDefinition() })).status).toBe(200);
    const pending = await admin('/api/v1/admin/enrollments', { staffId, algorithm: 'sm2', templateId: 'to-disable' });
    expect(pending.status).toBe(200);
    const d = await admin(`${T}/to-disable/disable`, {});
    expect(d.json).toMatchObject({ id: 'to-disable', status: 'disabled' });
    expect((await admin('/api/v1/admin/enrollments', { staffId, algorithm: 'sm2', templateId: 'to-disable' })).json.code).toBe('TEMPLATE_DISABLED');
    // an enrollment opened before: the certificate is not issued while the template is disabled
    await expect(enroll(cloud.url, pending.json.enrollmentId as string, pending.json.activationCode as string, 'sm2')).rejects.toThrow(/TEMPLATE_DISABLED/);
    expect((await admin(`${T}/to-disable/enable`, {})).json).toMatchObject({ status: 'active' });
    expect((await admin('/api/v1/admin/enrollments', { staffId, algorithm: 'sm2', templateId: 'to-disable' })).status).toBe(200);
  });

  it('an RSA-1024 template is created with a legacy warning', async () => {
    const r = await admin(T, { id: 'old-his', definition: defaultDefinition({ allowedAlgorithms: ['rsa-1024', 'rsa-2048'] }) });
    expect(r.status).toBe(200);
    expect(r.json.template).toMatchObject({ legacy: true });
    expect(r.json.warnings).toEqual([{ code: 'LEGACY_ALGORITHM', message: expect.stringMatching(/RSA-1024.*\(RSA-1024 is legacy/) }]);
    const u = await admin(`${T}/old-his/versions`, { definition: defaultDefinition({ allowedAlgorithms: ['rsa-2048'] }) });
    expect(u.json.warnings).toEqual([]);
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown placeholder', { subjectDn: 'C=CN, CN={nickname}' }, /未知的占位符 \{nickname\}/],
    ['the ID number in the subject', { subjectDn: 'CN={name}, serialNumber={idNumber}' }, /身份证号/],
    ['unbalanced braces', { subjectDn: 'CN={name' }, /花括号/],
    ['no CN', { subjectDn: 'C=CN, O={hospital}' }, /CN/],
    ['an unknown DN attribute type', { subjectDn: 'XX=1, CN={name}' }, /XX/],
    ['a country that is not a code', { subjectDn: 'C={department}, CN={name}' }, /国家代码/],
    ['duplicate extension OIDs', { customExtensions: [{ oid: `${PRIVATE}300`, type: 'utf8String', value: { constant: 'a' } }, { oid: `${PRIVATE}300`, type: 'integer', value: { constant: '1' } }] }, /重复/],
    ['a custom keyUsage', { customExtensions: [{ oid: '2.5.29.15', critical: true, type: 'octetString', value: { constant: 'x' } }] }, /标准扩展/],
    ['a custom subjectAltName', { customExtensions: [{ oid: '2.5.29.17', type: 'ia5String', value: { constant: 'a@b' } }] }, /标准扩展/],
    ['a custom authorityInfoAccess', { customExtensions: [{ oid: '1.3.6.1.5.5.7.1.1', type: 'ia5String', value: { constant: 'x' } }] }, /标准扩展/],
    ['the emergency marker', { customExtensions: [{ oid: IDENTITY_OIDS.emergencyCertificate, type: 'utf8String', value: { constant: 'x' } }] }, /保留/],
    ['the ID number in the clear', { customExtensions: [{ oid: `${PRIVATE}301`, type: 'utf8String', value: { attribute: 'idNumber' } }] }, /SM3/],
    ['a hashed INTEGER', { customExtensions: [{ oid: `${PRIVATE}302`, type: 'integer', value: { constant: '5' }, hashSm3: true }] }, /SM3/],
    ['a BOOLEAN from an attribute', { customExtensions: [{ oid: `${PRIVATE}303`, type: 'boolean', value: { attribute: 'title' } }] }, /BOOLEAN/],
    ['a BOOLEAN constant that is not true/false', { customExtensions: [{ oid: `${PRIVATE}304`, type: 'boolean', value: { constant: 'yes' } }] }, /boolean/],
    ['a PrintableString constant with @', { customExtensions: [{ oid: `${PRIVATE}305`, type: 'printableString', value: { constant: 'a@b' } }] }, /printableString/],
    ['an INTEGER constant that is not a number', { customExtensions: [{ oid: `${PRIVATE}306`, type: 'integer', value: { constant: '12ab' } }] }, /integer/],
    ['an emergency template over 72 h', { emergency: true, validityDays: 4 }, /72/],
    ['duplicate algorithms', { allowedAlgorithms: ['sm2', 'sm2'] }, /重复/],
    ['an unknown EKU name', { extKeyUsage: ['superPower'] }, /superPower/],
    ['duplicate EKUs', { extKeyUsage: ['clientAuth', '1.3.6.1.5.5.7.3.2'] }, /重复/],
    ['legacy that contradicts the algorithms', { legacy: true }, /legacy/],
  ];
  it.each(invalid)('refuses %s (TEMPLATE_INVALID, bilingual)', async (_what, over, message) => {
    const r = await admin(T, { id: 'bad-template', definition: defaultDefinition(over) });
    expect([r.status, r.json.code]).toEqual([400, 'TEMPLATE_INVALID']);
    expect(r.json.message).toMatch(message);
    expect(r.json.message).toMatch(/证书模板无效：.*\(invalid certificate template: .+\)/);
    // the same rules for a new version
    const u = await admin(`${T}/staff-sm2/versions`, { definition: defaultDefinition(over) });
    expect(u.json.code).toBe('TEMPLATE_INVALID');
  });

  const malformed: [string, unknown][] = [
    ['an invalid OID', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '1.2.abc', type: 'utf8String', value: { constant: 'a' } }] }) }],
    ['an OID with a bad first arc', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '3.1.2', type: 'utf8String', value: { constant: 'a' } }] }) }],
    ['an OID with a leading zero', { id: 'x-bad', definition: defaultDefinition({ certificatePolicies: [{ oid: '1.2.03' }] }) }],
    ['a one-arc OID', { id: 'x-bad', definition: defaultDefinition({ certificatePolicies: [{ oid: '2' }] }) }],
    ['an unknown ASN.1 type', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '1.2.3.4', type: 'bmpString', value: { constant: 'a' } }] }) }],
    ['an unknown attribute', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '1.2.3.4', type: 'utf8String', value: { attribute: 'salary' } }] }) }],
    ['both attribute and constant', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '1.2.3.4', type: 'utf8String', value: { attribute: 'name', constant: 'x' } }] }) }],
    ['an unknown key usage', { id: 'x-bad', definition: defaultDefinition({ keyUsage: ['keyCertSign'] }) }],
    ['an unknown algorithm', { id: 'x-bad', definition: defaultDefinition({ allowedAlgorithms: ['rsa-512'] }) }],
    ['no algorithm', { id: 'x-bad', definition: defaultDefinition({ allowedAlgorithms: [] }) }],
    ['a validity of 0', { id: 'x-bad', definition: defaultDefinition({ validityDays: 0 }) }],
    ['a fractional validity', { id: 'x-bad', definition: defaultDefinition({ validityDays: 1.5 }) }],
    ['a CPS that is not http(s)', { id: 'x-bad', definition: defaultDefinition({ certificatePolicies: [{ oid: '1.2.3.4', cps: 'javascript:alert(1)' }] }) }],
    ['17 custom extensions', { id: 'x-bad', definition: defaultDefinition({ customExtensions: Array.from({ length: 17 }, (_, i) => ({ oid: `1.2.3.${i}`, type: 'utf8String', value: { constant: 'a' } })) }) }],
    ['an oversized constant', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '1.2.3.4', type: 'utf8String', value: { constant: 'x'.repeat(1025) } }] }) }],
    ['an oversized name', { id: 'x-bad', definition: defaultDefinition({ name: '名'.repeat(65) }) }],
    ['an oversized DN pattern', { id: 'x-bad', definition: defaultDefinition({ subjectDn: `CN=${'x'.repeat(600)}` }) }],
    ['a bad id', { id: 'Bad Id!', definition: defaultDefinition() }],
    ['a missing definition', { id: 'x-bad' }],
    ['wrong types', { id: 7, definition: { name: 1, allowedAlgorithms: 'sm2', subjectDn: [], keyUsage: {} } }],
    ['an unknown field in the definition', { id: 'x-bad', definition: defaultDefinition({ colour: 'red' }) }],
    ['an unknown field in an extension', { id: 'x-bad', definition: defaultDefinition({ customExtensions: [{ oid: '1.2.3.4', type: 'utf8String', value: { constant: 'a' }, encoding: 'der' }] }) }],
    ['an unknown top-level field', { id: 'x-bad', definition: defaultDefinition(), extra: true }],
  ];
  it.each(malformed)('refuses %s (BAD_REQUEST)', async (_what, body) => {
    const r = await admin(T, body);
    expect([r.status, r.json.code]).toEqual([400, 'BAD_REQUEST']);
    expect(r.json.message).toMatch(/[\u4e00-\u9fff].*\(.+\)/);
  });

  it('bad input on every template endpoint: malformed JSON, oversized, wrong content type, bad ids, unknown templates', async () => {
    const send = async (path: string, body: string, type = 'application/json') => {
      const r = await fetch(`${cloud.url}${path}`, { method: 'POST', headers: { ...auth(), 'content-type': type }, body });
      return { status: r.status, json: (await r.json()) as { code: string } };
    };
    for (const path of [T, `${T}/staff-sm2/versions`, `${T}/staff-sm2/preview`, `${T}/staff-sm2/disable`, `${T}/staff-sm2/enable`]) {
      expect((await send(path, '{"id": "x')).json.code, path).toBe('BAD_REQUEST');
      expect((await send(path, JSON.stringify({ pad: 'x'.repeat(1100 * 1024) }))).json.code, path).toBe('PAYLOAD_TOO_LARGE');
    }
    for (const path of [T, `${T}/staff-sm2/versions`, `${T}/staff-sm2/preview`]) {
      expect((await send(path, 'id=x', 'application/x-www-form-urlencoded')).json.code, path).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect((await send(path, '[]')).json.code, path).toBe('BAD_REQUEST');
    }
    expect((await send(`${T}/staff-sm2/versions`, JSON.stringify({ definition: defaultDefinition(), expectedVersion: 'one' }))).json.code).toBe('BAD_REQUEST');
    expect((await send(`${T}/staff-sm2/preview`, JSON.stringify({ staffId: 'nobody' }))).json.code).toBe('BAD_REQUEST');
    expect((await send(`${T}/staff-sm2/preview`, JSON.stringify({ staffId: '00000000-0000-4000-8000-000000000000', version: 0 }))).json.code).toBe('BAD_REQUEST');
    expect((await get(`${T}/NOT_A_SLUG!`)).json.code).toBe('BAD_REQUEST');
    expect((await get(`${T}/${'a'.repeat(60)}`)).json.code).toBe('BAD_REQUEST');
    expect((await get(`${T}/no-such`)).json.code).toBe('TEMPLATE_NOT_FOUND');
    for (const action of ['disable', 'enable']) expect((await admin(`${T}/no-such/${action}`, {})).json.code).toBe('TEMPLATE_NOT_FOUND');
    expect((await admin(`${T}/no-such/versions`, { definition: defaultDefinition() })).json.code).toBe('TEMPLATE_NOT_FOUND');
    expect((await admin(T, { id: 'staff-sm2', definition: defaultDefinition() })).json.code).toBe('TEMPLATE_EXISTS');
    const badEnrollment = await admin('/api/v1/admin/enrollments', { staffId: '00000000-0000-4000-8000-000000000000', algorithm: 'sm2', templateId: 'Bad!' });
    expect(badEnrollment.json.code).toBe('BAD_REQUEST');
    // still serving
    expect((await get(T)).status).toBe(200);
  });
});

describe('roles', () => {
  it('an auditor reads templates and previews but changes nothing; an RA officer cannot change templates either', async () => {
    const auditor = await roleToken('tpl-auditor', 'auditor');
    const officer = await roleToken('tpl-officer', 'ra_officer');
    expect((await get(T, auditor)).status).toBe(200);
    expect((await get(`${T}/staff-sm2`, auditor)).status).toBe(200);
    const staffId = await newStaff('ROLE-1');
    expect((await admin(`${T}/staff-sm2/preview`, { staffId }, auditor)).status).toBe(200);
    expect((await admin(`${T}/staff-sm2/preview`, { staffId }, officer)).status).toBe(200);
    for (const t of [auditor, officer]) {
      for (const [path, body] of [
        [T, { id: 'by-role', definition: defaultDefinition() }],
        [`${T}/staff-sm2/versions`, { definition: defaultDefinition() }],
        [`${T}/staff-sm2/disable`, {}],
        [`${T}/staff-sm2/enable`, {}],
      ] as const) {
        const r = await admin(path, body, t);
        expect([r.status, r.json.code], path).toEqual([403, 'FORBIDDEN']);
      }
    }
    expect((await get(`${T}/staff-sm2`)).json.currentVersion).toBe(1);
    expect((await get(`${T}/by-role`)).json.code).toBe('TEMPLATE_NOT_FOUND');
  });
});
