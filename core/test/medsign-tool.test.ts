/** medsign-tool as an IT engineer runs it: a real process, real files, exit codes and output. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { signMessage } from '../src/cms/signed-data.js';
import { compactToText, toCompact } from '../src/compact/record.js';
import { toBase64, utf8 } from '../src/encoding.js';
import { toPem } from '../src/pem.js';
import { buildCsr } from '../src/pki/csr.js';
import { buildName } from '../src/pki/name.js';
import { issueCrl, CRL_REASON } from '../src/revocation/crl.js';
import { buildOcspRequest, buildOcspResponse, ocspCertId } from '../src/revocation/ocsp.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { createTimeStampRequest } from '../src/tsp/timestamp.js';
import { issueStaff, makeCa, type Issued } from './pki-fixtures.js';

const MAIN = fileURLToPath(new URL('../src/tool/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'medsign-tool-'));
const file = (name: string, data: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

function tool(...args: string[]) {
  // cwd is the package, so that --import finds tsx; every path given to the tool is absolute
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let ca: Issued;
let staff: Issued;
const record = utf8('护理记录 nursing record 2026-11-27 08:00');
const paths = {} as Record<string, string>;

beforeAll(async () => {
  useRuntime(nodeRuntime);
  ca = await makeCa('sm2', 'Tool Root');
  staff = await issueStaff('sm2', ca);
  paths.ca = file('ca.pem', toPem(ca.der, 'CERTIFICATE'));
  paths.cert = file('staff.cer', staff.der);
  paths.data = file('record.txt', record);
  const cms = await signMessage({ content: record, signer: staff.signer, certificate: staff.der, detached: true });
  paths.cms = file('record.p7s', cms);
  paths.cmsB64 = file('record.p7s.b64', toBase64(cms));
  paths.compact = file('record.msc', compactToText(toCompact(cms, { content: record })));
  paths.csr = file('req.csr', toPem(await buildCsr(buildName([{ type: 'CN', value: '张护士' }]), staff.signer), 'CERTIFICATE REQUEST'));
  const crl = await issueCrl({ issuer: ca.cert, thisUpdate: new Date(Date.now() - 1000), nextUpdate: new Date(Date.now() + 864e5), crlNumber: 3n, entries: [{ serialNumber: staff.cert.serialNumber, revocationDate: new Date(Date.now() - 500), reason: CRL_REASON.keyCompromise }] }, ca.signer);
  paths.crl = file('ca.crl', crl);
  paths.ocspReq = file('q.ocsp', buildOcspRequest({ certificate: staff.cert, issuer: ca.cert }));
  paths.ocspResp = file('r.ocsp', await buildOcspResponse({ signer: ca.signer, responderCertificate: ca.der, producedAt: new Date(), responses: [{ certId: ocspCertId(staff.cert, ca.cert), status: { status: 'good' }, thisUpdate: new Date() }] }));
  paths.tsq = file('q.tsq', createTimeStampRequest({ data: record }));
  paths.garbage = file('garbage.bin', utf8('this is not a signature'));
  paths.stranger = file('stranger.pem', toPem((await makeCa('sm2', 'Stranger Root')).der, 'CERTIFICATE'));
});

describe('medsign-tool inspect', () => {
  it.each([
    ['ca', 'certificate', /证书 Certificate \(X\.509 v3\)/],
    ['cert', 'certificate', /CN=李医生/],
    ['csr', 'csr', /证书请求 Certificate request/],
    ['cms', 'signed-message', /签名消息 Signed message/],
    ['cmsB64', 'signed-message', /\[base64/],
    ['compact', 'compact-record', /压缩签名记录/],
    ['crl', 'crl', /证书吊销列表 CRL[\s\S]*keyCompromise/],
    ['ocspReq', 'ocsp-request', /OCSP 请求/],
    ['ocspResp', 'ocsp-response', /OCSP 响应[\s\S]*good/],
    ['tsq', 'timestamp-request', /时间戳请求/],
  ])('%s is recognised as %s', (key, type, pattern) => {
    const text = tool('inspect', paths[key]!);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(pattern);
    const json = tool('inspect', paths[key]!, '--json');
    expect(JSON.parse(json.out).type).toBe(type);
  });

  it('unreadable input: exit 2 and a one-line bilingual error, no stack trace', () => {
    for (const args of [['inspect', paths.garbage!], ['inspect', join(dir, 'missing.pem')], ['inspect'], ['frobnicate']]) {
      const r = tool(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out + r.err).not.toMatch(/\n\s+at /);
    }
    expect(tool('inspect', paths.garbage!).err).toMatch(/错误 Error: .*无法识别/);
  });
});

describe('the installed command', () => {
  it('core/bin/medsign-tool.mjs (what npm links as medsign-tool) runs the built CLI', () => {
    const bin = fileURLToPath(new URL('../bin/medsign-tool.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'inspect', paths.ca!], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/证书 Certificate/);
  });
});

describe('medsign-tool verify', () => {
  it('a valid detached signature: exit 0 and TOTAL_PASSED; --json gives the report', () => {
    const r = tool('verify', '--sig', paths.cms!, '--data', paths.data!, '--trust', paths.ca!);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/结论 Result: TOTAL_PASSED/);
    expect(r.out).toMatch(/✔ signature/);
    const j = tool('verify', '--sig', paths.cmsB64!, '--data', paths.data!, '--trust', paths.ca!, '--json');
    expect(JSON.parse(j.out)).toMatchObject({ indication: 'TOTAL_PASSED' });
  });

  it('a compact record is rebuilt from the certificate store and verified', () => {
    const r = tool('verify', '--sig', paths.compact!, '--data', paths.data!, '--trust', paths.ca!, '--cert', paths.cert!);
    expect(r.code, r.out + r.err).toBe(0);
  });

  it('tampered data, a revoked certificate and an untrusted root exit 1 with the sub-indication', () => {
    const other = file('other.txt', utf8('护理记录 nursing record 2026-11-27 09:00'));
    const tampered = tool('verify', '--sig', paths.cms!, '--data', other, '--trust', paths.ca!);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/TOTAL_FAILED \/ HASH_FAILURE/);
    const revoked = tool('verify', '--sig', paths.cms!, '--data', paths.data!, '--trust', paths.ca!, '--crl', paths.crl!);
    expect(revoked.code).toBe(1);
    expect(revoked.out).toMatch(/TOTAL_FAILED \/ REVOKED/);
    const untrusted = tool('verify', '--sig', paths.cms!, '--data', paths.data!, '--trust', paths.stranger!);
    expect(untrusted.code).toBe(1);
    expect(untrusted.out).toMatch(/INDETERMINATE \/ NO_CERTIFICATE_CHAIN_FOUND/);
  });

  it('bad usage and unreadable files: exit 2 with a clear error', () => {
    const cases = [
      ['verify', '--sig', paths.cms!, '--data', paths.data!],
      ['verify', '--sig', paths.garbage!, '--trust', paths.ca!],
      ['verify', '--sig', paths.cms!, '--trust', join(dir, 'nope.pem')],
      ['verify', '--sig', paths.cms!, '--trust', paths.ca!, '--at', 'yesterday-ish'],
      ['verify', '--sig', paths.compact!, '--trust', paths.ca!],
      ['verify', '--bogus'],
    ];
    for (const args of cases) {
      const r = tool(...args);
      expect(r.code, args.join(' ') + r.out + r.err).toBe(2);
      expect(r.out + r.err).not.toMatch(/\n\s+at /);
    }
    expect(tool('verify', '--sig', paths.cms!, '--data', paths.data!).err).toMatch(/--trust/);
  });
});
