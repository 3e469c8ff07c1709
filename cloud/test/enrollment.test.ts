/** Enrollment over HTTP with a phone made of core's phone-side functions; certificates checked with openssl. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsrInfo, buildName, getCertInfoByOid, IDENTITY_OIDS, parseCertificate, toPem, validateCertificate } from '@medsign/core';
import { createHash } from 'node:crypto';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { adminToken, startTestCloud } from './cloud-fixture.js';
import { devicePost, enroll, post, sealShareFor } from './phone.js';
import { aesGcmSealer, loadKek } from '../src/domain/secrets.js';

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let token: string;
let cli: OpensslCli;

const admin = (path: string, body: unknown) => post(cloud.url, path, body, { authorization: `Bearer ${token}` });

async function newStaff(employeeNo: string) {
  const r = await admin('/api/v1/admin/staff', { employeeNo, name: '刘医生', department: '急诊科', title: '主治医师', licenceNo: '110110000099999', idNumber: '11010119850101123X', mobile: '13800000000' });
  expect(r.status).toBe(200);
  return r.json.id as string;
}

async function newEnrollment(staffId: string, algorithm: 'sm2' | 'rsa-2048' | 'rsa-1024', validMinutes?: number) {
  const r = await admin('/api/v1/admin/enrollments', { staffId, algorithm, ...(validMinutes ? { validMinutes } : {}) });
  expect(r.status).toBe(200);
  return r.json as { enrollmentId: string; activationCode: string; expiresAt: string; qr: string; legacy: boolean };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  token = await adminToken(cloud.url);
  cli = new OpensslCli();
  for (const n of ['sm2-issuing', 'rsa-issuing', 'rsa-root']) cli.write(`${n}.pem`, cloud.pki.caPem(n));
});
afterAll(async () => {
  cli.dispose();
  await cloud.dispose();
});

describe('enrollment', () => {
  it.each(['sm2', 'rsa-2048', 'rsa-1024'] as const)('%s: activation code → device → two-party key → co-signed CSR → certificate', async (algorithm) => {
    const staffId = await newStaff(`E-${algorithm}`);
    const e = await newEnrollment(staffId, algorithm);
    expect(e.activationCode).toMatch(/^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/);
    expect(e.qr).toContain(`enrollment=${e.enrollmentId}`);
    expect(e.legacy).toBe(algorithm === 'rsa-1024');
    const tk = new URL(e.qr).searchParams.get('tk')!;
    expect(tk).toMatch(/^[0-9a-f]{64}$/);
    const phone = await enroll(cloud.url, e.enrollmentId, e.activationCode, algorithm, { transportFingerprint: tk });
    const cert = parseCertificate(phone.certificate);
    expect(cert.subjectText).toBe(`C=CN, O=MedSign, OU=急诊科, CN=刘医生, serialNumber=E-${algorithm}`);
    expect(cert.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(getCertInfoByOid(cert, IDENTITY_OIDS.idNumber)).toBe(createHash('sm3').update('11010119850101123X').digest('hex').toUpperCase());
    expect(getCertInfoByOid(cert, IDENTITY_OIDS.practitionerLicence)).toBe('110110000099999');
    const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 864e5;
    expect(Math.round(days)).toBe(365);
    cli.write('staff.pem', toPem(phone.certificate, 'CERTIFICATE'));
    if (algorithm === 'sm2') {
      expect(cert.publicKey.algorithm).toBe('sm2');
      expect(cli.run(['verify', '-partial_chain', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'sm2-issuing.pem', 'staff.pem']).out.trim()).toBe('staff.pem: OK');
    } else {
      expect(cert.publicKey.algorithm === 'rsa' && cert.publicKey.n.toString(2).length).toBe(algorithm === 'rsa-2048' ? 2048 : 1024);
      expect(cli.run(['verify', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem', 'staff.pem']).out.trim()).toBe('staff.pem: OK');
    }
    expect(validateCertificate(phone.certificate, { trustAnchors: [phone.chain[1]!], intermediates: [phone.chain[0]!] }).indication).toBe('TOTAL_PASSED');
    // the cloud's share is sealed in the database
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${cloud.dataDir}/medsign.db`, { readonly: true });
    const row = db.prepare('SELECT id, sealed_share, status FROM key_share WHERE certificate_serial = ?').get(cert.serialNumber) as { id: string; sealed_share: Buffer; status: string };
    db.close();
    expect(row.status).toBe('active');
    expect(() => JSON.parse(row.sealed_share.toString('utf8'))).toThrow(); // not readable as stored
    const sealer = aesGcmSealer(loadKek(`${cloud.dataDir}/kek.key`, undefined));
    const opened = JSON.parse(new TextDecoder().decode(sealer.open(new Uint8Array(row.sealed_share), `share:${row.id}`))) as { algorithm: string };
    expect(opened.algorithm).toBe(algorithm === 'sm2' ? 'sm2' : 'rsa');
    // bound to its row: under another record's context it does not open
    expect(() => sealer.open(new Uint8Array(row.sealed_share), 'share:another-row')).toThrow();
  });

  it('codes are single-use and expire; wrong codes are refused with clear errors', async () => {
    const staffId = await newStaff('E-codes');
    const e = await newEnrollment(staffId, 'sm2');
    await enroll(cloud.url, e.enrollmentId, e.activationCode, 'sm2');
    await expect(enroll(cloud.url, e.enrollmentId, e.activationCode, 'sm2')).rejects.toThrow(/ACTIVATION_USED/);
    await expect(enroll(cloud.url, e.enrollmentId, 'AAAAA-BBBBB-CCCCC-DDDDD', 'sm2')).rejects.toThrow(/ACTIVATION_INVALID/);
    // lower case and without dashes is the same code
    const e2 = await newEnrollment(staffId, 'sm2');
    await enroll(cloud.url, e2.enrollmentId, e2.activationCode.toLowerCase().replace(/-/g, ''), 'sm2');
    // an expired code
    const e3 = await newEnrollment(staffId, 'sm2', 1);
    const { generateSm2KeyPair, sm2PublicKeyToSpki, phoneKeygenStart } = await import('@medsign/core');
    expect(() =>
      cloud.services.enrollment.start(
        { enrollmentId: e3.enrollmentId, activationCode: e3.activationCode, devicePublicKey: sm2PublicKeyToSpki(generateSm2KeyPair().publicKey), keygen: { type: 'sm2', hello: phoneKeygenStart(e3.enrollmentId).message } },
        Date.now() + 2 * 60_000,
      ),
    ).toThrow(/已过期/);
    // an SM2 code used for an RSA key
    const e4 = await newEnrollment(staffId, 'sm2');
    await expect(enroll(cloud.url, e4.enrollmentId, e4.activationCode, 'rsa-1024')).rejects.toThrow(/BAD_REQUEST/);
  });

  it('later phone requests must be signed by the device: missing, replayed, altered or foreign signatures are refused', async () => {
    const staffId = await newStaff('E-device');
    const e = await newEnrollment(staffId, 'sm2');
    const phone = await enroll(cloud.url, e.enrollmentId, e.activationCode, 'sm2');
    const body = { enrollmentId: e.enrollmentId, csr: 'AAAA' };
    // completed enrollment: a correctly signed request reaches the domain, which says the step is over
    const ok = await devicePost(cloud.url, phone.device, '/api/v1/mobile/enroll/complete', body);
    expect(ok.json.code).toBe('ENROLLMENT_STATE');
    // the same headers again: a replay
    expect((await devicePost(cloud.url, phone.device, '/api/v1/mobile/enroll/complete', body, { headers: ok.headers })).json.code).toBe('UNAUTHORIZED');
    // the body changed after signing
    expect((await devicePost(cloud.url, phone.device, '/api/v1/mobile/enroll/complete', body, { tamper: (s) => s.replace('AAAA', 'BBBB') })).json.code).toBe('UNAUTHORIZED');
    // no signature at all
    expect((await post(cloud.url, '/api/v1/mobile/enroll/complete', body)).json.code).toBe('UNAUTHORIZED');
    // another phone cannot touch this enrollment
    const e2 = await newEnrollment(staffId, 'sm2');
    const phone2 = await enroll(cloud.url, e2.enrollmentId, e2.activationCode, 'sm2');
    expect((await devicePost(cloud.url, phone2.device, '/api/v1/mobile/enroll/complete', body)).json.code).toBe('NOT_FOUND');
  });

  it('the RSA share travels sealed: a share sealed for another enrollment, or tampered, does not open; the code must match its enrollment', async () => {
    const staffId = await newStaff('E-transport');
    const e = await newEnrollment(staffId, 'rsa-1024');
    const other = await newEnrollment(staffId, 'rsa-1024');
    const { rsaDealerSplit, generateSm2KeyPair, sm2PublicKeyToSpki } = await import('@medsign/core');
    const shares = await rsaDealerSplit(1024);
    const devicePublicKey = Buffer.from(sm2PublicKeyToSpki(generateSm2KeyPair().publicKey)).toString('base64');
    const startWith = (sealedD2: unknown, enrollmentId = e.enrollmentId) =>
      post(cloud.url, '/api/v1/mobile/enroll/start', { enrollmentId, activationCode: e.activationCode, devicePublicKey, keygen: { type: 'rsa', n: shares.cloud.n, e: shares.cloud.e, sealedD2 } });
    const forOther = await sealShareFor(cloud.url, other.enrollmentId, shares.cloud.d2);
    expect((await startWith(forOther)).json.code).toBe('BAD_REQUEST');
    const sealed = await sealShareFor(cloud.url, e.enrollmentId, shares.cloud.d2);
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0]! ^= 1;
    expect((await startWith({ ...sealed, ciphertext: bytes.toString('base64') })).json.code).toBe('BAD_REQUEST');
    // the right seal, but presented with another enrollment's id
    expect((await startWith(await sealShareFor(cloud.url, other.enrollmentId, shares.cloud.d2), other.enrollmentId)).json.code).toBe('ACTIVATION_INVALID');
    await expect(sealShareFor(cloud.url, e.enrollmentId, shares.cloud.d2, '00'.repeat(32))).rejects.toThrow(/does not match the QR/);
    // and the code still works for its own enrollment afterwards: nothing was consumed
    expect((await startWith(sealed)).status).toBe(200);
  });

  it('a request for another key is refused (KEY_MISMATCH)', async () => {
    const staffId = await newStaff('E-mismatch');
    const e = await newEnrollment(staffId, 'rsa-1024');
    const { rsaDealerSplit, generateSm2KeyPair, sm2PublicKeyToSpki, phoneRsaSignStart, publicKeyToSpki } = await import('@medsign/core');
    const shares = await rsaDealerSplit(1024);
    const device = generateSm2KeyPair();
    const start = await post(cloud.url, '/api/v1/mobile/enroll/start', {
      enrollmentId: e.enrollmentId,
      activationCode: e.activationCode,
      devicePublicKey: Buffer.from(sm2PublicKeyToSpki(device.publicKey)).toString('base64'),
      keygen: { type: 'rsa', n: shares.cloud.n, e: shares.cloud.e, sealedD2: await sealShareFor(cloud.url, e.enrollmentId, shares.cloud.d2) },
    });
    const dev = { ...device, id: start.json.deviceId as string };
    const otherKey = publicKeyToSpki({ algorithm: 'sm2', point: generateSm2KeyPair().publicKey });
    const info = buildCsrInfo(buildName([{ type: 'CN', value: 'x' }]), otherKey);
    const commit = phoneRsaSignStart({ sessionId: `csr-${e.enrollmentId}`, hash: 'sha256', digests: ['00'.repeat(32)] }).message;
    const r = await devicePost(cloud.url, dev, '/api/v1/mobile/enroll/finish', { enrollmentId: e.enrollmentId, csrInfo: Buffer.from(info).toString('base64'), commit });
    expect(r.json.code).toBe('KEY_MISMATCH');
  });

  it('staff numbers are unique and enrollments need a known staff member', async () => {
    await newStaff('E-unique');
    expect((await admin('/api/v1/admin/staff', { employeeNo: 'E-unique', name: 'x', department: 'y' })).json.code).toBe('CONFLICT');
    expect((await admin('/api/v1/admin/enrollments', { staffId: '00000000-0000-4000-8000-000000000000', algorithm: 'sm2' })).json.code).toBe('NOT_FOUND');
    expect((await admin('/api/v1/admin/staff', { employeeNo: 'E 1', name: 'x', department: 'y', idNumber: '123' })).json.code).toBe('BAD_REQUEST');
  });
});
