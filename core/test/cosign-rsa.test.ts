import { constants, createHash, createPublicKey, publicDecrypt, randomBytes, verify, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudRsaSignRespond,
  phoneRsaSignFinish,
  phoneRsaSignStart,
  rsaDealerSplit,
  type CloudRsaShare,
  type PhoneRsaShare,
  type RsaModulusBits,
} from '../src/cosign/mediated-rsa.js';
import type { HashAlgorithm } from '../src/digest.js';
import { fromHex, toBase64Url, toHex } from '../src/encoding.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { modPowPortable, portableRuntime } from '../src/runtime/portable.js';
import { digestInfo, emsaPkcs1v15 } from '../src/rsa/pkcs1.js';
import { newSessionId, wire } from './cosign-helpers.js';
import { OpensslCli } from './openssl-cli.js';

const code = (code: string) => expect.objectContaining({ code });
// node:crypto digest names for RSA verification; 'sm3' gives SM3withRSA (1.2.156.10197.1.504)
const NODE_HASH: Record<HashAlgorithm, string> = { sha256: 'sha256', sha1: 'sha1', sm3: 'sm3' };

function nodePublicKey(share: PhoneRsaShare): KeyObject {
  return createPublicKey({ key: { kty: 'RSA', n: toBase64Url(fromHex(share.n)), e: toBase64Url(fromHex(share.e.padStart(6, '0'))) }, format: 'jwk' });
}

/**
 * node:crypto's verdict. OpenSSL 3.0's RSA signature provider refuses SM3 ("digest not
 * allowed"), so SM3withRSA is checked by RSA public-key recovery with PKCS#1 type-1
 * unpadding (OpenSSL's) and comparison with the DigestInfo GM/T 0010 and OpenSSL's
 * rsa_sign.c table give for SM3: 3030300c06082a811ccf5501831105000420 ‖ SM3(M).
 */
function opensslAccepts(pub: KeyObject, hash: HashAlgorithm, message: Uint8Array, sig: Uint8Array): boolean {
  if (hash !== 'sm3') return verify(NODE_HASH[hash], message, pub, sig);
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
  return recovered.toString('hex') === '3030300c06082a811ccf5501831105000420' + createHash('sm3').update(message).digest('hex');
}

function signSession(phone: PhoneRsaShare, cloud: CloudRsaShare, hash: HashAlgorithm, digests: string[]): Uint8Array[] {
  const sessionId = newSessionId('rsa');
  const { state, message } = phoneRsaSignStart({ sessionId, hash, digests });
  const reply = cloudRsaSignRespond(cloud, { sessionId, hash, digests, step: 'awaiting-phone-request' }, wire(message));
  return phoneRsaSignFinish(phone, state, wire(reply));
}

const keys = new Map<RsaModulusBits, { phone: PhoneRsaShare; cloud: CloudRsaShare }>();
beforeAll(async () => {
  useRuntime(nodeRuntime);
  keys.set(1024, await rsaDealerSplit(1024));
  keys.set(2048, await rsaDealerSplit(2048));
});
afterAll(() => useRuntime(nodeRuntime));

describe('PKCS#1 v1.5 encoding', () => {
  it('DigestInfo prefixes match RFC 8017 §9.2 note 1 (SHA-1, SHA-256) and OpenSSL SM3', () => {
    const prefix = (h: HashAlgorithm, len: number) => toHex(digestInfo(h, new Uint8Array(len))).slice(0, -len * 2);
    expect(prefix('sha1', 20)).toBe('3021300906052b0e03021a05000414');
    expect(prefix('sha256', 32)).toBe('3031300d060960864801650304020105000420');
    expect(prefix('sm3', 32)).toBe('3030300c06082a811ccf5501831105000420');
  });

  it('EM is 00 01 FF… 00 T of modulus length, and a wrong digest length is refused', () => {
    const em = emsaPkcs1v15('sha256', new Uint8Array(32), 256);
    expect(em.length).toBe(256);
    expect(toHex(em.subarray(0, 3))).toBe('0001ff');
    expect(() => emsaPkcs1v15('sha256', new Uint8Array(20), 256)).toThrow(code('INPUT_LENGTH'));
  });
});

