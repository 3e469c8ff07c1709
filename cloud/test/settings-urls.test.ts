/**
 * The CRL/OCSP URL settings (issue 7) go into the certificates issued after the change, read
 * back with the openssl CLI; the certificates issued before keep their links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPem } from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { adminToken, startTestCloud } from './cloud-fixture.js';
import { enroll, post } from './phone.js';

let cloud: Awaited<ReturnType<typeof startTestCloud>>;
let sys: Record<string, string>;
const cli = new OpensslCli();

async function certificateText(employeeNo: string): Promise<string> {
  const staff = await post(cloud.url, '/api/v1/admin/staff', { employeeNo, name: `医生${employeeNo}`, department: '内科' }, sys);
  const e = await post(cloud.url, '/api/v1/admin/enrollments', { staffId: staff.json.id, algorithm: 'sm2' }, sys);
  const phone = await enroll(cloud.url, e.json.enrollmentId as string, e.json.activationCode as string, 'sm2');
  cli.write(`${employeeNo}.pem`, toPem(phone.certificate, 'CERTIFICATE'));
  const r = cli.run(['x509', '-in', `${employeeNo}.pem`, '-noout', '-text']);
  expect(r.ok).toBe(true);
  return r.out;
}

beforeAll(async () => {
  cloud = await startTestCloud();
  sys = { authorization: `Bearer ${await adminToken(cloud.url)}` };
});
afterAll(async () => {
  await cloud?.dispose();
  cli.dispose();
});

describe('CRL and OCSP URL settings', () => {
  it('the default links point at the cloud; after the change new certificates carry the configured ones, old ones keep theirs', async () => {
    const before = await certificateText('U1');
    expect(before).toContain(`URI:${cloud.url}/pki/crl/sm2-issuing.crl`);
    expect(before).toContain(`OCSP - URI:${cloud.url}/pki/ocsp`);

    const put = await fetch(`${cloud.url}/api/v1/admin/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...sys },
      body: JSON.stringify({ crlUrl: 'http://crl.hospital.example/medsign', ocspUrl: 'http://ocsp.hospital.example/' }),
    });
    expect(put.status).toBe(200);
    const after = await certificateText('U2');
    expect(after).toContain('URI:http://crl.hospital.example/medsign/sm2-issuing.crl');
    expect(after).toContain('OCSP - URI:http://ocsp.hospital.example/');
    expect(after).not.toContain(`${cloud.url}/pki/crl`);
    // the certificate issued before is unchanged (it is what it was), and the cloud still serves the CRL itself
    expect(cli.run(['x509', '-in', 'U1.pem', '-noout', '-text']).out).toContain(`URI:${cloud.url}/pki/crl/sm2-issuing.crl`);
    expect((await fetch(`${cloud.url}/pki/crl/sm2-issuing.crl`)).status).toBe(200);
  });
});
