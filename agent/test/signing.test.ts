/**
 * The agent end to end against a real cloud and real phones (@medsign/mobile): login by
 * push and QR, signing in every form, checked by the openssl CLI and node:crypto (OpenSSL),
 * never only by our own code.
 */
import { createPublicKey, createHash, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignedMessage, toPem, SGD, SGD_CERT } from '@medsign/core';
import { OpensslCli } from '../../core/test/openssl-cli.js';
import { ORIGIN, RpcClient, autoApprove, call, enrollDoctor, registrationToken, startCloudWithAdmin, startTestAgent, PIN } from './stack.js';

let s: Awaited<ReturnType<typeof startCloudWithAdmin>>;
let agent: Awaited<ReturnType<typeof startTestAgent>>;
const cli = new OpensslCli();
type Doctor = Awaited<ReturnType<typeof enrollDoctor>> & { certId: string; certPem: string; auto: ReturnType<typeof autoApprove> };
const doctors: Record<'sm2' | 'rsa-2048' | 'rsa-1024', Doctor> = {} as never;
const b64 = (s: string) => Buffer.from(s, 'base64');
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** openssl pkeyutl with the GM/T 0009 default ID (node:crypto cannot set it). */
function sm2OpensslVerify(pubFile: string, msg: Uint8Array, sig: Uint8Array): boolean {
  cli.write('v.msg', msg);
  cli.write('v.sig', sig);
  return cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', pubFile, '-in', 'v.msg', '-sigfile', 'v.sig', '-pkeyopt', 'distid:1234567812345678']).out.includes('Signature Verified Successfully');
}

beforeAll(async () => {
  s = await startCloudWithAdmin();
  agent = await startTestAgent([s.cloud.url], await registrationToken(s.cloud.url, s.admin));
  for (const alg of ['sm2', 'rsa-2048', 'rsa-1024'] as const) {
    const d = await enrollDoctor(s.cloud.url, s.admin, alg, `医生${alg}`);
    const auto = autoApprove(d.phone);
    const login = await call(agent.url, 'login', { employeeNo: d.employeeNo });
    expect(login.status).toBe(200);
    const cert = await call(agent.url, 'exportUserCert', { certId: login.json.certId });
    doctors[alg] = { ...d, auto, certId: login.json.certId, certPem: toPem(b64(cert.json.certificate), 'CERTIFICATE') };
  }
  for (const f of ['rsa-root', 'rsa-issuing', 'sm2-root', 'sm2-issuing']) cli.write(`${f}.pem`, await (await fetch(`${s.cloud.url}/pki/ca/${f}.pem`)).text());
});
afterAll(async () => {
  for (const d of Object.values(doctors)) await d.auto.stop();
  await agent?.dispose();
  await s?.cloud.dispose();
  cli.dispose();
});

describe('login', () => {
  it('push login put three doctors in the user list, in the GM/T 0020 string form too', async () => {
    const r = await call(agent.url, 'getUserList');
    expect(r.json.users.map((u: any) => u.algorithm).sort()).toEqual(['RSA', 'RSA', 'SM2']);
    for (const d of Object.values(doctors)) expect(r.json.userList).toContain(`${d.name}||${d.certId}&&&`);
    expect(r.json.userList.split('&&&').filter(Boolean)).toHaveLength(3);
  });

  it('QR login: the QR comes back at once, the phone scans it, getStatus long-polls the result', async () => {
    const d = await enrollDoctor(s.cloud.url, s.admin, 'sm2', '扫码医生');
    const r = await call(agent.url, 'login', {});
    expect(r.json).toMatchObject({ status: 'PENDING', qr: expect.any(String) });
    const session = await d.phone.claimLogin(r.json.qr);
    const waiting = call(agent.url, 'getStatus', { operationId: r.json.operationId, wait: 20 });
    await d.phone.approve(session, PIN);
    const st = await waiting;
    expect(st.json.operation).toMatchObject({ status: 'OK', result: { name: '扫码医生' }, verificationCode: session.verificationCode });
    const certId = st.json.operation.result.certId;
    expect((await call(agent.url, 'getUserList')).json.userList).toContain(`扫码医生||${certId}&&&`);
    expect((await call(agent.url, 'logout', { certId })).json).toEqual({ ok: true });
    expect((await call(agent.url, 'getUserList')).json.userList).not.toContain(certId);
    expect((await call(agent.url, 'signData', { certId, text: 'x' })).json.code).toBe('CERT_NOT_FOUND');
    // SOF_Login(certId) after a logout: pushed to the same doctor's phone
    const again = call(agent.url, 'login', { certId });
    const [push] = await until(() => d.phone.pending(), (p) => p.length > 0);
    await d.phone.approve(push!, PIN);
    expect((await again).json).toMatchObject({ status: 'OK', certId, name: '扫码医生' });
  });
});