describe('mediated RSA', () => {
  it('200 co-signatures (RSA-1024 and RSA-2048; SHA-256, SHA-1, SM3) accepted by node:crypto RSA verify', () => {
    let accepted = 0;
    const hashes: HashAlgorithm[] = ['sha256', 'sha1', 'sm3'];
    for (const bits of [1024, 2048] as const) {
      const { phone, cloud } = keys.get(bits)!;
      const pub = nodePublicKey(phone);
      for (let round = 0; round < 20; round++) {
        const hash = hashes[round % 3]!;
        const messages = Array.from({ length: 5 }, () => new Uint8Array(randomBytes(1 + round * 7)));
        const digests = messages.map((m) => createHash(NODE_HASH[hash]).update(m).digest('hex'));
        const sigs = signSession(phone, cloud, hash, digests);
        sigs.forEach((sig, i) => {
          expect(sig.length).toBe(bits / 8);
          if (opensslAccepts(pub, hash, messages[i]!, sig)) accepted++;
        });
        expect(opensslAccepts(pub, hash, new Uint8Array([1, 2, 3]), sigs[0]!)).toBe(false);
      }
    }
    expect(accepted).toBe(200);
  });

  it('the openssl CLI verifies sha256/sha1WithRSA co-signatures and recovers the SM3withRSA DigestInfo', () => {
    const cli = new OpensslCli();
    try {
      const { phone, cloud } = keys.get(2048)!;
      cli.write('pub.pem', nodePublicKey(phone).export({ type: 'spki', format: 'pem' }) as string);
      const msg = new TextEncoder().encode('检验报告 lab report');
      cli.write('msg.bin', msg);
      for (const hash of ['sha256', 'sha1'] as const) {
        const [sig] = signSession(phone, cloud, hash, [createHash(hash).update(msg).digest('hex')]);
        cli.write('sig.bin', sig!);
        const res = cli.run(['dgst', `-${hash}`, '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin']);
        expect(res.out.trim()).toBe('Verified OK');
      }
      // SM3withRSA: openssl 3.0 `dgst -sm3 -verify` refuses SM3 for RSA, so recover the DigestInfo
      // with `pkeyutl -verifyrecover`, parse it with `asn1parse`, and compare the digest with `dgst -sm3`.
      const [sig] = signSession(phone, cloud, 'sm3', [createHash('sm3').update(msg).digest('hex')]);
      cli.write('sig.bin', sig!);
      expect(cli.run(['pkeyutl', '-verifyrecover', '-pubin', '-inkey', 'pub.pem', '-in', 'sig.bin', '-out', 'di.der']).ok).toBe(true);
      const parsed = cli.run(['asn1parse', '-inform', 'DER', '-in', 'di.der']).out;
      expect(parsed).toMatch(/OBJECT\s+:sm3/);
      const digestHex = cli.run(['dgst', '-sm3', '-r', 'msg.bin']).out.split(' ')[0]!;
      expect(parsed.replace(/\s/g, '')).toContain(digestHex.toUpperCase());
    } finally {
      cli.dispose();
    }
  });

  it('the portable runtime (BigInt ladder) computes the same halves, and works end to end', async () => {
    const n = BigInt('0x' + keys.get(1024)!.phone.n);
    for (let i = 0; i < 5; i++) {
      const base = BigInt('0x' + toHex(new Uint8Array(randomBytes(100))));
      const exp = BigInt('0x' + toHex(new Uint8Array(randomBytes(128)))) % n;
      const native = nodeRuntime.rsaExponentiator(n, exp)(fromHex(base.toString(16).padStart(256, '0')));
      expect(toHex(native)).toBe(modPowPortable(base, exp, n).toString(16).padStart(256, '0'));
    }
    useRuntime(portableRuntime);
    try {
      const shares = await rsaDealerSplit(1024); // WebCrypto key generation
      const msg = new Uint8Array(randomBytes(50));
      const [sig] = signSession(shares.phone, shares.cloud, 'sha256', [createHash('sha256').update(msg).digest('hex')]);
      expect(verify('sha256', msg, nodePublicKey(shares.phone), sig!)).toBe(true);
    } finally {
      useRuntime(nodeRuntime);
    }
  });

  it('neither share alone makes a valid signature, and the shares differ', () => {
    const { phone, cloud } = keys.get(2048)!;
    expect(phone.d1).not.toBe(cloud.d2);
    const msg = new Uint8Array(randomBytes(10));
    const em = emsaPkcs1v15('sha256', createHash('sha256').update(msg).digest(), 256);
    const half = nodeRuntime.rsaExponentiator(BigInt('0x' + phone.n), BigInt('0x' + phone.d1))(em);
    expect(verify('sha256', msg, nodePublicKey(phone), half)).toBe(false);
  });

  it('a wrong cloud share gives a signature the final check rejects', () => {
    const { phone } = keys.get(2048)!;
    const { cloud: wrong } = keys.get(1024)!;
    const shifted = { ...keys.get(2048)!.cloud, d2: (BigInt('0x' + keys.get(2048)!.cloud.d2) + 1n).toString(16) };
    const digest = [toHex(new Uint8Array(randomBytes(32)))];
    expect(() => signSession(phone, shifted, 'sha256', digest)).toThrow(code('SIGNATURE_CHECK_FAILED'));
    expect(() => signSession(phone, { ...wrong, n: phone.n }, 'sha256', digest)).toThrow(code('SIGNATURE_CHECK_FAILED'));
  });

  it('malformed, out-of-range, replayed and mismatched replies are refused', () => {
    const { phone, cloud } = keys.get(1024)!;
    const digests = [toHex(new Uint8Array(randomBytes(32)))];
    const start = () => {
      const sessionId = newSessionId('rsa-atk');
      const s = phoneRsaSignStart({ sessionId, hash: 'sha256', digests });
      const session = { sessionId, hash: 'sha256' as const, digests, step: 'awaiting-phone-request' as 'awaiting-phone-request' | 'answered' };
      return { ...s, session, reply: cloudRsaSignRespond(cloud, session, wire(s.message)) };
    };
    for (const sigma of ['00'.repeat(128), 'ff'.repeat(128), '01', 'zz'.repeat(128), '00'.repeat(127) + '01']) {
      const { state, reply } = start();
      expect(() => phoneRsaSignFinish(phone, state, wire({ ...reply, sigma2: [sigma] }))).toThrow(code('COSIGN_REPLY_INVALID'));
    }
    const a = start();
    const b = start();
    expect(() => phoneRsaSignFinish(phone, b.state, wire(a.reply))).toThrow(code('SESSION_MISMATCH'));
    phoneRsaSignFinish(phone, a.state, wire(a.reply));
    expect(() => phoneRsaSignFinish(phone, a.state, wire(a.reply))).toThrow(code('SESSION_REPLAY'));
    expect(() => cloudRsaSignRespond(cloud, a.session, wire(a.message))).toThrow(code('SESSION_REPLAY'));
    // the cloud signed other digests than the phone showed
    const c = start();
    const sessionId = c.state.sessionId;
    const other = cloudRsaSignRespond(cloud, { sessionId, hash: 'sha256', digests: [toHex(new Uint8Array(32))], step: 'awaiting-phone-request' }, wire(c.message));
    expect(() => phoneRsaSignFinish(phone, c.state, wire(other))).toThrow(code('SESSION_MISMATCH'));
    // bad requests
    expect(() => phoneRsaSignStart({ sessionId: 'x', hash: 'md5' as HashAlgorithm, digests })).toThrow(code('ALGORITHM_UNSUPPORTED'));
    expect(() => phoneRsaSignStart({ sessionId: 'x', hash: 'sha1', digests })).toThrow(code('INPUT_LENGTH'));
    const d = start();
    expect(() => cloudRsaSignRespond(cloud, { ...d.session, step: 'awaiting-phone-request' }, wire({ ...d.message, count: 2 }))).toThrow(code('SESSION_MISMATCH'));
  });

  it('refuses unsupported modulus sizes', async () => {
    await expect(rsaDealerSplit(4096 as RsaModulusBits)).rejects.toMatchObject({ code: 'ALGORITHM_UNSUPPORTED' });
  });
});
