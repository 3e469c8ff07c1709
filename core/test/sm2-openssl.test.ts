/**
 * SM2 interoperability with OpenSSL 3, both ways, through node:crypto and the openssl CLI.
 * These tests also pin two facts documented in docs/sm2-openssl.md:
 *  - OpenSSL 3.0's default SM2 distinguishing ID is the empty string (ENTL = 0), not
 *    GM/T 0009's "1234567812345678"; the CLI takes `-pkeyopt distid:…`, node:crypto can't set it;
 *  - a key from generateKeyPairSync('ec', { namedCurve: 'SM2' }) is an EC key and signs ECDSA.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../src/encoding.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { generateSm2KeyPair, sm2PrivateKeyToPkcs8, sm2PublicKeyToSpki, type Sm2KeyPair } from '../src/sm2/keys.js';
import { decodeSm2SignatureDer, encodeSm2SignatureDer, sm2Sign, sm2Verify } from '../src/sm2/signature.js';
import { toPem } from '../src/pem.js';
import { OpensslCli } from './openssl-cli.js';

const DEFAULT_ID = '1234567812345678';
let cli: OpensslCli;
let kp: Sm2KeyPair;
const message = utf8('住院病历 inpatient record #42 — 签名测试');

function nodeKeys(pair: Sm2KeyPair) {
  return {
    priv: createPrivateKey({ key: Buffer.from(sm2PrivateKeyToPkcs8(pair.privateKey, pair.publicKey)), format: 'der', type: 'pkcs8' }),
    pub: createPublicKey({ key: Buffer.from(sm2PublicKeyToSpki(pair.publicKey)), format: 'der', type: 'spki' }),
  };
}

beforeAll(() => {
  useRuntime(nodeRuntime);
  cli = new OpensslCli();
  kp = generateSm2KeyPair();
  cli.write('key.pem', toPem(sm2PrivateKeyToPkcs8(kp.privateKey, kp.publicKey), 'PRIVATE KEY'));
  cli.write('pub.pem', toPem(sm2PublicKeyToSpki(kp.publicKey), 'PUBLIC KEY'));
  cli.write('msg.bin', message);
});
afterAll(() => cli.dispose());

const pkeyVerify = (sigFile: string, distid?: string) =>
  cli.run([
    'pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'pub.pem', '-in', 'msg.bin', '-sigfile', sigFile,
    ...(distid !== undefined ? ['-pkeyopt', `distid:${distid}`] : []),
  ]);

describe('SM2 against the openssl CLI', () => {
  it('openssl reads our SPKI and PKCS#8 as an SM2 key', () => {
    const { ok, out } = cli.run(['pkey', '-in', 'key.pem', '-text', '-noout']);
    expect(ok).toBe(true);
    expect(out).toMatch(/ASN1 OID: SM2/);
  });

  it('openssl verifies our signature with distid 1234567812345678', () => {
    for (let i = 0; i < 5; i++) {
      cli.write('ours.sig', encodeSm2SignatureDer(sm2Sign(kp.privateKey, kp.publicKey, message)));
      const res = pkeyVerify('ours.sig', DEFAULT_ID);
      expect(res.out).toMatch(/Signature Verified Successfully/);
      expect(res.ok).toBe(true);
    }
  });

  it('openssl rejects our signature under its own default ID, and a tampered one', () => {
    const der = encodeSm2SignatureDer(sm2Sign(kp.privateKey, kp.publicKey, message));
    cli.write('ours.sig', der);
    expect(pkeyVerify('ours.sig').ok).toBe(false);
    const tampered = der.slice();
    tampered[10]! ^= 0x01;
    cli.write('tampered.sig', tampered);
    expect(pkeyVerify('tampered.sig', DEFAULT_ID).ok).toBe(false);
  });

  it('we verify signatures that openssl makes with distid 1234567812345678', () => {
    for (let i = 0; i < 5; i++) {
      const res = cli.run(['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', 'key.pem', '-in', 'msg.bin', '-out', 'theirs.sig', '-pkeyopt', `distid:${DEFAULT_ID}`]);
      expect(res.ok, res.out).toBe(true);
      const sig = decodeSm2SignatureDer(cli.read('theirs.sig'));
      expect(sm2Verify(kp.publicKey, message, sig)).toBe(true);
      expect(sm2Verify(kp.publicKey, utf8('other'), sig)).toBe(false);
    }
  });

  it('openssl with no distid uses the empty ID (ENTL = 0)', () => {
    const res = cli.run(['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', 'key.pem', '-in', 'msg.bin', '-out', 'noid.sig']);
    expect(res.ok, res.out).toBe(true);
    const sig = decodeSm2SignatureDer(cli.read('noid.sig'));
    expect(sm2Verify(kp.publicKey, message, sig, { userId: '' })).toBe(true);
    expect(sm2Verify(kp.publicKey, message, sig)).toBe(false);
  });
});

describe('SM2 against node:crypto', () => {
  it('node:crypto signs with the empty ID; we verify with userId ""', () => {
    const { priv } = nodeKeys(kp);
    for (let i = 0; i < 10; i++) {
      const sig = decodeSm2SignatureDer(new Uint8Array(sign(null, message, priv)));
      expect(sm2Verify(kp.publicKey, message, sig, { userId: '' })).toBe(true);
      expect(sm2Verify(kp.publicKey, message, sig)).toBe(false);
    }
  });

  it('node:crypto verifies our signatures made with userId ""', () => {
    const { pub } = nodeKeys(kp);
    for (let i = 0; i < 10; i++) {
      const der = encodeSm2SignatureDer(sm2Sign(kp.privateKey, kp.publicKey, message, { userId: '' }));
      expect(verify(null, message, pub, der)).toBe(true);
      expect(verify(null, utf8('other'), pub, der)).toBe(false);
    }
  });

  it('pitfall: generateKeyPairSync("ec", SM2) keys sign ECDSA-SHA256, not SM2', () => {
    const g = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    expect(g.privateKey.asymmetricKeyType).toBe('ec');
    const der = sign(null, message, g.privateKey);
    expect(verify('sha256', message, g.publicKey, der)).toBe(true);
    // the same key re-imported from DER becomes an SM2 key
    const reimported = createPrivateKey({ key: g.privateKey.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' });
    expect(reimported.asymmetricKeyType).toBeUndefined();
  });
});