describe('signData, verified by openssl', () => {
  it.each(['sm2', 'rsa-2048', 'rsa-1024'] as const)('%s', async (alg) => {
    const d = doctors[alg];
    const text = `病程记录：患者 ${alg} 今日查房，生命体征平稳。`;
    const r = await call(agent.url, 'signData', { certId: d.certId, text });
    expect(r.status).toBe(200);
    cli.write(`${alg}.cert.pem`, d.certPem);
    cli.write(`${alg}.msg`, Buffer.from(text, 'utf8')); // what is signed for `text`: its UTF-8 bytes
    cli.write(`${alg}.sig`, b64(r.json.signature));
    expect(cli.run(['x509', '-in', `${alg}.cert.pem`, '-pubkey', '-noout', '-out', `${alg}.pub.pem`]).ok).toBe(true);
    const args =
      alg === 'sm2'
        ? ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', `${alg}.pub.pem`, '-in', `${alg}.msg`, '-sigfile', `${alg}.sig`, '-pkeyopt', 'distid:1234567812345678']
        : ['dgst', '-sha256', '-verify', `${alg}.pub.pem`, '-signature', `${alg}.sig`, `${alg}.msg`];
    expect(cli.run(args).out).toMatch(/Verif(ied|ication) OK|Signature Verified Successfully/);
    // a changed byte fails
    cli.write(`${alg}.msg`, Buffer.from(text + ' ', 'utf8'));
    expect(cli.run(args).ok).toBe(false);
    // and our own local verification agrees, both ways
    expect((await call(agent.url, 'verifySignedData', { certId: d.certId, text, signature: r.json.signature })).json.valid).toBe(true);
    expect((await call(agent.url, 'verifySignedData', { cert: d.certPem, text: text + ' ', signature: r.json.signature })).json.valid).toBe(false);
  });

  it('setSignMethod SGD_SHA1_RSA changes the RSA hash; SM2 keeps SM3', async () => {
    const d = doctors['rsa-2048'];
    expect((await call(agent.url, 'setSignMethod', { method: SGD.SHA1_RSA })).json.method).toBe(SGD.SHA1_RSA);
    expect((await call(agent.url, 'getSignMethod')).json.method).toBe(SGD.SHA1_RSA);
    const r = await call(agent.url, 'signData', { certId: d.certId, data: Buffer.from('sha1 legacy').toString('base64') });
    cli.write('sha1.msg', 'sha1 legacy');
    cli.write('sha1.sig', b64(r.json.signature));
    expect(cli.run(['dgst', '-sha1', '-verify', 'rsa-2048.pub.pem', '-signature', 'sha1.sig', 'sha1.msg']).out).toMatch(/Verified OK/);
    // a native application that names itself keeps its own sign method
    expect((await call(agent.url, 'getSignMethod', {}, { 'x-medsign-app': 'PACS.exe' })).json.method).toBe(SGD.SHA256_RSA);
    await call(agent.url, 'setSignMethod', { method: SGD.SHA256_RSA });
    expect((await call(agent.url, 'signData', { certId: doctors.sm2.certId, text: 'x', signMethod: SGD.SHA256_RSA })).json.code).toBe('BAD_PARAMS');
  });
});

describe('signMessage', () => {
  it.each([false, true])('RSA rfc5652, detached=%s, verified by openssl cms', async (detached) => {
    const d = doctors['rsa-2048'];
    const text = `出院小结 detached=${detached}`;
    const r = await call(agent.url, 'signMessage', { certId: d.certId, text, detached, profile: 'rfc5652' });
    expect(r.status).toBe(200);
    const f = `msg-${detached}`;
    cli.write(`${f}.p7`, b64(r.json.signedMessage));
    cli.write(`${f}.txt`, text);
    const out = cli.run(['cms', '-verify', '-inform', 'DER', '-in', `${f}.p7`, ...(detached ? ['-content', `${f}.txt`] : []), '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', `${f}.out`]);
    expect(out.out).toMatch(/Verification successful/);
    expect(Buffer.from(cli.read(`${f}.out`)).toString()).toBe(text);
    const v = await call(agent.url, 'verifySignedMessage', { signedMessage: r.json.signedMessage, ...(detached ? { text } : {}) });
    expect(v.json).toMatchObject({ valid: true, indication: 'TOTAL_PASSED' });
    const tampered = await call(agent.url, 'verifySignedMessage', { signedMessage: r.json.signedMessage, text: text + '!' });
    expect(tampered.json.valid).toBe(false);
    expect(tampered.json.indication).toBe('TOTAL_FAILED');
    const info = await call(agent.url, 'getInfoFromSignedMessage', { signedMessage: r.json.signedMessage, type: 2 });
    expect(toPem(b64(info.json.info), 'CERTIFICATE')).toBe(d.certPem);
  });

  it('SM2 gmt0010 with a compact record that rebuilds the same bytes', async () => {
    const d = doctors.sm2;
    const text = '护理记录 GM/T 0010';
    const r = await call(agent.url, 'signMessage', { certId: d.certId, text, profile: 'gmt0010', detached: true, compact: true });
    const msg = parseSignedMessage(b64(r.json.signedMessage));
    expect(msg.profile).toBe('gmt0010');
    // OpenSSL itself checks the SM2 signature over the signed attributes (distid 1234567812345678)
    cli.write('gm.attrs', msg.signedAttributes);
    cli.write('gm.sig', msg.signature);
    cli.write('sm2.pub.pem', createPublicKey(d.certPem).export({ type: 'spki', format: 'pem' }));
    expect(cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'sm2.pub.pem', '-in', 'gm.attrs', '-sigfile', 'gm.sig', '-pkeyopt', 'distid:1234567812345678']).out).toMatch(/Signature Verified Successfully/);
    expect(b64(r.json.compact).length).toBeLessThan(b64(r.json.signedMessage).length / 3);
    const back = await call(agent.url, 'fromCompact', { compact: r.json.compact, text });
    expect(back.json.signedMessage).toBe(r.json.signedMessage);
    const c = await call(agent.url, 'toCompact', { signedMessage: r.json.signedMessage, text });
    expect(c.json.compact).toBe(r.json.compact);
  });

  it('a timestamped CMS: openssl ts -verify accepts the token over the signature value', async () => {
    const d = doctors['rsa-2048'];
    const r = await call(agent.url, 'signMessage', { certId: d.certId, text: '手术记录', timestamp: true });
    const msg = parseSignedMessage(b64(r.json.signedMessage));
    expect(msg.timestampToken).toBeDefined();
    cli.write('ts.token', msg.timestampToken!);
    cli.write('ts.sigvalue', msg.signature);
    const out = cli.run(['ts', '-verify', '-token_in', '-in', 'ts.token', '-data', 'ts.sigvalue', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']);
    expect(out.out).toMatch(/Verification: OK/);
    cli.write('ts.sigvalue', Buffer.concat([msg.signature, Buffer.from([0])]));
    expect(cli.run(['ts', '-verify', '-token_in', '-in', 'ts.token', '-data', 'ts.sigvalue', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']).ok).toBe(false);
    expect((await call(agent.url, 'verifySignedMessage', { signedMessage: r.json.signedMessage })).json.report.timestampTime).toEqual(expect.any(String));
  });
});

describe('batches and progress', () => {
  it('1,000 items, one approval: SM2 signatures checked by the openssl CLI (every 10th) and locally (all)', async () => {
    const d = doctors.sm2;
    const codesBefore = d.auto.codes.length;
    const rpc = await RpcClient.connect(agent.url);
    const texts = Array.from({ length: 1000 }, (_, i) => `护理记录 #${i} 体温 36.${i % 10}℃`);
    const r = await rpc.send('signBatch', { certId: d.certId, items: texts.map((text) => ({ text })), format: 'raw' });
    expect(r.error).toBeUndefined();
    expect(r.result.results).toHaveLength(1000);
    expect(d.auto.codes.length - codesBefore).toBe(1); // one approval on the phone
    // OpenSSL checks every 10th signature (node:crypto cannot set the SM2 ID), our verifier all 1,000
    cli.write('batch.pub.pem', createPublicKey(d.certPem).export({ type: 'spki', format: 'pem' }));
    for (let i = 0; i < 1000; i += 10) expect(sm2OpensslVerify('batch.pub.pem', Buffer.from(texts[i]!), b64(r.result.results[i].signature))).toBe(true);
    expect(sm2OpensslVerify('batch.pub.pem', Buffer.from(texts[1]!), b64(r.result.results[0].signature))).toBe(false);
    const ours = await Promise.all(r.result.results.map((x: any, i: number) => call(agent.url, 'verifySignedData', { certId: d.certId, text: texts[i], signature: x.signature })));
    expect(ours.filter((v) => v.json.valid)).toHaveLength(1000);
    const code = rpc.events.find((e) => e.method === 'verificationCode');
    expect(code?.params).toMatchObject({ count: 1000, verificationCode: d.auto.codes.at(-1) });
    // the workstation's code is the one computed from the digests, by Smart-ID's rule
    const stages = rpc.events.filter((e) => e.method === 'progress').map((e) => e.params.stage);
    expect(stages).toContain('digesting');
    expect(stages).toContain('waiting-for-phone');
    expect(rpc.events.filter((e) => e.method === 'progress').at(-1)?.params).toMatchObject({ stage: 'assembling', done: 1000, total: 1000 });
    rpc.close();
  });

  it('a CMS batch over HTTP verifies with openssl cms', async () => {
    const d = doctors['rsa-1024'];
    const r = await call(agent.url, 'signBatch', { certId: d.certId, items: [{ text: '检验报告 1' }, { text: '检验报告 2', summary: '血常规' }], format: 'cms' });
    expect(r.json.results).toHaveLength(2);
    r.json.results.forEach((x: any, i: number) => {
      cli.write(`b${i}.p7`, b64(x.signedMessage));
      expect(cli.run(['cms', '-verify', '-inform', 'DER', '-in', `b${i}.p7`, '-CAfile', 'rsa-root.pem', '-binary', '-purpose', 'any', '-out', `b${i}.out`]).out).toMatch(/Verification successful/);
      expect(Buffer.from(cli.read(`b${i}.out`)).toString()).toBe(`检验报告 ${i + 1}`);
    });
  });
});

describe('wait=false, signHash, signFile, certificates, timestamps', () => {
  it('wait=false returns the code at once; getStatus shows it and then the result', async () => {
    const d = doctors.sm2;
    const r = await call(agent.url, 'signData', { certId: d.certId, text: '异步', wait: false });
    expect(r.json).toMatchObject({ status: 'PENDING', verificationCode: expect.stringMatching(/^\d{4}$/) });
    const st = await call(agent.url, 'getStatus', { operationId: r.json.operationId, wait: 20 });
    expect(st.json.operation).toMatchObject({ status: 'OK', verificationCode: r.json.verificationCode, result: { signature: expect.any(String) } });
  });

  it('signHash signs the given SHA-256 digest; signFile hashes a file as a stream', async () => {
    const d = doctors['rsa-2048'];
    const digest = createHash('sha256').update('预先计算的摘要').digest();
    const h = await call(agent.url, 'signHash', { certId: d.certId, hash: digest.toString('base64') });
    cli.write('h.msg', '预先计算的摘要');
    cli.write('h.sig', b64(h.json.signature));
    expect(cli.run(['dgst', '-sha256', '-verify', 'rsa-2048.pub.pem', '-signature', 'h.sig', 'h.msg']).out).toMatch(/Verified OK/);
    expect((await call(agent.url, 'signHash', { certId: d.certId, hash: digest.subarray(0, 20).toString('base64') })).json.code).toBe('BAD_PARAMS');

    const file = join(cli.dir, 'scan.bin');
    writeFileSync(file, Buffer.alloc(5 * 1024 * 1024 + 7, 0x5a));
    for (const alg of ['sm2', 'rsa-2048'] as const) {
      const f = await call(agent.url, 'signFile', { certId: doctors[alg].certId, path: file });
      expect(f.status).toBe(200);
      expect((await call(agent.url, 'verifySignedFile', { certId: doctors[alg].certId, path: file, signature: f.json.signature })).json.valid).toBe(true);
      if (alg === 'sm2') expect(sm2OpensslVerify('sm2.pub.pem', Buffer.alloc(5 * 1024 * 1024 + 7, 0x5a), b64(f.json.signature))).toBe(true);
      else expect(verify('sha256', Buffer.alloc(5 * 1024 * 1024 + 7, 0x5a), createPublicKey(doctors[alg].certPem), b64(f.json.signature))).toBe(true);
    }
    expect((await call(agent.url, 'signFile', { certId: d.certId, path: '/nonexistent/x.pdf' })).json.code).toBe('FILE_ERROR');
    expect((await call(agent.url, 'signFile', { certId: d.certId, path: 'relative.pdf' })).json.code).toBe('BAD_PARAMS');
    // a web page may not reach files by path, not even to learn whether one exists
    const fromPage = await call(agent.url, 'verifySignedFile', { certId: d.certId, path: file, signature: h.json.signature }, { origin: ORIGIN });
    expect(fromPage.status).toBe(403);
    expect(fromPage.json.code).toBe('FILE_ACCESS_DENIED');
  });

  it('getCertInfo, getCertInfoByOid and validateCert (0 = valid, with CRL and OCSP)', async () => {
    const d = doctors.sm2;
    expect((await call(agent.url, 'getCertInfo', { certId: d.certId, type: SGD_CERT.SUBJECT_CN })).json.info).toBe(d.name);
    expect((await call(agent.url, 'getCertInfoByOid', { cert: d.certPem, oid: '2.5.4.5' })).json.info).toBe(d.employeeNo);
    const v = await call(agent.url, 'validateCert', { certId: d.certId });
    expect(v.json).toMatchObject({ code: 0, valid: true });
  });

  it('timestamps through the cloud TSA: request, response, verify, info', async () => {
    const req = await call(agent.url, 'createTimeStampRequest', { text: '时间戳' });
    const resp = await call(agent.url, 'createTimeStampResponse', { request: req.json.request });
    cli.write('t.tsq', b64(req.json.request));
    cli.write('t.tsr', b64(resp.json.response));
    expect(cli.run(['ts', '-verify', '-queryfile', 't.tsq', '-in', 't.tsr', '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-issuing.pem']).out).toMatch(/Verification: OK/);
    const v = await call(agent.url, 'verifyTimeStamp', { response: resp.json.response, text: '时间戳', request: req.json.request });
    expect(v.json).toMatchObject({ valid: true, genTime: expect.any(String) });
    expect((await call(agent.url, 'verifyTimeStamp', { response: resp.json.response, text: '别的' })).json).toMatchObject({ valid: false, failure: 'IMPRINT_MISMATCH' });
    expect((await call(agent.url, 'getTimeStampInfo', { response: resp.json.response, type: 0x201 })).json.info).toMatch(/^\d{4}/);
  });

  it('getVersion, getStatus, genRandom and the OpenAPI document', async () => {
    expect((await call(agent.url, 'getVersion')).json).toMatchObject({ version: '0.1.0', apiVersion: '1.0' });
    const st = await call(agent.url, 'getStatus');
    expect(st.json).toMatchObject({ registered: true, cloud: { online: true, active: s.cloud.url } });
    const r1 = (await call(agent.url, 'genRandom', { length: 32 })).json.random;
    const r2 = (await call(agent.url, 'genRandom', { length: 32 })).json.random;
    expect(b64(r1)).toHaveLength(32);
    expect(r1).not.toBe(r2);
    const doc = (await (await fetch(`${agent.url}/v1/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toHaveLength(agent.registry.methods.size);
    expect(doc.paths['/v1/signMessage'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('detached');
  });

  it('the status page shows the cloud link, the users and recent requests, in Chinese', async () => {
    const html = await (await fetch(`${agent.url}/`)).text();
    expect(html).toContain('医签助手');
    expect(html).toContain(doctors.sm2.name);
    expect(html).toContain(s.cloud.url);
    expect(html).toMatch(/signData/);
    expect(html).not.toMatch(/userSessionToken|credential"/);
  });
});
